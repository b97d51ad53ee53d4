//! Dispatch vocabulary shared by the store (which decides what must be dispatched) and the
//! queue (which carries it): a [`Dispatch`] order, agent settings and queue statistics.

use chrono::{DateTime, Utc};

use super::ids::{AgentKind, Attempt, Priority, TaskId};

/// "Run this task's next attempt": what a stream entry carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispatch {
    /// The task.
    pub task: TaskId,
    /// The task's attempt counter when dispatched; a claim succeeds only if it still matches,
    /// so duplicate or stale entries are harmless.
    pub attempt: Attempt,
    /// Which agent's streams.
    pub agent: AgentKind,
    /// Which stream.
    pub priority: Priority,
    /// Not before this time (delayed set), if in the future.
    pub not_before: Option<DateTime<Utc>>,
}

/// Fleet-wide settings of one agent type (Postgres is the truth; Redis mirrors them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSettings {
    /// The agent type.
    pub agent: AgentKind,
    /// At most this many attempts at once across all workers (None = no limit).
    pub concurrency_limit: Option<u32>,
    /// Paused by an operator.
    pub paused: bool,
    /// Paused by a rate limit until then.
    pub paused_until: Option<DateTime<Utc>>,
    /// Why it is paused.
    pub pause_reason: Option<String>,
}

impl AgentSettings {
    /// Defaults for an agent with no row.
    pub fn default_for(agent: AgentKind) -> AgentSettings {
        AgentSettings {
            agent,
            concurrency_limit: None,
            paused: false,
            paused_until: None,
            pause_reason: None,
        }
    }
}

/// Queue statistics of one agent type, from Postgres.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStats {
    /// The agent type.
    pub agent: AgentKind,
    /// QUEUED and due.
    pub queued: i64,
    /// QUEUED with a future `run_at`.
    pub delayed: i64,
    /// RUNNING.
    pub running: i64,
    /// FAILED as dead letters.
    pub dead: i64,
    /// When the oldest due QUEUED task was queued.
    pub oldest_queued_at: Option<DateTime<Utc>>,
}
