//! Classification at enqueue. Drafts that name no agent (or `auto`) get one by pickAgent over
//! the agent types in `CLASSIFY_AGENTS` that a live worker serves (all of them, with a note in
//! the reason, when none is), from their loads in Postgres; those of them that name
//! no model get a tier from the local model (a JSON answer within `CLASSIFY_TIMEOUT_MS`) or,
//! without one or when it fails, from the rules. Why is recorded on the task's `create` event.
//! The choices themselves are `shared::domain::classify`.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use futures::StreamExt as _;
use futures::future::{BoxFuture, FutureExt as _};
use shared::domain::classify::{self, ModelChoice};
use shared::domain::{TaskDraft, TaskSpec};

use super::create;
use crate::problem::ApiError;
use crate::state::AppState;

/// Classifier calls one request makes at once.
const CLASSIFY_CONCURRENCY: usize = 4;

/// A validated spec and, for a classified task, why it got its agent and model.
pub struct Parsed {
    /// The spec, agent and model filled in.
    pub spec: TaskSpec,
    /// For the `create` event.
    pub reason: Option<String>,
}

/// Validates drafts (field names prefixed by `prefix(index)`), classifying those that ask for
/// it. Tasks of one request spread over the candidates: each counts as active once chosen.
pub async fn parse_all(
    state: &AppState,
    drafts: Vec<TaskDraft>,
    prefix: impl Fn(usize) -> String,
) -> Result<Vec<Parsed>, ApiError> {
    let wants_auto = drafts.iter().any(|d| classify::wants_auto_agent(d.agent.as_deref()));
    let (mut loads, fallback) = if wants_auto {
        let all = state.store.agent_loads(&state.settings.classify_agents).await?;
        match state.live.served(&state.store, &state.settings.classify_agents).await {
            Some(served) => classify::live_candidates(all, &served),
            None => (all, None),
        }
    } else {
        (Vec::new(), None)
    };
    let now = Utc::now();
    let mut parsed = Vec::with_capacity(drafts.len());
    let mut problems = Vec::new();
    for (i, mut draft) in drafts.into_iter().enumerate() {
        let choice = classify::wants_auto_agent(draft.agent.as_deref())
            .then(|| classify::assign_agent(&mut loads, now))
            .flatten()
            .map(|c| match &fallback {
                Some(note) => classify::AgentChoice {
                    reason: format!("{}; {note}", c.reason),
                    ..c
                },
                None => c,
            });
        if let Some(c) = &choice {
            draft.agent = Some(c.agent.as_str().to_owned());
        }
        match create::parse(draft, &prefix(i)) {
            Ok(spec) => parsed.push(Parsed {
                spec,
                reason: choice.map(|c| c.reason),
            }),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let local_failed = AtomicBool::new(false);
    let calls: Vec<BoxFuture<'_, Option<ModelChoice>>> = parsed
        .iter()
        .map(|p| {
            let wanted = p.reason.is_some() && p.spec.model.is_none();
            if wanted {
                pick_model(state, &p.spec, &local_failed).boxed()
            } else {
                futures::future::ready(None).boxed()
            }
        })
        .collect();
    let models: Vec<Option<ModelChoice>> = futures::stream::iter(calls)
        .buffered(CLASSIFY_CONCURRENCY)
        .collect()
        .await;
    for (p, m) in parsed.iter_mut().zip(models) {
        if let Some(m) = m {
            p.spec.model = Some(m.model);
            p.reason = p.reason.take().map(|r| format!("{r}; {}", m.reason));
        }
    }
    Ok(parsed)
}

/// The local model's tier, else the rules'. After one failed call the rest of the request
/// uses the rules, so a batch never waits on a dead model more than once.
async fn pick_model(state: &AppState, spec: &TaskSpec, local_failed: &AtomicBool) -> Option<ModelChoice> {
    if classify::model_tiers(spec.agent).is_empty() {
        return None;
    }
    let mut note = String::new();
    if state.llm.has_local() && !local_failed.load(Ordering::Relaxed) {
        let prompt = classify::model_prompt(spec.agent, &spec.title, &spec.description, &spec.instructions);
        let timeout = state.settings.classify_timeout;
        match state
            .llm
            .ask_local(&prompt, timeout, |raw| classify::parse_model_answer(raw, spec.agent))
            .await
        {
            Ok(choice) => return Some(choice),
            Err(e) => {
                tracing::warn!(error.message = %e, "classifier failed; using the rules");
                local_failed.store(true, Ordering::Relaxed);
                note = format!(" (local model: {e})");
            }
        }
    }
    let text = format!("{}\n{}\n{}", spec.title, spec.description, spec.instructions);
    classify::rule_model(spec.agent, &text).map(|c| ModelChoice {
        reason: format!("{}{note}", c.reason),
        ..c
    })
}
