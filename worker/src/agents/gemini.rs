//! The `gemini` agent: the Gemini CLI, headless (`-p --output-format stream-json`), with
//! `--approval-mode yolo` (the default mode waits for approvals nobody gives) and `--skip-trust`,
//! in the attempt's workspace with its own HOME (settings and chat history; archived with the
//! workspace when the task blocks, and resumed by session id).
//!
//! Mapping (DOMAIN.md C.2.1): the `result` event's `status` and the exit code decide; the CLI
//! reports tokens but no cost (cost stays empty). Exit 53 (turn limit) is a budget overrun; 41
//! (auth), 42 (input), 44 (sandbox) and 52 (config) are permanent. A 429 shows only on stderr
//! (`Attempt 1 failed: Resource has been exhausted … Retrying after 42236ms…`): the CLI is stopped
//! there and the agent type paused for that long, instead of retrying quota errors for minutes.

use std::time::Duration;

use serde_json::Value;
use shared::domain::{AttemptOutcome, Task};
use tokio_util::sync::CancellationToken;

use super::process::{self, End, Stream, Supervision, Verdict};
use super::protocol::{self, ProtocolFiles};
use super::{RunOptions, RunReport, Runner};

/// Gemini CLI settings.
#[derive(Debug, Clone)]
pub struct GeminiConfig {
    /// The `gemini` binary.
    pub bin: String,
    /// `--model` of tasks that set none (a fixed model: `auto` routing costs an extra call).
    pub model: String,
    /// Credentials and endpoints (`shared::config::GEMINI_ENV_VARS`).
    pub env: Vec<(String, String)>,
}

/// Runs the Gemini CLI.
#[derive(Debug, Clone)]
pub struct GeminiRunner {
    config: GeminiConfig,
}

impl GeminiRunner {
    /// A runner with these settings.
    pub fn new(config: GeminiConfig) -> GeminiRunner {
        GeminiRunner { config }
    }
}

/// The CLI's settings in the agent's HOME: API-key auth (headless runs cannot pick one), and
/// the task's turn limit.
fn settings(task: &Task) -> Value {
    let mut s = serde_json::json!({"security": {"auth": {"selectedType": "gemini-api-key"}}});
    if let Some(n) = task.spec.options.max_turns {
        s["model"] = serde_json::json!({"maxSessionTurns": n});
    }
    s
}

impl Runner for GeminiRunner {
    async fn run(&self, task: &Task, limits: RunOptions, stop: CancellationToken) -> RunReport {
        let ws = &limits.workspace;
        let files = match ProtocolFiles::create(&ws.protocol_dir) {
            Ok(f) => f,
            Err(e) => return failed(true, format!("attempt directory: {e}")),
        };
        let dot = ws.home.join(".gemini");
        if let Err(e) = std::fs::create_dir_all(&dot)
            .and_then(|()| std::fs::write(dot.join("settings.json"), settings(task).to_string()))
        {
            return failed(true, format!("writing the CLI's settings: {e}"));
        }
        let mut prompt = protocol::preamble(task, ws.git, limits.api.is_some());
        prompt.push_str("\n---\n\n");
        let answer = task.question.as_ref().and_then(|q| q.answer.as_ref().map(|a| (q, a)));
        let mut cmd = process::command(&self.config.bin);
        match (&ws.resume_session, answer) {
            (Some(id), Some((_, a))) => {
                prompt = format!("The human answered your question: {a}\n\nContinue the task.");
                cmd.args(["--resume", id]);
            }
            // Resumed after a timeout: the same session, told so by the instructions.
            (Some(id), None) => {
                prompt.push_str(&task.spec.instructions);
                cmd.args(["--resume", id]);
            }
            (None, Some((q, a))) => prompt.push_str(&format!(
                "{}\n\nEarlier you asked: {}\nThe human answered: {a}",
                task.spec.instructions, q.text
            )),
            _ => prompt.push_str(&task.spec.instructions),
        }
        let model = task.spec.model.clone().unwrap_or_else(|| self.config.model.clone());
        cmd.args([
            "--output-format",
            "stream-json",
            "--approval-mode",
            "yolo",
            "--skip-trust",
            "-m",
        ])
        .arg(model)
        .arg("-p")
        .arg(prompt)
        .current_dir(&ws.dir)
        .envs(self.config.env.iter().map(|(k, v)| (k, v)))
        .env("HOME", &ws.home)
        .env("NO_COLOR", "1")
        .envs(super::git_identity());
        files.apply(&mut cmd, task, limits.api.as_ref());
        let mut parsed = GeminiStream::default();
        let supervision = Supervision {
            timeout: limits.timeout,
            output_limit_bytes: limits.output_limit_bytes,
            log: limits.log.as_ref(),
            stop: &stop,
        };
        let finished = match process::run(cmd, supervision, |stream, line| parsed.feed(stream, line)).await {
            Ok(f) => f,
            Err(e) => return failed(false, format!("cannot start `{}`: {e}", self.config.bin)),
        };
        let exit_code = match &finished.end {
            End::Exited(s) => s.code(),
            _ => None,
        };
        let outcome = parsed.outcome(&finished.end, &finished.output);
        let (outcome, file_summary) = files.read(outcome);
        RunReport {
            outcome,
            exit_code,
            summary: file_summary.or_else(|| super::local::summary_section(&parsed.text)),
            output: Some(finished.output),
            cost_usd: None,
            tokens_in: parsed.tokens_in,
            tokens_out: parsed.tokens_out,
            session_id: parsed.session_id.clone(),
            changes: None,
        }
    }
}

