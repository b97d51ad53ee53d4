//! HTTP shapes of tasks (JSON and the original YAML), and their conversions to and from domain
//! types. Nothing outside the API crate sees these.

use chrono::{DateTime, Utc};
use poem_openapi::{ApiRequest, Enum, Object, payload::Json};
use shared::domain::{self, TaskDraft};
use uuid::Uuid;

/// Task states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "shared::domain::TaskState", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskState {
    /// Created, not submitted.
    Pending,
    /// Waiting for a worker (possibly until `run_at`).
    Queued,
    /// Running on a worker.
    Running,
    /// Waiting for a human answer or for subtasks.
    Blocked,
    /// Finished; awaiting accept or reject.
    Ready,
    /// Done.
    Completed,
    /// Failed; can be re-run.
    Failed,
    /// Cancelled; can be re-run.
    Cancelled,
    /// Ran past its timeout; can be resumed.
    TimedOut,
    /// Spent more than its budget; can be re-run.
    BudgetExceeded,
}

/// Command of an `exec` task, run without a shell.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct ExecOptions {
    /// Program and arguments, e.g. `["cargo", "test"]`.
    pub argv: Vec<String>,
    /// Working directory (default: the worker's).
    pub working_dir: Option<String>,
}

/// A new task (JSON).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct CreateTask {
    /// 1 to 200 characters.
    pub title: String,
    /// Free text for humans.
    pub description: Option<String>,
    /// What the agent should do (required for model agents).
    pub instructions: Option<String>,
    /// Agent type: `exec`, `noop`, `claude`, `gemini` or `local`; absent or `auto`: the least
    /// busy unpaused agent type of `CLASSIFY_AGENTS`, with a model tier when `model` is absent.
    pub agent: Option<String>,
    /// Model name or tier.
    pub model: Option<String>,
    /// `high`, `normal` (default) or `low`.
    pub priority: Option<String>,
    /// Attempts before failing for good (1 to 50, default 3).
    pub max_attempts: Option<u32>,
    /// Per-attempt timeout as a duration, e.g. `30m`.
    pub timeout: Option<String>,
    /// Per-attempt timeout in seconds (instead of `timeout`).
    pub timeout_secs: Option<u64>,
    /// Cost limit in US dollars.
    pub budget_usd: Option<f64>,
    /// Labels (a-z, 0-9, `-_.:/=`; at most 32).
    pub labels: Option<Vec<String>>,
    /// Project.
    pub project_id: Option<Uuid>,
    /// Parent task, for subtasks.
    pub parent_task_id: Option<Uuid>,
    /// Tasks that must complete first.
    pub depends_on: Option<Vec<Uuid>>,
    /// Earliest start.
    pub run_at: Option<DateTime<Utc>>,
    /// Earliest start as a delay in seconds (instead of `run_at`).
    pub delay_secs: Option<u64>,
    /// Whether success waits for accept/reject (default: yes for model agents' top-level tasks).
    pub review: Option<bool>,
    /// Command, for `exec` tasks.
    pub exec: Option<ExecOptions>,
    /// Permission mode for model CLIs.
    pub permission_mode: Option<String>,
    /// Tools a model CLI may use.
    pub allowed_tools: Option<Vec<String>>,
    /// Turn limit for model CLIs.
    pub max_turns: Option<u32>,
}

impl From<CreateTask> for TaskDraft {
    fn from(c: CreateTask) -> TaskDraft {
        let (argv, exec_dir) = match c.exec {
            Some(e) => (Some(e.argv), e.working_dir),
            None => (None, None),
        };
        TaskDraft {
            title: Some(c.title),
            description: c.description,
            instructions: c.instructions,
            agent: c.agent,
            model: c.model,
            priority: c.priority,
            max_attempts: c.max_attempts,
            timeout: c.timeout,
            timeout_secs: c.timeout_secs,
            budget_usd: c.budget_usd,
            labels: c.labels.unwrap_or_default(),
            project_id: c.project_id,
            parent_task_id: c.parent_task_id,
            depends_on: c.depends_on.unwrap_or_default(),
            run_at: c.run_at,
            delay_secs: c.delay_secs,
            review: c.review,
            argv,
            working_dir: exec_dir,
            permission_mode: c.permission_mode,
            allowed_tools: c.allowed_tools.unwrap_or_default(),
            max_turns: c.max_turns,
        }
    }
}

