//! Runners: one per agent type. A runner gets the task and a stop token, runs it, and reports
//! what happened. It never touches Postgres or Redis: the attempt decides what the report means
//! for the task (`shared::domain::decide`) and records it.

pub mod exec;
pub mod local;
pub mod noop;
mod sse;

use std::time::Duration;

use shared::domain::{AgentKind, AttemptOutcome, Task};
use tokio_util::sync::CancellationToken;

/// What a runner reports.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// How it ended; `None` when it was stopped by the stop token (cancel, lost lease, shutdown).
    pub outcome: Option<AttemptOutcome>,
    /// Process exit code, when a process exited.
    pub exit_code: Option<i32>,
    /// Captured output (capped).
    pub output: Option<String>,
    /// Summary of the work.
    pub summary: Option<String>,
    /// Cost in US dollars.
    pub cost_usd: Option<f64>,
    /// Input tokens.
    pub tokens_in: Option<i64>,
    /// Output tokens.
    pub tokens_out: Option<i64>,
    /// Agent session.
    pub session_id: Option<String>,
}

impl RunReport {
    /// A report with only an outcome.
    pub fn of(outcome: Option<AttemptOutcome>) -> RunReport {
        RunReport {
            outcome,
            exit_code: None,
            output: None,
            summary: None,
            cost_usd: None,
            tokens_in: None,
            tokens_out: None,
            session_id: None,
        }
    }
}

/// What a runner gets besides the task: limits to enforce, and how the agent may call back.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Wall-clock limit of this attempt.
    pub timeout: Duration,
    /// Output kept.
    pub output_limit_bytes: usize,
    /// The API the agent may call (subtasks, its own task), with a token scoped to its task
    /// that expires with the attempt.
    pub api: Option<AgentApi>,
    /// Where output lines go as they are printed (the live log). Lines are dropped rather than
    /// slowing the agent down when the sink is full.
    pub log: Option<tokio::sync::mpsc::Sender<String>>,
}

/// An API address and a task-scoped token for an agent.
#[derive(Clone)]
pub struct AgentApi {
    /// `CLAUDOMATOR_API_URL`.
    pub url: String,
    /// `CLAUDOMATOR_TOKEN`.
    pub token: String,
}

impl std::fmt::Debug for AgentApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentApi")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Runs tasks of one agent type.
pub trait Runner: Send + Sync {
    /// Runs one attempt until it ends, its limits are hit, or `stop` is cancelled (then it must
    /// stop the work, e.g. kill the process group, and report `outcome: None`).
    fn run(
        &self,
        task: &Task,
        limits: RunOptions,
        stop: CancellationToken,
    ) -> impl std::future::Future<Output = RunReport> + Send;
}

/// The runners this worker has.
#[derive(Debug, Clone)]
pub struct Runners {
    exec: exec::ExecRunner,
    noop: noop::NoopRunner,
    local: local::LocalRunner,
}

impl Runners {
    /// The runners, configured.
    pub fn new(local_model: Option<local::LocalModel>) -> Runners {
        Runners {
            exec: exec::ExecRunner,
            noop: noop::NoopRunner,
            local: local::LocalRunner::new(local_model),
        }
    }

    /// Runs `task` with the runner of its agent type.
    pub async fn run(&self, task: &Task, limits: RunOptions, stop: CancellationToken) -> RunReport {
        match task.spec.agent {
            AgentKind::Exec => self.exec.run(task, limits, stop).await,
            AgentKind::Noop => self.noop.run(task, limits, stop).await,
            AgentKind::Local => self.local.run(task, limits, stop).await,
            other => RunReport::of(Some(AttemptOutcome::Failed {
                transient: false,
                error: format!("this worker has no runner for agent type {other}"),
            })),
        }
    }
}