fn failed(transient: bool, error: String) -> RunReport {
    RunReport::of(Some(AttemptOutcome::Failed { transient, error }))
}

/// What the CLI said so far.
#[derive(Debug, Default)]
pub struct GeminiStream {
    /// From `init`.
    pub session_id: Option<String>,
    /// Assistant text (deltas joined), capped.
    pub text: String,
    /// `result.status`.
    pub status: Option<String>,
    /// `result.error.message`.
    pub error: Option<String>,
    /// `result.stats.input_tokens`.
    pub tokens_in: Option<i64>,
    /// `result.stats.output_tokens`.
    pub tokens_out: Option<i64>,
    /// A quota or rate-limit failure the CLI was about to retry: how long it would wait.
    pub rate_limit: Option<(Duration, String)>,
    quota_failure: Option<String>,
}

const TEXT_CAP: usize = 64 * 1024;

impl GeminiStream {
    /// Takes one line; says whether the CLI must be stopped now.
    pub fn feed(&mut self, stream: Stream, line: &str) -> Verdict {
        if stream == Stream::Stderr {
            return self.feed_stderr(line);
        }
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return Verdict::Continue;
        };
        match v["type"].as_str() {
            Some("init") => self.session_id = v["session_id"].as_str().map(str::to_owned),
            Some("message") if v["role"] == "assistant" => {
                if let Some(t) = v["content"].as_str() {
                    // Deltas: a new non-delta message starts over.
                    if v["delta"] != true {
                        self.text.clear();
                    }
                    if self.text.len() + t.len() <= TEXT_CAP {
                        self.text.push_str(t);
                    }
                }
            }
            Some("result") => {
                self.status = v["status"].as_str().map(str::to_owned);
                self.error = v["error"]["message"].as_str().map(str::to_owned);
                self.tokens_in = v["stats"]["input_tokens"].as_i64();
                self.tokens_out = v["stats"]["output_tokens"].as_i64();
            }
            _ => {}
        }
        Verdict::Continue
    }

    fn feed_stderr(&mut self, line: &str) -> Verdict {
        let lower = line.to_ascii_lowercase();
        if lower.contains("failed:")
            && (lower.contains("resource has been exhausted")
                || lower.contains("resource_exhausted")
                || lower.contains("quota")
                || lower.contains("429"))
        {
            self.quota_failure = Some(line.trim().to_owned());
        }
        if let (Some(why), Some(ms)) = (&self.quota_failure, retry_ms(&lower)) {
            self.rate_limit = Some((Duration::from_millis(ms.max(1000)), format!("Gemini API: {why}")));
            return Verdict::Abort;
        }
        Verdict::Continue
    }

    /// What the run means.
    pub fn outcome(&self, end: &End, output: &str) -> Option<AttemptOutcome> {
        let code = match end {
            End::Stopped => return None,
            End::TimedOut => return Some(AttemptOutcome::TimedOut),
            End::WaitFailed(e) => {
                return Some(AttemptOutcome::Failed {
                    transient: true,
                    error: format!("waiting for gemini: {e}"),
                });
            }
            End::Aborted => None,
            End::Exited(s) => s.code(),
        };
        if let Some((retry_after, reason)) = &self.rate_limit {
            return Some(AttemptOutcome::RateLimited {
                retry_after: *retry_after,
                reason: reason.clone(),
            });
        }
        if code == Some(0) && self.status.as_deref() == Some("success") {
            return Some(AttemptOutcome::Succeeded);
        }
        if code == Some(53) {
            return Some(AttemptOutcome::BudgetExceeded);
        }
        let why = self
            .error
            .clone()
            .or_else(|| output.lines().rev().find(|l| !l.trim().is_empty()).map(str::to_owned))
            .unwrap_or_else(|| "no output".into());
        Some(AttemptOutcome::Failed {
            // Auth, input, sandbox and configuration errors do not heal by retrying.
            transient: !matches!(code, Some(41 | 42 | 44 | 52)),
            error: format!(
                "gemini {}: {}",
                code.map_or("was killed".into(), |c| format!("exited with {c}")),
                why.chars().take(500).collect::<String>()
            ),
        })
    }
}

