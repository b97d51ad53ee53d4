//! Pure domain: ids, task specs, the state machine, retry policy, attempt outcomes and the
//! worker registry's records.
//!
//! Nothing here does I/O or imports tokio, redis, sqlx or poem: the rules can be tested as
//! plain functions, and every edge (HTTP, Postgres rows, stream entries) converts to and from
//! these types.

pub mod access;
pub mod assist;
pub mod budget;
pub mod classify;
pub mod dispatch;
pub mod feedback;
pub mod history;
pub mod ids;
pub mod notify;
pub mod outcome;
pub mod project;
pub mod retry;
pub mod state;
pub mod story;
pub mod task;
pub mod worker;

pub use dispatch::{AgentSettings, AgentStats, Dispatch};
pub use history::{Changes, EventRecord, Execution, FeedEvent};
pub use ids::{AgentKind, Attempt, PermissionMode, Priority, Role, TaskId};
pub use outcome::{AttemptOutcome, Decision, decide};
pub use state::{IllegalTransition, TaskEvent, TaskState, transition};
pub use task::{Question, Task, TaskDraft, TaskSpec};
