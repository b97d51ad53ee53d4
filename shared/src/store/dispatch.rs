//! The dispatch outbox and agent settings.
//!
//! A task entering QUEUED gets `dispatched_gen = NULL`. Whoever hands it to Redis (the API right
//! after its commit, a worker after a retry, the reconciler) records the Redis dispatch
//! generation it was handed to. The reconciler re-dispatches every QUEUED task whose generation
//! is not the current one: tasks the API crashed before handing over, and every queued task
//! after Redis lost its data (a new generation). Duplicate orders are harmless: a claim is fenced
//! on the attempt.

use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Store;
use crate::domain::classify::AgentLoad;
use crate::domain::{AgentKind, AgentSettings, AgentStats, Attempt, Dispatch, TaskId};

/// A change to an agent's settings; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct AgentPatch {
    /// Pause or resume (resuming also clears a rate-limit pause).
    pub paused: Option<bool>,
    /// Set (Some(Some)) or remove (Some(None)) the fleet-wide limit.
    pub concurrency_limit: Option<Option<u32>>,
}

impl Store {
    /// QUEUED tasks of `agent` not handed to generation `gen`, queued more than `grace` ago, whose
    /// prerequisites (`depends_on`) are all COMPLETED.
    pub async fn undispatched(
        &self,
        agent: AgentKind,
        generation: &str,
        grace: Duration,
        limit: i64,
    ) -> anyhow::Result<Vec<Dispatch>> {
        let rows: Vec<(Uuid, i32, String, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT id, attempt, priority::text, run_at FROM tasks \
             WHERE state = 'QUEUED' AND agent = $1::agent_kind AND dispatched_gen IS DISTINCT FROM $2 \
               AND queued_at < now() - make_interval(secs => $3) \
               AND NOT EXISTS (SELECT 1 FROM tasks d WHERE d.id = ANY(tasks.depends_on) AND d.state <> 'COMPLETED') \
             ORDER BY id LIMIT $4",
        )
        .bind(agent.as_str())
        .bind(generation)
        .bind(grace.as_secs_f64())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading undispatched tasks")?;
        rows.into_iter()
            .map(|(id, attempt, priority, run_at)| {
                Ok(Dispatch {
                    task: TaskId::from_uuid(id),
                    attempt: Attempt(attempt),
                    agent,
                    priority: priority.parse()?,
                    not_before: run_at,
                })
            })
            .collect()
    }

    /// Due QUEUED tasks of `agent` handed to Redis more than `grace` ago. Called only when the
    /// agent's streams are empty: then none of these has an order left, so each was lost.
    pub async fn lost_orders(&self, agent: AgentKind, grace: Duration, limit: i64) -> anyhow::Result<Vec<Dispatch>> {
        let rows: Vec<(Uuid, i32, String)> = sqlx::query_as(
            "SELECT id, attempt, priority::text FROM tasks \
             WHERE state = 'QUEUED' AND agent = $1::agent_kind AND dispatched_at < now() - make_interval(secs => $2) \
               AND (run_at IS NULL OR run_at < now() - make_interval(secs => $2)) \
             ORDER BY id LIMIT $3",
        )
        .bind(agent.as_str())
        .bind(grace.as_secs_f64())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading lost orders")?;
        rows.into_iter()
            .map(|(id, attempt, priority)| {
                Ok(Dispatch {
                    task: TaskId::from_uuid(id),
                    attempt: Attempt(attempt),
                    agent,
                    priority: priority.parse()?,
                    not_before: None,
                })
            })
            .collect()
    }

