//! `/api/projects`: the repositories claudomator works on and receives CI webhooks for.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use shared::domain::project::{Project, ProjectDraft};
use uuid::Uuid;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::{ApiError, FieldProblem};
use crate::state::AppState;

/// Project routes.
pub struct ProjectsApi;

/// A project.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ProjectView {
    /// Id.
    pub id: Uuid,
    /// Unique name.
    pub name: String,
    /// Clone URL or path.
    pub repository: Option<String>,
    /// Branch work merges into.
    pub default_branch: String,
    /// GitHub `owner/name` whose webhooks are accepted.
    pub github_repo: Option<String>,
    /// GitLab `group/name` whose webhooks are accepted.
    pub gitlab_project: Option<String>,
    /// Whether a webhook secret is set (the secret itself is never shown).
    pub has_webhook_secret: bool,
    /// Agent of tasks created for this project.
    pub default_agent: String,
    /// Model of those tasks.
    pub default_model: Option<String>,
    /// Running limit (stored; not enforced yet).
    pub max_running: Option<u32>,
    /// Argv run in a clone of the default branch after a story is merged (no shell).
    pub deploy_command: Option<Vec<String>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<Project> for ProjectView {
    fn from(p: Project) -> Self {
        ProjectView {
            id: p.id,
            name: p.name,
            repository: p.repository,
            default_branch: p.default_branch,
            github_repo: p.github_repo,
            gitlab_project: p.gitlab_project,
            has_webhook_secret: p.has_webhook_secret,
            default_agent: p.default_agent.as_str().to_owned(),
            default_model: p.default_model,
            max_running: p.max_running,
            deploy_command: p.deploy_command,
            created_at: p.created_at,
        }
    }
}

/// A project to create.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct CreateProject {
    /// Unique name.
    pub name: String,
    /// Clone URL or path.
    pub repository: Option<String>,
    /// Default `main`.
    pub default_branch: Option<String>,
    /// GitHub `owner/name`.
    pub github_repo: Option<String>,
    /// GitLab `group/name`.
    pub gitlab_project: Option<String>,
    /// GitHub webhook secret / GitLab token (8 to 256 characters; write-only).
    pub webhook_secret: Option<String>,
    /// Default `claude`.
    pub default_agent: Option<String>,
    /// Model of tasks created for this project.
    pub default_model: Option<String>,
    /// Running limit.
    pub max_running: Option<u32>,
    /// Argv run in a clone of the default branch after a story is merged (no shell).
    pub deploy_command: Option<Vec<String>>,
}

/// Changes to a project; `null` clears a field.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct PatchProject {
    /// Name.
    pub name: Option<String>,
    /// Repository.
    #[oai(nullable)]
    pub repository: MaybeUndefined<String>,
    /// Default branch.
    pub default_branch: Option<String>,
    /// GitHub repository.
    #[oai(nullable)]
    pub github_repo: MaybeUndefined<String>,
    /// GitLab project.
    #[oai(nullable)]
    pub gitlab_project: MaybeUndefined<String>,
    /// Webhook secret.
    #[oai(nullable)]
    pub webhook_secret: MaybeUndefined<String>,
    /// Default agent.
    pub default_agent: Option<String>,
    /// Default model.
    #[oai(nullable)]
    pub default_model: MaybeUndefined<String>,
    /// Running limit.
    #[oai(nullable)]
    pub max_running: MaybeUndefined<u32>,
    /// Deploy command.
    #[oai(nullable)]
    pub deploy_command: MaybeUndefined<Vec<String>>,
}

fn maybe<T>(m: MaybeUndefined<T>) -> Option<Option<T>> {
    match m {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// Answer of create.
#[derive(ApiResponse)]
pub enum Created {
    /// Created.
    #[oai(status = 201)]
    Created(Json<ProjectView>),
}

/// Answer of delete.
#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    Done,
}

fn validate(d: &ProjectDraft, creating: bool) -> Result<(), ApiError> {
    d.validate(creating).map_err(|errs| {
        ApiError::validation(
            errs.into_iter()
                .map(|e| FieldProblem {
                    field: e.field.into(),
                    message: e.message,
                })
                .collect(),
        )
    })
}

fn conflict_or(e: anyhow::Error) -> ApiError {
    if shared::store::is_unique_violation_any(&e) {
        return ApiError::conflict(
            "project-exists",
            "Project exists",
            "a project with that name or repository exists".into(),
        );
    }
    e.into()
}

#[OpenApi(prefix_path = "/api/projects", tag = "ApiTags::Projects")]
impl ProjectsApi {
    /// Create a project
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateProject>,
    ) -> Result<Created, ApiError> {
        auth.admin()?;
        let b = body.0;
        let d = ProjectDraft {
            name: Some(b.name),
            repository: Some(b.repository),
            default_branch: b.default_branch,
            github_repo: Some(b.github_repo),
            gitlab_project: Some(b.gitlab_project),
            webhook_secret: Some(b.webhook_secret),
            default_agent: b.default_agent,
            default_model: Some(b.default_model),
            max_running: Some(b.max_running),
            deploy_command: Some(b.deploy_command),
        };
        validate(&d, true)?;
        let p = state.store.create_project(&d).await.map_err(conflict_or)?;
        Ok(Created::Created(Json(p.into())))
    }

    /// List projects
    #[oai(path = "/", method = "get")]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<Vec<ProjectView>>, ApiError> {
        Ok(Json(
            state
                .store
                .list_projects()
                .await?
                .into_iter()
                .filter(|p| auth.project(Some(p.id)).is_ok())
                .map(Into::into)
                .collect(),
        ))
    }

    /// Get a project
    #[oai(path = "/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<ProjectView>, ApiError> {
        auth.project(Some(id.0))?;
        let p = state
            .store
            .get_project(id.0)
            .await?
            .ok_or_else(|| ApiError::not_found("project", id.0))?;
        Ok(Json(p.into()))
    }

    /// Change a project
    #[oai(path = "/:id", method = "patch")]
    async fn patch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<PatchProject>,
    ) -> Result<Json<ProjectView>, ApiError> {
        auth.admin()?;
        let b = body.0;
        let d = ProjectDraft {
            name: b.name,
            repository: maybe(b.repository),
            default_branch: b.default_branch,
            github_repo: maybe(b.github_repo),
            gitlab_project: maybe(b.gitlab_project),
            webhook_secret: maybe(b.webhook_secret),
            default_agent: b.default_agent,
            default_model: maybe(b.default_model),
            max_running: maybe(b.max_running),
            deploy_command: maybe(b.deploy_command),
        };
        validate(&d, false)?;
        let p = state.store.update_project(id.0, &d).await.map_err(conflict_or)?;
        Ok(Json(p.ok_or_else(|| ApiError::not_found("project", id.0))?.into()))
    }

    /// Delete a project
    ///
    /// Refused (409) while tasks belong to it.
    #[oai(path = "/:id", method = "delete")]
    async fn delete(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> Result<Deleted, ApiError> {
        auth.admin()?;
        match state.store.delete_project(id.0).await {
            Ok(true) => Ok(Deleted::Done),
            Ok(false) => Err(ApiError::not_found("project", id.0)),
            Err(e) if shared::store::is_foreign_key_violation(&e) => Err(ApiError::conflict(
                "project-in-use",
                "Project in use",
                "tasks still belong to this project".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }
}
