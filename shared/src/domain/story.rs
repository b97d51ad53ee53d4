//! Stories (DOMAIN.md A.8): tasks of one project grouped on one branch, each with acceptance
//! criteria, gated by a checker task run by a different agent type, then shipped (merged into
//! the default branch, deployed) and validated.
//!
//! The story's own states and the one function that moves between them live here; every story
//! state change goes through [`story_transition`] and one conditional UPDATE
//! (`store::stories::apply_story_transition`).

use std::fmt;

use super::ids::AgentKind;

/// Where a story is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoryState {
    /// Its tasks are being worked on.
    Open,
    /// Every task is COMPLETED: it may be shipped.
    Shippable,
    /// Ship requested: a worker merges the branch and runs the deploy command.
    Shipping,
    /// Merged and deployed; the validation task runs.
    Validating,
    /// Validation passed: ready for a human's review.
    ReviewReady,
    /// Merge, deploy or validation failed.
    NeedsFix,
}

impl StoryState {
    /// The database and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            StoryState::Open => "OPEN",
            StoryState::Shippable => "SHIPPABLE",
            StoryState::Shipping => "SHIPPING",
            StoryState::Validating => "VALIDATING",
            StoryState::ReviewReady => "REVIEW_READY",
            StoryState::NeedsFix => "NEEDS_FIX",
        }
    }

    /// Every state.
    pub const ALL: [StoryState; 6] = [
        StoryState::Open,
        StoryState::Shippable,
        StoryState::Shipping,
        StoryState::Validating,
        StoryState::ReviewReady,
        StoryState::NeedsFix,
    ];
}

impl fmt::Display for StoryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for StoryState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StoryState::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown story state `{s}`"))
    }
}

/// What happens to a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryEvent {
    /// Every task of the story is COMPLETED.
    TasksDone,
    /// `POST /api/stories/{id}/ship`.
    Ship,
    /// The branch was merged and the deploy command succeeded; validation starts.
    Deployed,
    /// Merging or deploying failed.
    ShipFailed,
    /// The validation task passed.
    Validated,
    /// The validation task failed or said the story does not work.
    ValidationFailed,
    /// `POST /api/stories/{id}/reopen`: work on it again (new tasks, or re-run ones).
    Reopen,
}

impl StoryEvent {
    /// The name recorded in the story's history.
    pub fn as_str(self) -> &'static str {
        match self {
            StoryEvent::TasksDone => "tasks_done",
            StoryEvent::Ship => "ship",
            StoryEvent::Deployed => "deployed",
            StoryEvent::ShipFailed => "ship_failed",
            StoryEvent::Validated => "validated",
            StoryEvent::ValidationFailed => "validation_failed",
            StoryEvent::Reopen => "reopen",
        }
    }
}

/// A story event that does not apply in that state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} story cannot `{}`", event.as_str())]
pub struct IllegalStoryTransition {
    /// The state.
    pub from: StoryState,
    /// The event.
    pub event: StoryEvent,
}

/// The story state machine.
pub fn story_transition(from: StoryState, event: StoryEvent) -> Result<StoryState, IllegalStoryTransition> {
    use StoryEvent as E;
    use StoryState as S;
    match (from, event) {
        (S::Open, E::TasksDone) => Ok(S::Shippable),
        (S::Shippable, E::Ship) => Ok(S::Shipping),
        (S::Shipping, E::Deployed) => Ok(S::Validating),
        (S::Shipping, E::ShipFailed) => Ok(S::NeedsFix),
        (S::Validating, E::Validated) => Ok(S::ReviewReady),
        (S::Validating, E::ValidationFailed) => Ok(S::NeedsFix),
        (S::NeedsFix | S::Shippable | S::ReviewReady, E::Reopen) => Ok(S::Open),
        _ => Err(IllegalStoryTransition { from, event }),
    }
}

/// What a checker or validation task concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The work meets its criteria.
    Pass,
    /// It does not.
    Fail,
}

impl Verdict {
    /// `pass` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        }
    }
}

/// The verdict in a checker's summary: the first line reading `VERDICT: PASS` or `VERDICT:
/// FAIL` (any case). No verdict is a failure: a gate must not open by default.
pub fn parse_verdict(summary: Option<&str>) -> (Verdict, String) {
    let text = summary.unwrap_or_default().trim();
    for line in text.lines() {
        let l = line
            .trim()
            .trim_start_matches(['*', '#', '-', ' '])
            .to_ascii_lowercase();
        if let Some(rest) = l.strip_prefix("verdict:") {
            let v = rest.trim().trim_matches(|c: char| !c.is_ascii_alphabetic());
            if v.starts_with("pass") {
                return (Verdict::Pass, text.to_owned());
            }
            if v.starts_with("fail") {
                return (Verdict::Fail, text.to_owned());
            }
        }
    }
    let report = if text.is_empty() {
        "the checker gave no verdict".to_owned()
    } else {
        format!("the checker gave no verdict line: {text}")
    };
    (Verdict::Fail, report)
}

