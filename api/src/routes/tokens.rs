//! `/api/tokens` (admin): mint, list and revoke API tokens with a role, an optional project
//! scope and an optional expiry; `/api/me`: what the calling token is and may do (the web UI
//! hides what it may not). The secret of a new token is in the create answer only.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use shared::store::tokens::{NewToken, TokenInfo};
use uuid::Uuid;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::{ApiError, FieldProblem};
use crate::state::AppState;

/// Token routes.
pub struct TokensApi;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "shared::domain::Role", rename_all = "lowercase")]
pub enum Role {
    /// Reads only.
    Viewer,
    /// Creates and acts on tasks and stories in its projects; reads.
    Member,
    /// Everything: tokens, projects (with `deploy_command`), agent settings.
    Admin,
}

/// `POST /api/tokens`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct CreateToken {
    /// 1 to 100 characters; shows up as the actor of what the token does.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Projects it is limited to (1 to 100); absent: every project.
    pub projects: Option<Vec<Uuid>>,
    /// When it stops working; absent: never.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token (never its secret).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenView {
    /// Id (revoke with `DELETE /api/tokens/{id}`).
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Projects it is limited to; absent: every project.
    pub projects: Option<Vec<Uuid>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TokenInfo> for TokenView {
    fn from(t: TokenInfo) -> Self {
        TokenView {
            id: t.id,
            name: t.name,
            role: t.role.into(),
            projects: t.projects,
            created_at: t.created_at,
            expires_at: t.expires_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A new token with its secret, shown this once.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CreatedToken {
    /// The token.
    #[oai(flatten)]
    pub info: TokenView,
    /// `Authorization: Bearer <secret>`. Not stored; it cannot be shown again.
    pub secret: String,
}

/// `GET /api/me`: the calling token.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Me {
    /// Token id.
    pub token_id: Uuid,
    /// Token name.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Projects it is limited to; absent: every project.
    pub projects: Option<Vec<Uuid>>,
    /// Set for an agent's task-scoped token: the task it may act on.
    pub task_id: Option<Uuid>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// May create and act on tasks and stories.
    pub can_write: bool,
    /// May create exec tasks.
    pub can_exec: bool,
    /// May manage tokens, projects and agent settings.
    pub can_admin: bool,
}

/// Answer of `POST /api/tokens`.
#[derive(ApiResponse)]
pub enum Created {
    /// Created; the secret is in this answer only.
    #[oai(status = 201)]
    Created(Json<CreatedToken>),
}

/// Answer of `DELETE /api/tokens/{id}`.
#[derive(ApiResponse)]
pub enum Revoked {
    /// Revoked: requests with it now get 401.
    #[oai(status = 204)]
    Done,
}

const MAX_PROJECTS: usize = 100;

#[OpenApi(tag = "ApiTags::Tokens")]
impl TokensApi {
    /// Mint a token
    ///
    /// Admin only. The answer holds the secret; it is never shown again.
    #[oai(path = "/api/tokens", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateToken>,
    ) -> Result<Created, ApiError> {
        auth.admin()?;
        let b = body.0;
        let mut problems = Vec::new();
        let name = b.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            problems.push(FieldProblem {
                field: "name".into(),
                message: "must be 1 to 100 characters without control characters".into(),
            });
        }
        let mut projects = b.projects;
        if let Some(ps) = &mut projects {
            ps.sort();
            ps.dedup();
            if ps.is_empty() || ps.len() > MAX_PROJECTS {
                problems.push(FieldProblem {
                    field: "projects".into(),
                    message: format!("name 1 to {MAX_PROJECTS} projects, or leave it out for all"),
                });
            }
        }
        if b.expires_at.is_some_and(|e| e <= Utc::now()) {
            problems.push(FieldProblem {
                field: "expires_at".into(),
                message: "must be in the future".into(),
            });
        }
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        if let Some(ps) = &projects {
            for p in ps {
                if state.store.get_project(*p).await?.is_none() {
                    return Err(ApiError::unprocessable(
                        "unknown-reference",
                        format!("project {p} does not exist"),
                    ));
                }
            }
        }
        let new = NewToken {
            name,
            role: b.role.into(),
            projects,
            expires_at: b.expires_at,
        };
        let (id, secret) = state.store.create_full_token(&new).await?;
        let info = state
            .store
            .get_token(id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("token {id} vanished after insert"))?;
        tracing::info!(token.id = %id, token.role = %new.role, actor = %auth.actor(), "token minted");
        Ok(Created::Created(Json(CreatedToken {
            info: info.into(),
            secret,
        })))
    }

    /// List tokens
    ///
    /// Admin only. Every token but agents' per-attempt tokens, newest first, without secrets.
    #[oai(path = "/api/tokens", method = "get")]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<Vec<TokenView>>, ApiError> {
        auth.admin()?;
        Ok(Json(
            state
                .store
                .list_tokens(true)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        ))
    }

    /// Revoke a token
    ///
    /// Admin only. Takes effect at once on every API node.
    #[oai(path = "/api/tokens/:id", method = "delete")]
    async fn revoke(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> Result<Revoked, ApiError> {
        auth.admin()?;
        if state.store.revoke_token(id.0).await? {
            tracing::info!(token.id = %id.0, actor = %auth.actor(), "token revoked");
            Ok(Revoked::Done)
        } else {
            Err(ApiError::not_found("token", id.0))
        }
    }

    /// The calling token
    ///
    /// Its role, scope and what it may do.
    #[oai(path = "/api/me", method = "get")]
    async fn me(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<Me>, ApiError> {
        let p = &auth.0;
        let policy = &state.settings.agent_policy;
        let can_write = auth.write().is_ok();
        Ok(Json(Me {
            token_id: p.token_id,
            name: p.name.clone(),
            role: p.role.into(),
            projects: p.projects.clone(),
            task_id: p.task_scope.map(|t| t.as_uuid()),
            expires_at: p.expires_at,
            can_write,
            can_exec: can_write && p.task_scope.is_none() && p.role >= policy.exec_role,
            can_admin: auth.admin().is_ok(),
        }))
    }
}
