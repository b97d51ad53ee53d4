//! `/api/webhooks/github` and `/api/webhooks/gitlab`: failed CI runs become tasks.
//!
//! No bearer token: the project's webhook secret authenticates the sender (GitHub's HMAC over
//! the raw body, GitLab's shared token). The project is found by the repository named in the
//! payload; unknown repositories, projects without a secret, and missing or bad signatures are
//! refused before anything is written. Each delivery id is acted on once, and each failing
//! commit gets one task however many events report it. With a local model, the task's plan is
//! written after the answer (`crate::ci_plan`).

use poem::web::Data;
use poem_openapi::param::Header;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiRequest, ApiResponse, Object, OpenApi};
use serde_json::Value;
use sha2::Digest as _;
use shared::domain::{TaskId, TaskSpec};
use shared::store::projects::CiRecorded;
use shared::store::tasks::NewTask;
use shared::webhooks::{self, CiEvent, CiFailure};
use uuid::Uuid;

use super::ApiTags;
use super::tasks::create::dispatch_queued;
use crate::ci_plan;
use crate::problem::ApiError;
use crate::state::AppState;

/// Webhook routes.
pub struct WebhooksApi;

/// A webhook body, verified over its raw bytes before it is parsed.
#[derive(Debug, ApiRequest)]
pub enum WebhookBody {
    /// JSON (GitHub's `application/json` hooks, GitLab).
    #[oai(content_type = "application/json")]
    Json(Binary<Vec<u8>>),
    /// GitHub's `application/x-www-form-urlencoded` hooks (`payload=<json>`).
    #[oai(content_type = "application/x-www-form-urlencoded")]
    Form(Binary<Vec<u8>>),
}

/// What the delivery did.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WebhookResult {
    /// `created`, `pong`, `duplicate`, `already-reported` or `ignored`.
    pub status: String,
    /// The task created for (or already covering) the failure.
    pub task_id: Option<Uuid>,
    /// Why it was ignored.
    pub detail: Option<String>,
}

/// Answers of webhook routes.
#[derive(ApiResponse)]
pub enum WebhookResponse {
    /// Acknowledged: nothing new to do (ping, redelivery, failure already reported).
    #[oai(status = 200)]
    Ok(Json<WebhookResult>),
    /// A task was created.
    #[oai(status = 201)]
    Created(Json<WebhookResult>),
    /// Acknowledged and ignored (not a failure).
    #[oai(status = 202)]
    Ignored(Json<WebhookResult>),
}

fn result(status: &str, task_id: Option<Uuid>, detail: Option<String>) -> Json<WebhookResult> {
    Json(WebhookResult {
        status: status.into(),
        task_id,
        detail,
    })
}

fn unauthorized(detail: &str) -> ApiError {
    let mut e = ApiError::unauthorized();
    if let ApiError::Unauthorized(p) = &mut e {
        p.0.detail = Some(detail.into());
    }
    e
}

fn parse_json(raw: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(raw).map_err(|e| ApiError::bad_request(format!("body is not JSON: {e}")))
}

async fn act(
    state: &AppState,
    source: &str,
    delivery: &str,
    project: &shared::domain::project::Project,
    f: CiFailure,
) -> Result<WebhookResponse, ApiError> {
    if f.commit.is_empty() {
        return Ok(WebhookResponse::Ignored(result(
            "ignored",
            None,
            Some("no commit in the payload".into()),
        )));
    }
    let mut draft = webhooks::ci_task_draft(
        &f,
        project.default_agent.as_str(),
        project.default_model.as_deref(),
        project.id,
    );
    let now = chrono::Utc::now();
    // With a local model, the task waits (at most this long) for the plan it writes.
    let hold = ci_plan::hold(state);
    if let Some(h) = hold {
        draft.run_at = chrono::TimeDelta::from_std(h).ok().map(|d| now + d);
    }
    let spec = TaskSpec::parse(draft, now)
        .map_err(|e| ApiError::unprocessable("ci-task", format!("the CI task for this project is invalid: {e}")))?;
    let task = NewTask {
        id: TaskId::new(),
        spec,
        idempotency: None,
        creation_reason: None,
        dispatch_generation: None,
    };
    let actor = format!("webhook:{source}");
    match state
        .store
        .record_ci_failure(source, delivery, project.id, &f.commit, task, &actor)
        .await?
    {
        CiRecorded::Created(t) => {
            dispatch_queued(state, std::slice::from_ref(&t), &Default::default()).await;
            if hold.is_some() {
                ci_plan::spawn(state.clone(), t.id, f, project.repository.clone());
            }
            Ok(WebhookResponse::Created(result("created", Some(t.id.as_uuid()), None)))
        }
        CiRecorded::Redelivery => Ok(WebhookResponse::Ok(result(
            "duplicate",
            None,
            Some("delivery already handled".into()),
        ))),
        CiRecorded::SameFailure(id) => Ok(WebhookResponse::Ok(result(
            "already-reported",
            Some(id.as_uuid()),
            None,
        ))),
    }
}

