//! The worker registry's vocabulary: what a live worker says about itself, and the free capacity
//! of an agent type computed from the live workers serving it.

use chrono::{DateTime, Utc};

use super::ids::AgentKind;

/// What a worker process reports about itself on every heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerPresence {
    /// `WORKER_ID`.
    pub id: String,
    /// Host name.
    pub host: String,
    /// Version of the worker binary.
    pub version: String,
    /// Agent types it claims (`WORKER_AGENTS`).
    pub agents: Vec<AgentKind>,
    /// Attempts it may run at once (`WORKER_CONCURRENCY`).
    pub concurrency: u32,
    /// Attempts it runs now.
    pub running: u32,
    /// How agents are sandboxed (`AGENT_SANDBOX`, `none` when unset).
    pub sandbox: String,
    /// When the process started.
    pub started_at: DateTime<Utc>,
}

/// A registered worker as read back, with the times the registry keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerInfo {
    /// What it reported.
    pub presence: WorkerPresence,
    /// Its last heartbeat (Postgres clock).
    pub last_seen_at: DateTime<Utc>,
    /// Gone from "live" reads after this unless it heartbeats again.
    pub expires_at: DateTime<Utc>,
}

/// Live workers serving `agent` and their free local permits in total. Permits are shared by
/// all agent types of a worker, so one free permit counts for each type the worker serves.
pub fn free_capacity(workers: &[WorkerInfo], agent: AgentKind) -> (u32, u32) {
    workers
        .iter()
        .filter(|w| w.presence.agents.contains(&agent))
        .fold((0, 0), |(n, free), w| {
            (
                n + 1,
                free + w.presence.concurrency.saturating_sub(w.presence.running),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(agents: &[AgentKind], concurrency: u32, running: u32) -> WorkerInfo {
        let now = Utc::now();
        WorkerInfo {
            presence: WorkerPresence {
                id: "w".into(),
                host: "h".into(),
                version: "0".into(),
                agents: agents.to_vec(),
                concurrency,
                running,
                sandbox: "none".into(),
                started_at: now,
            },
            last_seen_at: now,
            expires_at: now,
        }
    }

    #[test]
    fn capacity_sums_the_workers_serving_the_agent() {
        let ws = [
            worker(&[AgentKind::Exec, AgentKind::Noop], 8, 3),
            worker(&[AgentKind::Exec], 2, 5),
            worker(&[AgentKind::Claude], 4, 0),
        ];
        assert_eq!(free_capacity(&ws, AgentKind::Exec), (2, 5));
        assert_eq!(free_capacity(&ws, AgentKind::Noop), (1, 5));
        assert_eq!(free_capacity(&ws, AgentKind::Claude), (1, 4));
        assert_eq!(free_capacity(&ws, AgentKind::Gemini), (0, 0));
    }
}
