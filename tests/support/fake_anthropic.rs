//! A scripted Anthropic Messages API on loopback, for running the real Claude Code CLI
//! (`ANTHROPIC_BASE_URL`). It speaks the streaming protocol the CLI uses (`POST /v1/messages`,
//! SSE `message_start`, `content_block_*`, `message_delta`, `message_stop`) and the API's error
//! shape (429 `rate_limit_error` with `retry-after`), answering each request with the next
//! scripted turn, and records every request body for assertions.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use poem::web::Data;
use poem::{EndpointExt, Response, Route, handler, http::StatusCode};
use serde_json::{Value, json};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Turn {
    /// Call the Bash tool with this command.
    Bash(String),
    /// Final text.
    Text(String),
    /// Call the Bash tool, reporting this many input tokens (to run up a bill).
    CostlyBash(String, u64),
    /// An error status with an Anthropic error body and, when given, `retry-after`.
    Error(u16, Option<String>),
}

#[derive(Default)]
struct Script {
    turns: VecDeque<Turn>,
    /// When no turn is queued: the first rule whose needle is in the request answers with its
    /// next turn (the last one repeats).
    rules: Vec<(String, VecDeque<Turn>)>,
    seen: Vec<Value>,
    next_id: u64,
}

/// The running stand-in.
pub struct FakeAnthropic {
    /// `ANTHROPIC_BASE_URL`.
    pub base_url: String,
    script: Arc<Mutex<Script>>,
    stop: tokio_util::sync::CancellationToken,
}

fn sse(event: &str, data: &Value) -> String {
    format!("event: {event}\ndata: {data}\n\n")
}

fn stream(id: &str, model: &str, input_tokens: u64, block: Value, delta: Value, stop_reason: &str) -> String {
    let mut out = String::new();
    out += &sse(
        "message_start",
        &json!({"type": "message_start", "message": {"id": id, "type": "message", "role": "assistant",
            "model": model, "content": [], "stop_reason": null, "stop_sequence": null,
            "usage": {"input_tokens": input_tokens, "output_tokens": 1}}}),
    );
    out += &sse(
        "content_block_start",
        &json!({"type": "content_block_start", "index": 0, "content_block": block}),
    );
    out += &sse("ping", &json!({"type": "ping"}));
    out += &sse(
        "content_block_delta",
        &json!({"type": "content_block_delta", "index": 0, "delta": delta}),
    );
    out += &sse("content_block_stop", &json!({"type": "content_block_stop", "index": 0}));
    out += &sse(
        "message_delta",
        &json!({"type": "message_delta", "delta": {"stop_reason": stop_reason, "stop_sequence": null},
            "usage": {"output_tokens": 25}}),
    );
    out += &sse("message_stop", &json!({"type": "message_stop"}));
    out
}

#[handler]
fn messages(body: poem::web::Json<Value>, script: Data<&Arc<Mutex<Script>>>) -> Response {
    let (turn, n) = {
        let mut s = script.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        s.seen.push(body.0.clone());
        s.next_id += 1;
        let text = body.0.to_string();
        let ruled = s
            .rules
            .iter_mut()
            .find(|(needle, _)| text.contains(needle.as_str()))
            .and_then(|(_, turns)| {
                if turns.len() > 1 {
                    turns.pop_front()
                } else {
                    turns.front().cloned()
                }
            });
        let turn = s
            .turns
            .pop_front()
            .or(ruled)
            .unwrap_or_else(|| Turn::Text("Nothing left to do.\n\n## Summary\nNothing left to do.".into()));
        (turn, s.next_id)
    };
    let model = body.0["model"].as_str().unwrap_or("claude-test").to_owned();
    let id = format!("msg_{n}");
    let tool = |command: &str, tokens: u64| {
        let input = json!({"command": command, "description": "scripted step"}).to_string();
        stream(
            &id,
            &model,
            tokens,
            json!({"type": "tool_use", "id": format!("toolu_{n}"), "name": "Bash", "input": {}}),
            json!({"type": "input_json_delta", "partial_json": input}),
            "tool_use",
        )
    };
    let body = match turn {
        Turn::Error(status, retry_after) => {
            let kind = if status == 429 { "rate_limit_error" } else { "api_error" };
            let mut r = Response::builder()
                .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
                .content_type("application/json");
            if let Some(after) = retry_after {
                r = r.header("retry-after", after);
            }
            return r.body(
                json!({"type": "error", "error": {"type": kind, "message": "This request would exceed your account's rate limit. Please try again later."}})
                    .to_string(),
            );
        }
        Turn::Bash(command) => tool(&command, 100),
        Turn::CostlyBash(command, tokens) => tool(&command, tokens),
        Turn::Text(text) => stream(
            &id,
            &model,
            100,
            json!({"type": "text", "text": ""}),
            json!({"type": "text_delta", "text": text}),
            "end_turn",
        ),
    };
    Response::builder().content_type("text/event-stream").body(body)
}

#[handler]
fn count_tokens() -> poem::web::Json<Value> {
    poem::web::Json(json!({"input_tokens": 100}))
}

impl FakeAnthropic {
    /// Starts on a random loopback port with these turns queued.
    pub async fn start(turns: Vec<Turn>) -> FakeAnthropic {
        let script = Arc::new(Mutex::new(Script {
            turns: turns.into(),
            ..Script::default()
        }));
        let app = Route::new()
            .at("/v1/messages", poem::post(messages))
            .at("/v1/messages/count_tokens", poem::post(count_tokens))
            .data(script.clone());
        let (port, stop) = crate::loopback::serve(app, "fake Anthropic API").await;
        FakeAnthropic {
            base_url: format!("http://127.0.0.1:{port}"),
            script,
            stop,
        }
    }

    /// Queues more turns.
    pub fn push(&self, turns: impl IntoIterator<Item = Turn>) {
        self.lock().turns.extend(turns);
    }

    /// Answers requests that contain `needle` (when no turn is queued) with `turns` in order,
    /// the last one for every request after.
    pub fn on(&self, needle: &str, turns: impl IntoIterator<Item = Turn>) {
        self.lock().rules.push((needle.to_owned(), turns.into_iter().collect()));
    }

    /// Request bodies received so far.
    pub fn seen(&self) -> Vec<Value> {
        self.lock().seen.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Worker settings that point the CLI here.
    pub fn worker_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CLAUDE_BIN", crate::npm_tools::claude_cli().display().to_string()),
            ("ANTHROPIC_BASE_URL", self.base_url.clone()),
            ("ANTHROPIC_API_KEY", "sk-ant-test".into()),
        ]
    }
}

impl Drop for FakeAnthropic {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
