//! Classification at enqueue: the agent type a task without one runs on, and the model tier it
//! gets when it names no model.
//!
//! The agent choice is the original's `pickAgent`, deterministic code and no model call: among
//! the candidate agent types, those not paused (by an operator, or by a rate limit that has not
//! ended) with the fewest active tasks (QUEUED or RUNNING), ties broken alphabetically; if all
//! are paused, the least active regardless. The model tier comes from a classifier (a model
//! answering `{agent_type, model, reason}`, checked by [`parse_model_answer`]) or, without one,
//! from [`rule_model`]. Candidates are first narrowed to those a live worker serves
//! ([`live_candidates`]). Reading the loads and calling the model are the callers' business.

use chrono::{DateTime, Utc};

use super::assist::{Prompt, json_object_in, one_line};
use super::ids::AgentKind;

/// The agent name that asks for classification (as does no agent at all).
pub const AUTO_AGENT: &str = "auto";

/// Whether a task's `agent` asks for classification: absent, empty or `auto`.
pub fn wants_auto_agent(agent: Option<&str>) -> bool {
    agent.is_none_or(|a| a.trim().is_empty() || a.trim().eq_ignore_ascii_case(AUTO_AGENT))
}

/// How busy and how available one candidate agent type is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentLoad {
    /// The agent type.
    pub agent: AgentKind,
    /// Tasks QUEUED or RUNNING.
    pub active: i64,
    /// Paused by an operator.
    pub paused: bool,
    /// Paused by a rate limit until then.
    pub paused_until: Option<DateTime<Utc>>,
}

impl AgentLoad {
    /// Paused by an operator, or by a rate limit that has not ended at `now`.
    pub fn is_paused(&self, now: DateTime<Utc>) -> bool {
        self.paused || self.paused_until.is_some_and(|t| t > now)
    }
}

/// An agent chosen for a task, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentChoice {
    /// The agent type.
    pub agent: AgentKind,
    /// Why, for humans (recorded on the task's creation event).
    pub reason: String,
}

/// pickAgent: chooses among `loads` and counts the new task as active on the chosen agent, so
/// the tasks of one batch spread over the candidates. `None` only when `loads` is empty.
pub fn assign_agent(loads: &mut [AgentLoad], now: DateTime<Utc>) -> Option<AgentChoice> {
    let any_unpaused = loads.iter().any(|l| !l.is_paused(now));
    let agent = loads
        .iter()
        .filter(|l| !any_unpaused || !l.is_paused(now))
        .min_by(|a, b| a.active.cmp(&b.active).then(a.agent.as_str().cmp(b.agent.as_str())))?
        .agent;
    let mut sorted: Vec<&AgentLoad> = loads.iter().collect();
    sorted.sort_by_key(|l| l.agent.as_str());
    let listed: Vec<String> = sorted
        .iter()
        .map(|l| {
            let paused = if l.is_paused(now) { ", paused" } else { "" };
            format!("{} ({} active{paused})", l.agent.as_str(), l.active)
        })
        .collect();
    for l in loads.iter_mut().filter(|l| l.agent == agent) {
        l.active += 1;
    }
    let rule = if any_unpaused {
        "fewest active tasks among unpaused agents"
    } else {
        "every candidate is paused; fewest active tasks"
    };
    Some(AgentChoice {
        agent,
        reason: format!("agent {}: {rule}: {}", agent.as_str(), listed.join(", ")),
    })
}

/// Keeps the candidates some live worker serves. When none is served, all stay (the rule
/// above decides among them as before) and the returned note says why, for the task's
/// classification reason: its task will wait for a worker.
pub fn live_candidates(loads: Vec<AgentLoad>, served: &[AgentKind]) -> (Vec<AgentLoad>, Option<String>) {
    if loads.iter().any(|l| served.contains(&l.agent)) {
        return (loads.into_iter().filter(|l| served.contains(&l.agent)).collect(), None);
    }
    let names: Vec<&str> = loads.iter().map(|l| l.agent.as_str()).collect();
    let note = format!(
        "no live worker serves any candidate ({}); chose among all of them",
        names.join(", ")
    );
    (loads, Some(note))
}

