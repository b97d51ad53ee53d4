//! Bearer-token authentication. Every `/api` route except health, docs and webhooks takes a
//! [`BearerAuth`]; the checker looks the token up by hash (see `shared::store::tokens`).

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use shared::domain::TaskId;
use shared::store::tokens::Principal;

use crate::problem::ApiError;
use crate::state::AppState;

/// `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "cm_<64 hex>", checker = "check_token")]
pub struct BearerAuth(pub Principal);

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    let state = req
        .data::<AppState>()
        .ok_or_else(|| poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR))?;
    match state.store.authenticate(&bearer.token).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(ApiError::unauthorized().into()),
        Err(e) => Err(ApiError::from(e).into()),
    }
}

impl BearerAuth {
    /// Who is acting, as recorded on events.
    pub fn actor(&self) -> String {
        format!("api:{}", self.0.name)
    }

    /// Refuses task-scoped tokens acting on another task.
    pub fn may_touch(&self, task: TaskId) -> Result<(), ApiError> {
        match self.0.task_scope {
            Some(scope) if scope != task => {
                Err(ApiError::forbidden(format!("this token may only act on task {scope}")))
            }
            _ => Ok(()),
        }
    }

    /// Refuses task-scoped tokens for fleet-wide operations.
    pub fn require_full(&self) -> Result<(), ApiError> {
        match self.0.task_scope {
            Some(scope) => Err(ApiError::forbidden(format!("this token may only act on task {scope}"))),
            None => Ok(()),
        }
    }
}
