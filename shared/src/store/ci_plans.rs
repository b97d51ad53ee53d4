//! The model-written plan of a CI-fix task: the one write to `tasks.instructions` after insert.
//!
//! A CI-fix task is created QUEUED with the fixed plan and, when a local model is configured, a
//! `run_at` that holds it back while the model writes a better one. [`Store::settle_ci_plan`]
//! ends the hold: one conditional UPDATE, matching only while the task is QUEUED at attempt 0
//! (never claimed), replaces the instructions (when a plan came) and clears `run_at` and
//! `dispatched_gen`, so the caller hands it over at once and the reconciler does if it cannot. A
//! task a worker has claimed, or that was cancelled, is never rewritten: the row lock orders the
//! UPDATE against a claim, and whichever comes second sees the other's row. It is not a state
//! change, so it does not go through the state machine; the outcome is recorded as a `plan`
//! event whose from and to are the task's current state, in the same transaction.

use super::Store;
use super::rows::{TaskRow, task_columns, tasks_from_rows};
use crate::domain::{Task, TaskId, TaskState};
use anyhow::Context as _;

/// What settling a plan did.
#[derive(Debug, Clone)]
pub enum PlanSettled {
    /// The task was still waiting: plan applied (if any), hold lifted. Hand it over.
    Released(Box<Task>),
    /// The task had moved on (claimed, cancelled): only the event was written.
    Late(TaskState),
    /// No such task.
    Gone,
}

impl Store {
    /// Ends a CI-fix task's wait for its plan: `instructions` (when given) replace the fixed ones
    /// if the task was never claimed. `reason` goes on the `plan` event; when the task had moved
    /// on, the event says so instead.
    pub async fn settle_ci_plan(
        &self,
        id: TaskId,
        instructions: Option<&str>,
        actor: &str,
        reason: &str,
    ) -> anyhow::Result<PlanSettled> {
        let mut tx = self.pool.begin().await?;
        let sql = concat!(
            "UPDATE tasks t SET instructions = coalesce($2, t.instructions), run_at = NULL, \
               dispatched_gen = NULL, updated_at = now() \
             WHERE t.id = $1 AND t.state = 'QUEUED' AND t.attempt = 0 RETURNING ",
            task_columns!()
        );
        let updated: Option<TaskRow> = sqlx::query_as(sql)
            .bind(id.as_uuid())
            .bind(instructions)
            .fetch_optional(&mut *tx)
            .await
            .context("settling a CI plan")?;
        let event = |state: &str, attempt: i32, why: String| {
            sqlx::query(
                "INSERT INTO task_events (task_id, from_state, to_state, event, attempt, actor, reason) \
                 VALUES ($1, $2::task_state, $2::task_state, 'plan', $3, $4, $5)",
            )
            .bind(id.as_uuid())
            .bind(state.to_owned())
            .bind(attempt)
            .bind(actor.to_owned())
            .bind(why)
        };
        let settled = match updated {
            Some(row) => {
                let task = tasks_from_rows(vec![row])?
                    .pop()
                    .context("the update returned no task")?;
                event(task.state.as_str(), task.attempt.0, reason.to_owned())
                    .execute(&mut *tx)
                    .await?;
                PlanSettled::Released(Box::new(task))
            }
            None => {
                let now: Option<(String, i32)> =
                    sqlx::query_as("SELECT state::text, attempt FROM tasks WHERE id = $1 FOR SHARE")
                        .bind(id.as_uuid())
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((state, attempt)) = now else {
                    return Ok(PlanSettled::Gone);
                };
                let why = format!("{reason}; not applied: the task was already {state} at attempt {attempt}");
                event(&state, attempt, why).execute(&mut *tx).await?;
                PlanSettled::Late(state.parse()?)
            }
        };
        tx.commit().await?;
        Ok(settled)
    }
}