/// `Retrying after 42236ms` → 42236.
fn retry_ms(lower: &str) -> Option<u64> {
    let rest = &lower[lower.find("retrying after ")? + "retrying after ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exited(code: i32) -> End {
        use std::os::unix::process::ExitStatusExt;
        End::Exited(std::process::ExitStatus::from_raw(code << 8))
    }

    // Recorded from @google/gemini-cli 0.61.0 against a loopback stand-in.
    const RUN: &[&str] = &[
        r#"{"type":"init","timestamp":"2026-11-25T09:29:01.425Z","session_id":"b1aaecd0-cac3-4ed1-90d8-396f63fe612c","model":"gemini-2.5-pro"}"#,
        r#"{"type":"message","timestamp":"2026-11-25T09:29:01.426Z","role":"user","content":"write hello.txt"}"#,
        r#"{"type":"tool_use","timestamp":"2026-11-25T09:29:01.468Z","tool_name":"run_shell_command","tool_id":"run_shell_command_1","parameters":{"command":"printf 'hi\\n' > hello.txt"}}"#,
        r#"{"type":"tool_result","timestamp":"2026-11-25T09:29:01.535Z","tool_id":"run_shell_command_1","status":"success","output":""}"#,
        r#"{"type":"message","timestamp":"2026-11-25T09:29:01.552Z","role":"assistant","content":"Done.\n\n## Sum","delta":true}"#,
        r#"{"type":"message","timestamp":"2026-11-25T09:29:01.552Z","role":"assistant","content":"mary\nWrote hello.txt.","delta":true}"#,
        r#"{"type":"result","timestamp":"2026-11-25T09:29:01.553Z","status":"success","stats":{"total_tokens":240,"input_tokens":200,"output_tokens":40,"cached":0,"input":200,"duration_ms":128,"tool_calls":1}}"#,
    ];

    #[test]
    fn a_recorded_run_is_parsed() {
        let mut s = GeminiStream::default();
        for l in RUN {
            assert_eq!(s.feed(Stream::Stdout, l), Verdict::Continue);
        }
        assert_eq!(s.session_id.as_deref(), Some("b1aaecd0-cac3-4ed1-90d8-396f63fe612c"));
        assert_eq!((s.tokens_in, s.tokens_out), (Some(200), Some(40)));
        assert_eq!(
            super::super::local::summary_section(&s.text).as_deref(),
            Some("Wrote hello.txt.")
        );
        assert_eq!(s.outcome(&exited(0), ""), Some(AttemptOutcome::Succeeded));
        // A success status with a failing exit is not a success.
        assert!(matches!(
            s.outcome(&exited(1), ""),
            Some(AttemptOutcome::Failed { transient: true, .. })
        ));
    }

    #[test]
    fn a_quota_retry_on_stderr_stops_the_cli() {
        let mut s = GeminiStream::default();
        assert_eq!(
            s.feed(
                Stream::Stderr,
                "Attempt 1 failed: Resource has been exhausted (e.g. check quota)."
            ),
            Verdict::Continue
        );
        assert_eq!(
            s.feed(Stream::Stderr, "Suggested retry after 37s.. Retrying after 42236ms..."),
            Verdict::Abort
        );
        assert!(matches!(
            s.outcome(&End::Aborted, ""),
            Some(AttemptOutcome::RateLimited { retry_after, .. }) if retry_after == Duration::from_millis(42236)
        ));
        // Other retries are the CLI's business.
        let mut s = GeminiStream::default();
        assert_eq!(
            s.feed(Stream::Stderr, "Attempt 1 failed: fetch failed"),
            Verdict::Continue
        );
        assert_eq!(s.feed(Stream::Stderr, "Retrying after 1000ms..."), Verdict::Continue);
    }

    #[test]
    fn exit_codes_map_to_outcomes() {
        let s = GeminiStream::default();
        assert_eq!(s.outcome(&exited(53), ""), Some(AttemptOutcome::BudgetExceeded));
        assert!(matches!(
            s.outcome(&exited(41), "auth"),
            Some(AttemptOutcome::Failed { transient: false, .. })
        ));
        assert!(matches!(
            s.outcome(&exited(1), "boom"),
            Some(AttemptOutcome::Failed { transient: true, .. })
        ));
        assert_eq!(s.outcome(&End::Stopped, ""), None);
    }
}
