//! The `claude` agent: the Claude Code CLI, headless (`-p --output-format stream-json --verbose`),
//! in the attempt's workspace with its own HOME (where the CLI keeps its sessions, so a workspace
//! snapshot carries them to whichever worker resumes).
//!
//! Outcomes come from the event stream, never from `subtype` alone (DOMAIN.md C.1.2, Part D):
//! success needs `is_error: false`, exit 0 and no permission denials. Rate limits are taken from
//! structure first — `system/api_retry` with 429/529 (the CLI is stopped at once instead of
//! retrying for minutes), `rate_limit_event` rejected with `resetsAt` (seconds or milliseconds),
//! the result's `api_error_status` — and from the result text only last.

use std::time::Duration;

use serde_json::Value;
use shared::domain::{AttemptOutcome, Task};
use tokio_util::sync::CancellationToken;

use super::process::{self, End, Stream, Supervision, Verdict};
use super::protocol::{self, ProtocolFiles};
use super::{RunOptions, RunReport, Runner};

/// How long the agent type pauses on a usage limit whose reset time cannot be read.
const UNKNOWN_RESET: Duration = Duration::from_secs(300);

/// Claude Code settings.
#[derive(Debug, Clone)]
pub struct ClaudeConfig {
    /// The `claude` binary.
    pub bin: String,
    /// `--permission-mode` of tasks that set none.
    pub permission_mode: String,
    /// `--model` of tasks that set none (None: the CLI's default).
    pub model: Option<String>,
    /// Credentials and endpoints (`shared::config::CLAUDE_ENV_VARS`).
    pub env: Vec<(String, String)>,
}

/// Runs the Claude Code CLI.
#[derive(Debug, Clone)]
pub struct ClaudeRunner {
    config: ClaudeConfig,
}

impl ClaudeRunner {
    /// A runner with these settings.
    pub fn new(config: ClaudeConfig) -> ClaudeRunner {
        ClaudeRunner { config }
    }

    fn args(&self, task: &Task, session: &Session, preamble: String) -> Vec<String> {
        let o = &task.spec.options;
        let mut a: Vec<String> = vec![
            "-p".into(),
            "--output-format".into(),
            "stream-json".into(),
            // stream-json with -p exits 1 without --verbose.
            "--verbose".into(),
            "--permission-mode".into(),
            o.permission_mode
                .clone()
                .unwrap_or_else(|| self.config.permission_mode.clone()),
            "--append-system-prompt".into(),
            preamble,
        ];
        match session {
            Session::New(id) => a.extend(["--session-id".into(), id.clone()]),
            Session::Resume(id) => a.extend(["--resume".into(), id.clone()]),
        }
        if let Some(m) = task.spec.model.clone().or_else(|| self.config.model.clone()) {
            a.extend(["--model".into(), m]);
        }
        if let Some(n) = o.max_turns {
            a.extend(["--max-turns".into(), n.to_string()]);
        }
        if let Some(b) = task.spec.budget_usd {
            a.extend(["--max-budget-usd".into(), format!("{b:.4}")]);
        }
        if !o.allowed_tools.is_empty() {
            a.push("--allowedTools".into());
            a.extend(o.allowed_tools.iter().cloned());
        }
        a.push(prompt(task, session));
        a
    }
}

/// A new session (its id pre-assigned, so it is known before any event) or one to resume.
enum Session {
    New(String),
    Resume(String),
}

fn prompt(task: &Task, session: &Session) -> String {
    let answer = task.question.as_ref().and_then(|q| q.answer.as_ref().map(|a| (q, a)));
    let text = match (session, answer) {
        (Session::Resume(_), Some((_, a))) => format!("The human answered your question: {a}\n\nContinue the task."),
        (Session::New(_), Some((q, a))) => format!(
            "{}\n\nEarlier you asked: {}\nThe human answered: {a}",
            task.spec.instructions, q.text
        ),
        _ => task.spec.instructions.clone(),
    };
    // A prompt that looks like an option would be parsed as one.
    if text.starts_with('-') {
        format!("Task: {text}")
    } else {
        text
    }
}

