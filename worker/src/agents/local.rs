//! The `local` agent: an OpenAI-compatible `/v1/chat/completions` server (Ollama, vLLM,
//! LM Studio, llama.cpp), streamed over SSE.
//!
//! Mapping to outcomes: 2xx stream → success (text, usage when the server sends it, `## Summary`
//! section as the summary); 429, or 503 with a retry hint → rate limited (Retry-After /
//! retry-after-ms; 429 without one waits `DEFAULT_RATE_LIMIT`), which pauses the agent type;
//! other 5xx, connection errors and a stream cut short → transient; other 4xx → permanent. A
//! server that rejects `stream_options` with 400 is asked again without it.

use std::time::Duration;

use chrono::Utc;
use futures::StreamExt as _;
use serde_json::{Value, json};
use shared::domain::retry::{parse_retry_after, parse_retry_after_ms};
use shared::domain::{AttemptOutcome, Task};
use tokio_util::sync::CancellationToken;

use super::sse::SseDecoder;
use super::{RunOptions, RunReport, Runner};

/// Wait assumed for a 429 without a retry hint.
pub const DEFAULT_RATE_LIMIT: Duration = Duration::from_secs(30);

/// Where the model server is.
#[derive(Debug, Clone)]
pub struct LocalModel {
    /// Base URL including `/v1`, e.g. `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    /// Model used when the task names none.
    pub default_model: String,
    /// Bearer key, if the server wants one.
    pub api_key: Option<String>,
}

/// Runs tasks against a local model server.
#[derive(Debug, Clone)]
pub struct LocalRunner {
    model: Option<LocalModel>,
    http: reqwest::Client,
}

impl LocalRunner {
    /// A runner for `model` (None: tasks fail with a clear error).
    pub fn new(model: Option<LocalModel>) -> LocalRunner {
        LocalRunner {
            model,
            http: reqwest::Client::new(),
        }
    }
}

fn retry_hint(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    get("retry-after-ms")
        .and_then(parse_retry_after_ms)
        .or_else(|| get("retry-after").and_then(|v| parse_retry_after(v, Utc::now())))
}

/// Extracts the `## Summary` section of a text.
pub fn summary_section(text: &str) -> Option<String> {
    let start = text.rfind("## Summary")?;
    let body = &text[start + "## Summary".len()..];
    let end = body.find("\n## ").unwrap_or(body.len());
    let s = body[..end].trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Keeps the first `limit` bytes of a model's answer (the summary is taken before capping).
fn cap(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut cut = limit;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n[output truncated]");
    }
    text
}

fn failed(transient: bool, error: String) -> RunReport {
    RunReport::of(Some(AttemptOutcome::Failed { transient, error }))
}

impl LocalRunner {
    async fn request(&self, m: &LocalModel, task: &Task, with_usage: bool) -> Result<reqwest::Response, RunReport> {
        let mut body = json!({
            "model": task.spec.model.clone().unwrap_or_else(|| m.default_model.clone()),
            "messages": [
                {"role": "system", "content": "You are an unattended coding agent. End your answer with a `## Summary` section."},
                {"role": "user", "content": task.spec.instructions},
            ],
            "stream": true,
        });
        if with_usage {
            body["stream_options"] = json!({"include_usage": true});
        }
        let mut req = self
            .http
            .post(format!("{}/chat/completions", m.base_url.trim_end_matches('/')))
            .json(&body);
        if let Some(k) = &m.api_key {
            req = req.bearer_auth(k);
        }
        req.send()
            .await
            .map_err(|e| failed(true, format!("model server unreachable: {e}")))
    }

