//! Task specifications (validated input) and tasks (what storage hands back).
//!
//! `TaskDraft` is the loose shape every edge fills in (JSON, YAML, webhooks); `TaskSpec::parse`
//! turns it into a spec whose invariants hold, reporting every problem at once so a client can
//! fix a request in one go.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::ids::{AgentKind, Attempt, PermissionMode, Priority, TaskId};
use super::state::TaskState;

/// Input limits. Requests over these are rejected with a field-level error.
pub mod limits {
    /// Longest title, in characters.
    pub const TITLE_CHARS: usize = 200;
    /// Longest description, in bytes.
    pub const DESCRIPTION_BYTES: usize = 16 * 1024;
    /// Longest instructions, in bytes.
    pub const INSTRUCTIONS_BYTES: usize = 128 * 1024;
    /// Most labels on a task.
    pub const LABELS: usize = 32;
    /// Longest label, in bytes.
    pub const LABEL_BYTES: usize = 64;
    /// Most argv entries of an exec task.
    pub const ARGV: usize = 256;
    /// Longest argv entry, in bytes.
    pub const ARG_BYTES: usize = 8 * 1024;
    /// Most attempts a task may ask for.
    pub const MAX_ATTEMPTS: u32 = 50;
    /// Longest timeout a task may ask for.
    pub const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);
    /// Most dependencies.
    pub const DEPENDS_ON: usize = 100;
    /// Longest model name.
    pub const MODEL_BYTES: usize = 128;
    /// Most allowed tools listed.
    pub const ALLOWED_TOOLS: usize = 64;
    /// Longest `allowed_tools` entry, in bytes.
    pub const TOOL_BYTES: usize = 256;
    /// Default attempts when a request names none.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
}

/// What an edge (HTTP JSON, YAML, a webhook) knows about a task before validation.
#[derive(Debug, Clone, Default)]
pub struct TaskDraft {
    /// Required, 1..=200 characters.
    pub title: Option<String>,
    /// Free text shown to humans.
    pub description: Option<String>,
    /// What the agent should do. Required for model agents.
    pub instructions: Option<String>,
    /// Agent kind by name.
    pub agent: Option<String>,
    /// Model name or tier.
    pub model: Option<String>,
    /// `high`, `normal` (default) or `low`.
    pub priority: Option<String>,
    /// Attempts before the task fails for good (default 3).
    pub max_attempts: Option<u32>,
    /// Wall-clock limit per attempt, as a duration like `30m` or `90s`.
    pub timeout: Option<String>,
    /// Wall-clock limit per attempt, in seconds (alternative to `timeout`).
    pub timeout_secs: Option<u64>,
    /// Cost limit in US dollars.
    pub budget_usd: Option<f64>,
    /// Free-form labels.
    pub labels: Vec<String>,
    /// Project this task works on.
    pub project_id: Option<uuid::Uuid>,
    /// Parent task (subtasks).
    pub parent_task_id: Option<uuid::Uuid>,
    /// Tasks that must complete first.
    pub depends_on: Vec<uuid::Uuid>,
    /// Earliest start.
    pub run_at: Option<DateTime<Utc>>,
    /// Delay before the earliest start, in seconds (alternative to `run_at`).
    pub delay_secs: Option<u64>,
    /// Whether a success waits for accept/reject (READY) instead of completing.
    pub review: Option<bool>,
    /// Command of an exec task.
    pub argv: Option<Vec<String>>,
    /// Working directory of an exec task or the agent's project directory.
    pub working_dir: Option<String>,
    /// Permission mode handed to model CLIs.
    pub permission_mode: Option<String>,
    /// Tools a model CLI may use.
    pub allowed_tools: Vec<String>,
    /// Turn limit for model CLIs.
    pub max_turns: Option<u32>,
}

/// One field-level validation problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON-pointer-ish field name (`title`, `exec.argv`).
    pub field: &'static str,
    /// What is wrong, for humans.
    pub message: String,
}

/// Every problem found in a draft.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid task: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct SpecErrors(pub Vec<FieldError>);

/// How an agent runs, beyond the kind.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentOptions {
    /// Command of an exec task (never run through a shell).
    pub argv: Vec<String>,
    /// Working directory.
    pub working_dir: Option<String>,
    /// Permission mode for model CLIs.
    pub permission_mode: Option<String>,
    /// Tools a model CLI may use.
    pub allowed_tools: Vec<String>,
    /// Turn limit.
    pub max_turns: Option<u32>,
}

