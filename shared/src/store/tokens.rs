//! API tokens. A token is 32 random bytes shown once as `cm_<hex>`; only its SHA-256 is stored.
//! Lookup is by hash (an index probe that reveals nothing useful about a guess), and the stored
//! hash is compared again in constant time before the token is accepted.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::Store;
use crate::domain::TaskId;

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Token id.
    pub token_id: Uuid,
    /// Token name (shows up as the actor of what it does).
    pub name: String,
    /// `Some`: may act only on this task and create its subtasks.
    pub task_scope: Option<TaskId>,
}

/// A token as listed (never the secret).
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Task scope.
    pub task_scope: Option<TaskId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Store {
    /// Mints a token; returns its id and the secret (shown once).
    pub async fn create_token(
        &self,
        name: &str,
        task_scope: Option<TaskId>,
        expires_at: Option<DateTime<Utc>>,
    ) -> anyhow::Result<(Uuid, String)> {
        let bytes: [u8; 32] = rand::random();
        let token = format!("cm_{}", hex::encode(bytes));
        let id = Uuid::now_v7();
        sqlx::query("INSERT INTO api_tokens (id, name, token_hash, task_id, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(name)
            .bind(hash(&token).as_slice())
            .bind(task_scope.map(|t| t.as_uuid()))
            .bind(expires_at)
            .execute(&self.pool)
            .await
            .context("storing token")?;
        Ok((id, token))
    }

    /// The principal of a valid, unrevoked, unexpired token.
    pub async fn authenticate(&self, token: &str) -> anyhow::Result<Option<Principal>> {
        let h = hash(token);
        let row: Option<(Uuid, String, Vec<u8>, Option<Uuid>)> = sqlx::query_as(
            "SELECT id, name, token_hash, task_id FROM api_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
        )
        .bind(h.as_slice())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(id, name, stored, task)| {
            bool::from(stored.as_slice().ct_eq(h.as_slice())).then(|| Principal {
                token_id: id,
                name,
                task_scope: task.map(TaskId::from_uuid),
            })
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

    /// Every token, newest first.
    pub async fn list_tokens(&self) -> anyhow::Result<Vec<TokenInfo>> {
        let rows: Vec<(Uuid, String, Option<Uuid>, DateTime<Utc>, Option<DateTime<Utc>>)> =
            sqlx::query_as("SELECT id, name, task_id, created_at, revoked_at FROM api_tokens ORDER BY id DESC")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, task, created_at, revoked_at)| TokenInfo {
                id,
                name,
                task_scope: task.map(TaskId::from_uuid),
                created_at,
                revoked_at,
            })
            .collect())
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
