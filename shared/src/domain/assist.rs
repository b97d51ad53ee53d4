//! The model-backed helpers of the API, without the models: the prompts of elaborate (a one-line
//! request becomes a task draft) and validate (a draft is rated for clarity), and the checks that
//! turn a model's JSON into a [`Proposal`] or an [`Assessment`].
//!
//! A model's answer is never trusted: every field is checked, clamped to its range or replaced
//! by a default, and an answer without the essentials is refused, so the caller can ask the next
//! model. Calling the models is `crate::llm`'s business.

use std::time::Duration;

use serde_json::Value;

use super::classify::{model_tiers, rule_model};
use super::ids::{AgentKind, Priority};
use super::task::valid_label;

/// Input and output limits.
pub mod limits {
    /// Longest elaborate request, in bytes.
    pub const REQUEST_BYTES: usize = 2000;
    /// Longest title of a proposal, in characters.
    pub const TITLE_CHARS: usize = 60;
    /// Longest description or instructions sent to validate, in bytes.
    pub const DRAFT_FIELD_BYTES: usize = 16 * 1024;
    /// Most acceptance criteria, questions or suggestions kept.
    pub const LIST_ITEMS: usize = 10;
    /// Longest item of such a list, in characters.
    pub const ITEM_CHARS: usize = 500;
    /// Budget range of a proposal, in US dollars.
    pub const BUDGET_USD: (f64, f64) = (0.25, 5.0);
    /// Budget when the model gives none.
    pub const DEFAULT_BUDGET_USD: f64 = 1.0;
    /// Timeout range of a proposal.
    pub const TIMEOUT: (std::time::Duration, std::time::Duration) = (
        std::time::Duration::from_secs(5 * 60),
        std::time::Duration::from_secs(4 * 3600),
    );
    /// Timeout when the model gives none.
    pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15 * 60);
    /// Most labels on a proposal.
    pub const LABELS: usize = 8;
}

/// One request to a chat model: a system prompt, a user message and an output token limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// Instructions to the model.
    pub system: String,
    /// The material.
    pub user: String,
    /// Most tokens the answer may take.
    pub max_tokens: u32,
}

/// The JSON object in a model's answer: markdown fences and text before the first `{` or after
/// the last `}` (a chatty model, a CLI's credential notice) are dropped.
pub fn json_object_in(raw: &str) -> Result<serde_json::Map<String, Value>, String> {
    let (Some(start), Some(end)) = (raw.find('{'), raw.rfind('}')) else {
        return Err("the answer holds no JSON object".into());
    };
    if end < start {
        return Err("the answer holds no JSON object".into());
    }
    match serde_json::from_str::<Value>(&raw[start..=end]) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err("the answer is not a JSON object".into()),
        Err(e) => Err(format!("the answer is not valid JSON: {e}")),
    }
}

/// `s` on one line (control characters and runs of whitespace become one space), trimmed, at
/// most `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let joined = s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty());
    let mut out = String::new();
    for w in joined {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out.chars().take(max).collect::<String>().trim_end().to_owned()
}

/// At most `max` bytes of `s` (cut at a character boundary), without control characters other
/// than newlines and tabs.
pub fn text_block(s: &str, max: usize) -> String {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    let mut end = cleaned.len().min(max);
    while !cleaned.is_char_boundary(end) {
        end -= 1;
    }
    cleaned[..end].trim().to_owned()
}

fn str_field<'a>(v: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A list of short strings (a single string counts as a list of one), cleaned and capped.
fn string_list(v: Option<&Value>, item: impl Fn(&Value) -> Option<String>) -> Vec<String> {
    let items: Vec<&Value> = match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(s @ Value::String(_)) => vec![s],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(item)
        .filter(|s| !s.is_empty())
        .take(limits::LIST_ITEMS)
        .collect()
}

fn short_text(v: &Value) -> Option<String> {
    v.as_str().map(|s| one_line(s, limits::ITEM_CHARS))
}

