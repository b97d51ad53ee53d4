//! The plan of a CI-fix task as a model writes it, without I/O: what the model is shown (the
//! failure's metadata header, the failing commit's recent history, the repository's agent
//! instruction files, each bounded) and the check of its answer.
//!
//! A model's plan is never taken as it is: the answer must be a JSON object whose `plan` is a
//! string or a list of steps (`steps` is read too), the text is cleaned and capped, and it always
//! ends by asking for the `## Summary` the worker reads. The metadata header stays above it
//! verbatim ([`crate::webhooks::ci_instructions`]). Reading the repository and asking the model
//! is the API node's business.

use serde_json::Value;

use crate::domain::assist::{Prompt, json_object_in, one_line, text_block};
use crate::webhooks::{CiFailure, ci_header};

/// Input and output limits.
pub mod limits {
    /// Commits of the failing commit's history shown.
    pub const COMMITS: usize = 10;
    /// Longest history shown, in bytes.
    pub const HISTORY_BYTES: usize = 12 * 1024;
    /// Longest instructions file shown, in bytes, each.
    pub const GUIDE_BYTES: usize = 8 * 1024;
    /// Longest plan kept, in bytes.
    pub const PLAN_BYTES: usize = 8 * 1024;
    /// Most steps kept.
    pub const STEPS: usize = 12;
    /// Longest step, in characters.
    pub const STEP_CHARS: usize = 600;
}

/// The repository's instructions for agents, read at the failing commit, in this order.
pub const GUIDE_FILES: [&str; 2] = ["CLAUDE.md", "AGENTS.md"];

/// What the repository says about a failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoContext {
    /// `git log` of the failing commit, newest first (subjects and the files each touched).
    pub history: Option<String>,
    /// Instruction files found at the failing commit: (name, content).
    pub guides: Vec<(String, String)>,
    /// Why the repository could not be read, when it could not.
    pub unavailable: Option<String>,
}

/// At most `max` bytes of `s`, cleaned, marked when cut.
fn bounded(s: &str, max: usize) -> String {
    let kept = text_block(s, max);
    if s.trim().len() > max {
        format!("{kept}\n[... cut at {max} bytes]")
    } else {
        kept
    }
}

/// The prompt that asks for an investigation plan.
pub fn plan_prompt(f: &CiFailure, repo: &RepoContext) -> Prompt {
    let system = "You plan the investigation of a failed CI run for an unattended coding agent. \
        The agent works in a fresh clone of the repository, can run commands and edit files, and \
        commits its fix. Answer with one JSON object and nothing else: {\"plan\": [\"step\", ...]}, \
        3 to 8 short, concrete, ordered steps: what to read first given the failure and the recent \
        commits (name the commits and files that look related), how to reproduce the failure with \
        the project's own commands (use those the instruction files give), how to fix it with the \
        smallest change and verify it. Do not invent files or commands that nothing below \
        mentions. The last step asks for a `## Summary` of the cause and the fix."
        .to_owned();
    let mut user = format!("The failure:\n{}", ci_header(f));
    match (&repo.history, &repo.unavailable) {
        (Some(h), _) => user.push_str(&format!(
            "\nThe failing commit's history, newest first (`git log -n {} --name-status`):\n{}\n",
            limits::COMMITS,
            bounded(h, limits::HISTORY_BYTES)
        )),
        (None, Some(why)) => user.push_str(&format!("\nThe repository could not be read: {why}\n")),
        (None, None) => user.push_str("\nThe project names no repository.\n"),
    }
    for (name, content) in &repo.guides {
        user.push_str(&format!(
            "\n{name} at the failing commit:\n{}\n",
            bounded(content, limits::GUIDE_BYTES)
        ));
    }
    if repo.history.is_some() && repo.guides.is_empty() {
        user.push_str(&format!("\nThe repository has no {}.\n", GUIDE_FILES.join(" or ")));
    }
    Prompt {
        system,
        user,
        max_tokens: 1024,
    }
}

/// A step without the numbering a model may have put in front (`1.`, `2)`, `-`).
fn step_text(v: &Value) -> Option<String> {
    let raw = match v {
        Value::String(s) => s.as_str(),
        Value::Object(o) => ["step", "description", "action", "title"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str))?,
        _ => return None,
    };
    let line = one_line(raw, limits::STEP_CHARS);
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let step = match line[digits..].strip_prefix(['.', ')']) {
        Some(rest) if digits > 0 && (rest.is_empty() || rest.starts_with(' ')) => rest,
        _ => line.strip_prefix(['-', '*']).unwrap_or(&line),
    }
    .trim_start();
    (!step.is_empty()).then(|| step.to_owned())
}

