//! The worker's side of the store: claims, lease renewal, fenced finishes, expired leases.
//!
//! The lease of a running attempt lives here (`tasks.lease_owner`, `lease_expires_at`, on the
//! Postgres clock) because Postgres is the truth: a Redis flush cannot make two workers believe
//! they own the same attempt. The attempt number is the fencing token: a claim bumps it, and
//! every finish is conditional on it (see [`super::tasks`]).

use std::collections::HashSet;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Store;
use super::rows::{TaskRow, task_columns, tasks_from_rows};
use super::tasks::{Applied, Transition, apply_transitions_on};
use crate::domain::{AgentKind, Attempt, Dispatch, Task, TaskEvent, TaskId, TaskState, transition};

/// The result of a batch claim.
#[derive(Debug, Default)]
pub struct ClaimResult {
    /// Now RUNNING under this worker's lease, with the new attempt.
    pub claimed: Vec<Task>,
    /// Still QUEUED at the dispatched attempt but not claimable now (agent paused): put back.
    pub deferred: Vec<Dispatch>,
    /// Stale orders (task moved on, cancelled, or already claimed): drop them.
    pub stale: Vec<Dispatch>,
    /// Orders whose fate could not be read after the claim committed: leave their entries
    /// pending (XAUTOCLAIM brings them back).
    pub unknown: Vec<Dispatch>,
}

/// A RUNNING task whose lease ran out.
#[derive(Debug, Clone)]
pub struct ExpiredLease {
    /// The task.
    pub id: TaskId,
    /// The attempt that lost its lease.
    pub attempt: Attempt,
    /// Its agent.
    pub agent: AgentKind,
    /// Charged attempts including the lost one.
    pub attempts_charged: i32,
    /// The task's limit.
    pub max_attempts: i32,
    /// Who held it.
    pub owner: Option<String>,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl Store {
    /// Claims dispatched tasks for `worker` (the state is compared as text so the planner looks
    /// the few claimed rows up by primary key instead of scanning the whole queue's partial
    /// index when its statistics are stale): QUEUED → RUNNING, attempt + 1, a lease of `ttl`, an
    /// execution row and a `start` event, in one statement. Orders whose attempt no longer
    /// matches are stale; orders blocked by a paused agent are deferred.
    pub async fn claim(&self, worker: &str, orders: &[Dispatch], ttl: Duration) -> anyhow::Result<ClaimResult> {
        if orders.is_empty() {
            return Ok(ClaimResult::default());
        }
        let to = transition(TaskState::Queued, TaskEvent::Start)?;
        let ids: Vec<Uuid> = orders.iter().map(|o| o.task.as_uuid()).collect();
        let expected: Vec<i32> = orders.iter().map(|o| o.attempt.0).collect();
        let sql = concat!(
            "WITH i AS (SELECT DISTINCT ON (id) * FROM unnest($1::uuid[], $2::int[]) AS i(id, expected) \
               ORDER BY id, expected DESC), \
             upd AS ( \
               UPDATE tasks t SET state = $3::task_state, attempt = t.attempt + 1, \
                 attempts_charged = t.attempts_charged + 1, lease_owner = $4, \
                 lease_expires_at = now() + make_interval(secs => $5), run_at = NULL, updated_at = now() \
               FROM i WHERE t.id = i.id AND t.state::text = 'QUEUED' AND t.attempt = i.expected \
                 AND NOT EXISTS (SELECT 1 FROM agent_settings s WHERE s.agent = t.agent \
                                 AND (s.paused OR s.paused_until > now())) \
               RETURNING t.* \
             ), ex AS ( \
               INSERT INTO executions (id, task_id, attempt, worker_id, started_at) \
               SELECT gen_random_uuid(), id, attempt, $4, now() FROM upd \
             ), ev AS ( \
               INSERT INTO task_events (task_id, from_state, to_state, event, attempt, actor) \
               SELECT id, 'QUEUED', $3::task_state, 'start', attempt, 'worker:' || $4 FROM upd ORDER BY id \
             ) \
             SELECT ",
            task_columns!(),
            " FROM upd t"
        );
        let rows: Vec<TaskRow> = sqlx::query_as(sql)
            .bind(&ids)
            .bind(&expected)
            .bind(to.as_str())
            .bind(worker)
            .bind(secs(ttl))
            .fetch_all(&self.pool)
            .await
            .context("claiming tasks")?;
        let claimed = tasks_from_rows(rows)?;
        let got: HashSet<Uuid> = claimed.iter().map(|t| t.id.as_uuid()).collect();
        let rest: Vec<&Dispatch> = orders.iter().filter(|o| !got.contains(&o.task.as_uuid())).collect();
        let mut result = ClaimResult {
            claimed,
            ..ClaimResult::default()
        };
        if rest.is_empty() {
            return Ok(result);
        }
        // The claim has committed: whatever happens now, the claimed tasks must be returned.
        let still: Vec<(Uuid, i32)> =
            match sqlx::query_as("SELECT t.id, t.attempt FROM tasks t WHERE t.id = ANY($1) AND t.state = 'QUEUED'")
                .bind(rest.iter().map(|o| o.task.as_uuid()).collect::<Vec<_>>())
                .fetch_all(&self.pool)
                .await
            {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!(error.message = %e, "could not sort unclaimed orders; leaving them pending");
                    result.unknown = rest.into_iter().copied().collect();
                    return Ok(result);
                }
            };
        for o in rest {
            if still.iter().any(|(id, a)| *id == o.task.as_uuid() && *a == o.attempt.0) {
                result.deferred.push(*o);
            } else {
                result.stale.push(*o);
            }
        }
        Ok(result)
    }