    /// Subtasks of `parent` not COMPLETED yet.
    pub async fn unfinished_subtasks(&self, parent: TaskId) -> anyhow::Result<i64> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM tasks WHERE parent_task_id = $1 AND state <> 'COMPLETED'")
                .bind(parent.as_uuid())
                .fetch_one(&self.pool)
                .await?;
        Ok(n)
    }

    /// BLOCKED parents (no open question) whose subtasks have all COMPLETED, with their attempt.
    pub async fn parents_ready(&self, limit: i64) -> anyhow::Result<Vec<(TaskId, Attempt)>> {
        let rows: Vec<(Uuid, i32)> = sqlx::query_as(
            "SELECT p.id, p.attempt FROM tasks p WHERE p.state = 'BLOCKED' AND p.question IS NULL \
               AND EXISTS (SELECT 1 FROM tasks c WHERE c.parent_task_id = p.id) \
               AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.parent_task_id = p.id AND c.state <> 'COMPLETED') \
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, a)| (TaskId::from_uuid(id), Attempt(a)))
            .collect())
    }

    /// Which of these task ids do not exist.
    pub async fn missing_tasks(&self, ids: &[TaskId]) -> anyhow::Result<Vec<TaskId>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let found: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM tasks WHERE id = ANY($1)")
            .bind(ids.iter().map(|i| i.as_uuid()).collect::<Vec<_>>())
            .fetch_all(&self.pool)
            .await?;
        Ok(ids.iter().copied().filter(|i| !found.contains(&i.as_uuid())).collect())
    }

    /// Records that these orders were handed to Redis generation `gen` (fenced on the attempt,
    /// so a late mark cannot cover a newer requeue). Rows locked by another transaction (a claim
    /// taking the task, a cancel) are skipped, never waited for: such a row is leaving QUEUED,
    /// and one that stays QUEUED unmarked is only sent again by the reconciler.
    pub async fn mark_dispatched(&self, orders: &[Dispatch], generation: &str) -> anyhow::Result<u64> {
        self.write_dispatch_marks(orders, generation, false).await
    }

    /// Undoes a mark recorded with the insert when the hand-over failed, so the reconciler
    /// sends these tasks after its grace. Skips locked rows, like [`Store::mark_dispatched`].
    pub async fn unmark_dispatched(&self, orders: &[Dispatch], generation: &str) -> anyhow::Result<u64> {
        self.write_dispatch_marks(orders, generation, true).await
    }

    async fn write_dispatch_marks(&self, orders: &[Dispatch], generation: &str, clear: bool) -> anyhow::Result<u64> {
        if orders.is_empty() {
            return Ok(0);
        }
        let done = sqlx::query(
            "WITH q AS MATERIALIZED ( \
               SELECT t.id FROM tasks t JOIN unnest($1::uuid[], $2::int[]) AS i(id, attempt) \
                 ON t.id = i.id AND t.attempt = i.attempt \
               WHERE t.state::text = 'QUEUED' AND (NOT $4 OR t.dispatched_gen = $3) FOR UPDATE OF t SKIP LOCKED \
             ) \
             UPDATE tasks t SET dispatched_gen = CASE WHEN $4 THEN NULL ELSE $3 END, \
               dispatched_at = CASE WHEN $4 THEN NULL ELSE now() END \
             FROM q WHERE t.id = q.id",
        )
        .bind(orders.iter().map(|o| o.task.as_uuid()).collect::<Vec<_>>())
        .bind(orders.iter().map(|o| o.attempt.0).collect::<Vec<_>>())
        .bind(generation)
        .bind(clear)
        .execute(&self.pool)
        .await
        .context(if clear {
            "clearing dispatch marks"
        } else {
            "marking tasks dispatched"
        })?;
        Ok(done.rows_affected())
    }

    /// Settings of every agent type (defaults for those without a row).
    pub async fn agent_settings(&self) -> anyhow::Result<Vec<AgentSettings>> {
        let rows: Vec<(String, Option<i32>, bool, Option<DateTime<Utc>>, Option<String>)> = sqlx::query_as(
            "SELECT agent::text, concurrency_limit, paused, paused_until, pause_reason FROM agent_settings",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<AgentSettings> = AgentKind::ALL.iter().map(|a| AgentSettings::default_for(*a)).collect();
        for (agent, limit, paused, until, reason) in rows {
            let agent: AgentKind = agent.parse()?;
            if let Some(s) = out.iter_mut().find(|s| s.agent == agent) {
                s.concurrency_limit = limit.and_then(|l| u32::try_from(l).ok());
                s.paused = paused;
                s.paused_until = until;
                s.pause_reason = reason;
            }
        }
        Ok(out)
    }

    /// Changes an agent's settings and returns them.
    pub async fn update_agent(&self, agent: AgentKind, patch: &AgentPatch) -> anyhow::Result<AgentSettings> {
        let limit = patch.concurrency_limit.flatten().map(i32::try_from).transpose()?;
        sqlx::query("INSERT INTO agent_settings (agent) VALUES ($1::agent_kind) ON CONFLICT (agent) DO NOTHING")
            .bind(agent.as_str())
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "UPDATE agent_settings SET \
               paused = coalesce($2, paused), \
               paused_until = CASE WHEN $2 = false THEN NULL ELSE paused_until END, \
               pause_reason = CASE WHEN $2 = false THEN NULL WHEN $2 THEN 'paused by an operator' ELSE pause_reason END, \
               concurrency_limit = CASE WHEN $3 THEN $4 ELSE concurrency_limit END, \
               updated_at = now() \
             WHERE agent = $1::agent_kind",
        )
        .bind(agent.as_str())
        .bind(patch.paused)
        .bind(patch.concurrency_limit.is_some())
        .bind(limit)
        .execute(&self.pool)
        .await?;
        self.agent_settings()
            .await?
            .into_iter()
            .find(|s| s.agent == agent)
            .context("agent settings vanished")
    }

    /// How busy (QUEUED or RUNNING tasks) and whether paused each of `agents` is, in that
    /// order: what classification chooses an agent from.
    pub async fn agent_loads(&self, agents: &[AgentKind]) -> anyhow::Result<Vec<AgentLoad>> {
        let rows: Vec<(String, i64, bool, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT a.agent::text, \
               (SELECT count(*) FROM tasks t WHERE t.agent = a.agent AND t.state IN ('QUEUED', 'RUNNING')), \
               coalesce(s.paused, false), s.paused_until \
             FROM unnest($1::text[]::agent_kind[]) WITH ORDINALITY AS a(agent, n) \
             LEFT JOIN agent_settings s ON s.agent = a.agent \
             ORDER BY a.n",
        )
        .bind(agents.iter().map(|a| a.as_str()).collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await
        .context("reading agent loads")?;
        rows.into_iter()
            .map(|(agent, active, paused, paused_until)| {
                Ok(AgentLoad {
                    agent: agent.parse()?,
                    active,
                    paused,
                    paused_until,
                })
            })
            .collect()
    }

    /// Queue statistics per agent type, computed from the tasks table.
    pub async fn agent_stats(&self) -> anyhow::Result<Vec<AgentStats>> {
        let rows: Vec<(String, i64, i64, i64, i64, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT agent::text, \
               count(*) FILTER (WHERE state = 'QUEUED' AND (run_at IS NULL OR run_at <= now())), \
               count(*) FILTER (WHERE state = 'QUEUED' AND run_at > now()), \
               count(*) FILTER (WHERE state = 'RUNNING'), \
               count(*) FILTER (WHERE state = 'FAILED' AND dead_letter), \
               min(queued_at) FILTER (WHERE state = 'QUEUED' AND (run_at IS NULL OR run_at <= now())) \
             FROM tasks WHERE state IN ('QUEUED', 'RUNNING', 'FAILED') GROUP BY agent",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<AgentStats> = AgentKind::ALL
            .iter()
            .map(|a| AgentStats {
                agent: *a,
                queued: 0,
                delayed: 0,
                running: 0,
                dead: 0,
                oldest_queued_at: None,
            })
            .collect();
        for (agent, queued, delayed, running, dead, oldest) in rows {
            let agent: AgentKind = agent.parse()?;
            if let Some(s) = out.iter_mut().find(|s| s.agent == agent) {
                *s = AgentStats {
                    agent,
                    queued,
                    delayed,
                    running,
                    dead,
                    oldest_queued_at: oldest,
                };
            }
        }
        Ok(out)
    }
}
