//! A non-streamed chat completion with `response_format: {"type": "json_object"}` against an
//! OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp).

use std::time::Duration;

use serde_json::json;

use super::{LlmError, send_json};
use crate::config::LocalModelSettings;
use crate::domain::assist::Prompt;

/// `POST {base}/chat/completions`; the text of the first choice.
pub(super) async fn complete(
    http: &reqwest::Client,
    server: &LocalModelSettings,
    prompt: &Prompt,
    timeout: Duration,
) -> Result<String, LlmError> {
    let body = json!({
        "model": server.model,
        "messages": [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": prompt.user},
        ],
        "response_format": {"type": "json_object"},
        "temperature": 0,
        "max_tokens": prompt.max_tokens,
        "stream": false,
    });
    let mut req = http.post(format!("{}/chat/completions", server.base_url)).json(&body);
    if let Some(key) = &server.api_key {
        req = req.bearer_auth(key);
    }
    let answer = send_json(req, timeout).await?;
    answer["choices"][0]["message"]["content"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| LlmError::Answer("no choices[0].message.content".into()))
}