impl Runner for ClaudeRunner {
    async fn run(&self, task: &Task, limits: RunOptions, stop: CancellationToken) -> RunReport {
        let ws = &limits.workspace;
        let files = match ProtocolFiles::create(&ws.protocol_dir) {
            Ok(f) => f,
            Err(e) => return transient(format!("attempt directory: {e}")),
        };
        let session = match &ws.resume_session {
            Some(id) => Session::Resume(id.clone()),
            None => Session::New(uuid::Uuid::new_v4().to_string()),
        };
        let mut cmd = process::command(&self.config.bin);
        cmd.args(self.args(task, &session, protocol::preamble(task, ws.git, limits.api.is_some())))
            .current_dir(&ws.dir)
            .envs(self.config.env.iter().map(|(k, v)| (k, v)))
            .env("HOME", &ws.home)
            .env("CLAUDE_CONFIG_DIR", ws.home.join(".claude"))
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("DISABLE_AUTOUPDATER", "1")
            // The worker is the sandbox: bypassPermissions as root is refused without it.
            .env("IS_SANDBOX", "1")
            .envs(super::git_identity());
        files.apply(&mut cmd, task, limits.api.as_ref());
        let mut parsed = StreamState::default();
        let supervision = Supervision {
            timeout: limits.timeout,
            output_limit_bytes: limits.output_limit_bytes,
            log: limits.log.as_ref(),
            stop: &stop,
        };
        let finished = match process::run(cmd, supervision, |stream, line| match stream {
            Stream::Stdout => parsed.feed(line, chrono::Utc::now()),
            Stream::Stderr => Verdict::Continue,
        })
        .await
        {
            Ok(f) => f,
            Err(e) => {
                return RunReport::of(Some(AttemptOutcome::Failed {
                    transient: false,
                    error: format!("cannot start `{}`: {e}", self.config.bin),
                }));
            }
        };
        let exit_code = match &finished.end {
            End::Exited(s) => s.code(),
            _ => None,
        };
        let outcome = parsed.outcome(&finished.end, &finished.output);
        let (outcome, file_summary) = files.read(outcome);
        let summary = file_summary.or_else(|| parsed.summary());
        let session_id = parsed.session_id.clone().or(match session {
            Session::New(id) | Session::Resume(id) => Some(id),
        });
        RunReport {
            outcome,
            exit_code,
            output: Some(finished.output),
            summary,
            cost_usd: parsed.result.as_ref().and_then(|r| r.cost_usd),
            tokens_in: parsed.result.as_ref().and_then(|r| r.tokens_in),
            tokens_out: parsed.result.as_ref().and_then(|r| r.tokens_out),
            session_id,
            changes: None,
        }
    }
}

fn transient(error: String) -> RunReport {
    RunReport::of(Some(AttemptOutcome::Failed { transient: true, error }))
}

/// The final `result` event.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ResultEvent {
    /// `subtype`.
    pub subtype: String,
    /// `is_error`.
    pub is_error: bool,
    /// `result` text (final answer or error text).
    pub text: Option<String>,
    /// `total_cost_usd`.
    pub cost_usd: Option<f64>,
    /// Input tokens, cache reads and writes included.
    pub tokens_in: Option<i64>,
    /// `usage.output_tokens`.
    pub tokens_out: Option<i64>,
    /// `permission_denials` (tool names).
    pub denials: Vec<String>,
    /// `api_error_status`.
    pub api_error_status: Option<i64>,
    /// `errors`.
    pub errors: Vec<String>,
}

/// What the event stream said so far.
#[derive(Debug, Default)]
pub struct StreamState {
    /// From whichever event carried it first (hook events may precede `system/init`).
    pub session_id: Option<String>,
    /// A rate limit: how long until it resets, and what said so.
    pub rate_limit: Option<(Duration, String)>,
    /// The final result.
    pub result: Option<ResultEvent>,
    /// The last assistant text (for the summary).
    pub last_text: Option<String>,
}

fn int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_f64().map(|f| f as i64))
}

/// `resetsAt` as a time: epoch seconds or milliseconds (both are seen; values above 10^12 are
/// milliseconds).
fn reset_in(resets_at: &Value, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let raw = resets_at
        .as_f64()
        .or_else(|| resets_at.as_str().and_then(|s| s.parse().ok()))?;
    let ms = if raw > 1e12 { raw } else { raw * 1000.0 };
    let left = ms - now.timestamp_millis() as f64;
    Some(Duration::from_millis(left.max(1000.0) as u64))
}