/// The `agent:` block of the original task YAML (`claude:` is accepted as its old name).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct YamlAgent {
    /// Agent type; absent or `auto`: classified as for JSON tasks.
    #[oai(rename = "type")]
    pub type_: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Instructions.
    pub instructions: Option<String>,
    /// For `exec` and `noop`: the working directory. For model agents (which work in a clone of
    /// their project's repository): selects the project whose `repository` is this path or URL;
    /// a directory that is no project's repository is refused.
    pub project_dir: Option<String>,
    /// Same as `project_dir`.
    pub working_dir: Option<String>,
    /// Budget in US dollars, for all attempts together.
    pub max_budget_usd: Option<f64>,
    /// Permission mode.
    pub permission_mode: Option<String>,
    /// Allowed tools.
    pub allowed_tools: Option<Vec<String>>,
    /// Command of an `exec` task.
    pub argv: Option<Vec<String>>,
    /// Turn limit.
    pub max_turns: Option<u32>,
}

/// The `retry:` block of the original task YAML.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct YamlRetry {
    /// Attempts before failing for good.
    pub max_attempts: Option<u32>,
}

/// A new task in the original claudomator YAML shape. Unknown keys are refused (422, every
/// one named) rather than dropped.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct TaskYaml {
    /// Title.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Agent block.
    pub agent: YamlAgent,
    /// Duration like `30m`.
    pub timeout: Option<String>,
    /// `high`, `normal` or `low`.
    pub priority: Option<String>,
    /// Labels.
    pub tags: Option<Vec<String>>,
    /// Prerequisites.
    pub depends_on: Option<Vec<Uuid>>,
    /// Parent task.
    pub parent_task_id: Option<Uuid>,
    /// Retry policy.
    pub retry: Option<YamlRetry>,
    /// Earliest start.
    pub run_at: Option<DateTime<Utc>>,
    /// Review success before completing.
    pub review: Option<bool>,
    /// Project.
    pub project_id: Option<Uuid>,
    /// Checkable statements; appended to the instructions as an "Acceptance criteria" list.
    pub acceptance_criteria: Option<Vec<String>>,
}

/// A YAML task turned into a draft, plus what only the handler can resolve.
pub struct YamlDraft {
    /// The draft.
    pub draft: TaskDraft,
    /// `agent.project_dir` of a task that is not `exec`/`noop`: names a project's repository.
    pub project_dir: Option<String>,
}

impl From<TaskYaml> for YamlDraft {
    fn from(y: TaskYaml) -> YamlDraft {
        let a = y.agent;
        let dir = a.project_dir.or(a.working_dir);
        // exec and noop run in a directory of the worker; every other agent works in a clone of
        // its project, so a directory can only mean "the project whose repository this is".
        let runs_in_dir = matches!(a.type_.as_deref(), Some("exec" | "noop"));
        let (working_dir, project_dir) = if runs_in_dir { (dir, None) } else { (None, dir) };
        let instructions = match (a.instructions, y.acceptance_criteria) {
            (i, Some(c)) if !c.is_empty() => Some(
                domain::assist::with_criteria(i.unwrap_or_default(), &c)
                    .trim_start()
                    .to_owned(),
            ),
            (i, _) => i,
        };
        let draft = TaskDraft {
            title: Some(y.name),
            description: y.description,
            instructions,
            agent: a.type_,
            model: a.model,
            priority: y.priority,
            max_attempts: y.retry.and_then(|r| r.max_attempts),
            timeout: y.timeout,
            budget_usd: a.max_budget_usd,
            labels: y.tags.unwrap_or_default(),
            project_id: y.project_id,
            parent_task_id: y.parent_task_id,
            depends_on: y.depends_on.unwrap_or_default(),
            run_at: y.run_at,
            review: y.review,
            argv: a.argv,
            working_dir,
            permission_mode: a.permission_mode,
            allowed_tools: a.allowed_tools.unwrap_or_default(),
            max_turns: a.max_turns,
            ..TaskDraft::default()
        };
        YamlDraft { draft, project_dir }
    }
}

/// Body of `POST /api/tasks`.
#[derive(Debug, ApiRequest)]
pub enum CreateTaskBody {
    /// JSON.
    Json(Json<CreateTask>),
    /// The original task YAML.
    Yaml(super::yaml::OriginalYaml),
}

