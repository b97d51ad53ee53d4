//! The `exec` agent: runs an argv list (never through a shell) in its own process group, with a
//! timeout, capturing combined stdout/stderr (the last `output_limit_bytes`).
//!
//! Exit 0 is success. Exit 75 (`EX_TEMPFAIL`, sysexits.h) or death by a signal is a transient
//! failure (retried with backoff); any other exit code is permanent. Stopping (cancel, lost
//! lease, shutdown, timeout) sends SIGTERM to the whole group, then SIGKILL one second later.

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use shared::domain::{AttemptOutcome, Task};
use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};

/// Variables passed through from the worker's environment; everything else (database and Redis
/// URLs, API keys) stays out of the task's reach.
const PASS_ENV: &[&str] = &[
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "TERM",
];
use tokio::process::{Child, Command};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::{RunOptions, RunReport, Runner};

/// `EX_TEMPFAIL`: "temporary failure; the user is invited to retry".
pub const EXIT_TEMPFAIL: i32 = 75;
const KILL_GRACE: Duration = Duration::from_secs(1);

/// Runs commands.
#[derive(Debug, Clone, Default)]
pub struct ExecRunner;

/// Output kept from the end of a stream of lines.
struct Tail {
    buf: String,
    limit: usize,
    dropped: bool,
}

impl Tail {
    fn push(&mut self, line: &str) {
        self.buf.push_str(line);
        self.buf.push('\n');
        if self.buf.len() > self.limit.saturating_mul(2).max(4096) {
            self.trim();
        }
    }
    fn trim(&mut self) {
        if self.buf.len() > self.limit {
            let mut cut = self.buf.len() - self.limit;
            while !self.buf.is_char_boundary(cut) {
                cut += 1;
            }
            self.buf.drain(..cut);
            self.dropped = true;
        }
    }
    fn finish(mut self) -> String {
        self.trim();
        if self.dropped {
            format!("[output truncated to the last {} bytes]\n{}", self.limit, self.buf)
        } else {
            self.buf
        }
    }
}

async fn pump(reader: impl AsyncRead + Unpin, tail: Arc<Mutex<Tail>>, log: Option<tokio::sync::mpsc::Sender<String>>) {
    // Bytes, not `lines()`: invalid UTF-8 must not end the reader (the child would then die of
    // SIGPIPE); it is kept lossily.
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\n', '\r']);
                if let Some(l) = &log {
                    let _ = l.try_send(text.to_owned());
                }
                tail.lock().await.push(text);
            }
        }
    }
}

fn signal_group(child: &Child, sig: Signal) {
    if let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) {
        // The child leads its own group (process_group(0)), so its pid is the group id.
        let _ = killpg(Pid::from_raw(pid), sig);
    }
}

/// SIGKILLs whatever is left of the group after its leader exited (`pgid` is the leader's pid,
/// taken at spawn: `Child::id` is gone once the leader was reaped).
fn kill_leftovers(pgid: Option<i32>) {
    if let Some(g) = pgid {
        let _ = killpg(Pid::from_raw(g), Signal::SIGKILL);
    }
}

/// Stops the whole process group: SIGTERM, then SIGKILL after a grace period.
async fn stop_group(child: &mut Child) {
    signal_group(child, Signal::SIGTERM);
    if tokio::time::timeout(KILL_GRACE, child.wait()).await.is_err() {
        signal_group(child, Signal::SIGKILL);
        let _ = child.wait().await;
    }
}

enum End {
    Exited(std::process::ExitStatus),
    TimedOut,
    Stopped,
    WaitFailed(std::io::Error),
}

