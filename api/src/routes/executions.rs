//! `/api/executions/{id}/log`: what an attempt printed. Live, as server-sent events tailing the
//! attempt's Redis log stream from any API node (resumable with `Last-Event-ID`); afterwards,
//! from the archive in Postgres (the execution's captured output).

use futures::channel::mpsc;
use futures::stream::BoxStream;
use futures::{SinkExt as _, StreamExt as _};
use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::payload::{EventStream, PlainText};
use poem_openapi::{Object, OpenApi};
use shared::domain::Execution;
use shared::queue::LogEntry;
use uuid::Uuid;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::ApiError;
use crate::state::AppState;

/// Execution routes.
pub struct ExecutionsApi;

/// One log event: a line, or the end of the log.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LogEvent {
    /// Stream position (use as `Last-Event-ID` to resume).
    pub id: String,
    /// The line (absent on the end event).
    pub line: Option<String>,
    /// True on the last event.
    pub end: bool,
}

const BLOCK: std::time::Duration = std::time::Duration::from_millis(1000);

async fn load(state: &AppState, auth: &BearerAuth, id: Uuid) -> Result<Execution, ApiError> {
    let e = state
        .store
        .execution(id)
        .await?
        .ok_or_else(|| ApiError::not_found("execution", id))?;
    auth.may_touch(e.task_id)?;
    if auth.project_scope().is_some() {
        let task = state
            .store
            .get_task(e.task_id)
            .await?
            .ok_or_else(|| ApiError::not_found("task", e.task_id))?;
        auth.task(&task)?;
    }
    Ok(e)
}

/// The archived log of an ended attempt: the whole compressed log when there is one, else the
/// execution's captured output (its tail).
async fn archived(state: &AppState, exec: &Execution) -> Result<String, ApiError> {
    match state.store.load_log(exec.task_id, exec.attempt).await? {
        Some((text, false)) => Ok(text),
        Some((text, true)) => Ok(format!("{text}[log truncated at LOG_ARCHIVE_MAX_BYTES]\n")),
        None => Ok(state
            .store
            .execution(exec.id)
            .await?
            .and_then(|e| e.output)
            .unwrap_or_default()),
    }
}

async fn send_archive(state: &AppState, exec: &Execution, tx: &mut mpsc::Sender<LogEvent>) {
    let output = archived(state, exec).await.unwrap_or_else(|e| {
        tracing::warn!(error.message = ?e, "archived log unavailable");
        String::new()
    });
    for (n, line) in output.lines().enumerate() {
        let ev = LogEvent {
            id: format!("archive-{n}"),
            line: Some(line.to_owned()),
            end: false,
        };
        if tx.send(ev).await.is_err() {
            return;
        }
    }
    let _ = tx
        .send(LogEvent {
            id: "archive-end".into(),
            line: None,
            end: true,
        })
        .await;
}

async fn feed(state: AppState, exec: Execution, mut after: String, mut tx: mpsc::Sender<LogEvent>) {
    let Ok(mut reader) = state.queue.blocking_reader(BLOCK).await else {
        return send_archive(&state, &exec, &mut tx).await;
    };
    let mut quiet_after_finish = 0;
    loop {
        match reader.log_after(exec.task_id, exec.attempt, &after, BLOCK).await {
            Ok(Some(entries)) => {
                let empty = entries.is_empty();
                for (id, entry) in entries {
                    after = id.clone();
                    let ev = match entry {
                        LogEntry::Line(l) => LogEvent {
                            id,
                            line: Some(l),
                            end: false,
                        },
                        LogEntry::End => {
                            let _ = tx
                                .send(LogEvent {
                                    id,
                                    line: None,
                                    end: true,
                                })
                                .await;
                            return;
                        }
                    };
                    if tx.send(ev).await.is_err() {
                        return;
                    }
                }
                if empty {
                    // A finished attempt whose log was never closed (its worker died): stop after a
                    // few quiet polls.
                    let finished = state
                        .store
                        .execution(exec.id)
                        .await
                        .ok()
                        .flatten()
                        .is_some_and(|e| e.finished_at.is_some());
                    quiet_after_finish = if finished { quiet_after_finish + 1 } else { 0 };
                    if quiet_after_finish >= 3 {
                        let _ = tx
                            .send(LogEvent {
                                id: after.clone(),
                                line: None,
                                end: true,
                            })
                            .await;
                        return;
                    }
                }
            }
            Ok(None) => {
                let finished = state
                    .store
                    .execution(exec.id)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|e| e.finished_at.is_some());
                if finished {
                    return send_archive(&state, &exec, &mut tx).await;
                }
                // Running, nothing printed yet.
                tokio::time::sleep(BLOCK / 2).await;
            }
            Err(e) => {
                tracing::debug!(error.message = %e, "live log unavailable; serving the archive");
                return send_archive(&state, &exec, &mut tx).await;
            }
        }
        if tx.is_closed() {
            return;
        }
    }
}

#[OpenApi(prefix_path = "/api/executions", tag = "ApiTags::Tasks")]
impl ExecutionsApi {
    /// An execution's log
    ///
    /// Everything the attempt printed (up to `LOG_ARCHIVE_MAX_BYTES`, archived compressed when it
    /// ended; before that archive existed, the last `OUTPUT_LIMIT_BYTES`). Empty while it runs.
    #[oai(path = "/:id/log", method = "get")]
    async fn log(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<PlainText<String>, ApiError> {
        let exec = load(&state, &auth, id.0).await?;
        if exec.finished_at.is_none() {
            return Ok(PlainText(String::new()));
        }
        Ok(PlainText(archived(&state, &exec).await?))
    }

    /// Follow an execution's log
    ///
    /// Server-sent events, one per line as the agent prints it (`event: line`, `data:` the line
    /// as plain text, not JSON), then one `event: end` with empty data; `id:` is the event's
    /// `id`. Works from any API node; resume with `Last-Event-ID`. After the attempt ended (and
    /// its live log expired) the archived output is sent instead.
    #[oai(path = "/:id/log/stream", method = "get")]
    async fn stream(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        /// Resume after this position.
        #[oai(name = "Last-Event-ID")]
        last_event_id: Header<Option<String>>,
    ) -> Result<EventStream<BoxStream<'static, LogEvent>>, ApiError> {
        let exec = load(&state, &auth, id.0).await?;
        let after = last_event_id
            .0
            .filter(|s| s.contains('-') && !s.starts_with("archive"))
            .unwrap_or_else(|| "0-0".into());
        let (tx, rx) = mpsc::channel(256);
        tokio::spawn(feed(state.0.clone(), exec, after, tx));
        Ok(EventStream::new(rx.boxed())
            .keep_alive(state.settings.sse_keep_alive)
            .to_event(|e: LogEvent| {
                let kind = if e.end { "end" } else { "line" };
                poem::web::sse::Event::message(e.line.unwrap_or_default())
                    .id(e.id)
                    .event_type(kind)
            }))
    }
}
