//! Batches attempt results into few Postgres statements.
//!
//! Attempts send their fenced transition here and wait for the answer. The recorder takes
//! whatever has queued up (at most `MAX_BATCH`), writes it with one `finish_attempts` call,
//! hands requeued tasks back to Redis in one call, and answers each sender. Under load this turns
//! hundreds of commits per second into a few; idle, a single result is written at once.

use chrono::{DateTime, Utc};
use shared::domain::{AgentKind, TaskState};
use shared::outbox;
use shared::queue::Queue;
use shared::store::Store;
use shared::store::tasks::{Applied, Transition};
use tokio::sync::{mpsc, oneshot};

const MAX_BATCH: usize = 512;

/// One result to record.
pub struct Record {
    /// The fenced transition.
    pub transition: Transition,
    /// Pause the agent type until then (rate limits).
    pub pause: Option<(AgentKind, DateTime<Utc>, String)>,
    /// Where the answer goes.
    pub reply: oneshot::Sender<anyhow::Result<Applied>>,
}

/// Sends records to the recorder task.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<Record>,
}

impl Recorder {
    /// Starts the recorder task; it ends when every `Recorder` handle is dropped.
    pub fn spawn(store: Store, queue: Queue, actor: String, tracker: &tokio_util::task::TaskTracker) -> Recorder {
        let (tx, rx) = mpsc::channel(MAX_BATCH * 4);
        tracker.spawn(run(rx, store, queue, actor));
        Recorder { tx }
    }

    /// Records one result and waits until it is committed (or refused by the fence).
    pub async fn record(
        &self,
        transition: Transition,
        pause: Option<(AgentKind, DateTime<Utc>, String)>,
    ) -> anyhow::Result<Applied> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Record {
                transition,
                pause,
                reply,
            })
            .await
            .map_err(|_| anyhow::anyhow!("recorder stopped"))?;
        rx.await.map_err(|_| anyhow::anyhow!("recorder dropped the result"))?
    }
}

async fn run(mut rx: mpsc::Receiver<Record>, store: Store, queue: Queue, actor: String) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let rows: Vec<Transition> = batch.iter().map(|r| r.transition.clone()).collect();
        let pauses: Vec<_> = batch.iter().filter_map(|r| r.pause.clone()).collect();
        match store.finish_attempts(&rows, &pauses, &actor).await {
            Ok(applied) => {
                let requeued: Vec<_> = applied
                    .iter()
                    .filter_map(|a| match a {
                        Applied::Done(t) if t.state == TaskState::Queued => Some(outbox::order_for(t)),
                        _ => None,
                    })
                    .collect();
                if let Err(e) = outbox::hand_over(&store, &queue, &requeued).await {
                    tracing::warn!(error.message = %e, tasks = requeued.len(), "requeue dispatch deferred to the reconciler");
                }
                for (r, a) in batch.drain(..).zip(applied) {
                    let _ = r.reply.send(Ok(a));
                }
            }
            Err(e) => {
                let msg = format!("{e:#}");
                for r in batch.drain(..) {
                    let _ = r.reply.send(Err(anyhow::anyhow!("recording result: {msg}")));
                }
            }
        }
    }
}