/// What a project contributes to an elaborate prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectContext {
    /// Project name.
    pub name: String,
    /// Clone URL or path.
    pub repository: Option<String>,
    /// Branch work merges into.
    pub default_branch: String,
}

/// The user part of an elaborate prompt: the request and the project it is for.
pub fn request_text(request: &str, project: Option<&ProjectContext>) -> String {
    let mut user = format!("Request: {request}");
    if let Some(p) = project {
        user.push_str(&format!(
            "\n\nProject: {} (repository: {}, default branch: {})",
            p.name,
            p.repository.as_deref().unwrap_or("not set"),
            p.default_branch
        ));
    }
    user
}

/// The prompt that turns a one-line request into a task draft.
pub fn elaborate_prompt(request: &str, project: Option<&ProjectContext>) -> Prompt {
    let system = "You turn a one-line request into a task for an unattended coding agent. \
        Answer with one JSON object and nothing else, with these keys: \
        \"title\" (imperative, at most 60 characters), \
        \"description\" (two or three sentences for humans), \
        \"instructions\" (complete, self-contained instructions for the agent: context, steps, \
        constraints, and how to verify the work), \
        \"acceptance_criteria\" (a list of short, checkable statements), \
        \"agent\" (\"claude\" unless the request asks for another: \"gemini\" or \"local\"), \
        \"model\" (for claude \"sonnet\", \"opus\" only for obviously hard work, \"haiku\" for \
        trivial chores; for gemini \"gemini-2.5-flash\" or \"gemini-2.5-pro\"), \
        \"budget_usd\" (a number from 0.25 to 5.00), \
        \"timeout\" (a duration such as \"15m\" or \"1h\"), \
        \"priority\" (\"high\", \"normal\" or \"low\"), \
        \"labels\" (a few lowercase words)."
        .to_owned();
    Prompt {
        system,
        user: request_text(request, project),
        max_tokens: 2048,
    }
}

/// A task draft proposed by elaborate: what `POST /api/tasks` takes, plus acceptance criteria
/// (which the instructions also end with).
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// At most 60 characters.
    pub title: String,
    /// For humans.
    pub description: String,
    /// For the agent; ends with the acceptance criteria.
    pub instructions: String,
    /// Checkable statements.
    pub acceptance_criteria: Vec<String>,
    /// A model agent.
    pub agent: AgentKind,
    /// One of the agent's tiers (none for `local`).
    pub model: Option<String>,
    /// Within 0.25–5.00, in cents.
    pub budget_usd: f64,
    /// Within 5 minutes and 4 hours.
    pub timeout: Duration,
    /// Dispatch priority.
    pub priority: Priority,
    /// Valid labels.
    pub labels: Vec<String>,
}

