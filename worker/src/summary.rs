//! The last resort of a summary (DOMAIN.md A.10): when an agent that succeeded left neither a
//! summary file nor a `## Summary` section, the local model (when one is configured) writes one
//! from the last 16 KB of what the agent printed, within a few seconds; otherwise there is none.

use std::time::Duration;

use shared::domain::assist::{Prompt, json_object_in};
use shared::llm::LlmClients;

/// How much of the output the model reads.
const MATERIAL_BYTES: usize = 16 * 1024;
/// How long the model may take.
pub const TIMEOUT: Duration = Duration::from_secs(6);
/// Longest summary kept.
const SUMMARY_CHARS: usize = 2_000;

/// The prompt for `output` (its last [`MATERIAL_BYTES`]).
pub fn prompt(title: &str, output: &str) -> Prompt {
    let mut start = output.len().saturating_sub(MATERIAL_BYTES);
    while !output.is_char_boundary(start) {
        start += 1;
    }
    Prompt {
        system: "You summarize what an unattended coding agent did, for the person who queued the task. \
                 Answer with a JSON object {\"summary\": \"...\"}: two to five plain sentences, past tense, \
                 naming files changed and anything left undone. No markdown."
            .into(),
        user: format!("Task: {title}\n\nThe end of the agent's output:\n{}", &output[start..]),
        max_tokens: 400,
    }
}

/// The summary in a model's answer, checked.
pub fn parse(raw: &str) -> Result<String, String> {
    let obj = json_object_in(raw)?;
    let text = obj
        .get("summary")
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or("no non-empty `summary` string")?;
    Ok(text.chars().take(SUMMARY_CHARS).collect())
}

/// Asks the local model; None when it is not configured or gives nothing usable in time.
pub async fn synthesize(llm: &LlmClients, title: &str, output: &str) -> Option<String> {
    if !llm.has_local() || output.trim().is_empty() {
        return None;
    }
    match llm.ask_local(&prompt(title, output), TIMEOUT, parse).await {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::info!(error.message = %e, "no summary from the local model");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_checked_and_material_is_the_tail() {
        assert_eq!(
            parse("```json\n{\"summary\": \" Fixed it. \"}\n```").as_deref(),
            Ok("Fixed it.")
        );
        assert!(parse("{\"summary\": \"\"}").is_err());
        assert!(parse("no json").is_err());
        let long = format!("{}END", "é".repeat(MATERIAL_BYTES));
        let p = prompt("t", &long);
        assert!(p.user.ends_with("END"));
        assert!(p.user.len() < MATERIAL_BYTES + 200);
    }
}
