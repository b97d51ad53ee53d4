//! The Gemini API: `POST {base}/v1beta/models/{model}:generateContent` with `x-goog-api-key`
//! and `responseMimeType: application/json`.

use std::time::Duration;

use serde_json::json;

use super::{LlmError, send_json};
use crate::config::ProviderSettings;
use crate::domain::assist::Prompt;

/// The concatenated text parts of the first candidate.
pub(super) async fn complete(
    http: &reqwest::Client,
    api: &ProviderSettings,
    prompt: &Prompt,
    timeout: Duration,
) -> Result<String, LlmError> {
    // No maxOutputTokens: Gemini 2.5 counts thinking against it, which can leave no room for
    // the answer; the deadline bounds the call instead.
    let body = json!({
        "systemInstruction": {"parts": [{"text": prompt.system}]},
        "contents": [{"role": "user", "parts": [{"text": prompt.user}]}],
        "generationConfig": {"responseMimeType": "application/json", "temperature": 0},
    });
    let req = http
        .post(format!("{}/v1beta/models/{}:generateContent", api.base_url, api.model))
        .header("x-goog-api-key", &api.api_key)
        .json(&body);
    let answer = send_json(req, timeout).await?;
    let text: String = answer["candidates"][0]["content"]["parts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["text"].as_str())
        .collect();
    if text.is_empty() {
        return Err(LlmError::Answer("no text in candidates[0]".into()));
    }
    Ok(text)
}
