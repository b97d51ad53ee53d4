//! Building and running a worker process.
//!
//! `Worker::build` connects; `run_until_stopped` starts one claim loop per agent type served, the
//! heartbeat, the recorder and the maintenance loop, and runs until the shutdown future
//! resolves. Then it stops claiming, lets running attempts finish for up to
//! `shutdown_grace`, hands the rest back (requeued at once, attempt refunded), and exits.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use shared::config::WorkerSettings;
use shared::queue::Queue;
use shared::store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::context::Context;
use crate::recorder::Recorder;
use crate::running::StopReason;
use crate::{consumer, heartbeat, maintenance, registry, relay, stories};

/// A connected, not yet running worker.
pub struct Worker {
    store: Store,
    queue: Queue,
    settings: WorkerSettings,
}

impl Worker {
    /// Connects to Postgres and Redis.
    pub async fn build(settings: WorkerSettings) -> anyhow::Result<Worker> {
        install_crypto();
        let store = Store::connect(&settings.common.database_url, settings.common.database_max_connections).await?;
        let queue = Queue::connect(settings.common.redis.clone(), &settings.common.redis_prefix).await?;
        Ok(Worker { store, queue, settings })
    }

    /// Uses existing handles (tests).
    pub fn build_with(settings: WorkerSettings, store: Store, queue: Queue) -> Worker {
        install_crypto();
        Worker { store, queue, settings }
    }

    /// Runs until `shutdown` resolves, then shuts down gracefully.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let background = TaskTracker::new();
        let recorder = Recorder::spawn(
            self.store.clone(),
            self.queue.clone(),
            format!("worker:{}", self.settings.worker_id),
            &background,
        );
        let ctx = Arc::new(Context::new(self.store, self.queue, self.settings, recorder));
        for agent in &ctx.settings.agents {
            ctx.queue.ensure_groups(*agent).await?;
        }
        let claiming = CancellationToken::new();
        let upkeep = CancellationToken::new();
        let attempts = TaskTracker::new();
        let loops = TaskTracker::new();
        for agent in ctx.settings.agents.clone() {
            for _ in 0..ctx.settings.claim_loops {
                loops.spawn(consumer::run(ctx.clone(), agent, claiming.clone(), attempts.clone()));
            }
        }
        background.spawn(heartbeat::run(ctx.clone(), upkeep.clone()));
        background.spawn(maintenance::run(ctx.clone(), upkeep.clone()));
        background.spawn(relay::run(ctx.clone(), upkeep.clone()));
        background.spawn(stories::run(ctx.clone(), upkeep.clone()));
        // Listed once its claim loops run; delisted as soon as it stops claiming.
        let started_at = chrono::Utc::now();
        registry::register(&ctx, started_at).await;
        background.spawn(registry::run(ctx.clone(), started_at, claiming.clone()));
        tracing::info!(worker = %ctx.settings.worker_id, agents = ?ctx.settings.agents, concurrency = ctx.settings.concurrency, "worker running");

        shutdown.await;
        tracing::info!(
            running = ctx.running.len(),
            "stopping: no new claims; letting running attempts finish"
        );
        claiming.cancel();
        loops.close();
        loops.wait().await;
        let grace = ctx.settings.shutdown_grace;
        if tokio::time::timeout(grace, ctx.running.wait_empty()).await.is_err() {
            tracing::info!(running = ctx.running.len(), "grace period over; handing the rest back");
            ctx.running.stop_all(StopReason::HandBack);
        }
        attempts.close();
        if tokio::time::timeout(grace + Duration::from_secs(10), attempts.wait())
            .await
            .is_err()
        {
            tracing::warn!("attempts did not finish; their leases will expire");
        }
        upkeep.cancel();
        drop(ctx);
        background.close();
        let _ = tokio::time::timeout(Duration::from_secs(10), background.wait()).await;
        tracing::info!("worker stopped");
        Ok(())
    }
}

/// reqwest is built without a default TLS provider (no aws-lc, no OpenSSL): install ring once.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
