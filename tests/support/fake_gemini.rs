//! A scripted Gemini API on loopback for running the real Gemini CLI
//! (`GOOGLE_GEMINI_BASE_URL`): `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` answered
//! with SSE `GenerateContentResponse` chunks (a `functionCall` of the CLI's shell tool, or text,
//! with `usageMetadata`), and 429 `RESOURCE_EXHAUSTED` with a `RetryInfo` detail. Records every
//! request body.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use poem::web::{Data, Path};
use poem::{EndpointExt, Response, Route, handler, http::StatusCode};
use serde_json::{Value, json};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Turn {
    /// Call the CLI's shell tool with this command.
    Shell(String),
    /// Final text.
    Text(String),
    /// 429 `RESOURCE_EXHAUSTED` suggesting a retry after this many seconds.
    Exhausted(u32),
}

#[derive(Default)]
struct Script {
    turns: VecDeque<Turn>,
    seen: Vec<Value>,
}

/// The running stand-in.
pub struct FakeGemini {
    /// `GOOGLE_GEMINI_BASE_URL`.
    pub base_url: String,
    script: Arc<Mutex<Script>>,
    stop: tokio_util::sync::CancellationToken,
}

#[handler]
fn generate(Path(_action): Path<String>, body: poem::web::Json<Value>, script: Data<&Arc<Mutex<Script>>>) -> Response {
    let turn = {
        let mut s = script.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        s.seen.push(body.0.clone());
        s.turns
            .pop_front()
            .unwrap_or_else(|| Turn::Text("Nothing left to do.\n\n## Summary\nNothing left to do.".into()))
    };
    let parts = match turn {
        Turn::Exhausted(secs) => {
            return Response::builder()
                .status(StatusCode::TOO_MANY_REQUESTS)
                .content_type("application/json")
                .body(
                    json!({"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).",
                        "status": "RESOURCE_EXHAUSTED",
                        "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{secs}s")}]}})
                    .to_string(),
                );
        }
        Turn::Shell(command) => {
            json!([{"functionCall": {"name": "run_shell_command", "args": {"command": command, "description": "scripted step"}}}])
        }
        Turn::Text(text) => json!([{"text": text}]),
    };
    let chunk = json!({"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 20, "totalTokenCount": 120},
        "modelVersion": "gemini-2.5-pro"});
    Response::builder()
        .content_type("text/event-stream")
        .body(format!("data: {chunk}\r\n\r\n"))
}

impl FakeGemini {
    /// Starts on a random loopback port with these turns queued.
    pub async fn start(turns: Vec<Turn>) -> FakeGemini {
        let script = Arc::new(Mutex::new(Script {
            turns: turns.into(),
            ..Script::default()
        }));
        let app = Route::new()
            .at("/v1beta/models/:action", poem::post(generate))
            .data(script.clone());
        let (port, stop) = crate::loopback::serve(app, "fake Gemini API").await;
        FakeGemini {
            base_url: format!("http://127.0.0.1:{port}"),
            script,
            stop,
        }
    }

    /// Queues more turns.
    pub fn push(&self, turns: impl IntoIterator<Item = Turn>) {
        self.lock().turns.extend(turns);
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
            ("GEMINI_BIN", crate::npm_tools::gemini_cli().display().to_string()),
            ("GOOGLE_GEMINI_BASE_URL", self.base_url.clone()),
            ("GEMINI_API_KEY", "test-gemini-key".into()),
        ]
    }
}

impl Drop for FakeGemini {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
