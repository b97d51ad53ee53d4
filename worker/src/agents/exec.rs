//! The `exec` agent: runs an argv list (never through a shell) in its own process group, with a
//! timeout, capturing combined stdout/stderr (the last `output_limit_bytes`).
//!
//! Exit 0 is success. Exit 75 (`EX_TEMPFAIL`, sysexits.h) or death by a signal is a transient
//! failure (retried with backoff); any other exit code is permanent.

use shared::domain::{AttemptOutcome, Task};
use tokio_util::sync::CancellationToken;

use super::process::{self, End, Supervision, Verdict};
use super::protocol::ProtocolFiles;
use super::{RunOptions, RunReport, Runner};

/// `EX_TEMPFAIL`: "temporary failure; the user is invited to retry".
pub const EXIT_TEMPFAIL: i32 = 75;

/// Runs commands.
#[derive(Debug, Clone, Default)]
pub struct ExecRunner;

impl Runner for ExecRunner {
    async fn run(&self, task: &Task, limits: RunOptions, stop: CancellationToken) -> RunReport {
        let argv = &task.spec.options.argv;
        let Some((program, args)) = argv.split_first() else {
            return RunReport::of(Some(AttemptOutcome::Failed {
                transient: false,
                error: "empty argv".into(),
            }));
        };
        let mut cmd = process::command(program);
        cmd.args(args);
        // The question protocol: a task may write a question and exit; the human's answer comes
        // back in CLAUDOMATOR_ANSWER on the next attempt, on whichever worker runs it.
        let files = match ProtocolFiles::create(&limits.workspace.protocol_dir) {
            Ok(f) => f,
            Err(e) => {
                return RunReport::of(Some(AttemptOutcome::Failed {
                    transient: true,
                    error: format!("attempt directory: {e}"),
                }));
            }
        };
        files.apply(&mut cmd, task, limits.api.as_ref());
        if let Some(q) = &task.question {
            cmd.env("CLAUDOMATOR_QUESTION", &q.text);
            if let Some(a) = &q.answer {
                cmd.env("CLAUDOMATOR_ANSWER", a);
            }
        }
        if !limits.feedback.is_empty() {
            cmd.env("CLAUDOMATOR_FEEDBACK", &limits.feedback);
        }
        // A sandbox (the project's clone) wins over the task's own working directory.
        if limits.workspace.git {
            cmd.current_dir(&limits.workspace.dir).envs(super::git_identity());
        } else if let Some(dir) = &task.spec.options.working_dir {
            cmd.current_dir(dir);
        }
        let supervision = Supervision {
            timeout: limits.timeout,
            output_limit_bytes: limits.output_limit_bytes,
            log: limits.log.as_ref(),
            stop: &stop,
        };
        let finished = match process::run(cmd, supervision, |_, _| Verdict::Continue).await {
            Ok(f) => f,
            Err(e) => {
                return RunReport::of(Some(AttemptOutcome::Failed {
                    transient: false,
                    error: format!("cannot start `{program}`: {e}"),
                }));
            }
        };
        let (outcome, exit_code) = match finished.end {
            End::Stopped | End::Aborted => (None, None),
            End::TimedOut => (Some(AttemptOutcome::TimedOut), None),
            End::WaitFailed(e) => (
                Some(AttemptOutcome::Failed {
                    transient: true,
                    error: format!("waiting for the process: {e}"),
                }),
                None,
            ),
            End::Exited(status) => match status.code() {
                Some(0) => (Some(AttemptOutcome::Succeeded), Some(0)),
                Some(EXIT_TEMPFAIL) => (
                    Some(AttemptOutcome::Failed {
                        transient: true,
                        error: format!("exit code {EXIT_TEMPFAIL} (temporary failure)"),
                    }),
                    Some(EXIT_TEMPFAIL),
                ),
                Some(code) => (
                    Some(AttemptOutcome::Failed {
                        transient: false,
                        error: format!("exit code {code}"),
                    }),
                    Some(code),
                ),
                None => (
                    Some(AttemptOutcome::Failed {
                        transient: true,
                        error: format!("killed: {status}"),
                    }),
                    None,
                ),
            },
        };
        let (outcome, summary) = files.read(outcome);
        RunReport {
            outcome,
            exit_code,
            output: Some(finished.output),
            summary,
            ..RunReport::of(None)
        }
    }
}
