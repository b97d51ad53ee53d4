//! Scripted chat model APIs on one loopback port, non-streamed, each in its real wire format:
//! an OpenAI-compatible server (`POST /v1/chat/completions`, a `chat.completion` object), the
//! Anthropic Messages API (`POST /v1/messages`, checking `x-api-key` and `anthropic-version`) and
//! the Gemini API (`POST /v1beta/models/{model}:generateContent`, checking `x-goog-api-key`).
//! Each answers with the next scripted reply of its protocol (500 when none is left) and records
//! every request for assertions. What the API node's helpers talk to in tests.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use poem::web::{Data, Path};
use poem::{EndpointExt, Request, Response, Route, handler, http::StatusCode};
use serde_json::{Value, json};

/// The key the Anthropic and Gemini stand-ins accept.
pub const API_KEY: &str = "test-key-not-secret";

/// Which protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// OpenAI-compatible chat completions.
    OpenAi,
    /// Anthropic Messages.
    Anthropic,
    /// Gemini generateContent.
    Gemini,
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A success whose text is this.
    Text(String),
    /// An error status with the protocol's error body.
    Status(u16),
    /// This reply, after a pause (a model that is slow or hangs).
    Delayed(std::time::Duration, Box<Reply>),
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Request path.
    pub path: String,
    /// Header values by lower-case name.
    pub headers: HashMap<String, String>,
    /// JSON body.
    pub body: Value,
}

#[derive(Default)]
struct Script {
    replies: HashMap<Api, VecDeque<Reply>>,
    /// When nothing is queued: the first answer whose key the request contains.
    by_prompt: HashMap<Api, Vec<(String, String)>>,
    seen: HashMap<Api, Vec<Seen>>,
}

type Shared = Arc<Mutex<Script>>;

/// The running stand-ins.
pub struct ModelApis {
    /// Root URL (`ANTHROPIC_BASE_URL`, `GOOGLE_GEMINI_BASE_URL`); `LOCAL_MODEL_URL` is `<root>/v1`.
    pub root: String,
    script: Shared,
    stop: tokio_util::sync::CancellationToken,
}

fn record(script: &Shared, api: Api, req: &Request, body: Value) -> Option<Reply> {
    let mut s = script.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let text = body.to_string();
    s.seen.entry(api).or_default().push(Seen {
        path: req.uri().path().to_owned(),
        headers,
        body,
    });
    if let Some(reply) = s.replies.entry(api).or_default().pop_front() {
        return Some(reply);
    }
    s.by_prompt
        .get(&api)
        .and_then(|answers| answers.iter().find(|(key, _)| text.contains(key.as_str())))
        .map(|(_, answer)| Reply::Text(answer.clone()))
}

/// Records the request, then takes the next scripted reply (500 when none is left), waiting
/// out any delay: the text of a success, or an error status.
async fn next_reply(script: &Shared, api: Api, req: &Request, body: Value) -> Result<String, u16> {
    let mut reply = record(script, api, req, body).unwrap_or(Reply::Status(500));
    loop {
        match reply {
            Reply::Text(text) => return Ok(text),
            Reply::Status(code) => return Err(code),
            Reply::Delayed(pause, then) => {
                tokio::time::sleep(pause).await;
                reply = *then;
            }
        }
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    Response::builder()
        .status(status)
        .content_type("application/json")
        .body(body.to_string())
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

#[handler]
async fn openai(req: &Request, body: poem::web::Json<Value>, script: Data<&Shared>) -> Response {
    match next_reply(&script, Api::OpenAi, req, body.0).await {
        Err(code) => json_response(
            status(code),
            &json!({"error": {"message": "scripted failure", "type": "server_error"}}),
        ),
        Ok(text) => json_response(
            StatusCode::OK,
            &json!({"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "local",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}}),
        ),
    }
}

#[handler]
async fn anthropic(req: &Request, body: poem::web::Json<Value>, script: Data<&Shared>) -> Response {
    let reply = next_reply(&script, Api::Anthropic, req, body.0).await;
    let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    if header("x-api-key") != API_KEY || header("anthropic-version") != "2023-06-01" {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
        );
    }
    match reply {
        Err(code) => json_response(
            status(code),
            &json!({"type": "error", "error": {"type": "api_error", "message": "scripted failure"}}),
        ),
        Ok(text) => json_response(
            StatusCode::OK,
            &json!({"id": "msg_1", "type": "message", "role": "assistant", "model": "claude",
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": null,
                "usage": {"input_tokens": 10, "output_tokens": 20}}),
        ),
    }
}

#[handler]
async fn gemini(
    req: &Request,
    Path(_action): Path<String>,
    body: poem::web::Json<Value>,
    script: Data<&Shared>,
) -> Response {
    let reply = next_reply(&script, Api::Gemini, req, body.0).await;
    if req.headers().get("x-goog-api-key").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
        return json_response(
            StatusCode::FORBIDDEN,
            &json!({"error": {"code": 403, "message": "API key not valid", "status": "PERMISSION_DENIED"}}),
        );
    }
    match reply {
        Err(code) => json_response(
            status(code),
            &json!({"error": {"code": code, "message": "scripted failure", "status": "INTERNAL"}}),
        ),
        Ok(text) => json_response(
            StatusCode::OK,
            &json!({"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 20, "totalTokenCount": 30}}),
        ),
    }
}

impl ModelApis {
    /// Starts on a random loopback port with nothing scripted.
    pub async fn start() -> ModelApis {
        let script: Shared = Arc::default();
        let app = Route::new()
            .at("/v1/chat/completions", poem::post(openai))
            .at("/v1/messages", poem::post(anthropic))
            .at("/v1beta/models/:action", poem::post(gemini))
            .data(script.clone());
        let (port, stop) = super::loopback::serve(app, "model APIs").await;
        ModelApis {
            root: format!("http://127.0.0.1:{port}"),
            script,
            stop,
        }
    }

    /// Queues replies of one protocol.
    pub fn script(&self, api: Api, replies: impl IntoIterator<Item = Reply>) {
        let mut s = self.script.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        s.replies.entry(api).or_default().extend(replies);
    }

    /// Once the queue of `api` is empty, answers every request containing a key with its text
    /// (a model that always answers in shape, for fuzzing).
    pub fn answer_by_prompt(&self, api: Api, answers: &[(&str, String)]) {
        let mut s = self.script.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = s.by_prompt.entry(api).or_default();
        list.extend(answers.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    }

    /// Requests one protocol received, in order.
    pub fn seen(&self, api: Api) -> Vec<Seen> {
        let s = self.script.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        s.seen.get(&api).cloned().unwrap_or_default()
    }

    /// API node environment pointing at the protocols given.
    pub fn env(&self, apis: &[Api]) -> Vec<(&'static str, String)> {
        let mut env = Vec::new();
        for api in apis {
            match api {
                Api::OpenAi => {
                    env.push(("LOCAL_MODEL_URL", format!("{}/v1", self.root)));
                    env.push(("LOCAL_MODEL", "test-model".to_owned()));
                }
                Api::Anthropic => {
                    env.push(("ANTHROPIC_BASE_URL", self.root.clone()));
                    env.push(("ANTHROPIC_API_KEY", API_KEY.to_owned()));
                }
                Api::Gemini => {
                    env.push(("GOOGLE_GEMINI_BASE_URL", self.root.clone()));
                    env.push(("GEMINI_API_KEY", API_KEY.to_owned()));
                }
            }
        }
        env
    }
}

impl Drop for ModelApis {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}
