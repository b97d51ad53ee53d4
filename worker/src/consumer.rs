//! A claim loop of one agent type (`CLAIM_LOOPS` of them run per type, sharing the worker's
//! permits, so one reads and claims while another's claim statement is in Postgres).
//!
//! Each turn: take local permits (at least one, waiting for it), ask Redis for as many
//! fleet-wide slots, promote due delayed orders, read that many stream entries (highest
//! priority first; block when there are none), claim them in Postgres in one statement, ack
//! and delete the entries, and spawn an attempt per claimed task. Every `reclaim_interval` the
//! read is replaced by an XAUTOCLAIM of entries another reader left unacknowledged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use shared::domain::{AgentKind, Dispatch};
use shared::outbox;
use shared::queue::{Delivery, Reader, SlotGrant, is_missing_group};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::attempt::{self, Claimed};
use crate::context::Context;

/// Longest single blocking read: bounds how long a stop request or a due delayed order waits.
const MAX_BLOCK: Duration = Duration::from_millis(1000);
/// How long "this agent has no fleet limit" is trusted before asking Redis again.
const UNLIMITED_RECHECK: Duration = Duration::from_millis(250);
/// Most entries claimed per turn.
const MAX_BATCH: usize = 256;

/// Runs until `stop` is cancelled. Attempts it spawns are tracked by `attempts`.
pub async fn run(ctx: Arc<Context>, agent: AgentKind, stop: CancellationToken, attempts: TaskTracker) {
    let consumer = ctx.settings.worker_id.clone();
    let mut reader: Option<Reader> = None;
    let mut next_autoclaim = Instant::now() + ctx.settings.reclaim_interval;
    let mut next_promote = Instant::now();
    let mut unlimited_until = Instant::now();
    let mut backlog = false;
    let mut failures: u32 = 0;
    while !stop.is_cancelled() {
        let r = turn(
            &ctx,
            agent,
            &consumer,
            &mut reader,
            &mut next_autoclaim,
            &mut next_promote,
            &mut unlimited_until,
            &mut backlog,
            &stop,
            &attempts,
        )
        .await;
        match r {
            Ok(()) => failures = 0,
            Err(e) => {
                failures = failures.saturating_add(1);
                if is_missing_group(&e) {
                    tracing::warn!(agent = %agent, "consumer group missing (Redis lost its data?); recreating");
                    if let Err(e) = ctx.queue.ensure_groups(agent).await {
                        tracing::warn!(error.message = %e, "recreating consumer groups failed");
                    }
                    continue;
                }
                tracing::warn!(agent = %agent, error.message = %format!("{e:#}"), "claim loop error; retrying");
                // A fresh connection next time: a reader stuck reconnecting is how consumers go
                // silently idle.
                reader = None;
                let pause = Duration::from_millis(100 * u64::from(failures.min(20)));
                tokio::select! {
                    () = stop.cancelled() => {}
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn turn(
    ctx: &Arc<Context>,
    agent: AgentKind,
    consumer: &str,
    reader: &mut Option<Reader>,
    next_autoclaim: &mut Instant,
    next_promote: &mut Instant,
    unlimited_until: &mut Instant,
    backlog: &mut bool,
    stop: &CancellationToken,
    attempts: &TaskTracker,
) -> anyhow::Result<()> {
    // Local capacity: wait for one permit, then take what else is free.
    let first = tokio::select! {
        () = stop.cancelled() => return Ok(()),
        p = ctx.permits.clone().acquire_owned() => p?,
    };
    let mut permits = vec![first];
    while permits.len() < MAX_BATCH {
        match ctx.permits.clone().try_acquire_owned() {
            Ok(p) => permits.push(p),
            Err(_) => break,
        }
    }
    // Under a backlog, let the rest of a burst of returning permits arrive first.
    let target = (ctx.settings.concurrency / 2).clamp(1, MAX_BATCH);
    // Results are recorded in batches, so permits return in bursts, and one claim of a burst
    // costs Postgres far less than several claims of its parts (`CLAIM_LINGER_MS`).
    let linger = ctx.settings.claim_linger;
    if *backlog && !linger.is_zero() && permits.len() < target {
        let until = tokio::time::Instant::now() + linger;
        while permits.len() < target {
            match tokio::time::timeout_at(until, ctx.permits.clone().acquire_owned()).await {
                Ok(Ok(p)) => permits.push(p),
                _ => break,
            }
        }
        while permits.len() < MAX_BATCH {
            match ctx.permits.clone().try_acquire_owned() {
                Ok(p) => permits.push(p),
                Err(_) => break,
            }
        }
    }
    // Fleet capacity.
    let wanted = ctx.take_slots(agent, permits.len());
    let grant = match grant_slots(ctx, agent, &wanted, unlimited_until).await {
        Ok(g) => g,
        Err(e) => {
            ctx.put_slots(agent, wanted);
            return Err(e);
        }
    };
    let (mut slots, tracked) = match grant {
        SlotGrant::Granted { slots, tracked } => {
            let unused: Vec<String> = wanted.into_iter().filter(|w| !slots.contains(w)).collect();
            ctx.put_slots(agent, unused);
            (slots, tracked)
        }
        SlotGrant::Paused(d) => {
            ctx.put_slots(agent, wanted);
            drop(permits);
            let wait = d.unwrap_or(MAX_BLOCK).min(MAX_BLOCK);
            tokio::select! {
                () = stop.cancelled() => {}
                () = tokio::time::sleep(wait) => {}
            }
            return Ok(());
        }
    };
    if slots.is_empty() {
        // The fleet limit is reached: wait a little for a slot to free up.
        drop(permits);
        tokio::select! {
            () = stop.cancelled() => {}
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
        return Ok(());
    }
    permits.truncate(slots.len());

    let result = read_and_claim(
        ctx,
        agent,
        consumer,
        reader,
        (next_autoclaim, next_promote, unlimited_until),
        &mut permits,
        &mut slots,
        tracked,
    )
    .await;
    let (claimed, full) = match result {
        Ok(c) => c,
        Err(e) => {
            *backlog = false;
            release(ctx, agent, slots, tracked).await;
            return Err(e);
        }
    };
    *backlog = full;
    for task in claimed {
        let (Some(slot), Some(permit)) = (slots.pop(), permits.pop()) else {
            break;
        };
        let c = Arc::clone(ctx);
        // Registered before it is spawned, so shutdown and the heartbeat see it at once.
        let stop = ctx
            .running
            .insert((task.id, task.attempt), task.spec.agent, slot.clone());
        attempts.spawn(attempt::run(
            c,
            Claimed {
                task,
                slot,
                slot_tracked: tracked,
                permit,
                stop,
            },
        ));
    }
    release(ctx, agent, slots, tracked).await;
    Ok(())
}

/// Fleet slots for `wanted`. Without a fleet limit slots are not tracked, so asking Redis
/// (`acquire.lua`) every time only re-reads the settings: after an answer that the agent has no
/// limit, it is trusted for `UNLIMITED_RECHECK`. A pause set meanwhile still stops claims (the
/// claim SQL refuses paused agents); a limit set meanwhile applies within that interval.
async fn grant_slots(
    ctx: &Context,
    agent: AgentKind,
    wanted: &[String],
    unlimited_until: &mut Instant,
) -> anyhow::Result<SlotGrant> {
    if Instant::now() < *unlimited_until {
        return Ok(SlotGrant::Granted {
            slots: wanted.to_vec(),
            tracked: false,
        });
    }
    let g = ctx.queue.acquire_slots(agent, ctx.settings.lease_ttl, wanted).await?;
    if matches!(g, SlotGrant::Granted { tracked: false, .. }) {
        *unlimited_until = Instant::now() + UNLIMITED_RECHECK;
    }
    Ok(g)
}

async fn release(ctx: &Context, agent: AgentKind, slots: Vec<String>, tracked: bool) {
    if tracked
        && !slots.is_empty()
        && let Err(e) = ctx.queue.release_slots(agent, &slots).await
    {
        tracing::warn!(error.message = %e, "slots not released; they expire on their own");
    }
    ctx.put_slots(agent, slots);
}

#[allow(clippy::too_many_arguments)]
async fn read_and_claim(
    ctx: &Context,
    agent: AgentKind,
    consumer: &str,
    reader: &mut Option<Reader>,
    (next_autoclaim, next_promote, unlimited_until): (&mut Instant, &mut Instant, &mut Instant),
    permits: &mut Vec<tokio::sync::OwnedSemaphorePermit>,
    slots: &mut Vec<String>,
    tracked: bool,
) -> anyhow::Result<(Vec<shared::domain::Task>, bool)> {
    let mut count = slots.len();
    let mut block = MAX_BLOCK;
    if Instant::now() >= *next_promote {
        let (_, next_due) = ctx.queue.promote_due(agent, 1000).await?;
        let wait = next_due.unwrap_or(MAX_BLOCK).min(MAX_BLOCK);
        *next_promote = Instant::now() + wait;
    }
    block = block.min(
        next_promote
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1)),
    );
    if reader.is_none() {
        *reader = Some(ctx.queue.blocking_reader(MAX_BLOCK).await?);
    }
    let Some(r) = reader.as_mut() else {
        return Ok((Vec::new(), false));
    };
    let mut deliveries: Vec<Delivery> = if Instant::now() >= *next_autoclaim {
        *next_autoclaim = Instant::now() + ctx.settings.reclaim_interval;
        let got = r.autoclaim(agent, consumer, ctx.settings.claim_timeout, count).await?;
        if !got.is_empty() {
            tracing::info!(agent = %agent, entries = got.len(), "took over unacknowledged entries");
        }
        got
    } else {
        let got = r.read_now(agent, consumer, count).await?;
        if got.is_empty() && !block.is_zero() {
            // Nothing waiting: block holding no permit and no slot, so the claim loops of other
            // agent types (sharing this worker's permits) are never starved while this one
            // waits. Capacity is taken again once something arrived.
            let all = std::mem::take(slots);
            release(ctx, agent, all, tracked).await;
            permits.clear();
            let got = r.wait_one(agent, consumer, block).await?;
            if !got.is_empty() {
                match ctx.permits.clone().try_acquire_owned() {
                    Ok(p) => permits.push(p),
                    // All busy: the entries wait in this consumer's pending list until a permit
                    // frees up (or another worker takes them over after the claim timeout).
                    Err(_) => permits.push(ctx.permits.clone().acquire_owned().await?),
                }
                let wanted = ctx.take_slots(agent, 1);
                match grant_slots(ctx, agent, &wanted, unlimited_until).await? {
                    SlotGrant::Granted { slots: granted, .. } => {
                        let unused: Vec<String> = wanted.into_iter().filter(|w| !granted.contains(w)).collect();
                        ctx.put_slots(agent, unused);
                        *slots = granted;
                    }
                    SlotGrant::Paused(_) => ctx.put_slots(agent, wanted),
                }
                permits.truncate(slots.len());
            }
            count = slots.len();
            got
        } else {
            got
        }
    };
    if deliveries.len() > count {
        // A blocking read can return one entry per stream: give back what we have no slot for.
        let excess = deliveries.split_off(count);
        give_back(ctx, agent, &excess).await;
    }
    if deliveries.is_empty() {
        return Ok((Vec::new(), false));
    }
    // As many entries as asked for: more are probably waiting.
    let full = deliveries.len() == count;
    let orders: Vec<Dispatch> = deliveries.iter().map(|d| d.order).collect();
    // If this fails the entries stay pending and are taken over after the claim timeout.
    let result = ctx
        .store
        .claim(&ctx.settings.worker_id, &orders, ctx.settings.lease_ttl)
        .await?;
    // From here on the claimed tasks are ours and must run: later failures only log.
    let mut parked_ok = true;
    if !result.deferred.is_empty() {
        // The agent is paused in Postgres: park the orders briefly; the pause check in
        // acquire.lua keeps this worker from spinning on them.
        let later = Utc::now() + chrono::TimeDelta::seconds(1);
        let parked: Vec<Dispatch> = result
            .deferred
            .iter()
            .map(|o| Dispatch {
                not_before: Some(later),
                ..*o
            })
            .collect();
        if let Err(e) = outbox::hand_over(&ctx.store, &ctx.queue, &parked).await {
            tracing::warn!(error.message = %e, "could not park deferred orders; their entries stay pending");
            parked_ok = false;
        }
    }
    let done: Vec<Delivery> = deliveries
        .into_iter()
        .filter(|d| parked_ok || !result.deferred.iter().any(|o| o.task == d.order.task))
        .filter(|d| !result.unknown.iter().any(|o| o.task == d.order.task))
        .collect();
    if let Err(e) = ctx.queue.ack(agent, &done).await {
        tracing::warn!(error.message = %e, "ack failed; the entries will be taken over and dropped as stale");
    }
    Ok((result.claimed, full))
}

/// Re-sends orders this worker read but cannot run now, then acks their entries. On failure
/// the entries stay pending and XAUTOCLAIM hands them to someone after the claim timeout.
async fn give_back(ctx: &Context, agent: AgentKind, excess: &[Delivery]) {
    let orders: Vec<Dispatch> = excess.iter().map(|d| d.order).collect();
    let r = async {
        outbox::hand_over(&ctx.store, &ctx.queue, &orders).await?;
        ctx.queue.ack(agent, excess).await
    };
    if let Err(e) = r.await {
        tracing::warn!(error.message = %e, entries = excess.len(), "could not give back entries; XAUTOCLAIM will");
    }
}