/// The model tiers of an agent type as (keyword, model name) pairs, lightest first. Agent types
/// without tiers (`local`, `exec`, `noop`) keep the worker's default model.
pub fn model_tiers(agent: AgentKind) -> &'static [(&'static str, &'static str)] {
    match agent {
        AgentKind::Claude => &[("haiku", "haiku"), ("sonnet", "sonnet"), ("opus", "opus")],
        AgentKind::Gemini => &[("flash", "gemini-2.5-flash"), ("pro", "gemini-2.5-pro")],
        AgentKind::Local | AgentKind::Exec | AgentKind::Noop => &[],
    }
}

/// A model chosen for a task, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelChoice {
    /// Model name as the agent's runner takes it.
    pub model: String,
    /// Why, for humans.
    pub reason: String,
}

/// How demanding a task looks to [`rule_model`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Light,
    Medium,
    Heavy,
}

/// Word prefixes of demanding work.
const HEAVY_WORDS: &[&str] = &[
    "architect",
    "redesign",
    "design",
    "refactor",
    "migrat",
    "rewrite",
    "concurren",
    "deadlock",
    "race",
    "security",
    "vulnerab",
    "performance",
    "optimi",
    "distributed",
    "algorithm",
    "scalab",
];

/// Word prefixes of small chores.
const LIGHT_WORDS: &[&str] = &[
    "typo",
    "rename",
    "format",
    "lint",
    "comment",
    "readme",
    "docs",
    "docstring",
    "changelog",
    "spelling",
    "whitespace",
    "bump",
];

/// Text longer than this (in bytes) counts as demanding.
const LONG_TASK_BYTES: usize = 4000;
/// A chore keyword counts only in text shorter than this.
const SHORT_TASK_BYTES: usize = 1500;

