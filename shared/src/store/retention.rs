//! Retention: deleting terminal tasks, with their history, once they are past the retention
//! settings, in small batches under a fleet-wide lease.
//!
//! A task is pruned only when it is terminal (COMPLETED, FAILED, CANCELLED, TIMED_OUT,
//! BUDGET_EXCEEDED), finished before the cutoff (or is beyond the newest `keep_per_project`
//! terminal tasks of its project), and nothing live still points at it: no subtask (children go
//! first, the parent in a later batch), no story (story tasks stay as long as their story), no
//! task that is not terminal listing it in `depends_on` (a missing prerequisite would count as
//! met). Its events, executions, archived logs, workspace archive, push deliveries, attempt
//! tokens, CI-failure record and idempotency key go with it (some by `ON DELETE CASCADE`), and
//! its totals go into `task_daily_stats` in the same statement, so [`Store::daily_stats`] gives
//! the same answer before and after. Candidate rows are locked with `SKIP LOCKED`: a task being
//! re-run at that moment is left for a later batch, and nothing waits on the pruner.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Store;

/// The terminal states, as SQL (the states no worker or reconciler acts on by itself).
const TERMINAL: &str = "('COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'BUDGET_EXCEEDED')";
/// What else must hold for a terminal task `t` to be pruned: nothing live points at it. Part of
/// the candidate queries (so a batch never keeps finding the same unprunable rows) and checked
/// again under the row lock.
const PRUNABLE: &str = "t.story_id IS NULL \
    AND NOT EXISTS (SELECT 1 FROM tasks c WHERE c.parent_task_id = t.id) \
    AND NOT EXISTS (SELECT 1 FROM stories s WHERE s.validation_task_id = t.id) \
    AND t.id NOT IN (SELECT unnest(l.depends_on) FROM tasks l \
      WHERE l.state IN ('PENDING', 'QUEUED', 'RUNNING', 'BLOCKED', 'READY') AND l.depends_on <> '{}')";

/// What one batch removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    /// Candidates looked at (a full batch means there may be more).
    pub candidates: usize,
    /// Tasks deleted.
    pub tasks: u64,
    /// Their events.
    pub events: u64,
    /// Their executions.
    pub executions: u64,
    /// Webhook deliveries older than the cutoff.
    pub webhook_deliveries: u64,
}

/// One row of [`Store::daily_stats`]: terminal tasks that finished that day (UTC), live and
/// pruned together.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyStats {
    /// The day the tasks finished.
    pub day: chrono::NaiveDate,
    /// Agent type.
    pub agent: String,
    /// Project, if any.
    pub project_id: Option<Uuid>,
    /// Final state.
    pub state: String,
    /// Dead letters (failed because their leases kept expiring).
    pub dead_letter: bool,
    /// Tasks.
    pub tasks: i64,
    /// Attempts (claims) they took.
    pub attempts: i64,
    /// Execution rows they had.
    pub executions: i64,
    /// Their cost.
    pub cost_usd: f64,
    /// Input tokens.
    pub tokens_in: i64,
    /// Output tokens.
    pub tokens_out: i64,
}

/// The smallest UUIDv7 of the millisecond `at`: task ids are UUIDv7, so every task created
/// before `at` has a smaller id, and the primary key finds old tasks without another index.
fn v7_floor(at: DateTime<Utc>) -> Uuid {
    let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(ms, &[0u8; 10]).into_uuid()
}

impl Store {
    /// Takes or renews the lease `name` for `holder` until `ttl` from now; false when another
    /// holder's lease has not expired.
    pub async fn take_lease(&self, name: &str, holder: &str, ttl: std::time::Duration) -> anyhow::Result<bool> {
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let got: Option<String> = sqlx::query_scalar(
            "INSERT INTO maintenance_leases (name, holder, expires_at) \
             VALUES ($1, $2, now() + $3 * interval '1 millisecond') \
             ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at \
             WHERE maintenance_leases.holder = EXCLUDED.holder OR maintenance_leases.expires_at < now() \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(ms)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| anyhow::anyhow!(e).context(format!("taking the {name} lease")))?;
        Ok(got.is_some())
    }

    /// Gives the lease up (shutdown), so another worker need not wait for it to expire.
    pub async fn release_lease(&self, name: &str, holder: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM maintenance_leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!(e).context(format!("releasing the {name} lease")))?;
        Ok(())
    }

