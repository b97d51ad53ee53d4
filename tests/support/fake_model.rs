//! A scripted OpenAI-compatible model server on loopback. It speaks the real protocol
//! (`POST /v1/chat/completions`, SSE chunks, a usage chunk with empty `choices`, `data: [DONE]`,
//! 429 with `Retry-After`) so the worker's real HTTP client and parser are what is tested.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use poem::web::Data;
use poem::{EndpointExt, Response, Route, handler, http::StatusCode};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 429 with this `Retry-After` value.
    RateLimited(String),
    /// A plain status with a JSON error body.
    Status(u16),
    /// A successful stream of these text pieces, then usage, then `[DONE]`.
    Stream(Vec<String>),
}

#[derive(Default)]
struct Script {
    replies: VecDeque<Reply>,
    seen: Vec<(Instant, serde_json::Value)>,
}

/// A running fake model server.
pub struct FakeModel {
    /// Base URL including `/v1`.
    pub base_url: String,
    script: Arc<Mutex<Script>>,
    stop: tokio_util::sync::CancellationToken,
}

#[handler]
fn completions(body: poem::web::Json<serde_json::Value>, script: Data<&Arc<Mutex<Script>>>) -> Response {
    let reply = {
        let mut s = script.lock().expect("script lock");
        s.seen.push((Instant::now(), body.0.clone()));
        s.replies
            .pop_front()
            .unwrap_or_else(|| Reply::Stream(vec!["ok\n## Summary\ndone".into()]))
    };
    match reply {
        Reply::RateLimited(after) => Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .header("retry-after", after)
            .content_type("application/json")
            .body(r#"{"error":{"message":"rate limited","type":"rate_limit_error"}}"#),
        Reply::Status(code) => Response::builder()
            .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
            .content_type("application/json")
            .body(r#"{"error":{"message":"scripted failure"}}"#),
        Reply::Stream(pieces) => {
            let mut out = String::from(": keep-alive\n\n");
            for p in &pieces {
                let chunk = serde_json::json!({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": null}], "usage": null});
                out.push_str(&format!("data: {chunk}\n\n"));
            }
            let usage = serde_json::json!({"object": "chat.completion.chunk", "choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}});
            out.push_str(&format!("data: {usage}\r\n\r\ndata: [DONE]\n\n"));
            Response::builder().content_type("text/event-stream").body(out)
        }
    }
}

impl FakeModel {
    /// Starts on a random loopback port with these replies queued (then plain successes).
    pub async fn start(replies: Vec<Reply>) -> FakeModel {
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into(),
            seen: Vec::new(),
        }));
        let app = Route::new()
            .at("/v1/chat/completions", poem::post(completions))
            .data(script.clone());
        let (port, stop) = super::loopback::serve(app, "fake model").await;
        FakeModel {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            script,
            stop,
        }
    }

    /// When each request arrived, with its body.
    pub fn requests(&self) -> Vec<(Instant, serde_json::Value)> {
        self.script.lock().expect("script lock").seen.clone()
    }
}

impl Drop for FakeModel {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
