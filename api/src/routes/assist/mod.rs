//! `POST /api/elaborate` (a one-line request becomes a task draft, not created) and
//! `POST /api/validate` (a draft is rated for clarity, with questions and suggestions).
//!
//! Both ask the local model first, then Claude, then Gemini (those configured, see
//! `shared::llm`), within one deadline (`ELABORATE_TIMEOUT_MS`, `VALIDATE_TIMEOUT_MS`); what a
//! model answers is checked and clamped by `shared::domain::assist`. Inputs have size limits,
//! and each token may make `ASSIST_RATE_LIMIT_PER_MIN` requests a minute per route (counted in
//! Redis; when Redis cannot count, requests are let through). 503 when no model is configured or
//! none answered usably.

pub mod dto;

use std::time::Duration;

use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::payload::Json;
use shared::domain::assist::{
    self, DraftForReview, ProjectContext, elaborate_prompt, parse_assessment, parse_proposal, validate_prompt,
};
use shared::llm::ChainError;
use shared::queue::RateDecision;

use self::dto::{AssessmentView, ElaborateBody, TaskProposalView, ValidateBody};
use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::{ApiError, FieldProblem};
use crate::state::AppState;

/// Model-backed helper routes.
pub struct AssistApi;

/// The window of the per-token rate limit.
const RATE_WINDOW: Duration = Duration::from_secs(60);

/// What to configure, for the 503 when nothing is.
const CONFIGURE: &str = "set LOCAL_MODEL_URL (an OpenAI-compatible server), ANTHROPIC_API_KEY or GEMINI_API_KEY \
     on the API nodes";

/// Counts the request against the token's limit on `route`.
pub(crate) async fn check_rate(state: &AppState, auth: &BearerAuth, route: &'static str) -> Result<(), ApiError> {
    let limit = state.settings.assist_rate_limit_per_min;
    if limit == 0 {
        return Ok(());
    }
    let client = auth.0.token_id.to_string();
    match state.queue.count_request(route, &client, limit, RATE_WINDOW).await {
        Ok(RateDecision::Allowed { .. }) => Ok(()),
        Ok(RateDecision::Limited { retry_after }) => Err(ApiError::too_many_requests(
            retry_after,
            format!("at most {limit} {route} requests a minute per token"),
        )),
        Err(e) => {
            tracing::warn!(error.message = %e, route, "rate limit not counted; request let through");
            Ok(())
        }
    }
}

/// What the prompt says about the project a request names; 422 when there is no such project.
pub(crate) async fn project_context(
    state: &AppState,
    id: Option<uuid::Uuid>,
) -> Result<Option<ProjectContext>, ApiError> {
    let Some(id) = id else {
        return Ok(None);
    };
    let p = state
        .store
        .get_project(id)
        .await?
        .ok_or_else(|| ApiError::unprocessable("unknown-reference", format!("project_id {id} names no project")))?;
    Ok(Some(ProjectContext {
        name: p.name,
        repository: p.repository,
        default_branch: p.default_branch,
    }))
}

/// The 503 for a chain that gave no answer.
pub(crate) fn no_answer(e: ChainError) -> ApiError {
    match e {
        ChainError::NoneConfigured => ApiError::no_model(format!("no model is configured: {CONFIGURE}")),
        ChainError::AllFailed(_) => ApiError::no_model(format!("{e}; retry later")),
    }
}

fn field_problems(problems: Vec<(&'static str, String)>) -> Result<(), ApiError> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(
        problems
            .into_iter()
            .map(|(field, message)| FieldProblem {
                field: field.into(),
                message,
            })
            .collect(),
    ))
}

#[OpenApi(prefix_path = "/api", tag = "ApiTags::Assist")]
impl AssistApi {
    /// Draft a task from one line
    ///
    /// A model turns the request into a task draft (title, description, instructions,
    /// acceptance criteria, agent, model, budget, timeout, priority, labels), which is
    /// returned, not created. Asks the local model, then Claude, then Gemini. 503 when none is
    /// configured or none answered; 429 over the per-token rate limit.
    #[oai(path = "/elaborate", method = "post")]
    async fn elaborate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ElaborateBody>,
    ) -> Result<Json<TaskProposalView>, ApiError> {
        auth.require_full()?;
        auth.write()?;
        if let Some(p) = body.0.project_id {
            auth.project(Some(p))?;
        }
        let request = body.0.request.trim().to_owned();
        let mut problems = Vec::new();
        if request.is_empty() {
            problems.push(("request", "is required".to_owned()));
        } else if request.len() > assist::limits::REQUEST_BYTES {
            problems.push((
                "request",
                format!("is longer than {} bytes", assist::limits::REQUEST_BYTES),
            ));
        }
        field_problems(problems)?;
        check_rate(&state, &auth, "elaborate").await?;
        let project = project_context(&state, body.0.project_id).await?;
        let prompt = elaborate_prompt(&request, project.as_ref());
        let answer = state
            .llm
            .ask_chain(&prompt, state.settings.elaborate_timeout, |raw| {
                parse_proposal(raw, &request)
            })
            .await
            .map_err(no_answer)?;
        Ok(Json(TaskProposalView::new(
            answer.value,
            body.0.project_id,
            answer.provider.as_str(),
        )))
    }

    /// Rate a task draft
    ///
    /// A model judges whether an agent can do the task without asking: `clarity` (`clear`,
    /// `warning` or `blocking`), `ready`, a summary, questions with their severity, and
    /// suggestions. Asks the local model, then Claude, then Gemini. 503 when none is configured
    /// or none answered; 429 over the per-token rate limit.
    #[oai(path = "/validate", method = "post")]
    async fn validate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ValidateBody>,
    ) -> Result<Json<AssessmentView>, ApiError> {
        auth.require_full()?;
        auth.write()?;
        let draft = DraftForReview::from(body.0);
        field_problems(draft.problems())?;
        check_rate(&state, &auth, "validate").await?;
        let answer = state
            .llm
            .ask_chain(
                &validate_prompt(&draft),
                state.settings.validate_timeout,
                parse_assessment,
            )
            .await
            .map_err(no_answer)?;
        Ok(Json(AssessmentView::new(answer.value, answer.provider.as_str())))
    }
}