    /// Prunes at most `limit` terminal tasks that finished before `cutoff` (when given) or lie
    /// beyond the newest `keep_per_project` terminal tasks of their project (when given), with
    /// their history; also webhook deliveries received before `cutoff`.
    pub async fn prune_terminal(
        &self,
        cutoff: Option<DateTime<Utc>>,
        keep_per_project: Option<u32>,
        limit: u32,
    ) -> anyhow::Result<Pruned> {
        let limit = i64::from(limit.max(1));
        let mut ids: Vec<Uuid> = Vec::new();
        if let Some(cutoff) = cutoff {
            // Old by creation (the primary key's order) and by last change.
            let sql = format!(
                "SELECT t.id FROM tasks t WHERE t.id < $1 AND t.updated_at < $2 AND t.state IN {TERMINAL} \
                 AND {PRUNABLE} ORDER BY t.id LIMIT $3"
            );
            ids = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(v7_floor(cutoff))
                .bind(cutoff)
                .bind(limit)
                .fetch_all(&self.pool)
                .await
                .map_err(|e| anyhow::anyhow!(e).context("finding tasks past the retention age"))?;
        }
        if let Some(keep) = keep_per_project {
            let room = limit - i64::try_from(ids.len()).unwrap_or(limit);
            if room > 0 {
                // Per project (and once for tasks without one) the newest `keep` terminal tasks
                // stay, counted whether or not they could be pruned. Each probe walks the
                // project's index (or the primary key) backwards from the newest task and stops
                // once the batch is full (no outer ORDER BY, so the LIMIT ends the walk).
                let sql = format!(
                    "SELECT t.id FROM ( \
                       SELECT x.id FROM projects p CROSS JOIN LATERAL ( \
                         SELECT id FROM tasks WHERE project_id = p.id AND state IN {TERMINAL} \
                         ORDER BY id DESC OFFSET $1) x \
                       UNION ALL ( \
                         SELECT id FROM tasks WHERE project_id IS NULL AND state IN {TERMINAL} \
                         ORDER BY id DESC OFFSET $1) \
                     ) excess JOIN tasks t ON t.id = excess.id \
                     WHERE NOT (t.id = ANY($2)) AND {PRUNABLE} LIMIT $3"
                );
                let more: Vec<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .bind(i64::from(keep))
                    .bind(&ids)
                    .bind(room)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(|e| anyhow::anyhow!(e).context("finding tasks beyond the per-project count"))?;
                ids.extend(more);
            }
        }
        let mut out = Pruned {
            candidates: ids.len(),
            ..Pruned::default()
        };
        if !ids.is_empty() {
            let (tasks, events, executions) = self.delete_tasks(&ids).await?;
            out.tasks = tasks;
            out.events = events;
            out.executions = executions;
        }
        if let Some(cutoff) = cutoff {
            let r = sqlx::query(
                "DELETE FROM webhook_deliveries WHERE ctid = ANY(ARRAY( \
                   SELECT ctid FROM webhook_deliveries WHERE received_at < $1 LIMIT $2))",
            )
            .bind(cutoff)
            .bind(limit)
            .execute(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!(e).context("pruning webhook deliveries"))?;
            out.webhook_deliveries = r.rows_affected();
        }
        Ok(out)
    }

