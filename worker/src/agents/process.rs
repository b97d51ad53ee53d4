//! Supervising an agent process: its own process group, a clean environment, line-by-line
//! output (to the live log, a capped tail and the runner's parser), a wall-clock limit, and the
//! stop token. Stopping — cancel, lost lease, shutdown, timeout, or the parser asking for it —
//! sends SIGTERM to the whole group, then SIGKILL after a grace period; whatever the leader left
//! behind is killed when it exits, so nothing outlives the attempt and repeats side effects on a
//! retry.
//!
//! Every command is spawned through the attempt's [`Jail`](crate::sandbox::Jail): in a bubblewrap
//! sandbox, killing bwrap takes the whole PID namespace with it, and bwrap dies with the worker.
//! With `AGENT_SANDBOX=none` a process group is not enough: agent CLIs start their tools in
//! sessions of their own (Claude Code's Bash tool does), and a SIGKILLed CLI leaves them running,
//! reparented away. So every process of an attempt also carries a marker variable, inherited by
//! all its descendants wherever they move, and the processes that carry it are killed as well
//! (best effort: a process can unset it and call `setsid`; only the sandbox closes that).

use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncBufRead, AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Variables passed through from the worker's environment; everything else (database and Redis
/// URLs, other agents' keys) stays out of the task's reach. In a sandbox HOME, TMPDIR, USER and
/// LOGNAME are replaced by the sandbox's own (`crate::sandbox::Jail::wrap`).
pub const PASS_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LC_ALL",
    "TZ",
    "TMPDIR",
    "TERM",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "NODE_EXTRA_CA_CERTS",
];
const KILL_GRACE: Duration = Duration::from_secs(1);
/// Longest the output of an ended process is still read.
const DRAIN_LIMIT: Duration = Duration::from_secs(10);
/// The marker variable every process of an attempt inherits.
const MARK_VAR: &str = "CLAUDOMATOR_PROCESS_MARK";
/// Longest line kept from an agent (stream-json lines with file contents can be long); the rest
/// of a longer line is read and dropped, so output without newlines cannot grow the worker.
pub const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

/// A command with the settings every agent process gets: no stdin, piped output, its own process
/// group, killed on drop, and an environment of only `PASS_ENV` plus what the caller adds.
pub fn command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .env_clear()
        .envs(PASS_ENV.iter().filter_map(|k| std::env::var_os(k).map(|v| (*k, v))));
    cmd
}

/// How a supervised process ended.
#[derive(Debug)]
pub enum End {
    /// It exited on its own.
    Exited(std::process::ExitStatus),
    /// It ran past the limit and was killed.
    TimedOut,
    /// The stop token fired and it was killed.
    Stopped,
    /// The line handler asked to stop it, and it was killed.
    Aborted,
    /// Waiting for it failed.
    WaitFailed(std::io::Error),
}

/// What supervision produced.
#[derive(Debug)]
pub struct Finished {
    /// How it ended.
    pub end: End,
    /// The last bytes of combined output.
    pub output: String,
}

/// Which stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// What the line handler wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Keep going.
    Continue,
    /// Stop the process now (e.g. a rate limit the CLI would otherwise retry for minutes).
    Abort,
}

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

async fn pump(reader: impl AsyncRead + Unpin, stream: Stream, tx: mpsc::Sender<(Stream, String)>) {
    // Bytes, not `lines()`: invalid UTF-8 must not end the reader (the child would then die of
    // SIGPIPE); it is kept lossily.
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new();
    while let Ok(Some(())) = read_line_capped(&mut reader, &mut line, MAX_LINE_BYTES).await {
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\n', '\r']).to_owned();
        if tx.send((stream, text)).await.is_err() {
            break;
        }
    }
}

