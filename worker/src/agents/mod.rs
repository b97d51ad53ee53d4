//! Runners: one per agent type. A runner gets the task and a stop token, runs it, and reports
//! what happened. It never touches Postgres or Redis: the attempt decides what the report means
//! for the task (`shared::domain::decide`) and records it.

pub mod claude;
pub mod exec;
pub mod gemini;
pub mod local;
pub mod noop;
pub mod process;
pub mod protocol;
mod sse;

use std::path::PathBuf;
use std::time::Duration;

use shared::domain::{AgentKind, AttemptOutcome, Changes, Task};
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
    /// What the attempt changed in its git sandbox (filled in after the run).
    pub changes: Option<Changes>,
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
            changes: None,
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
    /// Where output lines go as they are printed (the live log and the archive).
    pub log: Option<LogSink>,
    /// Where the agent works.
    pub workspace: Workspace,
    /// Feedback on earlier attempts as plain text (empty: none), for runners whose agent does
    /// not read a prompt (`CLAUDOMATOR_FEEDBACK`); model agents get it in their instructions.
    pub feedback: String,
}

/// Where an attempt's output lines go: every line into the archive (compressed, capped), and
/// into the live log when it keeps up (lines are dropped there rather than slowing the agent).
#[derive(Clone)]
pub struct LogSink {
    /// The live log forwarder.
    pub live: tokio::sync::mpsc::Sender<String>,
    /// The whole log.
    pub archive: std::sync::Arc<std::sync::Mutex<shared::store::logs::LogArchive>>,
}

impl LogSink {
    /// Takes one line.
    pub fn line(&self, text: &str) {
        self.archive
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(text);
        let _ = self.live.try_send(text.to_owned());
    }
}

impl std::fmt::Debug for LogSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogSink").finish_non_exhaustive()
    }
}

/// The directories of an attempt, prepared before the runner starts (`crate::workspace`).
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The working directory: `<root>/<task id>/work`, the same absolute path on every worker
    /// (Claude Code finds sessions by it).
    pub dir: PathBuf,
    /// HOME of the agent, where CLIs keep their config and sessions.
    pub home: PathBuf,
    /// Where the question and summary files go.
    pub protocol_dir: PathBuf,
    /// Whether `dir` is a git clone of the task's project on the task's branch.
    pub git: bool,
    /// The session to resume (restored with the workspace after a question was answered).
    pub resume_session: Option<String>,
}

/// The commit identity of agents and of the worker's own commits in sandboxes (a fresh HOME has
/// no git config).
pub fn git_identity() -> [(&'static str, &'static str); 4] {
    [
        ("GIT_AUTHOR_NAME", "claudomator"),
        ("GIT_AUTHOR_EMAIL", "claudomator@localhost"),
        ("GIT_COMMITTER_NAME", "claudomator"),
        ("GIT_COMMITTER_EMAIL", "claudomator@localhost"),
    ]
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
    claude: claude::ClaudeRunner,
    gemini: gemini::GeminiRunner,
}

impl Runners {
    /// The runners, configured.
    pub fn new(
        local_model: Option<local::LocalModel>,
        claude: claude::ClaudeConfig,
        gemini: gemini::GeminiConfig,
    ) -> Runners {
        Runners {
            exec: exec::ExecRunner,
            noop: noop::NoopRunner,
            local: local::LocalRunner::new(local_model),
            claude: claude::ClaudeRunner::new(claude),
            gemini: gemini::GeminiRunner::new(gemini),
        }
    }

    /// Runs `task` with the runner of its agent type.
    pub async fn run(&self, task: &Task, limits: RunOptions, stop: CancellationToken) -> RunReport {
        match task.spec.agent {
            AgentKind::Exec => self.exec.run(task, limits, stop).await,
            AgentKind::Noop => self.noop.run(task, limits, stop).await,
            AgentKind::Local => self.local.run(task, limits, stop).await,
            AgentKind::Claude => self.claude.run(task, limits, stop).await,
            AgentKind::Gemini => self.gemini.run(task, limits, stop).await,
        }
    }
}