/// `15m`, `1h`, `1h30m`: how a proposal's timeout is written.
pub fn format_timeout(d: Duration) -> String {
    let mins = d.as_secs() / 60;
    match (mins / 60, mins % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// Checks an elaborate answer. Refused without instructions; every other field is clamped or
/// defaulted (`request` supplies a title when the model gives none).
pub fn parse_proposal(raw: &str, request: &str) -> Result<Proposal, String> {
    let v = json_object_in(raw)?;
    let instructions = str_field(&v, "instructions")
        .map(|s| text_block(s, limits::DRAFT_FIELD_BYTES))
        .ok_or("the answer has no instructions")?;
    let title = one_line(str_field(&v, "title").unwrap_or(request), limits::TITLE_CHARS);
    let title = if title.is_empty() {
        one_line(request, limits::TITLE_CHARS)
    } else {
        title
    };
    let description = str_field(&v, "description")
        .map(|s| text_block(s, limits::DRAFT_FIELD_BYTES))
        .unwrap_or_default();
    let acceptance_criteria = string_list(v.get("acceptance_criteria"), short_text);
    let agent = match str_field(&v, "agent").map(str::to_lowercase).as_deref() {
        Some("gemini") => AgentKind::Gemini,
        Some("local") => AgentKind::Local,
        _ => AgentKind::Claude,
    };
    let named = str_field(&v, "model").map(str::to_lowercase).unwrap_or_default();
    let model = model_tiers(agent)
        .iter()
        .rev()
        .find(|(k, _)| named.contains(k))
        .map(|(_, m)| (*m).to_owned())
        .or_else(|| rule_model(agent, &format!("{title}\n{instructions}")).map(|c| c.model));
    let budget = match v.get("budget_usd") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().trim_start_matches('$').parse().ok(),
        _ => None,
    }
    .filter(|b: &f64| b.is_finite())
    .unwrap_or(limits::DEFAULT_BUDGET_USD);
    let budget_usd = (budget.clamp(limits::BUDGET_USD.0, limits::BUDGET_USD.1) * 100.0).round() / 100.0;
    let timeout = str_field(&v, "timeout")
        .and_then(|t| humantime::parse_duration(t).ok())
        .unwrap_or(limits::DEFAULT_TIMEOUT)
        .clamp(limits::TIMEOUT.0, limits::TIMEOUT.1);
    let timeout = Duration::from_secs(timeout.as_secs() / 60 * 60);
    let priority = str_field(&v, "priority")
        .and_then(|p| p.to_lowercase().parse().ok())
        .unwrap_or(Priority::Normal);
    let mut labels = string_list(v.get("labels").or_else(|| v.get("tags")), |l| {
        l.as_str().map(|s| one_line(s, 64).to_lowercase().replace(' ', "-"))
    });
    labels.retain(|l| valid_label(l));
    labels.sort();
    labels.dedup();
    labels.truncate(limits::LABELS);
    let instructions = with_criteria(instructions, &acceptance_criteria);
    Ok(Proposal {
        title,
        description,
        instructions,
        acceptance_criteria,
        agent,
        model,
        budget_usd,
        timeout,
        priority,
        labels,
    })
}

/// Instructions ending with the acceptance criteria (unless they already list them).
/// Instructions with an "Acceptance criteria" list appended (unless they already have one).
pub fn with_criteria(instructions: String, criteria: &[String]) -> String {
    if criteria.is_empty() || instructions.to_lowercase().contains("acceptance criteria") {
        return instructions;
    }
    let list: Vec<String> = criteria.iter().map(|c| format!("- {c}")).collect();
    format!("{instructions}\n\nAcceptance criteria:\n{}", list.join("\n"))
}

/// A task draft to rate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftForReview {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Instructions.
    pub instructions: String,
    /// Acceptance criteria.
    pub acceptance_criteria: Vec<String>,
    /// Agent type named, if any.
    pub agent: Option<String>,
}

impl DraftForReview {
    /// Every problem with the draft's size, as (field, message); empty when it may be sent.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.title.trim().is_empty() && self.instructions.trim().is_empty() {
            out.push(("title", "give a title or instructions".to_owned()));
        }
        if self.title.chars().count() > super::task::limits::TITLE_CHARS {
            out.push((
                "title",
                format!("is longer than {} characters", super::task::limits::TITLE_CHARS),
            ));
        }
        for (field, text) in [("description", &self.description), ("instructions", &self.instructions)] {
            if text.len() > limits::DRAFT_FIELD_BYTES {
                out.push((field, format!("is longer than {} bytes", limits::DRAFT_FIELD_BYTES)));
            }
        }
        if self.acceptance_criteria.len() > 2 * limits::LIST_ITEMS
            || self.acceptance_criteria.iter().any(|c| c.len() > limits::ITEM_CHARS)
        {
            out.push((
                "acceptance_criteria",
                format!(
                    "at most {} items of {} bytes",
                    2 * limits::LIST_ITEMS,
                    limits::ITEM_CHARS
                ),
            ));
        }
        out
    }
}