/// Checks a plan answer: the plan's text, under the line that opens the fixed plan too, ending
/// with the request for a `## Summary`. Refused without a usable plan.
pub fn parse_plan(raw: &str) -> Result<String, String> {
    let v = json_object_in(raw)?;
    let summary = "End with a `## Summary` of the cause and the fix.";
    let body = match v.get("plan").or_else(|| v.get("steps")) {
        Some(Value::String(s)) => {
            let text = text_block(s, limits::PLAN_BYTES);
            if text.is_empty() {
                return Err("the plan is empty".into());
            }
            if text.contains("## Summary") {
                text
            } else {
                format!("{text}\n{summary}")
            }
        }
        Some(Value::Array(items)) => {
            let mut steps: Vec<String> = items.iter().filter_map(step_text).take(limits::STEPS).collect();
            if steps.is_empty() {
                return Err("the plan has no steps".into());
            }
            if !steps.iter().any(|s| s.contains("## Summary")) {
                steps.push(summary.to_owned());
            }
            let numbered: Vec<String> = steps
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}. {s}", i + 1))
                .collect();
            numbered.join("\n")
        }
        _ => return Err("the answer has no plan (a string or a list of steps)".into()),
    };
    Ok(format!("Investigate and fix the failure:\n{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure() -> CiFailure {
        CiFailure {
            provider: "github",
            repository: "o/r".into(),
            branch: Some("main".into()),
            commit: "0123456789abcdef".into(),
            check: "test".into(),
            url: None,
            details: None,
        }
    }

    #[test]
    fn the_prompt_shows_the_header_history_and_guides_bounded() {
        let repo = RepoContext {
            history: Some("abc1234 Make the parser strict\nM\tsrc/parse.rs".into()),
            guides: vec![("CLAUDE.md".into(), format!("Run `make check`.\n{}", "x".repeat(20_000)))],
            unavailable: None,
        };
        let p = plan_prompt(&failure(), &repo);
        assert!(p.user.starts_with("The failure:\nCI failure\n- provider: github\n"));
        assert!(p.user.contains("abc1234 Make the parser strict"));
        assert!(p.user.contains("CLAUDE.md at the failing commit:\nRun `make check`."));
        assert!(p.user.contains("[... cut at 8192 bytes]"));
        assert!(p.user.len() < 12_000);
        let none = plan_prompt(
            &failure(),
            &RepoContext {
                unavailable: Some("git fetch failed".into()),
                ..RepoContext::default()
            },
        );
        assert!(none.user.contains("could not be read: git fetch failed"));
    }

    #[test]
    fn plans_are_lists_or_text_and_always_ask_for_a_summary() {
        let p = parse_plan(r#"{"plan": ["1. Read src/parse.rs", "2) Run `make check`", {"step": "Fix it"}, "", 7]}"#)
            .unwrap();
        assert_eq!(
            p,
            "Investigate and fix the failure:\n1. Read src/parse.rs\n2. Run `make check`\n3. Fix it\n\
             4. End with a `## Summary` of the cause and the fix."
        );
        let p = parse_plan("```json\n{\"steps\": [\"a\", \"b\", \"End with a ## Summary\"]}\n```").unwrap();
        assert!(p.ends_with("3. End with a ## Summary"), "{p}");
        let p = parse_plan(r#"{"plan": "Look at the parser.\nRun the tests."}"#).unwrap();
        assert!(p.ends_with("Run the tests.\nEnd with a `## Summary` of the cause and the fix."));
        let long = parse_plan(&serde_json::json!({"plan": vec!["y".repeat(5000); 40]}).to_string()).unwrap();
        assert!(long.len() < limits::PLAN_BYTES, "{}", long.len());
        for bad in [
            "no json",
            "[1, 2]",
            r#"{"plan": ""}"#,
            r#"{"plan": []}"#,
            r#"{"plan": [1, null]}"#,
            r#"{"answer": "x"}"#,
        ] {
            assert!(parse_plan(bad).is_err(), "{bad}");
        }
    }
}
