//! Coalesces concurrent single-task creates into few Postgres statements.
//!
//! `POST /api/tasks` without an idempotency key hands its task here and waits for the answer.
//! Up to [`WRITERS`] batches are written at once; each takes every task that queued up meanwhile
//! (at most [`MAX_BATCH`]), inserts them with one statement per (initial state, actor), hands the
//! QUEUED ones to Redis in one call, then answers every request. Idle, a lone task is written at
//! once; under load many requests share one statement, one commit and one enqueue, which is
//! where a single create spent most of its time. A batch whose insert fails is retried task by
//! task, so every request gets its own answer (an unknown project fails only its own request).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use shared::domain::{Task, TaskId};
use shared::outbox;
use shared::queue::Queue;
use shared::store::Store;
use shared::store::tasks::{Initial, NewTask};
use tokio::sync::{Mutex, mpsc, oneshot};

/// Most tasks in one insert statement.
const MAX_BATCH: usize = 256;
/// Batches written at once (each holds one pooled connection while it writes).
const WRITERS: usize = 4;

struct Job {
    task: NewTask,
    initial: Initial,
    actor: String,
    reply: oneshot::Sender<anyhow::Result<Task>>,
}

/// Hands tasks to the writers; cheap to clone.
#[derive(Clone)]
pub struct Inserter {
    tx: mpsc::Sender<Job>,
}

impl Inserter {
    /// Starts the writers; they end when every `Inserter` handle is dropped.
    pub fn spawn(store: Store, queue: Queue) -> Inserter {
        let (tx, rx) = mpsc::channel(MAX_BATCH * 4);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..WRITERS {
            tokio::spawn(run(Arc::clone(&rx), store.clone(), queue.clone()));
        }
        Inserter { tx }
    }

    /// Inserts one task, hands it to Redis when it is QUEUED without prerequisites (failures
    /// there are logged and left to the reconciler), and returns it as inserted.
    pub async fn insert(&self, task: NewTask, initial: Initial, actor: String) -> anyhow::Result<Task> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job {
                task,
                initial,
                actor,
                reply,
            })
            .await
            .map_err(|_| anyhow::anyhow!("task writer stopped"))?;
        rx.await
            .map_err(|_| anyhow::anyhow!("task writer dropped the request"))?
    }
}

async fn run(rx: Arc<Mutex<mpsc::Receiver<Job>>>, store: Store, queue: Queue) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    loop {
        {
            let mut rx = rx.lock().await;
            if rx.recv_many(&mut batch, MAX_BATCH).await == 0 {
                return;
            }
        }
        while let Some(first) = batch.first() {
            let (initial, actor) = (first.initial, first.actor.clone());
            let (group, rest): (Vec<Job>, Vec<Job>) =
                batch.drain(..).partition(|j| j.initial == initial && j.actor == actor);
            batch = rest;
            write(&store, &queue, group, initial, &actor).await;
        }
    }
}

async fn write(store: &Store, queue: &Queue, group: Vec<Job>, initial: Initial, actor: &str) {
    let (mut tasks, replies): (Vec<NewTask>, Vec<_>) = group.into_iter().map(|j| (j.task, j.reply)).unzip();
    let marks = outbox::premark(queue, &mut tasks, initial);
    match store.insert_tasks(&tasks, initial, actor).await {
        Ok(inserted) => {
            hand_over(store, queue, &inserted, &marks).await;
            let mut by_id: HashMap<TaskId, Task> = inserted.into_iter().map(|t| (t.id, t)).collect();
            for (t, reply) in tasks.iter().zip(replies) {
                let _ = reply.send(by_id.remove(&t.id).context("the insert returned no row for this task"));
            }
        }
        Err(e) if tasks.len() == 1 => {
            if let Some(reply) = replies.into_iter().next() {
                let _ = reply.send(Err(e));
            }
        }
        Err(_) => {
            // One bad task (say, an unknown project) must not fail the others: one at a time.
            for (t, reply) in tasks.chunks(1).zip(replies) {
                let r = store
                    .insert_tasks(t, initial, actor)
                    .await
                    .and_then(|mut v| v.pop().context("the insert returned no row for this task"));
                if let Ok(task) = &r {
                    hand_over(store, queue, std::slice::from_ref(task), &marks).await;
                }
                let _ = reply.send(r);
            }
        }
    }
}

async fn hand_over(store: &Store, queue: &Queue, inserted: &[Task], marks: &outbox::Premarks) {
    let orders = outbox::immediate_orders(inserted);
    if let Err(e) = outbox::hand_over_premarked(store, queue, &orders, marks).await {
        tracing::warn!(error.message = %e, tasks = orders.len(), "dispatch deferred to the reconciler");
    }
}