/// The deterministic classifier: keywords and length of the task's text pick a tier.
pub fn rule_model(agent: AgentKind, text: &str) -> Option<ModelChoice> {
    let tiers = model_tiers(agent);
    let (first, last) = (tiers.first()?, tiers.last()?);
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let find = |list: &[&'static str]| list.iter().find(|k| words.iter().any(|w| w.starts_with(*k))).copied();
    let (weight, why) = if let Some(k) = find(HEAVY_WORDS) {
        (Weight::Heavy, format!("keyword `{k}`"))
    } else if text.len() > LONG_TASK_BYTES {
        (Weight::Heavy, format!("longer than {LONG_TASK_BYTES} bytes"))
    } else if let Some(k) = find(LIGHT_WORDS).filter(|_| text.len() < SHORT_TASK_BYTES) {
        (Weight::Light, format!("short task with keyword `{k}`"))
    } else {
        (Weight::Medium, "no keyword of a small or a demanding task".to_owned())
    };
    let (_, model) = match weight {
        Weight::Light => first,
        Weight::Heavy => last,
        // The middle tier where there is one; two-tier agents treat medium work as light.
        Weight::Medium => tiers.get(tiers.len() / 2).filter(|_| tiers.len() > 2).unwrap_or(first),
    };
    Some(ModelChoice {
        model: (*model).to_owned(),
        reason: format!("model {model}: rules, {why}"),
    })
}

/// The classifier's question for a task bound for `agent`: answer `{agent_type, model, reason}`.
pub fn model_prompt(agent: AgentKind, title: &str, description: &str, instructions: &str) -> Prompt {
    let tiers: Vec<&str> = model_tiers(agent).iter().map(|(_, m)| *m).collect();
    let system = format!(
        "You route coding tasks to a model tier. The task runs on the agent `{agent}`, whose \
         tiers from cheapest to strongest are: {tiers}. Pick the cheapest tier that will do the \
         task well: small chores (typos, renames, formatting, docs) the cheapest, architecture, \
         concurrency, security or large refactors the strongest. Answer with one JSON object \
         and nothing else: {{\"agent_type\": \"{agent}\", \"model\": \"<one of the tiers>\", \
         \"reason\": \"<one short sentence>\"}}.",
        agent = agent.as_str(),
        tiers = tiers.join(", "),
    );
    let user = format!("Title: {title}\n\nDescription:\n{description}\n\nInstructions:\n{instructions}");
    Prompt {
        system,
        user: clip(&user, 8 * 1024),
        max_tokens: 200,
    }
}

/// Checks a classifier answer (markdown fences and text around the object are tolerated): the
/// model must be one of `agent`'s tiers (a full name containing a tier keyword counts).
pub fn parse_model_answer(raw: &str, agent: AgentKind) -> Result<ModelChoice, String> {
    let v = json_object_in(raw)?;
    let named = v
        .get("model")
        .and_then(|m| m.as_str())
        .ok_or("the answer has no `model`")?
        .trim()
        .to_lowercase();
    let (_, model) = model_tiers(agent)
        .iter()
        .rev()
        .find(|(k, _)| named.contains(k))
        .ok_or_else(|| format!("`{}` is not a model tier of {}", one_line(&named, 60), agent.as_str()))?;
    let why = v
        .get("reason")
        .and_then(|r| r.as_str())
        .map(|r| one_line(r, 200))
        .unwrap_or_default();
    let why = if why.is_empty() {
        "no reason given".to_owned()
    } else {
        why
    };
    Ok(ModelChoice {
        model: (*model).to_owned(),
        reason: format!("model {model}: local model, {why}"),
    })
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn clip(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(agent: AgentKind, active: i64) -> AgentLoad {
        AgentLoad {
            agent,
            active,
            paused: false,
            paused_until: None,
        }
    }

    #[test]
    fn only_served_candidates_unless_none_is() {
        let loads = vec![load(AgentKind::Claude, 0), load(AgentKind::Gemini, 5)];
        let (kept, note) = live_candidates(loads.clone(), &[AgentKind::Gemini, AgentKind::Exec]);
        assert_eq!(kept, vec![load(AgentKind::Gemini, 5)]);
        assert!(note.is_none());
        let mut kept = kept;
        assert_eq!(assign_agent(&mut kept, Utc::now()).map(|c| c.agent), Some(AgentKind::Gemini));
        let (kept, note) = live_candidates(loads.clone(), &[AgentKind::Exec]);
        assert_eq!(kept, loads);
        assert!(note.is_some_and(|n| n.contains("no live worker") && n.contains("claude, gemini")));
    }

    #[test]
    fn auto_means_absent_empty_or_auto() {
        assert!(wants_auto_agent(None));
        assert!(wants_auto_agent(Some(" ")));
        assert!(wants_auto_agent(Some("Auto")));
        assert!(!wants_auto_agent(Some("claude")));
    }

    #[test]
    fn the_least_busy_agent_wins_with_alphabetical_ties() {
        let now = Utc::now();
        let mut loads = vec![load(AgentKind::Gemini, 0), load(AgentKind::Claude, 0)];
        let first = assign_agent(&mut loads, now).unwrap();
        assert_eq!(first.agent, AgentKind::Claude);
        assert_eq!(
            first.reason,
            "agent claude: fewest active tasks among unpaused agents: claude (0 active), gemini (0 active)"
        );
        // The new task counts: the next one goes to the other agent.
        assert_eq!(assign_agent(&mut loads, now).unwrap().agent, AgentKind::Gemini);
        assert_eq!(assign_agent(&mut loads, now).unwrap().agent, AgentKind::Claude);
        assert_eq!(assign_agent(&mut [], now), None);
    }

    #[test]
    fn paused_agents_are_skipped_unless_all_are_paused() {
        let now = Utc::now();
        let mut loads = vec![load(AgentKind::Claude, 0), load(AgentKind::Gemini, 5)];
        loads[0].paused = true;
        let c = assign_agent(&mut loads, now).unwrap();
        assert_eq!(c.agent, AgentKind::Gemini);
        assert!(c.reason.contains("claude (0 active, paused)"), "{}", c.reason);

        // A rate-limit pause counts until it ends.
        let mut loads = vec![load(AgentKind::Claude, 0), load(AgentKind::Gemini, 5)];
        loads[0].paused_until = Some(now + chrono::TimeDelta::seconds(30));
        assert_eq!(assign_agent(&mut loads, now).unwrap().agent, AgentKind::Gemini);
        loads[0].paused_until = Some(now - chrono::TimeDelta::seconds(1));
        assert_eq!(assign_agent(&mut loads, now).unwrap().agent, AgentKind::Claude);

        let mut loads = vec![load(AgentKind::Claude, 4), load(AgentKind::Gemini, 2)];
        loads[0].paused = true;
        loads[1].paused = true;
        let c = assign_agent(&mut loads, now).unwrap();
        assert_eq!(c.agent, AgentKind::Gemini);
        assert!(c.reason.contains("every candidate is paused"), "{}", c.reason);
    }

    #[test]
    fn rules_pick_tiers_from_keywords_and_length() {
        let m = |agent, text: &str| rule_model(agent, text).map(|c| c.model);
        assert_eq!(
            m(AgentKind::Claude, "Fix a typo in the README").as_deref(),
            Some("haiku")
        );
        assert_eq!(
            m(AgentKind::Claude, "Add a --verbose flag to the CLI").as_deref(),
            Some("sonnet")
        );
        assert_eq!(m(AgentKind::Claude, "Refactor the scheduler").as_deref(), Some("opus"));
        assert_eq!(m(AgentKind::Claude, &"x ".repeat(3000)).as_deref(), Some("opus"));
        // Keywords match word starts only: "trace" is not "race".
        assert_eq!(m(AgentKind::Claude, "print a stack trace").as_deref(), Some("sonnet"));
        assert_eq!(m(AgentKind::Gemini, "Fix a typo").as_deref(), Some("gemini-2.5-flash"));
        assert_eq!(m(AgentKind::Gemini, "Add a flag").as_deref(), Some("gemini-2.5-flash"));
        assert_eq!(
            m(AgentKind::Gemini, "Redesign the cache").as_deref(),
            Some("gemini-2.5-pro")
        );
        assert_eq!(m(AgentKind::Local, "anything"), None);
        let why = rule_model(AgentKind::Claude, "Refactor it").unwrap().reason;
        assert_eq!(why, "model opus: rules, keyword `refactor`");
    }

    #[test]
    fn classifier_answers_are_checked() {
        let raw = "```json\n{\"agent_type\": \"claude\", \"model\": \"Opus\", \"reason\": \"big\\nchange\"}\n```";
        let c = parse_model_answer(raw, AgentKind::Claude).unwrap();
        assert_eq!(c.model, "opus");
        assert_eq!(c.reason, "model opus: local model, big change");
        let full = parse_model_answer(r#"{"model": "claude-3-5-haiku-latest"}"#, AgentKind::Claude).unwrap();
        assert_eq!(full.model, "haiku");
        let g = parse_model_answer(r#"{"model": "pro"}"#, AgentKind::Gemini).unwrap();
        assert_eq!(g.model, "gemini-2.5-pro");
        assert!(parse_model_answer(r#"{"model": "gpt-4"}"#, AgentKind::Claude).is_err());
        assert!(parse_model_answer(r#"{"reason": "none"}"#, AgentKind::Claude).is_err());
        assert!(parse_model_answer("no json here", AgentKind::Claude).is_err());
    }
}