impl From<CreateTaskBody> for YamlDraft {
    fn from(b: CreateTaskBody) -> YamlDraft {
        match b {
            CreateTaskBody::Json(Json(c)) => YamlDraft {
                draft: c.into(),
                project_dir: None,
            },
            CreateTaskBody::Yaml(y) => y.0.into(),
        }
    }
}

/// Body of `POST /api/tasks/batch`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct CreateTaskBatch {
    /// The tasks (at most `CLAUDOMATOR_MAX_BATCH`).
    pub tasks: Vec<CreateTask>,
}

/// Answer of `POST /api/tasks/batch`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreatedBatch {
    /// Ids of the created tasks, in request order.
    pub ids: Vec<Uuid>,
    /// One per agent type of the batch that no live worker serves (those tasks wait).
    pub warnings: Vec<String>,
}

/// A question an agent asked.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct QuestionView {
    /// The question.
    pub text: String,
    /// Offered answers (empty: free text).
    pub options: Vec<String>,
    /// The answer given, once given.
    pub answer: Option<String>,
}

/// A task.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TaskView {
    /// Id.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Instructions.
    pub instructions: String,
    /// Agent type.
    pub agent: String,
    /// Model.
    pub model: Option<String>,
    /// Priority.
    pub priority: String,
    /// State.
    pub state: TaskState,
    /// Claims so far (the fencing token).
    pub attempt: i32,
    /// Attempts counted against `max_attempts`.
    pub attempts_used: i32,
    /// Attempt limit.
    pub max_attempts: u32,
    /// Per-attempt timeout in seconds.
    pub timeout_secs: Option<u64>,
    /// Budget.
    pub budget_usd: Option<f64>,
    /// Success waits for review.
    pub review: bool,
    /// Labels.
    pub labels: Vec<String>,
    /// Project.
    pub project_id: Option<Uuid>,
    /// Parent task.
    pub parent_task_id: Option<Uuid>,
    /// Prerequisites.
    pub depends_on: Vec<Uuid>,
    /// Earliest start.
    pub run_at: Option<DateTime<Utc>>,
    /// Command of an exec task.
    pub exec: Option<ExecOptions>,
    /// Permission mode.
    pub permission_mode: Option<String>,
    /// Allowed tools.
    pub allowed_tools: Vec<String>,
    /// Turn limit.
    pub max_turns: Option<u32>,
    /// Why the last attempt ended as it did.
    pub last_error: Option<String>,
    /// Open question while BLOCKED.
    pub question: Option<QuestionView>,
    /// Reviewer's comment after a reject.
    pub rejection_comment: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Why the task may not run soon, for humans: set while it waits (PENDING, QUEUED) for an
    /// agent type no live worker serves. Empty otherwise.
    pub warnings: Vec<String>,
}

impl From<domain::Task> for TaskView {
    fn from(t: domain::Task) -> TaskView {
        let s = t.spec;
        let exec = (s.agent == domain::AgentKind::Exec).then(|| ExecOptions {
            argv: s.options.argv.clone(),
            working_dir: s.options.working_dir.clone(),
        });
        TaskView {
            id: t.id.as_uuid(),
            title: s.title,
            description: s.description,
            instructions: s.instructions,
            agent: s.agent.as_str().to_owned(),
            model: s.model,
            priority: s.priority.as_str().to_owned(),
            state: t.state.into(),
            attempt: t.attempt.0,
            attempts_used: t.attempts_charged,
            max_attempts: s.max_attempts,
            timeout_secs: s.timeout.map(|d| d.as_secs()),
            budget_usd: s.budget_usd,
            review: s.review,
            labels: s.labels,
            project_id: s.project_id,
            parent_task_id: s.parent_task_id.map(|p| p.as_uuid()),
            depends_on: s.depends_on.iter().map(|d| d.as_uuid()).collect(),
            run_at: s.run_at,
            exec,
            permission_mode: s.options.permission_mode,
            allowed_tools: s.options.allowed_tools,
            max_turns: s.options.max_turns,
            last_error: t.last_error,
            question: t.question.map(|q| QuestionView {
                text: q.text,
                options: q.options,
                answer: q.answer,
            }),
            rejection_comment: t.rejection_comment,
            created_at: t.created_at,
            updated_at: t.updated_at,
            warnings: Vec::new(),
        }
    }
}

/// A page of tasks, newest first.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TaskPage {
    /// The tasks.
    pub items: Vec<TaskView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<Uuid>,
}