    /// Deletes those of `ids` that are still prunable (re-checked under a row lock), rolling
    /// their totals up first. Returns (tasks, events, executions) deleted.
    async fn delete_tasks(&self, ids: &[Uuid]) -> anyhow::Result<(u64, u64, u64)> {
        // One statement: the rollup, the history and the rows commit together or not at all.
        // Execution logs, workspace archives, attempt tokens and CI-failure records cascade
        // from tasks, push deliveries from task_events; webhook deliveries keep their row.
        let sql = format!(
            "WITH doomed AS ( \
               SELECT t.id, t.agent, t.project_id, t.state, t.dead_letter, t.attempt, t.updated_at \
               FROM tasks t \
               WHERE t.id = ANY($1) AND t.state IN {TERMINAL} AND {PRUNABLE} \
               FOR UPDATE OF t SKIP LOCKED \
             ), ex AS ( \
               DELETE FROM executions e USING doomed d WHERE e.task_id = d.id \
               RETURNING e.task_id, e.cost_usd, e.tokens_in, e.tokens_out \
             ), ev AS ( \
               DELETE FROM task_events e USING doomed d WHERE e.task_id = d.id RETURNING e.id \
             ), per_task AS ( \
               SELECT task_id, count(*) AS n, coalesce(sum(cost_usd), 0) AS cost, \
                 coalesce(sum(tokens_in), 0) AS tin, coalesce(sum(tokens_out), 0) AS tout \
               FROM ex GROUP BY task_id \
             ), roll AS ( \
               INSERT INTO task_daily_stats AS s (day, agent, project_key, state, dead_letter, tasks, \
                 attempts, executions, cost_usd, tokens_in, tokens_out) \
               SELECT (d.updated_at AT TIME ZONE 'UTC')::date, d.agent, \
                 coalesce(d.project_id, '00000000-0000-0000-0000-000000000000'), d.state, d.dead_letter, \
                 count(*), sum(d.attempt), coalesce(sum(p.n), 0), coalesce(sum(p.cost), 0), \
                 coalesce(sum(p.tin), 0), coalesce(sum(p.tout), 0) \
               FROM doomed d LEFT JOIN per_task p ON p.task_id = d.id \
               GROUP BY 1, 2, 3, 4, 5 \
               ON CONFLICT (day, agent, project_key, state, dead_letter) DO UPDATE SET \
                 tasks = s.tasks + EXCLUDED.tasks, attempts = s.attempts + EXCLUDED.attempts, \
                 executions = s.executions + EXCLUDED.executions, cost_usd = s.cost_usd + EXCLUDED.cost_usd, \
                 tokens_in = s.tokens_in + EXCLUDED.tokens_in, tokens_out = s.tokens_out + EXCLUDED.tokens_out \
               RETURNING 1 \
             ), gone AS ( \
               DELETE FROM tasks t USING doomed d WHERE t.id = d.id RETURNING t.id \
             ) \
             SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM ev), (SELECT count(*) FROM ex), \
               (SELECT count(*) FROM roll)"
        );
        let (tasks, events, executions, _): (i64, i64, i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(ids)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!(e).context(format!("pruning {} tasks", ids.len())))?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok((n(tasks), n(events), n(executions)))
    }

    /// Terminal tasks per day they finished, agent, project, final state and dead-letter flag:
    /// the live ones counted from `tasks` and `executions`, the pruned ones from the rollup.
    pub async fn daily_stats(&self, since: chrono::NaiveDate) -> anyhow::Result<Vec<DailyStats>> {
        type Row = (chrono::NaiveDate, String, Option<Uuid>, String, bool, i64, i64, i64, f64, i64, i64);
        let sql = format!(
            "WITH live AS ( \
               SELECT (t.updated_at AT TIME ZONE 'UTC')::date AS day, t.agent, \
                 coalesce(t.project_id, '00000000-0000-0000-0000-000000000000') AS project_key, t.state, \
                 t.dead_letter, 1::bigint AS tasks, t.attempt::bigint AS attempts, \
                 (SELECT count(*) FROM executions e WHERE e.task_id = t.id) AS executions, \
                 (SELECT coalesce(sum(cost_usd), 0) FROM executions e WHERE e.task_id = t.id) AS cost_usd, \
                 (SELECT coalesce(sum(tokens_in), 0) FROM executions e WHERE e.task_id = t.id)::bigint AS tokens_in, \
                 (SELECT coalesce(sum(tokens_out), 0) FROM executions e WHERE e.task_id = t.id)::bigint AS tokens_out \
               FROM tasks t WHERE t.state IN {TERMINAL} AND t.updated_at >= $1 \
             ), everything AS ( \
               SELECT * FROM live \
               UNION ALL SELECT day, agent, project_key, state, dead_letter, tasks, attempts, executions, \
                 cost_usd, tokens_in, tokens_out FROM task_daily_stats WHERE day >= $1 \
             ) \
             SELECT day, agent::text, nullif(project_key, '00000000-0000-0000-0000-000000000000'), \
               state::text, dead_letter, sum(tasks)::bigint, sum(attempts)::bigint, sum(executions)::bigint, \
               sum(cost_usd)::float8, sum(tokens_in)::bigint, sum(tokens_out)::bigint \
             FROM everything GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
        );
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(since)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| anyhow::anyhow!(e).context("reading daily statistics"))?;
        Ok(rows
            .into_iter()
            .map(|r| DailyStats {
                day: r.0,
                agent: r.1,
                project_id: r.2,
                state: r.3,
                dead_letter: r.4,
                tasks: r.5,
                attempts: r.6,
                executions: r.7,
                cost_usd: r.8,
                tokens_in: r.9,
                tokens_out: r.10,
            })
            .collect())
    }
}