/// The prompt that rates a draft.
pub fn validate_prompt(d: &DraftForReview) -> Prompt {
    let system = "You review task descriptions before an unattended coding agent runs them. \
        Judge whether the agent can do the task without asking anything. Answer with one JSON \
        object and nothing else, with these keys: \
        \"clarity\" (\"clear\", \"warning\" when it can be done but something is vague, or \
        \"blocking\" when it cannot be done without an answer), \
        \"ready\" (true when it can run as it is), \
        \"summary\" (one sentence), \
        \"questions\" (a list of {\"text\": \"...?\", \"severity\": \"blocking\" | \"warning\" | \
        \"info\"}), \
        \"suggestions\" (a list of short improvements)."
        .to_owned();
    let criteria: Vec<String> = d.acceptance_criteria.iter().map(|c| format!("- {c}")).collect();
    let user = format!(
        "Title: {}\nAgent: {}\n\nDescription:\n{}\n\nInstructions:\n{}\n\nAcceptance criteria:\n{}",
        d.title,
        d.agent.as_deref().unwrap_or("(not chosen)"),
        d.description,
        d.instructions,
        if criteria.is_empty() {
            "(none)".to_owned()
        } else {
            criteria.join("\n")
        }
    );
    Prompt {
        system,
        user,
        max_tokens: 1024,
    }
}

/// How clear a draft is, least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Clarity {
    /// Can run as it is.
    Clear,
    /// Can run, but something is vague.
    Warning,
    /// Needs an answer first.
    Blocking,
}

/// How much an open question matters, least first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Good to know.
    Info,
    /// The agent would have to guess.
    Warning,
    /// The task cannot be done without the answer.
    Blocking,
}

/// One question a reviewer would ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewQuestion {
    /// The question.
    pub text: String,
    /// How much it matters.
    pub severity: Severity,
}

/// The rating of a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// At least as severe as the worst question.
    pub clarity: Clarity,
    /// Never true when `clarity` is blocking.
    pub ready: bool,
    /// One sentence.
    pub summary: String,
    /// Open questions.
    pub questions: Vec<ReviewQuestion>,
    /// Improvements.
    pub suggestions: Vec<String>,
}