/// The checker's agent type: the story's choice, else one different from the checked task's.
pub fn checker_agent(story_choice: Option<AgentKind>, task_agent: AgentKind) -> AgentKind {
    match story_choice {
        Some(a) => a,
        None if task_agent == AgentKind::Claude => AgentKind::Gemini,
        None => AgentKind::Claude,
    }
}

/// The instructions of a checker task.
pub fn checker_instructions(title: &str, instructions: &str, criteria: &[String], branch: &str) -> String {
    let list: String = if criteria.is_empty() {
        "- The task's instructions are carried out correctly and completely.\n".into()
    } else {
        criteria.iter().map(|c| format!("- {c}\n")).collect()
    };
    format!(
        "You are the independent checker of another agent's work. Do not change any file.\n\n\
         The task was: {title}\n\n{instructions}\n\n\
         Its work is committed on the branch `{branch}` (your working directory). Check it against \
         these acceptance criteria:\n{list}\n\
         End with a `## Summary` whose first line is exactly `VERDICT: PASS` if every criterion is \
         met, or `VERDICT: FAIL` followed by what is missing."
    )
}

/// The instructions of the validation task run after a story was merged and deployed.
pub fn validation_instructions(story: &str, description: &str, default_branch: &str, criteria: &[String]) -> String {
    let list: String = criteria.iter().map(|c| format!("- {c}\n")).collect();
    format!(
        "The story \"{story}\" was merged into `{default_branch}` and deployed. Validate that it \
         works as described. Do not change any file.\n\n{description}\n\nAcceptance criteria of its \
         tasks:\n{list}\n\
         End with a `## Summary` whose first line is exactly `VERDICT: PASS` or `VERDICT: FAIL` \
         followed by what is wrong."
    )
}

/// The branch a story's tasks share.
pub fn story_branch(id: uuid::Uuid) -> String {
    format!("claudomator/story-{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_story_machine_allows_only_its_edges() {
        use StoryEvent as E;
        use StoryState as S;
        let events = [
            E::TasksDone,
            E::Ship,
            E::Deployed,
            E::ShipFailed,
            E::Validated,
            E::ValidationFailed,
            E::Reopen,
        ];
        let mut legal = 0;
        for s in StoryState::ALL {
            for e in events {
                if story_transition(s, e).is_ok() {
                    legal += 1;
                }
            }
        }
        assert_eq!(legal, 9);
        assert_eq!(
            story_transition(S::Open, E::Ship).map_err(|e| e.to_string()),
            Err("a OPEN story cannot `ship`".into())
        );
        assert_eq!(story_transition(S::Shipping, E::Deployed), Ok(S::Validating));
        for s in StoryState::ALL {
            assert_eq!(s.as_str().parse::<StoryState>(), Ok(s));
        }
    }

    #[test]
    fn verdicts_must_be_explicit() {
        assert_eq!(parse_verdict(Some("VERDICT: PASS\nAll good.")).0, Verdict::Pass);
        assert_eq!(
            parse_verdict(Some("Checked.\n**Verdict: fail** — no tests")).0,
            Verdict::Fail
        );
        assert_eq!(parse_verdict(Some("verdict: Passed")).0, Verdict::Pass);
        assert_eq!(parse_verdict(Some("Looks fine, I'd pass it")).0, Verdict::Fail);
        assert_eq!(
            parse_verdict(None),
            (Verdict::Fail, "the checker gave no verdict".into())
        );
    }

    #[test]
    fn checkers_are_another_agent_type() {
        assert_eq!(checker_agent(None, AgentKind::Claude), AgentKind::Gemini);
        assert_eq!(checker_agent(None, AgentKind::Exec), AgentKind::Claude);
        assert_eq!(
            checker_agent(Some(AgentKind::Local), AgentKind::Claude),
            AgentKind::Local
        );
    }
}

/// A story drafted by a model from a request: its tasks, each a checked task proposal with a
/// key and the keys it depends on (only earlier tasks, so no cycle can come back).
#[derive(Debug, Clone, PartialEq)]
pub struct StoryProposal {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The tasks, in an order where dependencies come first.
    pub tasks: Vec<(String, super::assist::Proposal, Vec<String>)>,
}

