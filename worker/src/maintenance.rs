//! Periodic repair, run by every worker every `reclaim_interval`:
//! - **Reaper**: RUNNING tasks whose Postgres lease expired (their worker died, froze or lost
//!   its database) are requeued, or failed as dead letters once their attempts ran out. The
//!   write is fenced on the expired attempt, so two reapers cannot both act.
//! - **Reconciler** (one worker per agent type per tick, under a short Redis lock): mirrors agent
//!   settings to Redis and re-dispatches QUEUED tasks that were never handed to the current
//!   Redis generation (API crashed after commit, Redis down at the time, or Redis lost its
//!   data).
//! - **Retention** (one worker of the fleet at a time, under a Postgres lease): prunes terminal
//!   tasks past `RETENTION_*` with their history, one small batch per tick while there is a
//!   backlog, then every `RETENTION_INTERVAL_MS` (store::retention). A batch is one short
//!   statement that skips locked rows, so claims never wait for it and the reaper keeps its pace.

use std::sync::Arc;

use shared::domain::{TaskEvent, TaskState};
use shared::outbox;
use shared::store::tasks::{Applied, ExecutionEnd, Transition};
use tokio_util::sync::CancellationToken;

use crate::context::Context;

const BATCH: i64 = 1000;
/// Name of the retention job's lease.
pub const RETENTION_LEASE: &str = "retention";
/// Longest gap between two reaper rounds.
const REAP_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Runs until `stop` is cancelled.
pub async fn run(ctx: Arc<Context>, stop: CancellationToken) {
    // The reaper's query is an index probe on expired leases: run it often, so a dead worker's
    // task runs elsewhere soon after its lease expires. Reconciling runs every reclaim interval.
    let mut tick = tokio::time::interval(ctx.settings.reclaim_interval.min(REAP_EVERY));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut next_prune = tokio::time::Instant::now();
    let mut next_reconcile = tokio::time::Instant::now();
    let mut next_retention = tokio::time::Instant::now();
    let mut held_lease = false;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = tick.tick() => {}
        }
        if let Err(e) = reap(&ctx).await {
            tracing::warn!(error.message = %format!("{e:#}"), "reaper failed");
        }
        let now = tokio::time::Instant::now();
        if ctx.settings.retention.enabled() && now >= next_retention {
            let more = match retention_once(&ctx).await {
                Ok(Some(more)) => {
                    held_lease = true;
                    more
                }
                Ok(None) => {
                    held_lease = false;
                    false
                }
                Err(e) => {
                    tracing::warn!(error.message = %format!("{e:#}"), "retention failed");
                    false
                }
            };
            // A full batch: go on at the next tick; otherwise rest for the interval.
            next_retention = if more { now } else { now + ctx.settings.retention.interval };
        }
        let now = tokio::time::Instant::now();
        if now < next_reconcile {
            continue;
        }
        next_reconcile = now + ctx.settings.reclaim_interval;
        if now >= next_prune {
            next_prune = now + std::time::Duration::from_secs(3600);
            if let Err(e) = ctx.store.prune_attempt_tokens().await {
                tracing::warn!(error.message = %e, "pruning attempt tokens failed");
            }
            if let Err(e) = ctx.store.prune_workspaces().await {
                tracing::warn!(error.message = %e, "pruning workspace archives failed");
            }
        }
        if let Err(e) = release_parents(&ctx).await {
            tracing::warn!(error.message = %format!("{e:#}"), "releasing parents failed");
        }
        for agent in ctx.settings.agents.clone() {
            if let Err(e) = reconcile(&ctx, agent).await {
                tracing::warn!(agent = %agent, error.message = %format!("{e:#}"), "reconciler failed");
            }
        }
    }
    if held_lease {
        // Let another worker carry on at once rather than after the lease expires.
        if let Err(e) = ctx.store.release_lease(RETENTION_LEASE, &ctx.settings.worker_id).await {
            tracing::warn!(error.message = %format!("{e:#}"), "releasing the retention lease failed");
        }
    }
}

/// How long the retention lease lasts: several rounds, so a holder that is alive keeps it, and
/// a dead one's is taken over within a few intervals.
fn retention_lease_ttl(ctx: &Context) -> std::time::Duration {
    (ctx.settings.retention.interval * 3).max(std::time::Duration::from_secs(30))
}

/// One retention batch, if this worker holds (or takes) the lease: `None` when another worker
/// holds it, otherwise whether a full batch was found (there may be more).
pub async fn retention_once(ctx: &Context) -> anyhow::Result<Option<bool>> {
    let r = &ctx.settings.retention;
    if !ctx
        .store
        .take_lease(RETENTION_LEASE, &ctx.settings.worker_id, retention_lease_ttl(ctx))
        .await?
    {
        return Ok(None);
    }
    let cutoff = match r.max_age {
        Some(age) => Some(chrono::Utc::now() - chrono::Duration::from_std(age)?),
        None => None,
    };
    let pruned = ctx.store.prune_terminal(cutoff, r.keep_per_project, r.batch).await?;
    if pruned.tasks > 0 || pruned.webhook_deliveries > 0 {
        tracing::info!(
            tasks = pruned.tasks,
            events = pruned.events,
            executions = pruned.executions,
            webhook_deliveries = pruned.webhook_deliveries,
            "pruned history past retention"
        );
    }
    let full = u32::try_from(pruned.candidates).unwrap_or(u32::MAX) >= r.batch
        || u32::try_from(pruned.webhook_deliveries).unwrap_or(u32::MAX) >= r.batch;
    Ok(Some(full))
}

