//! Feedback on a previous attempt that the next attempt is given: a human's rejection comment,
//! a story checker's FAIL report. Without it a re-run repeats the same instructions blind.
//!
//! Model agents get it as a marked section after their instructions ([`prompt_section`]);
//! `exec` commands get the same text in `CLAUDOMATOR_FEEDBACK`. Each execution records the items
//! it was given, so the history shows what the agent knew.

use super::ids::UnknownName;

/// Where a piece of feedback came from (a closed vocabulary, stored as its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    /// The comment of `POST /api/tasks/{id}/reject`.
    Rejection,
    /// The report of a story checker whose verdict was FAIL.
    CheckerReport,
}

impl FeedbackKind {
    /// Every kind.
    pub const ALL: [FeedbackKind; 2] = [FeedbackKind::Rejection, FeedbackKind::CheckerReport];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Rejection => "rejection",
            FeedbackKind::CheckerReport => "checker_report",
        }
    }
}

impl std::str::FromStr for FeedbackKind {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FeedbackKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownName {
                kind: "feedback kind",
                name: s.to_owned(),
            })
    }
}

/// One piece of feedback.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FeedbackItem {
    /// Where it came from.
    pub kind: FeedbackKind,
    /// What it says.
    pub text: String,
}

/// Longest feedback text given to an agent, in bytes (a checker report can be long).
pub const MAX_TEXT_BYTES: usize = 16 * 1024;

/// The feedback an attempt gets, from what the task carries: the rejection comment (kept on the
/// task until the next rejection) and the FAIL report of the last checker of its story work.
/// Blank texts are no feedback; texts are capped at [`MAX_TEXT_BYTES`].
pub fn gather(rejection_comment: Option<&str>, checker_fail_report: Option<&str>) -> Vec<FeedbackItem> {
    [
        (FeedbackKind::Rejection, rejection_comment),
        (FeedbackKind::CheckerReport, checker_fail_report),
    ]
    .into_iter()
    .filter_map(|(kind, text)| {
        let text = text?.trim();
        (!text.is_empty()).then(|| FeedbackItem { kind, text: cap(text) })
    })
    .collect()
}

fn cap(text: &str) -> String {
    if text.len() <= MAX_TEXT_BYTES {
        return text.to_owned();
    }
    let mut cut = MAX_TEXT_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n[truncated]", &text[..cut])
}

/// The feedback as plain text (the value of `CLAUDOMATOR_FEEDBACK`); empty for none.
pub fn plain_text(items: &[FeedbackItem]) -> String {
    items
        .iter()
        .map(|i| match i.kind {
            FeedbackKind::Rejection => format!("A human reviewer rejected the previous attempt:\n{}", i.text),
            FeedbackKind::CheckerReport => {
                format!(
                    "The story's checker failed the previous attempt. Its report:\n{}",
                    i.text
                )
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The heading of the prompt section, so agents (and tests) can find it.
pub const SECTION_HEADING: &str = "## Feedback on the previous attempt";

/// Instructions followed by the marked feedback section (the instructions alone for none).
pub fn prompt_section(instructions: &str, items: &[FeedbackItem]) -> String {
    if items.is_empty() {
        return instructions.to_owned();
    }
    format!(
        "{instructions}\n\n{SECTION_HEADING}\n{}\n\nAddress this feedback in this attempt; the work of the \
         previous attempt is what was judged.",
        plain_text(items)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for k in FeedbackKind::ALL {
            assert_eq!(k.as_str().parse::<FeedbackKind>().unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert!("praise".parse::<FeedbackKind>().is_err());
    }

    #[test]
    fn blank_feedback_is_none_and_both_kinds_are_kept_in_order() {
        assert!(gather(Some("  "), None).is_empty());
        let f = gather(Some("use tabs"), Some("VERDICT: FAIL, no tests"));
        assert_eq!(
            f.iter().map(|i| i.kind).collect::<Vec<_>>(),
            [FeedbackKind::Rejection, FeedbackKind::CheckerReport]
        );
        let p = prompt_section("Do it.", &f);
        assert!(p.starts_with("Do it.\n\n## Feedback on the previous attempt\n"), "{p}");
        assert!(p.contains("use tabs") && p.contains("no tests"), "{p}");
        assert_eq!(prompt_section("Do it.", &[]), "Do it.");
    }

    #[test]
    fn long_reports_are_capped_on_a_char_boundary() {
        let long = "é".repeat(MAX_TEXT_BYTES);
        let f = gather(None, Some(&long));
        assert!(f[0].text.len() <= MAX_TEXT_BYTES + 20);
        assert!(f[0].text.ends_with("[truncated]"));
    }
}
