//! Archived workspaces of BLOCKED tasks (`task_workspaces`). A write is fenced like a result:
//! only the attempt that owns the RUNNING task may store one, so a worker that lost its lease
//! cannot overwrite the workspace of the attempt that replaced it.

use crate::domain::{Attempt, TaskId};

use super::Store;

/// A stored workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceArchive {
    /// The attempt that stored it.
    pub attempt: Attempt,
    /// The agent session inside it.
    pub session_id: Option<String>,
    /// The archive (gzip'd tar of the task's directory).
    pub archive: Vec<u8>,
}

impl Store {
    /// Stores the workspace of `task`'s running `attempt`; false if that attempt no longer owns
    /// the task.
    pub async fn save_workspace(
        &self,
        task: TaskId,
        attempt: Attempt,
        session_id: Option<&str>,
        archive: &[u8],
    ) -> anyhow::Result<bool> {
        let r = sqlx::query(
            "INSERT INTO task_workspaces (task_id, attempt, session_id, archive) \
             SELECT id, attempt, $3, $4 FROM tasks WHERE id = $1 AND attempt = $2 AND state = 'RUNNING' \
             ON CONFLICT (task_id) DO UPDATE SET attempt = excluded.attempt, session_id = excluded.session_id, \
               archive = excluded.archive, created_at = now()",
        )
        .bind(task.as_uuid())
        .bind(attempt.0)
        .bind(session_id)
        .bind(archive)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The stored workspace of a task.
    pub async fn load_workspace(&self, task: TaskId) -> anyhow::Result<Option<WorkspaceArchive>> {
        let row: Option<(i32, Option<String>, Vec<u8>)> =
            sqlx::query_as("SELECT attempt, session_id, archive FROM task_workspaces WHERE task_id = $1")
                .bind(task.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(attempt, session_id, archive)| WorkspaceArchive {
            attempt: Attempt(attempt),
            session_id,
            archive,
        }))
    }

    /// Drops a task's stored workspace once an attempt restored from it ended without blocking
    /// again (the work went on to its branch, or failed).
    pub async fn delete_workspace(&self, task: TaskId, restored_from: Attempt) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM task_workspaces WHERE task_id = $1 AND attempt = $2")
            .bind(task.as_uuid())
            .bind(restored_from.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Drops stored workspaces of tasks that reached a final state.
    pub async fn prune_workspaces(&self) -> anyhow::Result<u64> {
        let r = sqlx::query(
            "DELETE FROM task_workspaces w USING tasks t WHERE t.id = w.task_id \
             AND t.state IN ('COMPLETED', 'FAILED', 'CANCELLED')",
        )
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }
}