/// Checks a validate answer. Refused without a clarity, questions or summary to go on; clarity
/// is raised to the worst question's severity and `ready` made consistent with it.
pub fn parse_assessment(raw: &str) -> Result<Assessment, String> {
    let v = json_object_in(raw)?;
    let questions: Vec<ReviewQuestion> = match v.get("questions") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|q| {
                let (text, severity) = match q {
                    Value::String(s) => (s.as_str(), None),
                    Value::Object(o) => (o.get("text")?.as_str()?, o.get("severity").and_then(Value::as_str)),
                    _ => return None,
                };
                let severity = match severity.map(str::to_lowercase).as_deref() {
                    Some("blocking" | "high" | "critical") => Severity::Blocking,
                    Some("info" | "low" | "minor") => Severity::Info,
                    _ => Severity::Warning,
                };
                Some(ReviewQuestion {
                    text: one_line(text, limits::ITEM_CHARS),
                    severity,
                })
            })
            .filter(|q| !q.text.is_empty())
            .take(limits::LIST_ITEMS)
            .collect(),
        _ => Vec::new(),
    };
    let named = match str_field(&v, "clarity").map(str::to_lowercase).as_deref() {
        Some("clear") => Some(Clarity::Clear),
        Some("warning") => Some(Clarity::Warning),
        Some("blocking") => Some(Clarity::Blocking),
        _ => None,
    };
    let summary = str_field(&v, "summary")
        .map(|s| one_line(s, limits::ITEM_CHARS))
        .unwrap_or_default();
    if named.is_none() && questions.is_empty() && summary.is_empty() {
        return Err("the answer has no clarity, questions or summary".into());
    }
    let worst = questions.iter().map(|q| match q.severity {
        Severity::Blocking => Clarity::Blocking,
        Severity::Warning => Clarity::Warning,
        Severity::Info => Clarity::Clear,
    });
    let clarity = worst.chain(named).max().unwrap_or(Clarity::Clear);
    let ready = clarity != Clarity::Blocking && v.get("ready").and_then(Value::as_bool).unwrap_or(true);
    Ok(Assessment {
        clarity,
        ready,
        summary,
        questions,
        suggestions: string_list(v.get("suggestions"), short_text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_found_inside_fences_and_noise() {
        let raw = "Loaded cached credentials.\n```json\n{\"a\": 1}\n```\n";
        assert_eq!(json_object_in(raw).unwrap()["a"], 1);
        assert!(json_object_in("[1, 2]").is_err());
        assert!(json_object_in("} {").is_err());
        assert!(json_object_in("{not json}").is_err());
    }

    #[test]
    fn proposals_are_clamped_and_defaulted() {
        let raw = r#"{"title": "Add a health endpoint to the API server so load balancers can probe it often",
            "description": "d", "instructions": "Add GET /healthz.",
            "acceptance_criteria": ["GET /healthz answers 200", 7],
            "agent": "cobol", "model": "gpt-9", "budget_usd": 99, "timeout": "3 days",
            "priority": "URGENT", "labels": ["API", "has space", "{bad}"]}"#;
        let p = parse_proposal(raw, "health endpoint").unwrap();
        assert_eq!(p.title.chars().count(), 60);
        assert_eq!(p.agent, AgentKind::Claude);
        assert_eq!(p.model.as_deref(), Some("sonnet"));
        assert_eq!(p.budget_usd, 5.0);
        assert_eq!(format_timeout(p.timeout), "4h");
        assert_eq!(p.priority, Priority::Normal);
        assert_eq!(p.labels, ["api", "has-space"]);
        assert_eq!(p.acceptance_criteria, ["GET /healthz answers 200"]);
        assert!(
            p.instructions
                .ends_with("Acceptance criteria:\n- GET /healthz answers 200")
        );

        let p = parse_proposal(
            r#"{"instructions": "x", "agent": "gemini", "model": "Pro", "budget_usd": "0.01", "timeout": "90m"}"#,
            "  do   the thing ",
        )
        .unwrap();
        assert_eq!(p.title, "do the thing");
        assert_eq!(p.model.as_deref(), Some("gemini-2.5-pro"));
        assert_eq!(p.budget_usd, 0.25);
        assert_eq!(format_timeout(p.timeout), "1h30m");
        assert!(parse_proposal(r#"{"title": "no instructions"}"#, "r").is_err());
    }

    #[test]
    fn assessments_are_made_consistent() {
        let raw = r#"{"clarity": "clear", "ready": true, "summary": "Fine.",
            "questions": [{"text": "Which database?", "severity": "blocking"}, "Which port?", 3],
            "suggestions": "Name the file."}"#;
        let a = parse_assessment(raw).unwrap();
        assert_eq!(a.clarity, Clarity::Blocking);
        assert!(!a.ready);
        assert_eq!(a.questions.len(), 2);
        assert_eq!(a.questions[1].severity, Severity::Warning);
        assert_eq!(a.suggestions, ["Name the file."]);
        let a = parse_assessment(r#"{"clarity": "WARNING", "summary": "vague"}"#).unwrap();
        assert_eq!((a.clarity, a.ready), (Clarity::Warning, true));
        assert!(parse_assessment(r#"{"mood": "good"}"#).is_err());
    }

    #[test]
    fn oversized_drafts_are_refused() {
        let d = DraftForReview {
            instructions: "x".repeat(limits::DRAFT_FIELD_BYTES + 1),
            ..DraftForReview::default()
        };
        let fields: Vec<_> = d.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["instructions"]);
        assert_eq!(DraftForReview::default().problems()[0].0, "title");
    }
}
