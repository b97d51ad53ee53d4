//! Lease renewal. Every `heartbeat_interval` the worker extends the Postgres leases of all its
//! running attempts in one statement; an attempt missing from the answer was cancelled, reaped
//! or finished elsewhere and is stopped at once (this is also how a cancel reaches the worker
//! holding the task). If no renewal succeeds for a lease TTL less one interval, every attempt
//! stops before its lease can be reaped. Fleet slots in Redis are renewed on the same tick.

use std::sync::Arc;
use std::time::Instant;

use tokio_util::sync::CancellationToken;

use crate::context::Context;
use crate::running::StopReason;

/// Runs until `stop` is cancelled.
pub async fn run(ctx: Arc<Context>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(ctx.settings.heartbeat_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_ok = Instant::now();
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let held = ctx.running.leases();
        if held.is_empty() {
            last_ok = Instant::now();
            continue;
        }
        match ctx
            .store
            .renew_leases(&ctx.settings.worker_id, &held, ctx.settings.lease_ttl)
            .await
        {
            Ok(still) => {
                last_ok = Instant::now();
                for (task, attempt) in held {
                    if !still.contains(&task) {
                        tracing::info!(task.id = %task, attempt = %attempt, "lease gone (cancelled or reaped); stopping the attempt");
                        ctx.running.stop(task, StopReason::LeaseLost);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error.message = %e, "lease renewal failed");
                // Stop one interval before the lease can expire, so no reaper requeues a task
                // while this worker still runs it.
                if last_ok.elapsed() + ctx.settings.heartbeat_interval >= ctx.settings.lease_ttl {
                    tracing::error!("leases not renewed for a whole TTL; stopping every attempt");
                    ctx.running.stop_all(StopReason::LeaseLost);
                }
            }
        }
        for (agent, slots) in ctx.running.slots() {
            if let Err(e) = ctx.queue.renew_slots(agent, ctx.settings.lease_ttl, &slots).await {
                tracing::warn!(error.message = %e, agent = %agent, "slot renewal failed");
            }
        }
    }
}