/// Requeues or dead-letters RUNNING tasks whose lease expired. Returns how many it changed.
pub async fn reap(ctx: &Context) -> anyhow::Result<usize> {
    let expired = ctx.store.expired_leases(BATCH).await?;
    if expired.is_empty() {
        return Ok(0);
    }
    let rows: Vec<Transition> = expired
        .iter()
        .map(|e| {
            let exhausted = e.attempts_charged >= e.max_attempts;
            let event = if exhausted { TaskEvent::Fail } else { TaskEvent::Requeue };
            let mut t = Transition::new(e.id, TaskState::Running, event, e.attempt);
            let owner = e.owner.as_deref().unwrap_or("unknown");
            let why = format!("lease of attempt {} expired (worker {owner})", e.attempt);
            t.run_at = Some(None);
            if exhausted {
                t.dead_letter = true;
                t.last_error = Some(Some(format!(
                    "dead letter: {why}; {} of {} attempts used",
                    e.attempts_charged, e.max_attempts
                )));
            } else {
                t.last_error = Some(Some(why.clone()));
            }
            t.reason = Some(why.clone());
            t.execution = Some(ExecutionEnd {
                outcome: "lease_expired",
                error: Some(why),
                ..ExecutionEnd::default()
            });
            t
        })
        .collect();
    let applied = ctx.store.apply_transitions(&rows, &ctx.actor()).await?;
    let mut requeued = Vec::new();
    let mut changed = 0;
    for a in applied {
        if let Applied::Done(t) = a {
            changed += 1;
            tracing::info!(task.id = %t.id, state = %t.state, "reaped an expired lease");
            if t.state == TaskState::Queued {
                requeued.push(outbox::order_for(&t));
            }
        }
    }
    outbox::hand_over(&ctx.store, &ctx.queue, &requeued).await?;
    Ok(changed)
}

/// Moves BLOCKED parents whose subtasks all COMPLETED to READY (fenced, so concurrent workers
/// doing the same cannot both act).
pub async fn release_parents(ctx: &Context) -> anyhow::Result<usize> {
    let ready = ctx.store.parents_ready(BATCH).await?;
    if ready.is_empty() {
        return Ok(0);
    }
    let rows: Vec<Transition> = ready
        .into_iter()
        .map(|(id, attempt)| {
            let mut t = Transition::new(id, TaskState::Blocked, TaskEvent::SubtasksDone, attempt);
            t.reason = Some("every subtask completed".into());
            t
        })
        .collect();
    let applied = ctx.store.apply_transitions(&rows, &ctx.actor()).await?;
    Ok(applied.iter().filter(|a| matches!(a, Applied::Done(_))).count())
}

/// Mirrors settings and re-dispatches undispatched QUEUED tasks of one agent type.
pub async fn reconcile(ctx: &Context, agent: shared::domain::AgentKind) -> anyhow::Result<usize> {
    if !ctx
        .queue
        .try_lock(agent, &ctx.settings.worker_id, ctx.settings.reclaim_interval)
        .await?
    {
        return Ok(0);
    }
    if let Some(s) = ctx.store.agent_settings().await?.into_iter().find(|s| s.agent == agent) {
        ctx.queue.sync_settings(&s).await?;
    }
    ctx.queue.ensure_groups(agent).await?;
    let generation = ctx.queue.generation(agent).await?;
    let mut total = 0;
    // Bounded: rows handed to a newer generation (Redis flushed meanwhile) would match again.
    for _ in 0..10 {
        let orders = ctx
            .store
            .undispatched(agent, &generation, ctx.settings.dispatch_grace, BATCH)
            .await?;
        if orders.is_empty() {
            break;
        }
        total += orders.len();
        outbox::hand_over(&ctx.store, &ctx.queue, &orders).await?;
        if orders.len() < usize::try_from(BATCH).unwrap_or(usize::MAX) {
            break;
        }
    }
    // Backstop: streams empty, yet due tasks handed over a while ago are still QUEUED. Their
    // orders were lost without the generation changing; send them again (a duplicate would be
    // dropped by the claim fence anyway).
    if ctx.queue.stream_lengths(agent).await? == [0, 0, 0] {
        let lost = ctx
            .store
            .lost_orders(
                agent,
                ctx.settings.claim_timeout.max(ctx.settings.dispatch_grace),
                BATCH,
            )
            .await?;
        if !lost.is_empty() {
            tracing::warn!(agent = %agent, tasks = lost.len(), "orders missing from Redis; sending them again");
            total += lost.len();
            outbox::hand_over(&ctx.store, &ctx.queue, &lost).await?;
        }
    }
    if total > 0 {
        tracing::info!(agent = %agent, tasks = total, "re-dispatched tasks missing from Redis");
    }
    Ok(total)
}
