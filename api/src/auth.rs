//! Bearer-token authentication and authorization. Every `/api` route except health, docs and
//! webhooks takes a [`BearerAuth`]; the checker looks the token up by hash (see
//! `shared::store::tokens`). What a token may do is decided here and only here, by one guard per
//! kind of route:
//!
//! - [`BearerAuth::write`]: creating and acting on tasks and stories, assist (not viewers; the
//!   checker already refuses a viewer every method but GET and HEAD, outside push subscriptions);
//! - [`BearerAuth::admin`]: tokens, projects (so `deploy_command`), agent settings;
//! - [`BearerAuth::fleet`]: fleet-wide reads agents may not make (agents, stories);
//! - [`BearerAuth::project`] / [`BearerAuth::task`]: the object is inside the token's project
//!   scope (and, for an agent's task-scoped token, is its task);
//! - [`BearerAuth::spec`]: the role's limits on a new task (exec, permission ceiling).
//!
//! Lists take [`BearerAuth::project_scope`] as a filter, so a scoped token never sees the rest.

use poem::Request;
use poem::http::Method;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use shared::domain::access::AgentPolicy;
use shared::domain::{Role, Task, TaskId, TaskSpec};
use shared::store::tokens::Principal;
use uuid::Uuid;

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
        // Viewers read: every other method is refused here, before a body is read. Push
        // subscriptions are the exception: a viewer's own subscription changes nothing shared.
        Ok(Some(p))
            if p.role == Role::Viewer
                && !matches!(*req.method(), Method::GET | Method::HEAD)
                && !req.uri().path().starts_with("/api/push/") =>
        {
            Err(ApiError::forbidden("this token is a viewer token: it may only read".into()).into())
        }
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

    /// Writes: every role but viewer.
    pub fn write(&self) -> Result<(), ApiError> {
        if self.0.role == Role::Viewer {
            return Err(ApiError::forbidden(
                "this token is a viewer token: it may only read".into(),
            ));
        }
        Ok(())
    }

    /// Administration: an unscoped admin token (not an agent's).
    pub fn admin(&self) -> Result<(), ApiError> {
        self.require_full()?;
        if self.0.role != Role::Admin {
            return Err(ApiError::forbidden(format!(
                "this is a {} token; only admin tokens may do this",
                self.0.role
            )));
        }
        Ok(())
    }

    /// Fleet-wide reads (agents, stories): refused to agents' task-scoped tokens.
    pub fn fleet(&self) -> Result<(), ApiError> {
        self.require_full()
    }

    /// The projects this token is limited to (`None`: all). Lists filter by it.
    pub fn project_scope(&self) -> Option<&[Uuid]> {
        self.0.projects.as_deref()
    }

    /// The project (or no project) is inside the token's scope.
    pub fn project(&self, project: Option<Uuid>) -> Result<(), ApiError> {
        match (self.project_scope(), project) {
            (None, _) => Ok(()),
            (Some(scope), Some(p)) if scope.contains(&p) => Ok(()),
            // An agent's token for a task without a project: its scope is "no project", so
            // it may act on projectless tasks (its subtasks, which `inherit` keeps there).
            (Some(scope), None) if scope.is_empty() && self.0.task_scope.is_some() => Ok(()),
            (Some(_), Some(p)) => Err(ApiError::forbidden(format!("this token may not use project {p}"))),
            (Some(_), None) => Err(ApiError::forbidden(
                "this token is limited to projects; tasks without a project are outside it".into(),
            )),
        }
    }

    /// The task is one this token may see and act on.
    pub fn task(&self, task: &Task) -> Result<(), ApiError> {
        self.may_touch(task.id)?;
        self.project(task.spec.project_id)
    }

    /// The role's limits on a new task made by a full token (an agent's subtasks inherit their
    /// parent's limits instead, see `routes::tasks::create`), and the project scope.
    pub fn spec(&self, policy: &AgentPolicy, spec: &mut TaskSpec) -> Result<(), ApiError> {
        self.write()?;
        if self.0.task_scope.is_none() {
            shared::domain::access::apply_role(policy, self.0.role, spec).map_err(|e| ApiError::forbidden(e.0))?;
        }
        self.project(spec.project_id)
    }

    /// Refuses task-scoped tokens for fleet-wide operations.
    pub fn require_full(&self) -> Result<(), ApiError> {
        match self.0.task_scope {
            Some(scope) => Err(ApiError::forbidden(format!("this token may only act on task {scope}"))),
            None => Ok(()),
        }
    }
}
