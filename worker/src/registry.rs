//! The worker's entry in the worker registry (`shared::store::workers`): registered at start,
//! refreshed on every heartbeat tick with its running attempts and an expiry one lease TTL ahead,
//! deleted on a clean shutdown. A worker killed without a goodbye drops out of every live read
//! when its expiry passes, at most one lease TTL after its last heartbeat. A failed refresh only
//! logs: the registry informs listings and classification, it guards nothing.

use std::sync::Arc;

use chrono::Utc;
use shared::domain::worker::WorkerPresence;
use tokio_util::sync::CancellationToken;

use crate::context::Context;

/// This process's presence as of now.
fn presence(ctx: &Context, started_at: chrono::DateTime<Utc>) -> WorkerPresence {
    WorkerPresence {
        id: ctx.settings.worker_id.clone(),
        host: host_name(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        agents: ctx.settings.agents.clone(),
        concurrency: u32::try_from(ctx.settings.concurrency).unwrap_or(u32::MAX),
        running: u32::try_from(ctx.running.len()).unwrap_or(u32::MAX),
        sandbox: ctx.settings.sandbox_label.clone(),
        started_at,
    }
}

/// The kernel's host name, else `HOSTNAME`, else `unknown`.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown".into())
}

/// Registers once (so the worker is listed before its first tick), prunes long-dead rows.
pub async fn register(ctx: &Context, started_at: chrono::DateTime<Utc>) {
    if let Err(e) = ctx.store.register_worker(&presence(ctx, started_at), ctx.settings.lease_ttl).await {
        tracing::warn!(error.message = %format!("{e:#}"), "worker registration failed; retried every heartbeat");
    }
    if let Err(e) = ctx.store.prune_workers().await {
        tracing::warn!(error.message = %format!("{e:#}"), "pruning the worker registry failed");
    }
}

/// Refreshes the entry every heartbeat interval until `stop`, then deletes it.
pub async fn run(ctx: Arc<Context>, started_at: chrono::DateTime<Utc>, stop: CancellationToken) {
    let mut tick = tokio::time::interval(ctx.settings.heartbeat_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = tick.tick() => {}
        }
        let me = presence(&ctx, started_at);
        let refresh = ctx.store.register_worker(&me, ctx.settings.lease_ttl);
        match tokio::time::timeout(ctx.settings.heartbeat_interval * 2, refresh).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error.message = %format!("{e:#}"), "worker registry refresh failed"),
            Err(_) => tracing::warn!("worker registry refresh timed out"),
        }
    }
    if let Err(e) = ctx.store.deregister_worker(&ctx.settings.worker_id).await {
        tracing::warn!(error.message = %format!("{e:#}"), "worker deregistration failed; the entry expires by itself");
    }
}