    async fn converse(&self, m: &LocalModel, task: &Task, output_limit: usize) -> RunReport {
        let mut resp = match self.request(m, task, true).await {
            Ok(r) => r,
            Err(report) => return report,
        };
        if resp.status() == reqwest::StatusCode::BAD_REQUEST {
            // Some servers reject stream_options; ask again without it.
            resp = match self.request(m, task, false).await {
                Ok(r) => r,
                Err(report) => return report,
            };
        }
        let status = resp.status();
        if !status.is_success() {
            let hint = retry_hint(resp.headers());
            let text = resp.text().await.unwrap_or_default();
            let detail: String = text.chars().take(500).collect();
            return match (status.as_u16(), hint) {
                (429, hint) => RunReport::of(Some(AttemptOutcome::RateLimited {
                    retry_after: hint.unwrap_or(DEFAULT_RATE_LIMIT),
                    reason: format!("model server answered 429: {detail}"),
                })),
                (503, Some(hint)) => RunReport::of(Some(AttemptOutcome::RateLimited {
                    retry_after: hint,
                    reason: format!("model server answered 503: {detail}"),
                })),
                (s, _) if s >= 500 => failed(true, format!("model server answered {s}: {detail}")),
                (s, _) => failed(false, format!("model server answered {s}: {detail}")),
            };
        }
        let mut text = String::new();
        let mut usage: Option<(i64, i64)> = None;
        let mut done = false;
        let mut decoder = SseDecoder::default();
        let mut pending: Vec<u8> = Vec::new();
        let mut stream = resp.bytes_stream();
        let handle = |data: String, text: &mut String, usage: &mut Option<(i64, i64)>| -> Result<bool, String> {
            if data.trim() == "[DONE]" {
                return Ok(true);
            }
            let v: Value = serde_json::from_str(&data).map_err(|e| format!("bad stream chunk: {e}"))?;
            if let Some(err) = v.get("error") {
                return Err(format!("model server error mid-stream: {err}"));
            }
            if let Some(c) = v["choices"][0]["delta"]["content"].as_str() {
                text.push_str(c);
            }
            if let (Some(i), Some(o)) = (
                v["usage"]["prompt_tokens"].as_i64(),
                v["usage"]["completion_tokens"].as_i64(),
            ) {
                *usage = Some((i, o));
            }
            Ok(false)
        };
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => return failed(true, format!("stream cut short: {e}")),
            };
            // A multi-byte character may be split across network chunks: decode only whole ones.
            pending.extend_from_slice(&chunk);
            let valid = match std::str::from_utf8(&pending) {
                Ok(_) => pending.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(_) => pending.len(),
            };
            let piece: Vec<u8> = pending.drain(..valid).collect();
            for data in decoder.push(&String::from_utf8_lossy(&piece)) {
                match handle(data, &mut text, &mut usage) {
                    Ok(true) => done = true,
                    Ok(false) => {}
                    Err(e) => return failed(true, e),
                }
            }
        }
        if let Some(data) = decoder.finish() {
            match handle(data, &mut text, &mut usage) {
                Ok(d) => done |= d,
                Err(e) => return failed(true, e),
            }
        }
        if !done {
            return failed(true, "stream ended without [DONE]".into());
        }
        let summary = summary_section(&text);
        RunReport {
            outcome: Some(AttemptOutcome::Succeeded),
            summary,
            tokens_in: usage.map(|u| u.0),
            tokens_out: usage.map(|u| u.1),
            output: Some(cap(text, output_limit)),
            ..RunReport::of(None)
        }
    }
}

impl Runner for LocalRunner {
    async fn run(&self, task: &Task, limits: RunOptions, stop: CancellationToken) -> RunReport {
        let Some(m) = &self.model else {
            return failed(false, "no local model configured (set LOCAL_MODEL_URL)".into());
        };
        tokio::select! {
            r = self.converse(m, task, limits.output_limit_bytes) => r,
            () = tokio::time::sleep(limits.timeout) => RunReport::of(Some(AttemptOutcome::TimedOut)),
            () = stop.cancelled() => RunReport::of(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_section_is_found() {
        assert_eq!(
            summary_section("work\n## Summary\nFixed it.\n").as_deref(),
            Some("Fixed it.")
        );
        assert_eq!(summary_section("## Summary\nA\n## Next\nB").as_deref(), Some("A"));
        assert_eq!(summary_section("no summary"), None);
    }
}
