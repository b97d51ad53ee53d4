//! The `noop` agent: succeeds at once. It exists so benchmarks and queue tests exercise the
//! whole claim / lease / record path without a process per task.

use shared::domain::{AttemptOutcome, Task};
use tokio_util::sync::CancellationToken;

use super::{RunOptions, RunReport, Runner};

/// Does nothing, successfully.
#[derive(Debug, Clone, Default)]
pub struct NoopRunner;

impl Runner for NoopRunner {
    async fn run(&self, _task: &Task, _limits: RunOptions, stop: CancellationToken) -> RunReport {
        if stop.is_cancelled() {
            return RunReport::of(None);
        }
        RunReport::of(Some(AttemptOutcome::Succeeded))
    }
}
