//! Plans of CI-fix tasks written by the local model, off the webhook's path.
//!
//! GitHub wants an answer within 10 s, and a model plus a fetch can take longer, so the webhook
//! never waits for them. With a local model configured (`LOCAL_MODEL_URL`) the webhook creates
//! the task QUEUED with the fixed plan and `run_at` = now + `CI_PLAN_TIMEOUT_MS` (so no worker
//! starts it before its plan had its chance), answers, and then [`spawn`] starts the plan's
//! writing: the project's repository is read ([`repo`]), the local model is asked with the
//! failure, the recent commits and the instruction files ([`shared::ci_plan`]), and
//! `Store::settle_ci_plan` puts the checked plan under the verbatim metadata header and lifts the
//! hold, only while no worker has claimed the task; the task is then handed over at once. On any
//! failure the fixed plan stays and the hold is lifted all the same. Every outcome is a `plan`
//! event on the task.
//!
//! Nothing is lost when the API node dies meanwhile: the task was committed and handed over as a
//! delayed order, so it starts at `run_at` with the fixed plan (and the reconciler re-sends it if
//! Redis lost the order). Writing is bounded: all of it within `CI_PLAN_TIMEOUT_MS` (the
//! repository gets at most half), and at most [`CONCURRENT`] at once per API node.

mod repo;

use std::time::Duration;

use shared::ci_plan::{RepoContext, parse_plan, plan_prompt};
use shared::domain::TaskId;
use shared::store::ci_plans::PlanSettled;
use shared::webhooks::{CiFailure, ci_instructions};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::routes::tasks::create::dispatch_queued;
use crate::state::AppState;

/// Plans written at once per API node; more wait for a turn within their deadline.
pub const CONCURRENT: usize = 4;

static TURNS: Semaphore = Semaphore::const_new(CONCURRENT);

/// Who the `plan` events name.
const ACTOR: &str = "ci-plan";

/// How long a new CI-fix task waits for its plan: `None` when no local model is configured
/// (the fixed plan is final and the task starts at once).
pub fn hold(state: &AppState) -> Option<Duration> {
    state.llm.has_local().then_some(state.settings.ci_plan_timeout)
}

/// Writes the plan of `task`, created for `failure` and held by [`hold`], in the background.
/// Call only after the task's insert committed.
pub fn spawn(state: AppState, task: TaskId, failure: CiFailure, repository: Option<String>) {
    let deadline = Instant::now() + state.settings.ci_plan_timeout;
    tokio::spawn(async move {
        let (instructions, reason) = match write(&state, &failure, repository.as_deref(), deadline).await {
            Ok(plan) => (Some(ci_instructions(&failure, Some(&plan.text))), plan.reason),
            Err(why) => (None, format!("fixed plan kept: {why}")),
        };
        match state
            .store
            .settle_ci_plan(task, instructions.as_deref(), ACTOR, &reason)
            .await
        {
            Ok(PlanSettled::Released(t)) => {
                dispatch_queued(&state, std::slice::from_ref(&*t), &Default::default()).await
            }
            Ok(PlanSettled::Late(s)) => {
                tracing::info!(task.id = %task, state = s.as_str(), "CI plan came after the task moved on");
            }
            Ok(PlanSettled::Gone) => {}
            Err(e) => tracing::warn!(
                task.id = %task,
                error.message = %e,
                error.cause_chain = ?e,
                "CI plan not settled; the task starts with the fixed plan when its hold runs out"
            ),
        }
    });
}

/// A plan and how it was written.
struct Plan {
    text: String,
    reason: String,
}

/// Reads the repository (at most half the time), then asks the local model with what is left.
async fn write(
    state: &AppState,
    failure: &CiFailure,
    repository: Option<&str>,
    deadline: Instant,
) -> Result<Plan, String> {
    let _turn = tokio::time::timeout_at(deadline, TURNS.acquire())
        .await
        .map_err(|_| "no turn to write it before the deadline".to_owned())?
        .map_err(|e| e.to_string())?;
    let context = match repository.map(str::trim).filter(|r| !r.is_empty()) {
        None => RepoContext::default(),
        Some(r) => {
            let half = deadline.saturating_duration_since(Instant::now()) / 2;
            repo::read(r, failure, Instant::now() + half).await
        }
    };
    if let Some(why) = &context.unavailable {
        tracing::warn!(error.message = %why, "CI plan written without the repository");
    }
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err("no time left to ask the local model".into());
    }
    let text = state
        .llm
        .ask_local(&plan_prompt(failure, &context), left, parse_plan)
        .await
        .map_err(|e| format!("the local model failed: {e}"))?;
    let model = state
        .settings
        .llm
        .local
        .as_ref()
        .map_or("(unknown)", |l| l.model.as_str());
    Ok(Plan {
        text,
        reason: format!("plan written by the local model {model} from {}", sources(&context)),
    })
}

/// What the model was shown besides the failure, for the event.
fn sources(c: &RepoContext) -> String {
    let mut parts = vec!["the failure".to_owned()];
    if let Some(h) = &c.history {
        let commits = h.lines().filter(|l| l.starts_with("commit ")).count();
        parts.push(format!("{commits} recent commits"));
    }
    parts.extend(c.guides.iter().map(|(name, _)| name.clone()));
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.join(""),
    }
}