impl StreamState {
    /// Takes one stdout line; says whether the CLI must be stopped now.
    pub fn feed(&mut self, line: &str, now: chrono::DateTime<chrono::Utc>) -> Verdict {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return Verdict::Continue;
        };
        if self.session_id.is_none()
            && let Some(s) = v["session_id"].as_str()
        {
            self.session_id = Some(s.to_owned());
        }
        match (v["type"].as_str(), v["subtype"].as_str()) {
            (Some("system"), Some("api_retry")) => {
                let status = int(&v["error_status"]);
                let kind = v["error"].as_str().unwrap_or_default();
                if matches!(status, Some(429 | 529)) || matches!(kind, "rate_limit" | "overloaded") {
                    let wait = int(&v["retry_delay_ms"]).map_or(UNKNOWN_RESET, |ms| {
                        Duration::from_millis(u64::try_from(ms).unwrap_or(0).max(1000))
                    });
                    self.rate_limit = Some((
                        wait,
                        format!(
                            "Claude API {} ({kind}); the CLI would retry in {} ms",
                            status.map_or("error".into(), |s| s.to_string()),
                            wait.as_millis()
                        ),
                    ));
                    return Verdict::Abort;
                }
            }
            (Some("rate_limit_event"), _) => {
                let info = &v["rate_limit_info"];
                if info["status"].as_str() == Some("rejected") {
                    let wait = reset_in(&info["resetsAt"], now).unwrap_or(UNKNOWN_RESET);
                    let kind = info["rateLimitType"].as_str().unwrap_or("usage");
                    self.rate_limit = Some((wait, format!("Claude {kind} limit reached")));
                    return Verdict::Abort;
                }
            }
            (Some("assistant"), _) => {
                if v["error"].as_str() == Some("rate_limit") && self.rate_limit.is_none() {
                    self.rate_limit = Some((UNKNOWN_RESET, "Claude rate limit".into()));
                }
                let text: String = v["message"]["content"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|c| c["type"] == "text")
                    .filter_map(|c| c["text"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n");
                if !text.trim().is_empty() {
                    self.last_text = Some(text);
                }
            }
            (Some("result"), _) => {
                let u = &v["usage"];
                let tokens_in = int(&u["input_tokens"]).map(|i| {
                    i + int(&u["cache_creation_input_tokens"]).unwrap_or(0)
                        + int(&u["cache_read_input_tokens"]).unwrap_or(0)
                });
                self.result = Some(ResultEvent {
                    subtype: v["subtype"].as_str().unwrap_or_default().to_owned(),
                    is_error: v["is_error"].as_bool().unwrap_or(true),
                    text: v["result"].as_str().map(str::to_owned),
                    cost_usd: v["total_cost_usd"].as_f64(),
                    tokens_in,
                    tokens_out: int(&u["output_tokens"]),
                    denials: v["permission_denials"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|d| d["tool_name"].as_str().unwrap_or("?").to_owned())
                        .collect(),
                    api_error_status: int(&v["api_error_status"]),
                    errors: v["errors"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|e| e.as_str().map(str::to_owned))
                        .collect(),
                });
            }
            _ => {}
        }
        Verdict::Continue
    }

    /// The `## Summary` of the final text.
    pub fn summary(&self) -> Option<String> {
        let r = self.result.as_ref().and_then(|r| r.text.clone());
        r.iter()
            .chain(self.last_text.iter())
            .find_map(|t| super::local::summary_section(t))
    }

    /// What the run means. `output` is the captured tail (stderr included) for error texts.
    pub fn outcome(&self, end: &End, output: &str) -> Option<AttemptOutcome> {
        let exit = match end {
            End::Stopped => return None,
            End::TimedOut => return Some(AttemptOutcome::TimedOut),
            End::WaitFailed(e) => {
                return Some(AttemptOutcome::Failed {
                    transient: true,
                    error: format!("waiting for claude: {e}"),
                });
            }
            End::Aborted => None,
            End::Exited(s) => Some(s.code()),
        };
        if let Some((retry_after, reason)) = &self.rate_limit {
            return Some(AttemptOutcome::RateLimited {
                retry_after: *retry_after,
                reason: reason.clone(),
            });
        }
        let code = exit.flatten();
        let Some(r) = &self.result else {
            let last = output
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no output");
            // Resuming needs the session file; without it retrying cannot help.
            let permanent = output.contains("No conversation found");
            return Some(AttemptOutcome::Failed {
                transient: !permanent,
                error: format!(
                    "claude ended without a result ({}): {last}",
                    code.map_or("killed".into(), |c| format!("exit code {c}"))
                ),
            });
        };
        if matches!(r.subtype.as_str(), "error_max_budget_usd" | "error_max_turns") {
            return Some(AttemptOutcome::BudgetExceeded);
        }
        if matches!(r.api_error_status, Some(429 | 529)) {
            return Some(AttemptOutcome::RateLimited {
                retry_after: UNKNOWN_RESET,
                reason: format!("Claude API {}", r.api_error_status.unwrap_or_default()),
            });
        }
        if !r.is_error && code == Some(0) && r.denials.is_empty() {
            return Some(AttemptOutcome::Succeeded);
        }
        if !r.denials.is_empty() && !r.is_error {
            return Some(AttemptOutcome::Failed {
                transient: false,
                error: format!("tools were denied permission: {}", r.denials.join(", ")),
            });
        }
        let text = r.text.clone().or_else(|| r.errors.first().cloned()).unwrap_or_default();
        if r.is_error
            && let Some(wait) = usage_limit_text(&text)
        {
            return Some(AttemptOutcome::RateLimited {
                retry_after: wait,
                reason: text,
            });
        }
        Some(AttemptOutcome::Failed {
            transient: true,
            error: format!(
                "claude {} ({}): {}",
                if r.subtype.is_empty() { "error" } else { &r.subtype },
                code.map_or("killed".into(), |c| format!("exit code {c}")),
                text.chars().take(500).collect::<String>()
            ),
        })
    }
}

/// The result text of a usage limit, in the forms the CLI has printed over its releases. Only the
/// final result text is read (assistant prose mentioning limits must not pause anything).
fn usage_limit_text(text: &str) -> Option<Duration> {
    let lower = text.to_ascii_lowercase();
    // "Claude AI usage limit reached|1774800000"
    if let Some((_, epoch)) = text.split_once("limit reached|") {
        let now = chrono::Utc::now();
        return reset_in(&Value::String(epoch.trim().to_owned()), now).or(Some(UNKNOWN_RESET));
    }
    let limited = lower.contains("usage limit reached")
        || lower.contains("limit reached ∙ resets")
        || lower.contains("limit reached · resets")
        || (lower.contains("hit your") && lower.contains("limit") && lower.contains("resets"));
    // "resets 2am (America/Chicago)": the zone database is not worth carrying for a pause length;
    // the reconciler lifts the pause, and an early retry meets the limit again.
    limited.then_some(UNKNOWN_RESET)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(lines: &[&str]) -> StreamState {
        let mut s = StreamState::default();
        let now = chrono::DateTime::from_timestamp(1_774_800_000 - 600, 0).unwrap_or_default();
        for l in lines {
            let _ = s.feed(l, now);
        }
        s
    }

    fn exited(code: i32) -> End {
        use std::os::unix::process::ExitStatusExt;
        End::Exited(std::process::ExitStatus::from_raw(code << 8))
    }

    #[test]
    fn success_needs_no_error_exit_zero_and_no_denials() {
        let ok = r#"{"type":"result","subtype":"success","is_error":false,"result":"x\n## Summary\nDid it.","session_id":"s1","total_cost_usd":0.5,"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":7},"permission_denials":[]}"#;
        let s = feed_all(&[r#"{"type":"system","subtype":"hook","session_id":"s1"}"#, ok]);
        assert_eq!(s.session_id.as_deref(), Some("s1"));
        assert_eq!(s.outcome(&exited(0), ""), Some(AttemptOutcome::Succeeded));
        assert_eq!(s.summary().as_deref(), Some("Did it."));
        let r = s.result.clone().unwrap_or_default();
        assert_eq!((r.cost_usd, r.tokens_in, r.tokens_out), (Some(0.5), Some(15), Some(7)));
        // The same result with a non-zero exit is not a success.
        assert!(matches!(s.outcome(&exited(1), ""), Some(AttemptOutcome::Failed { .. })));
        // subtype success with is_error true is a failure.
        let s = feed_all(&[r#"{"type":"result","subtype":"success","is_error":true,"result":"API Error: 500"}"#]);
        assert!(matches!(
            s.outcome(&exited(1), ""),
            Some(AttemptOutcome::Failed { transient: true, .. })
        ));
        let s = feed_all(&[
            r#"{"type":"result","subtype":"success","is_error":false,"result":"","permission_denials":[{"tool_name":"Bash","tool_use_id":"t","tool_input":{}}]}"#,
        ]);
        assert!(
            matches!(s.outcome(&exited(0), ""), Some(AttemptOutcome::Failed { transient: false, error }) if error.contains("Bash"))
        );
    }

    #[test]
    fn budget_and_turn_limits_are_budget_exceeded() {
        for sub in ["error_max_budget_usd", "error_max_turns"] {
            // is_error is not relied on for these subtypes.
            let line = format!(r#"{{"type":"result","subtype":"{sub}","is_error":false}}"#);
            let s = feed_all(&[&line]);
            assert_eq!(s.outcome(&exited(1), ""), Some(AttemptOutcome::BudgetExceeded));
        }
    }

    #[test]
    fn rate_limits_from_structure_stop_the_cli() {
        let mut s = StreamState::default();
        let retry = r#"{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":43617,"error_status":429,"error":"rate_limit","session_id":"a"}"#;
        assert_eq!(s.feed(retry, chrono::Utc::now()), Verdict::Abort);
        assert!(matches!(
            s.outcome(&End::Aborted, ""),
            Some(AttemptOutcome::RateLimited { retry_after, .. }) if retry_after == Duration::from_millis(43617)
        ));
        // A 500 retry is the CLI's own business.
        let mut s = StreamState::default();
        let retry500 =
            r#"{"type":"system","subtype":"api_retry","retry_delay_ms":500,"error_status":500,"error":"server_error"}"#;
        assert_eq!(s.feed(retry500, chrono::Utc::now()), Verdict::Continue);
        // resetsAt in seconds and in milliseconds mean the same instant.
        for resets in ["1774800000", "1774800000000"] {
            let line = format!(
                r#"{{"type":"rate_limit_event","rate_limit_info":{{"status":"rejected","resetsAt":{resets},"rateLimitType":"five_hour"}}}}"#
            );
            let s = feed_all(&[&line]);
            assert!(matches!(
                s.outcome(&End::Aborted, ""),
                Some(AttemptOutcome::RateLimited { retry_after, .. }) if retry_after == Duration::from_secs(600)
            ));
        }
        let allowed =
            r#"{"type":"rate_limit_event","rate_limit_info":{"status":"allowed_warning","resetsAt":1774800000}}"#;
        assert!(feed_all(&[allowed]).rate_limit.is_none());
    }

    #[test]
    fn usage_limit_text_is_read_only_from_the_result() {
        let prose = r#"{"type":"assistant","message":{"content":[{"type":"text","text":"Note: you've hit your limit · resets 2am"}]}}"#;
        let ok = r#"{"type":"result","subtype":"success","is_error":false,"result":"done"}"#;
        assert_eq!(
            feed_all(&[prose, ok]).outcome(&exited(0), ""),
            Some(AttemptOutcome::Succeeded)
        );
        for text in [
            "Claude AI usage limit reached|1774800000",
            "You've hit your limit · resets 7:10am (Australia/Sydney)",
            "5-hour limit reached ∙ resets 2am",
        ] {
            let line =
                serde_json::json!({"type":"result","subtype":"success","is_error":true,"result":text}).to_string();
            assert!(
                matches!(
                    feed_all(&[&line]).outcome(&exited(1), ""),
                    Some(AttemptOutcome::RateLimited { .. })
                ),
                "{text}"
            );
        }
    }

    #[test]
    fn a_missing_session_on_resume_is_permanent() {
        let s = StreamState::default();
        assert!(matches!(
            s.outcome(&exited(1), "No conversation found with session ID: x"),
            Some(AttemptOutcome::Failed { transient: false, .. })
        ));
        assert!(matches!(s.outcome(&End::TimedOut, ""), Some(AttemptOutcome::TimedOut)));
        assert_eq!(s.outcome(&End::Stopped, ""), None);
    }
}
