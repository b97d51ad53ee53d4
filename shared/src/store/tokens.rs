//! API tokens. A token is 32 random bytes shown once as `cm_<hex>`; only its SHA-256 is stored.
//! Lookup is by hash (an index probe that reveals nothing useful about a guess), and the stored
//! hash is compared again in constant time before the token is accepted.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::Store;
use crate::domain::{Role, TaskId};

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Token id.
    pub token_id: Uuid,
    /// Token name (shows up as the actor of what it does).
    pub name: String,
    /// What it may do. Task-scoped tokens are members (of their task's project).
    pub role: Role,
    /// `Some`: sees and acts only on these projects. For a task-scoped token, its task's
    /// project (none when the task has no project).
    pub projects: Option<Vec<Uuid>>,
    /// `Some`: may act only on this task and create its subtasks.
    pub task_scope: Option<TaskId>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// What a new full (non-agent) token may do.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Project scope (`None`: every project).
    pub projects: Option<Vec<Uuid>>,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token as listed (never the secret).
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Project scope.
    pub projects: Option<Vec<Uuid>>,
    /// Task scope.
    pub task_scope: Option<TaskId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("cm_{}", hex::encode(bytes))
}

type InfoRow = (
    Uuid,
    String,
    String,
    Option<Vec<Uuid>>,
    Option<Uuid>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn to_info(r: InfoRow) -> anyhow::Result<TokenInfo> {
    Ok(TokenInfo {
        id: r.0,
        name: r.1,
        role: r.2.parse()?,
        projects: r.3,
        task_scope: r.4.map(TaskId::from_uuid),
        created_at: r.5,
        expires_at: r.6,
        revoked_at: r.7,
    })
}

const INFO_COLUMNS: &str = "id, name, role::text, project_ids, task_id, created_at, expires_at, revoked_at";

impl Store {
    /// Mints a task-scoped token for an attempt's agent; returns its id and the secret.
    pub async fn create_token(
        &self,
        name: &str,
        task_scope: Option<TaskId>,
        expires_at: Option<DateTime<Utc>>,
    ) -> anyhow::Result<(Uuid, String)> {
        // Task-scoped tokens are members of their task's project; an unscoped one from this
        // call is an administrator (as every token was before roles).
        let role = if task_scope.is_some() {
            Role::Member
        } else {
            Role::Admin
        };
        self.insert_token(name, role, None, task_scope, expires_at).await
    }

    /// Mints a full token with a role and an optional project scope; returns its id and the
    /// secret (shown once).
    pub async fn create_full_token(&self, t: &NewToken) -> anyhow::Result<(Uuid, String)> {
        self.insert_token(&t.name, t.role, t.projects.as_deref(), None, t.expires_at)
            .await
    }

    async fn insert_token(
        &self,
        name: &str,
        role: Role,
        projects: Option<&[Uuid]>,
        task_scope: Option<TaskId>,
        expires_at: Option<DateTime<Utc>>,
    ) -> anyhow::Result<(Uuid, String)> {
        let token = secret();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO api_tokens (id, name, token_hash, task_id, expires_at, role, project_ids)              VALUES ($1, $2, $3, $4, $5, $6::token_role, $7)",
        )
        .bind(id)
        .bind(name)
        .bind(hash(&token).as_slice())
        .bind(task_scope.map(|t| t.as_uuid()))
        .bind(expires_at)
        .bind(role.as_str())
        .bind(projects)
        .execute(&self.pool)
        .await
        .context("storing token")?;
        Ok((id, token))
    }

    /// One token (never the secret).
    pub async fn get_token(&self, id: Uuid) -> anyhow::Result<Option<TokenInfo>> {
        let row: Option<InfoRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INFO_COLUMNS} FROM api_tokens WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(to_info).transpose()
    }

    /// The principal of a valid, unrevoked, unexpired token.
    pub async fn authenticate(&self, token: &str) -> anyhow::Result<Option<Principal>> {
        type Row = (
            Uuid,
            String,
            Vec<u8>,
            Option<Uuid>,
            String,
            Option<Vec<Uuid>>,
            Option<DateTime<Utc>>,
            Option<Uuid>,
        );
        let h = hash(token);
        let row: Option<Row> = sqlx::query_as(
            "SELECT a.id, a.name, a.token_hash, a.task_id, a.role::text, a.project_ids, a.expires_at, t.project_id \
             FROM api_tokens a LEFT JOIN tasks t ON t.id = a.task_id \
             WHERE a.token_hash = $1 AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now())",
        )
        .bind(h.as_slice())
        .fetch_optional(&self.pool)
        .await?;
        let Some((id, name, stored, task, role, projects, expires_at, task_project)) = row else {
            return Ok(None);
        };
        if !bool::from(stored.as_slice().ct_eq(h.as_slice())) {
            return Ok(None);
        }
        Ok(Some(match task {
            Some(task) => Principal {
                token_id: id,
                name,
                role: Role::Member,
                projects: Some(task_project.into_iter().collect()),
                task_scope: Some(TaskId::from_uuid(task)),
                expires_at,
            },
            None => Principal {
                token_id: id,
                name,
                role: role.parse()?,
                projects,
                task_scope: None,
                expires_at,
            },
        }))
    }

    /// Revokes a token; false when there was no such live token.
    pub async fn revoke_token(&self, id: Uuid) -> anyhow::Result<bool> {
        let r = sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Every token, newest first; with `full_only`, without the per-attempt agent tokens.
    pub async fn list_tokens(&self, full_only: bool) -> anyhow::Result<Vec<TokenInfo>> {
        let rows: Vec<InfoRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INFO_COLUMNS} FROM api_tokens WHERE NOT $1 OR task_id IS NULL ORDER BY id DESC"
        )))
        .bind(full_only)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(to_info).collect()
    }

    /// Deletes task-scoped (per-attempt) tokens revoked or expired more than a day ago.
    pub async fn prune_attempt_tokens(&self) -> anyhow::Result<u64> {
        let r = sqlx::query(
            "DELETE FROM api_tokens WHERE task_id IS NOT NULL \
               AND (revoked_at < now() - interval '1 day' OR expires_at < now() - interval '1 day')",
        )
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }
}
