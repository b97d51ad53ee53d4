//! `GET /api/events`: server-sent events of task transitions, from any API node.
//!
//! A connection first replays from Postgres every event after `Last-Event-ID` (the Postgres
//! event id; without it, only new events are sent), then tails the Redis events stream. It also
//! re-reads Postgres every few seconds, so events are delivered even when Redis lost the stream
//! or no relay runs. Both paths can carry the same event; ids already sent are skipped. Comments
//! are sent as heartbeats so proxies keep the connection open.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use futures::channel::mpsc;
use futures::stream::BoxStream;
use poem::web::Data;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::EventStream;
use poem_openapi::types::ToJSON as _;
use poem_openapi::{Object, OpenApi};
use shared::domain::{FeedEvent, TaskId};
use shared::store::events::EventFilter;
use uuid::Uuid;

use super::ApiTags;
use super::tasks::dto::TaskState;
use crate::auth::BearerAuth;
use crate::problem::ApiError;
use crate::state::AppState;

/// Event routes.
pub struct EventsApi;

/// One task transition, as streamed.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TaskEventView {
    /// Event id (use as `Last-Event-ID` to resume).
    pub id: i64,
    /// The task.
    pub task_id: Uuid,
    /// The task's project.
    pub project_id: Option<Uuid>,
    /// State before (absent at creation).
    pub from: Option<TaskState>,
    /// State after.
    pub to: TaskState,
    /// What happened.
    pub event: String,
    /// Attempt.
    pub attempt: i32,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<FeedEvent> for TaskEventView {
    fn from(f: FeedEvent) -> Self {
        let e = f.event;
        TaskEventView {
            id: e.id,
            task_id: e.task_id.as_uuid(),
            project_id: f.project,
            from: e.from.map(Into::into),
            to: e.to.into(),
            event: e.event,
            attempt: e.attempt.0,
            actor: e.actor,
            reason: e.reason,
            at: e.at,
        }
    }
}

const PG_BATCH: i64 = 500;
const RESCAN: i64 = 1000;
const PG_RECHECK: Duration = Duration::from_secs(2);
const TAIL_BLOCK: Duration = Duration::from_millis(1000);

/// Feeds one client until it disconnects (the channel closes).
async fn feed(state: AppState, filter: EventFilter, start: i64, tx: mpsc::Sender<TaskEventView>) {
    let mut pg_cursor = start;
    let mut tx = tx;
    let mut sent: HashSet<i64> = HashSet::new();
    let mut tail: Option<String> = state.queue.events_tail_id().await.ok();
    let mut reader = state.queue.blocking_reader(TAIL_BLOCK).await.ok();
    let mut next_pg = Instant::now();
    loop {
        if Instant::now() >= next_pg {
            next_pg = Instant::now() + PG_RECHECK;
            // Re-read a window below the cursor: ids are taken before commit, so a lower id can
            // commit after a higher one was read. Never below where the client started.
            let mut from = start.max(pg_cursor - RESCAN);
            loop {
                let batch = match state.store.events_after(from, &filter, PG_BATCH).await {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::warn!(error.message = %e, "event replay from Postgres failed");
                        break;
                    }
                };
                let n = batch.len();
                for e in batch {
                    from = e.event.id;
                    pg_cursor = pg_cursor.max(e.event.id);
                    if sent.insert(e.event.id) && futures::SinkExt::send(&mut tx, e.into()).await.is_err() {
                        return;
                    }
                }
                // Far below the cursor nothing comes again (rescans reach RESCAN ids back).
                sent.retain(|id| *id > pg_cursor - 10 * RESCAN);
                if n < PG_BATCH as usize {
                    break;
                }
            }
        }
        match (&mut reader, &tail) {
            (Some(r), Some(after)) => match r.events_after(after, TAIL_BLOCK, 200).await {
                Ok(entries) => {
                    for (stream_id, e) in entries {
                        tail = Some(stream_id);
                        if filter.matches(&e)
                            && e.event.id > start
                            && sent.insert(e.event.id)
                            && futures::SinkExt::send(&mut tx, e.into()).await.is_err()
                        {
                            return;
                        }
                    }
                }
                Err(e) => {
                    tracing::debug!(error.message = %e, "events tail failed; falling back to Postgres");
                    reader = None;
                }
            },
            _ => {
                if tx.is_closed() {
                    return;
                }
                tokio::time::sleep(PG_RECHECK).await;
                if reader.is_none() {
                    reader = state.queue.blocking_reader(TAIL_BLOCK).await.ok();
                }
                if tail.is_none() {
                    tail = state.queue.events_tail_id().await.ok();
                }
            }
        }
        if tx.is_closed() {
            return;
        }
    }
}

#[OpenApi(tag = "ApiTags::Events")]
impl EventsApi {
    /// Stream task events
    ///
    /// Server-sent events, one per task transition (`event: task`, `id:` the event id, data a
    /// JSON `TaskEventView`). Resume with the `Last-Event-ID` header to replay what was missed;
    /// without it only new events are sent. Filter by task or project. Heartbeat comments keep
    /// proxies from closing an idle connection.
    #[oai(path = "/api/events", method = "get")]
    async fn stream(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only this task's events.
        task_id: Query<Option<Uuid>>,
        /// Only events of this project's tasks.
        project_id: Query<Option<Uuid>>,
        /// Resume after this event id.
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<String>>,
    ) -> Result<EventStream<BoxStream<'static, TaskEventView>>, ApiError> {
        let mut filter = EventFilter {
            task: task_id.0.map(TaskId::from_uuid),
            project: project_id.0,
            projects: auth.project_scope().map(<[Uuid]>::to_vec),
        };
        if let Some(scope) = auth.0.task_scope {
            filter.task = Some(scope);
        }
        let cursor = match last_event_id.0.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("Last-Event-ID must be an event id from this stream".into()))?,
            _ => state.store.last_event_id().await?,
        };
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(feed(state.0.clone(), filter, cursor, tx));
        let keep_alive = state.settings.sse_keep_alive;
        Ok(EventStream::new(rx.boxed())
            .keep_alive(keep_alive)
            .to_event(|e: TaskEventView| {
                let id = e.id.to_string();
                // The same serializer as JSON responses, so the event matches its schema (absent
                // values omitted, never null).
                let data = e.to_json_string();
                poem::web::sse::Event::message(data).id(id).event_type("task")
            }))
    }
}