/// A validated task specification.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSpec {
    /// 1..=200 characters.
    pub title: String,
    /// Human description.
    pub description: String,
    /// Agent instructions.
    pub instructions: String,
    /// Which runner.
    pub agent: AgentKind,
    /// Model name or tier.
    pub model: Option<String>,
    /// Dispatch priority.
    pub priority: Priority,
    /// Attempts before failing for good.
    pub max_attempts: u32,
    /// Per-attempt wall-clock limit.
    pub timeout: Option<Duration>,
    /// Cost limit.
    pub budget_usd: Option<f64>,
    /// Labels, deduplicated.
    pub labels: Vec<String>,
    /// Project.
    pub project_id: Option<uuid::Uuid>,
    /// Parent task.
    pub parent_task_id: Option<TaskId>,
    /// Prerequisites.
    pub depends_on: Vec<TaskId>,
    /// Earliest start.
    pub run_at: Option<DateTime<Utc>>,
    /// Whether success waits for review.
    pub review: bool,
    /// Runner options.
    pub options: AgentOptions,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(t).map_err(|e| format!("`{t}` is not a duration like 30m or 90s ({e})"))
}

/// An `allowed_tools` entry: a tool name or pattern like `Bash(git log:*)`, never a flag.
pub(crate) fn valid_tool(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= limits::TOOL_BYTES
        && !t.starts_with('-')
        && !t.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub(crate) fn valid_label(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= limits::LABEL_BYTES
        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:/=".contains(&b))
}

impl TaskSpec {
    /// Validates a draft. `now` is an argument so delays are testable without a clock.
    pub fn parse(d: TaskDraft, now: DateTime<Utc>) -> Result<TaskSpec, SpecErrors> {
        let mut errs = Vec::new();
        let mut err = |field: &'static str, message: String| errs.push(FieldError { field, message });

        let title = d.title.unwrap_or_default().trim().to_owned();
        if title.is_empty() {
            err("title", "is required".into());
        } else if title.chars().count() > limits::TITLE_CHARS {
            err("title", format!("is longer than {} characters", limits::TITLE_CHARS));
        }
        let description = d.description.unwrap_or_default();
        if description.len() > limits::DESCRIPTION_BYTES {
            err(
                "description",
                format!("is longer than {} bytes", limits::DESCRIPTION_BYTES),
            );
        }
        let instructions = d.instructions.unwrap_or_default();
        if instructions.len() > limits::INSTRUCTIONS_BYTES {
            err(
                "instructions",
                format!("is longer than {} bytes", limits::INSTRUCTIONS_BYTES),
            );
        }
        let agent = match d.agent.as_deref().map(str::trim) {
            None | Some("") => {
                err("agent", "is required".into());
                None
            }
            Some(name) => match name.parse::<AgentKind>() {
                Ok(a) => Some(a),
                Err(e) => {
                    let known: Vec<_> = AgentKind::ALL.iter().map(|a| a.as_str()).collect();
                    err("agent", format!("{e}; known: {}", known.join(", ")));
                    None
                }
            },
        };
        let model = d.model.filter(|m| !m.trim().is_empty());
        if model.as_ref().is_some_and(|m| m.len() > limits::MODEL_BYTES) {
            err("model", format!("is longer than {} bytes", limits::MODEL_BYTES));
        }
        let priority = match d.priority.as_deref() {
            None | Some("") => Priority::Normal,
            Some(p) => p.parse().unwrap_or_else(|e| {
                err("priority", format!("{e}; use high, normal or low"));
                Priority::Normal
            }),
        };
        let max_attempts = d.max_attempts.unwrap_or(limits::DEFAULT_MAX_ATTEMPTS);
        if !(1..=limits::MAX_ATTEMPTS).contains(&max_attempts) {
            err(
                "max_attempts",
                format!("must be between 1 and {}", limits::MAX_ATTEMPTS),
            );
        }
        let timeout = match (d.timeout.as_deref(), d.timeout_secs) {
            (Some(_), Some(_)) => {
                err("timeout", "give either timeout or timeout_secs, not both".into());
                None
            }
            (Some(t), None) => match parse_duration(t) {
                Ok(d) => Some(d),
                Err(m) => {
                    err("timeout", m);
                    None
                }
            },
            (None, Some(s)) => Some(Duration::from_secs(s)),
            (None, None) => None,
        }
        .filter(|d| !d.is_zero());
        if timeout.is_some_and(|t| t > limits::TIMEOUT) {
            err("timeout", "is longer than 7 days".into());
        }
        if let Some(b) = d.budget_usd
            && !(b.is_finite() && b > 0.0 && b <= 10_000.0)
        {
            err("budget_usd", "must be a positive amount up to 10000".into());
        }
        let mut labels = d.labels;
        labels.sort();
        labels.dedup();
        if labels.len() > limits::LABELS {
            err("labels", format!("at most {} labels", limits::LABELS));
        }
        if let Some(bad) = labels.iter().find(|l| !valid_label(l)) {
            err(
                "labels",
                format!("`{bad}` must be 1-64 characters of a-z, 0-9 and -_.:/="),
            );
        }
        if d.depends_on.len() > limits::DEPENDS_ON {
            err("depends_on", format!("at most {} dependencies", limits::DEPENDS_ON));
        }
        let run_at = match (d.run_at, d.delay_secs) {
            (Some(_), Some(_)) => {
                err("run_at", "give either run_at or delay_secs, not both".into());
                None
            }
            (Some(at), None) => Some(at),
            (None, Some(s)) => i64::try_from(s)
                .ok()
                .and_then(chrono::TimeDelta::try_seconds)
                .and_then(|delta| now.checked_add_signed(delta))
                .or_else(|| {
                    err("delay_secs", "is too large".into());
                    None
                }),
            (None, None) => None,
        };
        let argv = d.argv.unwrap_or_default();
        if agent == Some(AgentKind::Exec) {
            if argv.is_empty() || argv[0].is_empty() {
                err("exec.argv", "an exec task needs a non-empty argv list".into());
            }
            if argv.len() > limits::ARGV || argv.iter().any(|a| a.len() > limits::ARG_BYTES) {
                err(
                    "exec.argv",
                    format!("at most {} arguments of {} bytes", limits::ARGV, limits::ARG_BYTES),
                );
            }
            if argv.iter().any(|a| a.contains('\0')) {
                err("exec.argv", "arguments may not contain NUL".into());
            }
        } else if !argv.is_empty() {
            err("exec.argv", "only exec tasks take an argv".into());
        }
        if agent.is_some_and(AgentKind::is_model) && instructions.trim().is_empty() {
            err("instructions", "are required for model agents".into());
        }
        if d.allowed_tools.len() > limits::ALLOWED_TOOLS {
            err("allowed_tools", format!("at most {} tools", limits::ALLOWED_TOOLS));
        }
        // Entries become CLI arguments: one starting with `-` would be read as a flag.
        if let Some(bad) = d.allowed_tools.iter().find(|t| !valid_tool(t)) {
            err(
                "allowed_tools",
                format!(
                    "`{}` must be 1-{} bytes, not start with `-` and hold no whitespace or control characters",
                    bad.chars().take(80).collect::<String>(),
                    limits::TOOL_BYTES
                ),
            );
        }
        let permission_mode = match d.permission_mode.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(m) => match m.parse::<PermissionMode>() {
                Ok(m) => Some(m.as_str().to_owned()),
                Err(e) => {
                    let known: Vec<_> = PermissionMode::ALL.iter().map(|m| m.as_str()).collect();
                    err("permission_mode", format!("{e}; known: {}", known.join(", ")));
                    None
                }
            },
        };
        if d.working_dir.as_ref().is_some_and(|w| w.contains('\0') || w.is_empty()) {
            err("working_dir", "must be a non-empty path".into());
        }

        let Some(agent) = agent else {
            return Err(SpecErrors(errs));
        };
        if !errs.is_empty() {
            return Err(SpecErrors(errs));
        }
        let review = d.review.unwrap_or(agent.is_model() && d.parent_task_id.is_none());
        Ok(TaskSpec {
            title,
            description,
            instructions,
            agent,
            model,
            priority,
            max_attempts,
            timeout,
            budget_usd: d.budget_usd,
            labels,
            project_id: d.project_id,
            parent_task_id: d.parent_task_id.map(TaskId::from_uuid),
            depends_on: d.depends_on.into_iter().map(TaskId::from_uuid).collect(),
            run_at,
            review,
            options: AgentOptions {
                argv,
                working_dir: d.working_dir,
                permission_mode,
                allowed_tools: d.allowed_tools,
                max_turns: d.max_turns,
            },
        })
    }
}