#[OpenApi(tag = "ApiTags::Webhooks")]
impl WebhooksApi {
    /// GitHub webhook
    ///
    /// Configure the hook with the project's webhook secret and the `workflow_run` (or
    /// `check_run` / `check_suite`) events. A failed run of a registered repository becomes a
    /// CI-fix task (201); pings and other events are acknowledged; redeliveries do nothing.
    #[oai(path = "/api/webhooks/github", method = "post")]
    async fn github(
        &self,
        state: Data<&AppState>,
        /// The event name.
        #[oai(name = "X-GitHub-Event")]
        event: Header<Option<String>>,
        /// The delivery id (repeated on redelivery).
        #[oai(name = "X-GitHub-Delivery")]
        delivery: Header<Option<String>>,
        /// `sha256=<hex HMAC-SHA256 of the raw body>`.
        #[oai(name = "X-Hub-Signature-256")]
        signature: Header<Option<String>>,
        body: WebhookBody,
    ) -> Result<WebhookResponse, ApiError> {
        let (raw, form) = match body {
            WebhookBody::Json(Binary(b)) => (b, false),
            WebhookBody::Form(Binary(b)) => (b, true),
        };
        let payload = if form {
            let json = url::form_urlencoded::parse(&raw)
                .find(|(k, _)| k == "payload")
                .map(|(_, v)| v.into_owned())
                .ok_or_else(|| ApiError::bad_request("form body has no payload field".into()))?;
            parse_json(json.as_bytes())?
        } else {
            parse_json(&raw)?
        };
        let repo = webhooks::github_repository(&payload)
            .ok_or_else(|| ApiError::bad_request("payload names no repository".into()))?;
        let (project, secret) = state
            .store
            .project_by_github(&repo)
            .await?
            .ok_or_else(|| ApiError::not_found("project for repository", &repo))?;
        let secret =
            secret.ok_or_else(|| unauthorized("the project has no webhook secret; unsigned hooks are refused"))?;
        if !webhooks::github_signature_ok(&secret, &raw, signature.0.as_deref()) {
            return Err(unauthorized("missing or bad X-Hub-Signature-256"));
        }
        let event = event.0.unwrap_or_default();
        match webhooks::github_event(&event, &payload) {
            CiEvent::Ping => Ok(WebhookResponse::Ok(result("pong", None, None))),
            CiEvent::Ignored(why) => Ok(WebhookResponse::Ignored(result("ignored", None, Some(why)))),
            CiEvent::Failure(f) => {
                let delivery = delivery
                    .0
                    .ok_or_else(|| ApiError::bad_request("X-GitHub-Delivery is required".into()))?;
                act(&state, "github", &delivery, &project, f).await
            }
        }
    }

    /// GitLab webhook
    ///
    /// Configure a pipeline hook whose secret token is the project's webhook secret. A failed
    /// pipeline of a registered project becomes a CI-fix task (201).
    #[oai(path = "/api/webhooks/gitlab", method = "post")]
    async fn gitlab(
        &self,
        state: Data<&AppState>,
        /// The project's webhook secret.
        #[oai(name = "X-Gitlab-Token")]
        token: Header<Option<String>>,
        /// Delivery id.
        #[oai(name = "X-Gitlab-Event-UUID")]
        event_uuid: Header<Option<String>>,
        body: WebhookBody,
    ) -> Result<WebhookResponse, ApiError> {
        let raw = match body {
            WebhookBody::Json(Binary(b)) | WebhookBody::Form(Binary(b)) => b,
        };
        let payload = parse_json(&raw)?;
        let path = webhooks::gitlab_project(&payload)
            .ok_or_else(|| ApiError::bad_request("payload names no project".into()))?;
        let (project, secret) = state
            .store
            .project_by_gitlab(&path)
            .await?
            .ok_or_else(|| ApiError::not_found("project for GitLab project", &path))?;
        let secret =
            secret.ok_or_else(|| unauthorized("the project has no webhook secret; unsigned hooks are refused"))?;
        if !webhooks::gitlab_token_ok(&secret, token.0.as_deref()) {
            return Err(unauthorized("missing or bad X-Gitlab-Token"));
        }
        match webhooks::gitlab_event(&payload) {
            CiEvent::Ping => Ok(WebhookResponse::Ok(result("pong", None, None))),
            CiEvent::Ignored(why) => Ok(WebhookResponse::Ignored(result("ignored", None, Some(why)))),
            CiEvent::Failure(f) => {
                // Older GitLab sends no event UUID: the body's hash identifies the delivery.
                let delivery = event_uuid.0.unwrap_or_else(|| hex::encode(sha2::Sha256::digest(&raw)));
                act(&state, "gitlab", &delivery, &project, f).await
            }
        }
    }
}
