//! Clients of the chat model APIs the API node asks for help: an OpenAI-compatible server (the
//! local model), the Anthropic Messages API and the Gemini API, over reqwest with rustls.
//!
//! One request per call, no retries, a deadline on each, JSON answers only (`response_format`
//! `json_object`, Gemini's `responseMimeType`, and an instruction in the prompt for Claude,
//! which has no JSON mode). What a prompt says and how an answer is checked belong to
//! `domain::assist` and `domain::classify`; every answer is handed to a caller's check, and one
//! that fails it counts as a failed call, so [`LlmClients::ask_chain`] moves on to the next
//! model. Keys travel in headers only and are never logged.

mod anthropic;
mod gemini;
mod openai;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use tokio::time::Instant;

use crate::config::LlmSettings;
use crate::domain::assist::Prompt;

/// Largest answer body read, in bytes.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Which model API answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// The OpenAI-compatible server at `LOCAL_MODEL_URL`.
    Local,
    /// The Anthropic Messages API.
    Claude,
    /// The Gemini API.
    Gemini,
}

impl Provider {
    /// `local`, `claude` or `gemini`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Local => "local",
            Provider::Claude => "claude",
            Provider::Gemini => "gemini",
        }
    }
}

/// Why one call gave nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// No answer before the deadline.
    #[error("timed out")]
    Timeout,
    /// A non-2xx answer.
    #[error("HTTP {0}")]
    Status(u16),
    /// Connection or protocol failure.
    #[error("request failed: {0}")]
    Transport(String),
    /// An answer that is not the expected shape, or that the caller's check refused.
    #[error("unusable answer: {0}")]
    Answer(String),
}

/// Why [`LlmClients::ask_chain`] has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// No model is configured.
    #[error("no model is configured")]
    NoneConfigured,
    /// Every configured model failed, in the order asked.
    #[error("every model failed: {}", .0.iter().map(|(p, e)| format!("{}: {e}", p.as_str())).collect::<Vec<_>>().join("; "))]
    AllFailed(Vec<(Provider, LlmError)>),
}

/// A checked answer and who gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered<T> {
    /// What the caller's check made of the answer.
    pub value: T,
    /// Who answered.
    pub provider: Provider,
}

/// The configured model APIs and one HTTP client (cheap to clone).
#[derive(Clone)]
pub struct LlmClients {
    http: reqwest::Client,
    settings: Arc<LlmSettings>,
}

impl LlmClients {
    /// Clients for `settings` (nothing is contacted until asked).
    pub fn new(settings: LlmSettings) -> anyhow::Result<LlmClients> {
        // reqwest is built without a default TLS provider; the first caller installs ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()?;
        Ok(LlmClients {
            http,
            settings: Arc::new(settings),
        })
    }

    /// Whether a local model is configured.
    pub fn has_local(&self) -> bool {
        self.settings.local.is_some()
    }

    /// Asks the local model only.
    pub async fn ask_local<T>(
        &self,
        prompt: &Prompt,
        timeout: Duration,
        check: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, LlmError> {
        let Some(local) = &self.settings.local else {
            return Err(LlmError::Transport("no local model configured".into()));
        };
        let raw = openai::complete(&self.http, local, prompt, timeout).await?;
        check(&raw).map_err(LlmError::Answer)
    }

    /// Asks the local model, then Claude, then Gemini (those configured), until one gives an
    /// answer `check` accepts; all within `within`. Each call gets the time that is left less a
    /// quarter of `within` for every model still to ask, so a model that hangs leaves the ones
    /// after it time to answer.
    pub async fn ask_chain<T>(
        &self,
        prompt: &Prompt,
        within: Duration,
        check: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Answered<T>, ChainError> {
        let deadline = Instant::now() + within;
        let s = &self.settings;
        let providers = [
            (Provider::Local, s.local.is_some()),
            (Provider::Claude, s.anthropic.is_some()),
            (Provider::Gemini, s.gemini.is_some()),
        ];
        let configured: Vec<Provider> = providers.into_iter().filter(|(_, on)| *on).map(|(p, _)| p).collect();
        let mut failures = Vec::new();
        for (i, provider) in configured.iter().copied().enumerate() {
            let left = deadline.saturating_duration_since(Instant::now());
            let later = u32::try_from(configured.len() - i - 1).unwrap_or(u32::MAX);
            let timeout = call_timeout(left, within, later);
            let result = if timeout.is_zero() {
                Err(LlmError::Timeout)
            } else {
                self.ask_one(provider, prompt, timeout).await
            };
            match result.and_then(|raw| check(&raw).map_err(LlmError::Answer)) {
                Ok(value) => return Ok(Answered { value, provider }),
                Err(e) => {
                    tracing::warn!(llm.provider = provider.as_str(), error.message = %e, "model call failed");
                    failures.push((provider, e));
                }
            }
        }
        if failures.is_empty() {
            return Err(ChainError::NoneConfigured);
        }
        Err(ChainError::AllFailed(failures))
    }

    async fn ask_one(&self, provider: Provider, prompt: &Prompt, timeout: Duration) -> Result<String, LlmError> {
        let s = &self.settings;
        match (provider, &s.local, &s.anthropic, &s.gemini) {
            (Provider::Local, Some(local), _, _) => openai::complete(&self.http, local, prompt, timeout).await,
            (Provider::Claude, _, Some(p), _) => anthropic::complete(&self.http, p, prompt, timeout).await,
            (Provider::Gemini, _, _, Some(p)) => gemini::complete(&self.http, p, prompt, timeout).await,
            _ => Err(LlmError::Transport(format!("{} is not configured", provider.as_str()))),
        }
    }
}

/// How long one call of a chain may take: what is `left` of the chain's deadline, less a quarter
/// of its length for each of the `later` models still to ask.
fn call_timeout(left: Duration, within: Duration, later: u32) -> Duration {
    left.saturating_sub((within / 4).saturating_mul(later))
}

/// Sends a request and returns its JSON body: 2xx only, at most [`MAX_ANSWER_BYTES`].
async fn send_json(req: reqwest::RequestBuilder, timeout: Duration) -> Result<serde_json::Value, LlmError> {
    let transport = |e: reqwest::Error| {
        if e.is_timeout() {
            LlmError::Timeout
        } else {
            LlmError::Transport(e.without_url().to_string())
        }
    };
    let resp = req.timeout(timeout).send().await.map_err(transport)?;
    let status = resp.status();
    if !status.is_success() {
        return Err(LlmError::Status(status.as_u16()));
    }
    let mut body = Vec::new();
    let mut chunks = resp.bytes_stream();
    while let Some(chunk) = chunks.next().await {
        body.extend_from_slice(&chunk.map_err(transport)?);
        if body.len() > MAX_ANSWER_BYTES {
            return Err(LlmError::Answer(format!("longer than {MAX_ANSWER_BYTES} bytes")));
        }
    }
    serde_json::from_slice(&body).map_err(|e| LlmError::Answer(format!("not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_leaves_time_for_the_models_after_it() {
        let within = Duration::from_secs(20);
        assert_eq!(call_timeout(within, within, 2), Duration::from_secs(10));
        assert_eq!(call_timeout(Duration::from_secs(9), within, 1), Duration::from_secs(4));
        assert_eq!(call_timeout(Duration::from_secs(4), within, 0), Duration::from_secs(4));
        assert_eq!(call_timeout(Duration::from_secs(3), within, 1), Duration::ZERO);
    }
}