/// A question an agent asked, waiting for a human.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Question {
    /// The question, ending with `?`.
    pub text: String,
    /// Choices offered; empty means free text.
    #[serde(default)]
    pub options: Vec<String>,
    /// The human's answer, once given (the next attempt reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

impl Question {
    /// Validates a question an agent wrote: a real question (ending with `?`), bounded sizes.
    pub fn parse_agent_json(text: &str) -> Result<Question, String> {
        #[derive(serde::Deserialize)]
        struct Raw {
            text: String,
            #[serde(default)]
            options: Vec<String>,
        }
        let raw: Raw = serde_json::from_str(text)
            .map_err(|e| format!("question file is not {{\"text\": ..., \"options\": [...]}}: {e}"))?;
        let q = raw.text.trim().to_owned();
        if q.is_empty() || q.len() > 4096 || !q.ends_with('?') {
            return Err("the question must be 1-4096 bytes and end with '?'".into());
        }
        if raw.options.len() > 20 || raw.options.iter().any(|o| o.is_empty() || o.len() > 256) {
            return Err("at most 20 options of 1-256 bytes".into());
        }
        Ok(Question {
            text: q,
            options: raw.options,
            answer: None,
        })
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Identity.
    pub id: TaskId,
    /// What was asked.
    pub spec: TaskSpec,
    /// Where it is.
    pub state: TaskState,
    /// Claims so far; the fencing token.
    pub attempt: Attempt,
    /// Attempts counted against `max_attempts` (rate limits and hand-backs are refunded).
    pub attempts_charged: i32,
    /// Why the last attempt ended the way it did.
    pub last_error: Option<String>,
    /// The open question while BLOCKED.
    pub question: Option<Question>,
    /// The reviewer's comment after a reject.
    pub rejection_comment: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec_draft() -> TaskDraft {
        TaskDraft {
            title: Some("hello".into()),
            agent: Some("exec".into()),
            argv: Some(vec!["echo".into(), "hi".into()]),
            ..TaskDraft::default()
        }
    }

    #[test]
    fn allowed_tools_that_could_be_flags_and_unknown_permission_modes_are_refused() {
        let model = |tools: Vec<&str>, mode: Option<&str>| TaskDraft {
            title: Some("m".into()),
            agent: Some("claude".into()),
            instructions: Some("x".into()),
            allowed_tools: tools.into_iter().map(Into::into).collect(),
            permission_mode: mode.map(Into::into),
            ..TaskDraft::default()
        };
        for bad in ["-p", "--dangerously-skip-permissions", "Bash(rm -rf:*)", "Read\n", ""] {
            let e = TaskSpec::parse(model(vec!["Read", bad], None), Utc::now()).unwrap_err();
            assert!(e.0.iter().any(|f| f.field == "allowed_tools"), "{bad:?}: {e}");
        }
        let ok = TaskSpec::parse(model(vec!["Read", "Bash(git:*)"], Some("acceptedits")), Utc::now()).unwrap();
        assert_eq!(ok.options.permission_mode.as_deref(), Some("acceptEdits"));
        let e = TaskSpec::parse(model(vec![], Some("yolo")), Utc::now()).unwrap_err();
        assert!(e.0.iter().any(|f| f.field == "permission_mode"), "{e}");
    }

    #[test]
    fn a_minimal_exec_task_is_valid_with_defaults() {
        let spec = TaskSpec::parse(exec_draft(), Utc::now()).unwrap();
        assert_eq!(spec.agent, AgentKind::Exec);
        assert_eq!(spec.priority, Priority::Normal);
        assert_eq!(spec.max_attempts, 3);
        assert!(!spec.review);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let d = TaskDraft {
            title: Some(" ".into()),
            agent: Some("cobol".into()),
            priority: Some("urgent".into()),
            timeout: Some("soon".into()),
            max_attempts: Some(0),
            ..TaskDraft::default()
        };
        let errs = TaskSpec::parse(d, Utc::now()).unwrap_err().0;
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "agent", "priority", "max_attempts", "timeout"]);
    }

    #[test]
    fn durations_and_delays_parse() {
        let now = Utc::now();
        let d = TaskDraft {
            timeout: Some("30m".into()),
            delay_secs: Some(90),
            ..exec_draft()
        };
        let spec = TaskSpec::parse(d, now).unwrap();
        assert_eq!(spec.timeout, Some(Duration::from_secs(1800)));
        assert_eq!(spec.run_at, Some(now + chrono::TimeDelta::seconds(90)));
    }

    #[test]
    fn agent_questions_are_validated() {
        let q = Question::parse_agent_json(r#"{"text": "Red or blue?", "options": ["red", "blue"]}"#).unwrap();
        assert_eq!(q.options, ["red", "blue"]);
        assert!(Question::parse_agent_json(r#"{"text": "Tell me"}"#).is_err());
        assert!(Question::parse_agent_json("not json").is_err());
    }

    #[test]
    fn exec_needs_argv_and_model_agents_need_instructions() {
        let d = TaskDraft {
            argv: None,
            ..exec_draft()
        };
        assert_eq!(TaskSpec::parse(d, Utc::now()).unwrap_err().0[0].field, "exec.argv");
        let d = TaskDraft {
            agent: Some("claude".into()),
            argv: None,
            ..exec_draft()
        };
        assert_eq!(TaskSpec::parse(d, Utc::now()).unwrap_err().0[0].field, "instructions");
    }
}
