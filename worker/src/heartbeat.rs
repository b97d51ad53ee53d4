//! Lease renewal. Every `heartbeat_interval` the worker extends the Postgres leases of all its
//! running attempts in one statement; an attempt missing from the answer was cancelled, reaped
//! or finished elsewhere and is stopped at once (this is also how a cancel reaches the worker
//! holding the task). A renewal may take until one interval before the leases could expire
//! (measured from when the last successful request was sent); if none succeeds by then, every
//! attempt stops before its lease can be reaped. Fleet slots in Redis are renewed on the same
//! tick.

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
        let sent = Instant::now();
        // A renewal may take as long as the leases allow: until one interval before they could
        // expire (measured from the last success), when every attempt must stop anyway.
        let stop_at = last_ok + ctx.settings.lease_ttl.saturating_sub(ctx.settings.heartbeat_interval);
        let budget = stop_at
            .saturating_duration_since(sent)
            .max(ctx.settings.heartbeat_interval);
        let renewal = ctx
            .store
            .renew_leases(&ctx.settings.worker_id, &held, ctx.settings.lease_ttl);
        let renewed = match tokio::time::timeout(budget, renewal).await {
            Ok(r) => r,
            Err(_) => Err(anyhow::anyhow!(
                "lease renewal did not answer before the leases could expire"
            )),
        };
        match renewed {
            Ok(still) => {
                // The leases were extended no earlier than the request left.
                last_ok = sent;
                for (task, attempt) in held {
                    if !still.contains(&(task, attempt)) {
                        tracing::info!(task.id = %task, attempt = %attempt, "lease gone (cancelled or reaped); stopping the attempt");
                        ctx.running.stop((task, attempt), StopReason::LeaseLost);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error.message = %e, "lease renewal failed");
                if last_ok.elapsed() + ctx.settings.heartbeat_interval >= ctx.settings.lease_ttl {
                    tracing::error!(
                        "leases not renewed for a lease TTL; stopping every attempt before it can be reaped"
                    );
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
