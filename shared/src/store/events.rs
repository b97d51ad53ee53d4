//! The event log as a feed: reading events after a cursor (SSE replay), and the relay's outbox
//! of events not yet appended to the Redis events stream (`event_outbox_batches`: one row per
//! statement that wrote events, filled by a trigger on `task_events`).

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Store;
use crate::domain::{Attempt, EventRecord, TaskId};

/// A filter for the event feed.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only this task.
    pub task: Option<TaskId>,
    /// Only tasks of this project.
    pub project: Option<Uuid>,
    /// Only tasks of these projects (a token's project scope).
    pub projects: Option<Vec<Uuid>>,
}

impl EventFilter {
    /// Whether an event passes.
    pub fn matches(&self, e: &FeedEvent) -> bool {
        self.task.is_none_or(|t| t == e.event.task_id)
            && self.project.is_none_or(|p| Some(p) == e.project)
            && self
                .projects
                .as_ref()
                .is_none_or(|ps| e.project.is_some_and(|p| ps.contains(&p)))
    }
}

type Row = (
    i64,
    Uuid,
    Option<String>,
    String,
    String,
    i32,
    String,
    Option<String>,
    DateTime<Utc>,
    Option<Uuid>,
);

pub use crate::domain::FeedEvent;

fn to_feed(rows: Vec<Row>) -> anyhow::Result<Vec<FeedEvent>> {
    rows.into_iter()
        .map(|(id, task, from, to, event, attempt, actor, reason, at, project)| {
            Ok(FeedEvent {
                event: EventRecord {
                    id,
                    task_id: TaskId::from_uuid(task),
                    from: from.map(|s| s.parse()).transpose()?,
                    to: to.parse()?,
                    event,
                    attempt: Attempt(attempt),
                    actor,
                    reason,
                    at,
                },
                project,
            })
        })
        .collect()
}

impl Store {
    /// Events after `after`, oldest first, at most `limit`.
    pub async fn events_after(&self, after: i64, f: &EventFilter, limit: i64) -> anyhow::Result<Vec<FeedEvent>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT e.id, e.task_id, e.from_state::text, e.to_state::text, e.event, e.attempt, e.actor, e.reason, \
               e.created_at, t.project_id \
             FROM task_events e JOIN tasks t ON t.id = e.task_id \
             WHERE e.id > $1 AND ($2::uuid IS NULL OR e.task_id = $2) AND ($3::uuid IS NULL OR t.project_id = $3) \
               AND ($5::uuid[] IS NULL OR t.project_id = ANY($5)) \
             ORDER BY e.id LIMIT $4",
        )
        .bind(after)
        .bind(f.task.map(|t| t.as_uuid()))
        .bind(f.project)
        .bind(limit)
        .bind(f.projects.as_deref())
        .fetch_all(&self.pool)
        .await
        .context("reading events")?;
        to_feed(rows)
    }

    /// The highest event id (0 when there is none).
    pub async fn last_event_id(&self) -> anyhow::Result<i64> {
        let id: Option<i64> = sqlx::query_scalar("SELECT max(id) FROM task_events")
            .fetch_one(&self.pool)
            .await?;
        Ok(id.unwrap_or(0))
    }

    /// Runs `publish` on the unpublished events of the oldest outbox rows (one row per statement
    /// that wrote events; whole rows, at least one, at most `limit` events unless the first row
    /// alone holds more) and takes those rows out of the outbox, in one transaction holding them
    /// (concurrent relays skip them). If `publish` fails or the commit does, the outbox keeps
    /// them and they are published again later. Returns how many events went out.
    pub async fn relay_events<F, Fut>(&self, limit: i64, publish: F) -> anyhow::Result<usize>
    where
        F: FnOnce(Vec<FeedEvent>) -> Fut,
        Fut: std::future::Future<Output = anyhow::Result<()>>,
    {
        // Losing this commit in a crash only publishes the events again (consumers de-duplicate
        // by id), so it need not wait for its WAL flush.
        let mut tx = self
            .pool
            .begin_with("BEGIN; SET LOCAL synchronous_commit = off")
            .await?;
        // Sizes first, so rows beyond the limit are never read in full.
        let rows: Vec<(i64, i32)> = sqlx::query_as(
            "SELECT id, cardinality(event_ids) FROM event_outbox_batches ORDER BY id LIMIT $1 \
             FOR UPDATE SKIP LOCKED",
        )
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .context("locking outbox rows")?;
        let budget = usize::try_from(limit).unwrap_or(0);
        let mut taken = Vec::new();
        let mut count = 0usize;
        for (id, n) in rows {
            let n = usize::try_from(n).unwrap_or(0);
            if !taken.is_empty() && count + n > budget {
                break;
            }
            taken.push(id);
            count += n;
        }
        if taken.is_empty() {
            return Ok(0);
        }
        // Taking the rows and reading their events is one statement. One primary-key lookup per
        // event, whatever the statistics: as a join, a batch of 1,000 was planned as sequential
        // scans of both tables and a hash join (5 times slower on a table of 80,000 events; the
        // LIMIT keeps the subqueries from being flattened into one).
        let rows: Vec<Row> = sqlx::query_as(
            "WITH taken AS (DELETE FROM event_outbox_batches WHERE id = ANY($1) RETURNING event_ids) \
             SELECT e.id, e.task_id, e.from_state::text, e.to_state::text, e.event, e.attempt, e.actor, e.reason, \
               e.created_at, t.project_id \
             FROM taken CROSS JOIN LATERAL unnest(taken.event_ids) AS x(id) \
             CROSS JOIN LATERAL (SELECT * FROM task_events e WHERE e.id = x.id LIMIT 1) e \
             CROSS JOIN LATERAL (SELECT t.project_id FROM tasks t WHERE t.id = e.task_id LIMIT 1) t \
             ORDER BY e.id",
        )
        .bind(&taken)
        .fetch_all(&mut *tx)
        .await
        .context("taking events from the outbox")?;
        // Entries whose event is gone (a deleted task) are dropped with the rest.
        if !rows.is_empty() {
            publish(to_feed(rows)?).await?;
        }
        tx.commit().await?;
        Ok(count)
    }

    /// Events of the last `window` (for re-publishing after Redis lost the events stream).
    pub async fn recent_events(&self, window: std::time::Duration, limit: i64) -> anyhow::Result<Vec<FeedEvent>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT e.id, e.task_id, e.from_state::text, e.to_state::text, e.event, e.attempt, e.actor, e.reason, \
               e.created_at, t.project_id \
             FROM task_events e JOIN tasks t ON t.id = e.task_id \
             WHERE e.created_at > now() - make_interval(secs => $1) \
               AND e.id NOT IN (SELECT unnest(o.event_ids) FROM event_outbox_batches o) \
             ORDER BY e.id DESC LIMIT $2",
        )
        .bind(window.as_secs_f64())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        // Newest first in the query (so a cap drops the oldest), oldest first out.
        let mut events = to_feed(rows)?;
        events.reverse();
        Ok(events)
    }
}
