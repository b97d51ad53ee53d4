//! RFC 9457 problem details: the one error type of the API, mapped in one place.
//!
//! Every handler returns `Result<_, ApiError>`; each variant has a status and every problem a
//! stable `type` URI (`urn:claudomator:problem:<slug>`). Errors raised by poem itself (bad JSON,
//! missing auth, unknown routes, oversized bodies) are turned into the same shape by
//! [`render_poem_error`]. Internal errors become a generic 500; their cause is logged once here.

use poem::Response;
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

/// A problem document (RFC 9457), with claudomator's extension members.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct Problem {
    /// Stable identifier of the kind of problem.
    #[oai(rename = "type")]
    #[serde(rename = "type")]
    pub type_: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened in this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For state conflicts: the task's current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// For validation problems: one entry per invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
}

/// One invalid field.
#[derive(Debug, Clone, Object, serde::Serialize)]
#[oai(skip_serializing_if_is_none)]
pub struct FieldProblem {
    /// The field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Every error the API answers with.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Missing or invalid token.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The token may not do this.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No such resource.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The request conflicts with the resource's state.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The body is too large.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The request is well-formed but invalid.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many requests; retry after the given number of seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// Something failed on our side.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// A dependency (Postgres, Redis, a model API) is unavailable.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

fn problem(slug: &str, title: &str, status: StatusCode, detail: Option<String>) -> Problem {
    Problem {
        type_: format!("urn:claudomator:problem:{slug}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail,
        current_state: None,
        errors: None,
    }
}

impl ApiError {
    /// 404 for a missing resource.
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> ApiError {
        ApiError::NotFound(Json(problem(
            "not-found",
            "Not found",
            StatusCode::NOT_FOUND,
            Some(format!("no {what} {id}")),
        )))
    }

    /// 409 for an event the state machine refuses in the task's current state.
    pub fn illegal_transition(current: shared::domain::TaskState, detail: String) -> ApiError {
        let mut p = problem(
            "illegal-transition",
            "Illegal state transition",
            StatusCode::CONFLICT,
            Some(detail),
        );
        p.current_state = Some(current.as_str().to_owned());
        ApiError::Conflict(Json(p))
    }

    /// 409 for other conflicts.
    pub fn conflict(slug: &str, title: &str, detail: String) -> ApiError {
        ApiError::Conflict(Json(problem(slug, title, StatusCode::CONFLICT, Some(detail))))
    }

    /// 422 with field errors.
    pub fn validation(errors: Vec<FieldProblem>) -> ApiError {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let slug = if errors.iter().any(|e| e.field == "agent") {
            "unknown-agent-type"
        } else {
            "validation"
        };
        let mut p = problem(slug, "Invalid request", StatusCode::UNPROCESSABLE_ENTITY, Some(detail));
        p.errors = Some(errors);
        ApiError::Unprocessable(Json(p))
    }

    /// 422 with field errors under a specific problem type.
    pub fn unprocessable_fields(slug: &str, errors: Vec<FieldProblem>) -> ApiError {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut p = problem(slug, "Invalid request", StatusCode::UNPROCESSABLE_ENTITY, Some(detail));
        p.errors = Some(errors);
        ApiError::Unprocessable(Json(p))
    }

    /// 422 with a message.
    pub fn unprocessable(slug: &str, detail: String) -> ApiError {
        ApiError::Unprocessable(Json(problem(
            slug,
            "Invalid request",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(detail),
        )))
    }

    /// 400.
    pub fn bad_request(detail: String) -> ApiError {
        ApiError::BadRequest(Json(problem(
            "bad-request",
            "Bad request",
            StatusCode::BAD_REQUEST,
            Some(detail),
        )))
    }

    /// 401.
    pub fn unauthorized() -> ApiError {
        ApiError::Unauthorized(Json(problem(
            "unauthorized",
            "Unauthorized",
            StatusCode::UNAUTHORIZED,
            Some("send Authorization: Bearer <token>".into()),
        )))
    }

    /// 403.
    pub fn forbidden(detail: String) -> ApiError {
        ApiError::Forbidden(Json(problem(
            "forbidden",
            "Forbidden",
            StatusCode::FORBIDDEN,
            Some(detail),
        )))
    }

    /// 429 with `Retry-After` (whole seconds, at least 1).
    pub fn too_many_requests(retry_after: std::time::Duration, detail: String) -> ApiError {
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        ApiError::TooManyRequests(
            Json(problem(
                "rate-limited",
                "Too many requests",
                StatusCode::TOO_MANY_REQUESTS,
                Some(detail),
            )),
            secs.max(1),
        )
    }

    /// 503 when no model could answer (none configured, or all failed).
    pub fn no_model(detail: String) -> ApiError {
        ApiError::Unavailable(Json(problem(
            "model-unavailable",
            "No model available",
            StatusCode::SERVICE_UNAVAILABLE,
            Some(detail),
        )))
    }

    /// 503.
    pub fn unavailable(detail: String) -> ApiError {
        ApiError::Unavailable(Json(problem(
            "unavailable",
            "Service unavailable",
            StatusCode::SERVICE_UNAVAILABLE,
            Some(detail),
        )))
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        if shared::store::is_unavailable(&err) || shared::queue::is_unavailable(&err) {
            tracing::warn!(error.message = %err, "dependency unavailable");
            return ApiError::unavailable("Postgres or Redis is unavailable; retry later".into());
        }
        if shared::store::is_unstorable_text(&err) {
            return ApiError::unprocessable(
                "invalid-text",
                "a text value contains a NUL character, which cannot be stored".into(),
            );
        }
        tracing::error!(error.message = %err, error.cause_chain = ?err, "request failed");
        ApiError::Internal(Json(problem(
            "internal",
            "Internal error",
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
        )))
    }
}

/// Turns any error that reached the top of the router into problem+json. Errors that already
/// are problems (our `ApiError`s) pass through unchanged.
pub async fn render_poem_error(err: poem::Error) -> Response {
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    let (slug, title) = match status {
        StatusCode::BAD_REQUEST => ("bad-request", "Bad request"),
        StatusCode::UNAUTHORIZED => ("unauthorized", "Unauthorized"),
        StatusCode::FORBIDDEN => ("forbidden", "Forbidden"),
        StatusCode::NOT_FOUND => ("not-found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method-not-allowed", "Method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload-too-large", "Payload too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported-media-type", "Unsupported media type"),
        s if s.is_server_error() => ("internal", "Internal error"),
        _ => ("error", "Request failed"),
    };
    let detail = if status.is_server_error() {
        tracing::error!(error.message = %err, "unhandled error");
        None
    } else {
        Some(err.to_string())
    };
    let p = problem(slug, title, status, detail);
    let body = serde_json::to_vec(&p).unwrap_or_default();
    Response::builder()
        .status(status)
        .content_type("application/problem+json")
        .body(body)
}
