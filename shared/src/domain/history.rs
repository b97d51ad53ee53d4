//! What happened to a task: its executions (one per attempt) and its transition events.

use chrono::{DateTime, Utc};

use super::ids::{Attempt, TaskId};
use super::state::TaskState;

/// One attempt's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// Identity.
    pub id: uuid::Uuid,
    /// The task.
    pub task_id: TaskId,
    /// Which attempt.
    pub attempt: Attempt,
    /// The worker that ran it.
    pub worker_id: String,
    /// Claim time (Postgres clock).
    pub started_at: DateTime<Utc>,
    /// End time, when ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// Process exit code, when there was a process.
    pub exit_code: Option<i32>,
    /// How it ended (`succeeded`, `failed`, `lease_expired`, ...), when ended.
    pub outcome: Option<String>,
    /// Error text.
    pub error: Option<String>,
    /// Cost in US dollars, when the agent reports one.
    pub cost_usd: Option<f64>,
    /// Input tokens.
    pub tokens_in: Option<i64>,
    /// Output tokens.
    pub tokens_out: Option<i64>,
    /// Agent's summary.
    pub summary: Option<String>,
    /// Captured output (capped).
    pub output: Option<String>,
    /// Agent session, for resume.
    pub session_id: Option<String>,
    /// What the attempt changed in its git sandbox.
    pub changes: Option<Changes>,
    /// The feedback on earlier attempts this attempt was given.
    pub feedback: Vec<super::feedback::FeedbackItem>,
}

/// What an attempt changed in its git sandbox, and where it went.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Changes {
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
    /// Whether the branch was pushed to the project's origin.
    pub pushed: bool,
}

/// One transition in a task's history.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Global order.
    pub id: i64,
    /// The task.
    pub task_id: TaskId,
    /// State before (None at creation).
    pub from: Option<TaskState>,
    /// State after.
    pub to: TaskState,
    /// The state machine event (`create` for the first row), or `plan`: a CI task's plan was
    /// settled, not a transition (`from` and `to` are the same state; see `store::ci_plans`).
    pub event: String,
    /// The attempt it applied to.
    pub attempt: Attempt,
    /// Who caused it (`api:<token name>`, `worker:<id>`, `reconciler`).
    pub actor: String,
    /// Why, when known.
    pub reason: Option<String>,
    /// When (Postgres clock).
    pub at: DateTime<Utc>,
}

/// An event with the project of its task: what the event feed (SSE, the Redis events stream,
/// the notifier) carries.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// The event.
    pub event: EventRecord,
    /// Its task's project.
    pub project: Option<uuid::Uuid>,
}
