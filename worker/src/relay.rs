//! The event relay: appends committed task events to the Redis events stream (SSE tails it, the
//! notifier consumes it). Events are read and marked in one Postgres transaction that holds
//! their row locks while the XADDs happen, so an event is marked only once Redis has it: a crash
//! in between republishes it (consumers de-duplicate by event id) and loses nothing. When Redis
//! lost the stream (its generation key is new), the last `REPLAY_WINDOW` of events is appended
//! again so the notifier's de-duplicated deliveries can catch up.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::context::Context;

const BATCH: i64 = 1000;
const IDLE_POLL: Duration = Duration::from_millis(100);
/// After a round that found events but not a full batch, how long more gather before the next:
/// under a steady stream each round (a transaction and its commit) then carries the events of
/// this interval instead of the one or two written since the last round.
const LINGER: Duration = Duration::from_millis(10);
/// How far back events are re-published after Redis lost the events stream.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(600);

/// Publishes one round; returns how many events went out.
pub async fn relay_once(store: &shared::store::Store, queue: &shared::queue::Queue) -> anyhow::Result<usize> {
    if queue.events_generation_missing().await? {
        let recent = store.recent_events(REPLAY_WINDOW, 10_000).await?;
        if !recent.is_empty() {
            tracing::info!(
                events = recent.len(),
                "events stream was lost; re-publishing recent events"
            );
            queue.publish_events(&recent).await?;
        }
        // Only once the replay is out: a failed replay is tried again next round.
        queue.set_events_generation().await?;
    }
    let mut total = 0;
    loop {
        let n = store
            .relay_events(BATCH, |events| async move { queue.publish_events(&events).await })
            .await?;
        total += n;
        if n < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            return Ok(total);
        }
    }
}

/// Runs until `stop` is cancelled.
pub async fn run(ctx: Arc<Context>, stop: CancellationToken) {
    run_with(ctx.store.clone(), ctx.queue.clone(), stop).await;
}

/// Runs on given handles until `stop` is cancelled (the notifier runs a relay too).
pub async fn run_with(store: shared::store::Store, queue: shared::queue::Queue, stop: CancellationToken) {
    loop {
        let pause = match relay_once(&store, &queue).await {
            Ok(0) => IDLE_POLL,
            Ok(_) => LINGER,
            Err(e) => {
                tracing::warn!(error.message = %format!("{e:#}"), "event relay failed; retrying");
                Duration::from_secs(1)
            }
        };
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}