/// Most tasks a drafted story may have.
pub const MAX_PROPOSED_TASKS: usize = 10;

/// The prompt that splits a request into a story's tasks.
pub fn story_elaborate_prompt(request: &str, project: Option<&super::assist::ProjectContext>) -> super::assist::Prompt {
    let system = "You split a feature request into a story of 2 to 7 tasks for unattended coding agents that \
        work one after another on one git branch. Answer with one JSON object and nothing else: \
        {\"title\": \"at most 60 characters\", \"description\": \"two or three sentences\", \
        \"tasks\": [{\"key\": \"short-slug\", \"title\": \"imperative, at most 60 characters\", \
        \"instructions\": \"complete, self-contained instructions\", \
        \"acceptance_criteria\": [\"short checkable statements\"], \
        \"agent\": \"claude, gemini or local\", \"model\": \"sonnet, opus, haiku or a gemini model\", \
        \"depends_on\": [\"keys of earlier tasks this one needs\"]}]}. \
        Each task must be independently checkable against its acceptance criteria."
        .to_owned();
    super::assist::Prompt {
        system,
        user: super::assist::request_text(request, project),
        max_tokens: 4096,
    }
}

/// Checks a story elaboration answer: at least one task with instructions; keys made unique
/// slugs; dependencies kept only on earlier tasks.
pub fn parse_story_proposal(raw: &str, request: &str) -> Result<StoryProposal, String> {
    use super::assist::{json_object_in, one_line, parse_proposal};
    let v = json_object_in(raw)?;
    let title = v
        .get("title")
        .and_then(|t| t.as_str())
        .map(|t| one_line(t, 60))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| one_line(request, 60));
    let description = v
        .get("description")
        .and_then(|t| t.as_str())
        .map(|t| t.chars().take(4000).collect::<String>())
        .unwrap_or_default();
    let raw_tasks = v
        .get("tasks")
        .and_then(|t| t.as_array())
        .ok_or("the answer has no tasks list")?;
    let mut tasks: Vec<(String, super::assist::Proposal, Vec<String>)> = Vec::new();
    for (i, t) in raw_tasks.iter().take(MAX_PROPOSED_TASKS).enumerate() {
        let Some(obj) = t.as_object() else { continue };
        let Ok(p) = parse_proposal(&t.to_string(), &format!("{title} part {}", i + 1)) else {
            continue;
        };
        let mut key: String = obj
            .get("key")
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(32)
            .collect();
        key = key.trim_matches('-').to_owned();
        if key.is_empty() || tasks.iter().any(|(k, _, _)| *k == key) {
            key = format!("task-{}", i + 1);
        }
        let depends: Vec<String> = obj
            .get("depends_on")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str())
            .map(|d| d.to_ascii_lowercase())
            .filter(|d| tasks.iter().any(|(k, _, _)| k == d))
            .collect();
        tasks.push((key, p, depends));
    }
    if tasks.is_empty() {
        return Err("the answer has no usable task".into());
    }
    Ok(StoryProposal {
        title,
        description,
        tasks,
    })
}

#[cfg(test)]
mod proposal_tests {
    use super::*;

    #[test]
    fn drafted_stories_are_checked() {
        let raw = r#"```json
        {"title": "Dark mode", "description": "Add a theme.", "tasks": [
          {"key": "Tokens", "title": "Add colour tokens", "instructions": "Define tokens.", "acceptance_criteria": ["tokens exist"]},
          {"key": "toggle", "title": "Add a toggle", "instructions": "Add it.", "depends_on": ["tokens", "later", "toggle"]},
          {"key": "tokens", "title": "No instructions"},
          {"key": "tokens", "title": "Dup", "instructions": "x", "depends_on": ["toggle"]}
        ]}```"#;
        let p = parse_story_proposal(raw, "dark mode").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.title, "Dark mode");
        let keys: Vec<&str> = p.tasks.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(keys, ["tokens", "toggle", "task-4"]);
        assert_eq!(p.tasks[1].2, ["tokens"], "only earlier tasks");
        assert_eq!(p.tasks[2].2, ["toggle"]);
        assert_eq!(p.tasks[0].1.acceptance_criteria, ["tokens exist"]);
        assert!(parse_story_proposal(r#"{"tasks": []}"#, "x").is_err());
        assert!(parse_story_proposal("nope", "x").is_err());
    }
}