/// Reads one line into `line` (cleared first), keeping at most `cap` bytes of it and discarding
/// the rest up to the newline. `None` at the end of the stream.
pub async fn read_line_capped(
    reader: &mut (impl AsyncBufRead + Unpin),
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<()>> {
    line.clear();
    let mut seen = false;
    loop {
        let buf = reader.fill_buf().await?;
        if buf.is_empty() {
            return Ok(seen.then_some(()));
        }
        seen = true;
        let (chunk, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let room = cap.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        let used = chunk.len();
        reader.consume(used);
        if done {
            return Ok(Some(()));
        }
    }
}

fn signal_group(pgid: Option<i32>, sig: Signal) {
    if let Some(g) = pgid {
        // The child leads its own group (process_group(0)), so its pid is the group id.
        let _ = killpg(Pid::from_raw(g), sig);
    }
}

/// SIGKILLs every process whose environment carries `MARK_VAR=mark` (Linux `/proc`; processes of
/// other users are unreadable and skipped, which is right: an agent runs as the worker's user).
fn kill_marked(mark: &str) {
    let needle = format!("{MARK_VAR}={mark}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in dir.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        if pid == std::process::id() as i32 {
            continue;
        }
        if let Ok(env) = std::fs::read(entry.path().join("environ"))
            && env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes())
        {
            let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

/// Stops the whole process group: SIGTERM, then SIGKILL after a grace period.
async fn stop_group(child: &mut Child, pgid: Option<i32>) {
    signal_group(pgid, Signal::SIGTERM);
    if tokio::time::timeout(KILL_GRACE, child.wait()).await.is_err() {
        signal_group(pgid, Signal::SIGKILL);
        let _ = child.wait().await;
    }
    // Children that ignored SIGTERM while the leader obeyed.
    signal_group(pgid, Signal::SIGKILL);
}

/// Limits and sinks of one supervised run.
pub struct Supervision<'a> {
    /// Wall-clock limit.
    pub timeout: Duration,
    /// Output kept.
    pub output_limit_bytes: usize,
    /// The live log and archive.
    pub log: Option<&'a super::LogSink>,
    /// The stop token.
    pub stop: &'a CancellationToken,
    /// Where the process runs.
    pub jail: &'a crate::sandbox::Jail,
}

/// Spawns `cmd` and supervises it until it ends, calling `on_line` for every output line.
pub async fn run(
    mut cmd: Command,
    s: Supervision<'_>,
    mut on_line: impl FnMut(Stream, &str) -> Verdict,
) -> std::io::Result<Finished> {
    let mark = uuid::Uuid::new_v4().simple().to_string();
    cmd.env(MARK_VAR, &mark);
    let contained = s.jail.contains();
    let mut child = crate::sandbox::spawn(s.jail.wrap(cmd)).await?;
    let pgid = child.id().and_then(|p| i32::try_from(p).ok());
    let (tx, mut rx) = mpsc::channel::<(Stream, String)>(1024);
    let mut pumps = Vec::new();
    if let Some(out) = child.stdout.take() {
        pumps.push(tokio::spawn(pump(out, Stream::Stdout, tx.clone())));
    }
    if let Some(err) = child.stderr.take() {
        pumps.push(tokio::spawn(pump(err, Stream::Stderr, tx.clone())));
    }
    drop(tx);
    let mut tail = Tail {
        buf: String::new(),
        limit: s.output_limit_bytes,
        dropped: false,
    };
    let mut take = |stream: Stream, line: String, tail: &mut Tail| {
        if let Some(l) = s.log {
            l.line(&line);
        }
        let v = on_line(stream, &line);
        tail.push(&line);
        v
    };
    let deadline = tokio::time::sleep(s.timeout);
    tokio::pin!(deadline);
    let mut lines_open = true;
    let end = loop {
        tokio::select! {
            r = child.wait() => break match r { Ok(st) => End::Exited(st), Err(e) => End::WaitFailed(e) },
            () = &mut deadline => break End::TimedOut,
            () = s.stop.cancelled() => break End::Stopped,
            l = rx.recv(), if lines_open => match l {
                Some((stream, line)) => {
                    if take(stream, line, &mut tail) == Verdict::Abort {
                        break End::Aborted;
                    }
                }
                None => lines_open = false,
            },
        }
    };
    match end {
        End::Exited(_) | End::WaitFailed(_) => signal_group(pgid, Signal::SIGKILL),
        _ => stop_group(&mut child, pgid).await,
    }
    // In a sandbox nothing outlives bwrap. Without one: reading every process's environment is
    // blocking I/O, so off the async threads.
    if !contained {
        let _ = tokio::task::spawn_blocking(move || kill_marked(&mark)).await;
    }
    // Drain what was printed before the end, however much that is (a loaded machine may be
    // behind by thousands of lines); a writer that somehow survived could hold the pipes open,
    // so stop after a quiet second or DRAIN_LIMIT in all.
    let drain_until = tokio::time::Instant::now() + DRAIN_LIMIT;
    loop {
        let quiet = (tokio::time::Instant::now() + KILL_GRACE).min(drain_until);
        match tokio::time::timeout_at(quiet, rx.recv()).await {
            Ok(Some((stream, line))) => {
                let _ = take(stream, line, &mut tail);
            }
            Ok(None) | Err(_) => break,
        }
    }
    for p in pumps {
        p.abort();
    }
    Ok(Finished {
        end,
        output: tail.finish(),
    })
}