    /// Extends the leases `worker` still holds; returns those it holds. A task missing from the
    /// answer was cancelled, finished elsewhere, or reaped: its attempt must stop. An expired
    /// lease is not revived (a reaper may already be requeueing it).
    ///
    /// Rows another transaction has locked (most often this worker's own result batch) are
    /// skipped rather than waited for: waiting on rows in no fixed order against a batch that
    /// locks them in another order is a deadlock, and a skipped row only misses one renewal. A
    /// skipped row whose committed state still shows this lease counts as held.
    pub async fn renew_leases(
        &self,
        worker: &str,
        held: &[(TaskId, Attempt)],
        ttl: Duration,
    ) -> anyhow::Result<HashSet<(TaskId, Attempt)>> {
        if held.is_empty() {
            return Ok(HashSet::new());
        }
        let ids: Vec<Uuid> = held.iter().map(|h| h.0.as_uuid()).collect();
        let attempts: Vec<i32> = held.iter().map(|h| h.1.0).collect();
        let rows: Vec<(Uuid, i32)> = sqlx::query_as(
            "WITH mine AS MATERIALIZED ( \
               SELECT t.id FROM tasks t JOIN unnest($1::uuid[], $2::int[]) AS i(id, attempt) \
                 ON t.id = i.id AND t.attempt = i.attempt \
               WHERE t.state = 'RUNNING' AND t.lease_owner = $3 AND t.lease_expires_at > now() \
               FOR UPDATE OF t SKIP LOCKED \
             ) \
             UPDATE tasks t SET lease_expires_at = now() + make_interval(secs => $4) \
             FROM mine WHERE t.id = mine.id \
             RETURNING t.id, t.attempt",
        )
        .bind(&ids)
        .bind(&attempts)
        .bind(worker)
        .bind(secs(ttl))
        .fetch_all(&self.pool)
        .await
        .context("renewing leases")?;
        let mut out: HashSet<(TaskId, Attempt)> = rows
            .into_iter()
            .map(|r| (TaskId::from_uuid(r.0), Attempt(r.1)))
            .collect();
        if out.len() < held.len() {
            // Skipped (locked) or gone: a plain read tells them apart without waiting.
            let still: Vec<(Uuid, i32)> = sqlx::query_as(
                "SELECT t.id, t.attempt FROM tasks t JOIN unnest($1::uuid[], $2::int[]) AS i(id, attempt) \
                   ON t.id = i.id AND t.attempt = i.attempt \
                 WHERE t.state = 'RUNNING' AND t.lease_owner = $3 AND t.lease_expires_at > now()",
            )
            .bind(&ids)
            .bind(&attempts)
            .bind(worker)
            .fetch_all(&self.pool)
            .await
            .context("checking leases skipped by the renewal")?;
            out.extend(still.into_iter().map(|r| (TaskId::from_uuid(r.0), Attempt(r.1))));
        }
        Ok(out)
    }

    /// RUNNING tasks whose lease expired, oldest first.
    pub async fn expired_leases(&self, limit: i64) -> anyhow::Result<Vec<ExpiredLease>> {
        let rows: Vec<(Uuid, i32, String, i32, i32, Option<String>)> = sqlx::query_as(
            "SELECT id, attempt, agent::text, attempts_charged, max_attempts, lease_owner FROM tasks \
             WHERE state = 'RUNNING' AND lease_expires_at < now() ORDER BY lease_expires_at LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, attempt, agent, charged, max, owner)| {
                Ok(ExpiredLease {
                    id: TaskId::from_uuid(id),
                    attempt: Attempt(attempt),
                    agent: agent.parse()?,
                    attempts_charged: charged,
                    max_attempts: max,
                    owner,
                })
            })
            .collect()
    }

    /// Applies attempt results (fenced transitions) and agent pauses in one transaction.
    pub async fn finish_attempts(
        &self,
        rows: &[Transition],
        pauses: &[(AgentKind, DateTime<Utc>, String)],
        actor: &str,
    ) -> anyhow::Result<Vec<Applied>> {
        if pauses.is_empty() {
            // One statement: atomic on its own, and two round trips shorter than a transaction.
            let mut c = self.pool.acquire().await?;
            return apply_transitions_on(&mut c, rows, actor).await;
        }
        let mut tx = self.pool.begin().await?;
        let applied = apply_transitions_on(&mut tx, rows, actor).await?;
        for (agent, until, reason) in pauses {
            sqlx::query(
                "INSERT INTO agent_settings (agent, paused_until, pause_reason) VALUES ($1::agent_kind, $2, $3) \
                 ON CONFLICT (agent) DO UPDATE SET \
                   paused_until = greatest(agent_settings.paused_until, excluded.paused_until), \
                   pause_reason = excluded.pause_reason, updated_at = now()",
            )
            .bind(agent.as_str())
            .bind(until)
            .bind(reason)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(applied)
    }
}