/// Body of `POST /api/tasks/{id}/reject`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct RejectBody {
    /// What to change (kept on the task as `rejection_comment`).
    pub comment: Option<String>,
}

/// Body of `POST /api/tasks/{id}/answer`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct AnswerBody {
    /// The answer (one of the question's options, or free text).
    pub answer: String,
}

/// One attempt.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ExecutionView {
    /// Id.
    pub id: Uuid,
    /// Attempt number.
    pub attempt: i32,
    /// Worker that ran it.
    pub worker_id: String,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub finished_at: Option<DateTime<Utc>>,
    /// Exit code.
    pub exit_code: Option<i32>,
    /// `succeeded`, `failed`, `rate_limited`, `blocked`, `timed_out`, `budget_exceeded`,
    /// `cancelled`, `lease_expired` or `handed_back`; absent while running.
    pub outcome: Option<String>,
    /// Error.
    pub error: Option<String>,
    /// Cost in US dollars.
    pub cost_usd: Option<f64>,
    /// Input tokens.
    pub tokens_in: Option<i64>,
    /// Output tokens.
    pub tokens_out: Option<i64>,
    /// Summary.
    pub summary: Option<String>,
    /// Captured output (capped).
    pub output: Option<String>,
    /// Agent session.
    pub session_id: Option<String>,
    /// What the attempt changed in its git sandbox, when the task has a project repository.
    pub changes: Option<ChangesView>,
    /// The feedback on earlier attempts this attempt was given (in its prompt, or in
    /// `CLAUDOMATOR_FEEDBACK` for `exec`); empty for none.
    pub feedback: Vec<FeedbackView>,
}

/// Where a piece of feedback came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "shared::domain::feedback::FeedbackKind", rename_all = "snake_case")]
pub enum FeedbackKind {
    /// The comment of a rejection.
    Rejection,
    /// The report of a story checker whose verdict was FAIL.
    CheckerReport,
}

/// One piece of feedback an attempt was given.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FeedbackView {
    /// Where it came from.
    pub kind: FeedbackKind,
    /// What it said.
    pub text: String,
}

/// What an attempt changed in its git sandbox.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ChangesView {
    /// The task's branch.
    pub branch: String,
    /// The branch's commit after the attempt.
    pub commit: String,
    /// Where the branch left the project's default branch.
    pub base: String,
    /// Files changed since `base`.
    pub files_changed: u32,
    /// Lines added since `base`.
    pub insertions: u64,
    /// Lines removed since `base`.
    pub deletions: u64,
    /// Whether the branch was pushed to the project's repository.
    pub pushed: bool,
}

impl From<domain::Changes> for ChangesView {
    fn from(c: domain::Changes) -> Self {
        ChangesView {
            branch: c.branch,
            commit: c.commit,
            base: c.base,
            files_changed: c.files_changed,
            insertions: c.insertions,
            deletions: c.deletions,
            pushed: c.pushed,
        }
    }
}

impl From<domain::Execution> for ExecutionView {
    fn from(e: domain::Execution) -> Self {
        ExecutionView {
            id: e.id,
            attempt: e.attempt.0,
            worker_id: e.worker_id,
            started_at: e.started_at,
            finished_at: e.finished_at,
            exit_code: e.exit_code,
            outcome: e.outcome,
            error: e.error,
            cost_usd: e.cost_usd,
            tokens_in: e.tokens_in,
            tokens_out: e.tokens_out,
            summary: e.summary,
            output: e.output,
            session_id: e.session_id,
            changes: e.changes.map(ChangesView::from),
            feedback: e
                .feedback
                .into_iter()
                .map(|f| FeedbackView {
                    kind: f.kind.into(),
                    text: f.text,
                })
                .collect(),
        }
    }
}

/// One transition in a task's history.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct EventView {
    /// Global order.
    pub id: i64,
    /// State before (absent at creation).
    pub from: Option<TaskState>,
    /// State after.
    pub to: TaskState,
    /// What happened (`create`, `run`, `start`, `succeed`, ...).
    pub event: String,
    /// Attempt.
    pub attempt: i32,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<domain::EventRecord> for EventView {
    fn from(e: domain::EventRecord) -> Self {
        EventView {
            id: e.id,
            from: e.from.map(Into::into),
            to: e.to.into(),
            event: e.event,
            attempt: e.attempt.0,
            actor: e.actor,
            reason: e.reason,
            at: e.at,
        }
    }
}
