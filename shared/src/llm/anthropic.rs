//! The Anthropic Messages API: `POST {base}/v1/messages` with `x-api-key` and
//! `anthropic-version: 2023-06-01`. It has no JSON mode; the prompts ask for one JSON object.

use std::time::Duration;

use serde_json::json;

use super::{LlmError, send_json};
use crate::config::ProviderSettings;
use crate::domain::assist::Prompt;

/// The concatenated text blocks of the answer.
pub(super) async fn complete(
    http: &reqwest::Client,
    api: &ProviderSettings,
    prompt: &Prompt,
    timeout: Duration,
) -> Result<String, LlmError> {
    let body = json!({
        "model": api.model,
        "max_tokens": prompt.max_tokens,
        "system": prompt.system,
        "messages": [{"role": "user", "content": prompt.user}],
        "temperature": 0,
    });
    let req = http
        .post(format!("{}/v1/messages", api.base_url))
        .header("x-api-key", &api.api_key)
        .header("anthropic-version", "2023-06-01")
        .json(&body);
    let answer = send_json(req, timeout).await?;
    let text: String = answer["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "text")
        .filter_map(|b| b["text"].as_str())
        .collect();
    if text.is_empty() {
        return Err(LlmError::Answer("no text content".into()));
    }
    Ok(text)
}
