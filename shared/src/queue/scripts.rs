//! The Lua scripts (one file each under `lua/`, with a KEYS/ARGV/Returns header) and one typed
//! function per script. Scripts run with EVALSHA and fall back to loading themselves.

use std::sync::LazyLock;
use std::time::Duration;

use anyhow::Context as _;
use redis::Script;

use super::conn::RedisConn;
use super::entry::Delivery;
use super::keys::{AgentKeys, GROUP, priority_index};
use crate::domain::{Dispatch, Priority};

static ENQUEUE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/enqueue.lua")));
static PROMOTE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/promote.lua")));
static ACQUIRE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/acquire.lua")));
static RENEW_SLOTS: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/renew_slots.lua")));
static ACK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/ack.lua")));
static RATE_LIMIT: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/rate_limit.lua")));

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `enqueue.lua`: hands orders (all of one agent type) to its streams or delayed set; returns the
/// generation they now belong to.
pub async fn enqueue(
    conn: &mut RedisConn,
    keys: &AgentKeys,
    candidate_generation: &str,
    orders: &[Dispatch],
) -> anyhow::Result<String> {
    let [high, normal, low] = keys.streams();
    let mut inv = ENQUEUE.key(high);
    inv.key(normal)
        .key(low)
        .key(keys.delayed())
        .key(keys.generation())
        .arg(candidate_generation);
    for o in orders {
        let due = o.not_before.map(|t| t.timestamp_millis().max(0)).unwrap_or(0);
        inv.arg(o.task.to_string())
            .arg(o.attempt.0)
            .arg(priority_index(o.priority))
            .arg(due);
    }
    inv.invoke_async(conn).await.context("enqueue.lua")
}

/// `promote.lua`: moves due delayed orders into their streams; returns how many moved and how
/// long until the next one is due.
pub async fn promote(conn: &mut RedisConn, keys: &AgentKeys, max: usize) -> anyhow::Result<(usize, Option<Duration>)> {
    let [high, normal, low] = keys.streams();
    let (moved, wait): (usize, i64) = PROMOTE
        .key(high)
        .key(normal)
        .key(low)
        .key(keys.delayed())
        .arg(max)
        .invoke_async(conn)
        .await
        .context("promote.lua")?;
    Ok((moved, u64::try_from(wait).ok().map(Duration::from_millis)))
}

/// What [`acquire`] answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotGrant {
    /// These slots may run now (possibly none, when the fleet limit is reached). `tracked`: a
    /// limit is set, so the slots were recorded and must be renewed and released.
    Granted {
        /// Slot names granted.
        slots: Vec<String>,
        /// Whether they were recorded.
        tracked: bool,
    },
    /// The agent is paused for this long (`None`: until an operator resumes it).
    Paused(Option<Duration>),
}

/// `acquire.lua`: asks for fleet-wide run slots.
pub async fn acquire(
    conn: &mut RedisConn,
    keys: &AgentKeys,
    ttl: Duration,
    wanted: &[String],
) -> anyhow::Result<SlotGrant> {
    let mut inv = ACQUIRE.key(keys.slots());
    inv.key(keys.settings()).arg(millis(ttl));
    for w in wanted {
        inv.arg(w);
    }
    let reply: Vec<redis::Value> = inv.invoke_async(conn).await.context("acquire.lua")?;
    let mut it = reply.into_iter();
    let pause: i64 = redis::from_redis_value(it.next().context("acquire.lua: empty reply")?)?;
    Ok(match pause {
        0 => {
            let tracked: i64 = redis::from_redis_value(it.next().context("acquire.lua: short reply")?)?;
            let slots = it.map(redis::from_redis_value).collect::<Result<_, _>>()?;
            SlotGrant::Granted {
                slots,
                tracked: tracked == 1,
            }
        }
        p if p < 0 => SlotGrant::Paused(None),
        p => SlotGrant::Paused(Some(Duration::from_millis(p.unsigned_abs()))),
    })
}

/// `renew_slots.lua`: extends (or re-creates) held slots.
pub async fn renew_slots(conn: &mut RedisConn, keys: &AgentKeys, ttl: Duration, held: &[String]) -> anyhow::Result<()> {
    if held.is_empty() {
        return Ok(());
    }
    let mut inv = RENEW_SLOTS.key(keys.slots());
    inv.key(keys.settings()).arg(millis(ttl));
    for h in held {
        inv.arg(h);
    }
    let _: i64 = inv.invoke_async(conn).await.context("renew_slots.lua")?;
    Ok(())
}

/// `ack.lua`: acknowledges and deletes handled entries.
pub async fn ack(conn: &mut RedisConn, keys: &AgentKeys, done: &[Delivery]) -> anyhow::Result<()> {
    let refs: Vec<(Priority, &str)> = done.iter().map(|d| (d.order.priority, d.entry_id.as_str())).collect();
    ack_entries(conn, keys, &refs).await
}

/// `ack.lua` by stream and entry id (also for entries that could not be decoded).
pub async fn ack_entries(conn: &mut RedisConn, keys: &AgentKeys, done: &[(Priority, &str)]) -> anyhow::Result<()> {
    if done.is_empty() {
        return Ok(());
    }
    let [high, normal, low] = keys.streams();
    let mut inv = ACK.key(high);
    inv.key(normal).key(low).arg(GROUP);
    for (p, id) in done {
        inv.arg(priority_index(*p)).arg(*id);
    }
    let _: i64 = inv.invoke_async(conn).await.context("ack.lua")?;
    Ok(())
}

/// What [`rate_limit`] answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// Within the limit; this many requests are left in the window.
    Allowed {
        /// Requests left.
        remaining: u32,
    },
    /// Over the limit until the window ends.
    Limited {
        /// Time until the window ends.
        retry_after: Duration,
    },
}

/// `rate_limit.lua`: counts one request against `limit` per `window` on `counter`.
pub async fn rate_limit(
    conn: &mut RedisConn,
    counter: String,
    limit: u32,
    window: Duration,
) -> anyhow::Result<RateDecision> {
    let (allowed, count, ttl_ms): (i64, i64, i64) = RATE_LIMIT
        .key(counter)
        .arg(limit)
        .arg(millis(window))
        .invoke_async(conn)
        .await
        .context("rate_limit.lua")?;
    Ok(if allowed == 1 {
        RateDecision::Allowed {
            remaining: u32::try_from(i64::from(limit) - count).unwrap_or(0),
        }
    } else {
        RateDecision::Limited {
            retry_after: Duration::from_millis(ttl_ms.max(1).unsigned_abs()),
        }
    })
}