impl Runner for ExecRunner {
    async fn run(&self, task: &Task, limits: RunOptions, stop: CancellationToken) -> RunReport {
        let argv = &task.spec.options.argv;
        let Some((program, args)) = argv.split_first() else {
            return RunReport::of(Some(AttemptOutcome::Failed {
                transient: false,
                error: "empty argv".into(),
            }));
        };
        let mut cmd = Command::new(program);
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .env_clear()
            .envs(PASS_ENV.iter().filter_map(|k| std::env::var_os(k).map(|v| (*k, v))))
            .env("CLAUDOMATOR_TASK_ID", task.id.to_string())
            .env("CLAUDOMATOR_ATTEMPT", task.attempt.to_string());
        // The question protocol: a task may write a question and exit; the human's answer comes
        // back in CLAUDOMATOR_ANSWER on the next attempt, on whichever worker runs it.
        let files = match ProtocolFiles::create(task) {
            Ok(f) => f,
            Err(e) => {
                return RunReport::of(Some(AttemptOutcome::Failed {
                    transient: true,
                    error: format!("attempt directory: {e}"),
                }));
            }
        };
        cmd.env("CLAUDOMATOR_QUESTION_FILE", &files.question)
            .env("CLAUDOMATOR_SUMMARY_FILE", &files.summary);
        if let Some(api) = &limits.api {
            cmd.env("CLAUDOMATOR_API_URL", &api.url)
                .env("CLAUDOMATOR_TOKEN", &api.token);
        }
        if let Some(q) = &task.question {
            cmd.env("CLAUDOMATOR_QUESTION", &q.text);
            if let Some(a) = &q.answer {
                cmd.env("CLAUDOMATOR_ANSWER", a);
            }
        }
        if let Some(dir) = &task.spec.options.working_dir {
            cmd.current_dir(dir);
        }
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                return RunReport::of(Some(AttemptOutcome::Failed {
                    transient: false,
                    error: format!("cannot start `{program}`: {e}"),
                }));
            }
        };
        let pgid = child.id().and_then(|p| i32::try_from(p).ok());
        let tail = Arc::new(Mutex::new(Tail {
            buf: String::new(),
            limit: limits.output_limit_bytes,
            dropped: false,
        }));
        let mut pumps = Vec::new();
        if let Some(out) = child.stdout.take() {
            pumps.push(tokio::spawn(pump(out, tail.clone(), limits.log.clone())));
        }
        if let Some(err) = child.stderr.take() {
            pumps.push(tokio::spawn(pump(err, tail.clone(), limits.log.clone())));
        }
        let end = tokio::select! {
            r = child.wait() => match r { Ok(s) => End::Exited(s), Err(e) => End::WaitFailed(e) },
            () = tokio::time::sleep(limits.timeout) => End::TimedOut,
            () = stop.cancelled() => End::Stopped,
        };
        if matches!(end, End::TimedOut | End::Stopped) {
            stop_group(&mut child).await;
        } else {
            // The leader is gone, but processes it left behind in its group (background jobs)
            // must not outlive the attempt and repeat side effects across retries.
            kill_leftovers(pgid);
        }
        for mut p in pumps {
            // Grandchildren may keep the pipes open; do not wait on them forever, and stop
            // reading (which also releases the live-log sender).
            if tokio::time::timeout(KILL_GRACE, &mut p).await.is_err() {
                p.abort();
            }
        }
        let output = match Arc::try_unwrap(tail) {
            Ok(m) => m.into_inner().finish(),
            Err(shared) => {
                // A reader outlived its timeout (a grandchild holds the pipe): take what we have.
                let mut t = shared.lock().await;
                let taken = Tail {
                    buf: std::mem::take(&mut t.buf),
                    limit: t.limit,
                    dropped: t.dropped,
                };
                taken.finish()
            }
        };
        let (outcome, exit_code) = match end {
            End::Stopped => (None, None),
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
            output: Some(output),
            summary,
            ..RunReport::of(None)
        }
    }
}

/// The per-attempt files of the question protocol, removed when the attempt is done.
struct ProtocolFiles {
    dir: std::path::PathBuf,
    question: std::path::PathBuf,
    summary: std::path::PathBuf,
}

impl ProtocolFiles {
    fn create(task: &Task) -> std::io::Result<ProtocolFiles> {
        let dir = std::env::temp_dir().join(format!("claudomator-{}-{}", task.id, task.attempt));
        std::fs::create_dir_all(&dir)?;
        Ok(ProtocolFiles {
            question: dir.join("question.json"),
            summary: dir.join("summary.md"),
            dir,
        })
    }

    /// A successful run that left a question is BLOCKED on it; a summary file is the summary.
    fn read(self, outcome: Option<AttemptOutcome>) -> (Option<AttemptOutcome>, Option<String>) {
        let read = |p: &std::path::Path| {
            std::fs::read(p)
                .ok()
                .map(|b| String::from_utf8_lossy(&b[..b.len().min(64 * 1024)]).trim().to_owned())
        };
        let summary = read(&self.summary).filter(|s| !s.is_empty());
        let outcome = match (outcome, read(&self.question).filter(|q| !q.is_empty())) {
            (Some(AttemptOutcome::Succeeded), Some(q)) => Some(match shared::domain::Question::parse_agent_json(&q) {
                Ok(q) => AttemptOutcome::Blocked(q),
                Err(e) => AttemptOutcome::Failed {
                    transient: false,
                    error: e,
                },
            }),
            (o, _) => o,
        };
        let _ = std::fs::remove_dir_all(&self.dir);
        (outcome, summary)
    }
}
