//! Redis: dispatch transport. The only module that names a key or runs a script.
//!
//! Layout (see [`keys`]): per agent type, three streams (high, normal, low) read by one consumer
//! group, a delayed zset, a fleet-slot zset, a settings mirror and a dispatch generation, all
//! under `<prefix>:{<agent>}:` so one agent's keys share a Cluster slot.
//!
//! Protocol, in short (ARCHITECTURE.md has the long form):
//! - [`Queue::enqueue`] XADDs an order (task id + attempt) or parks it in the delayed set; it
//!   returns the generation, which the caller records in Postgres (the outbox).
//! - A worker reads entries (highest priority first), claims them in Postgres (fenced on the
//!   attempt in the entry), then acks and deletes them: the stream only holds orders not yet
//!   claimed. Entries left pending by a worker that died between read and ack are taken over
//!   with XAUTOCLAIM.
//! - The lease of a running attempt is in Postgres; Redis only holds fleet-wide slots, which
//!   expire on their own.
//! - Redis may lose everything: the generation key disappears, the reconciler sees a new one and
//!   re-dispatches every QUEUED task from Postgres.

pub mod conn;
pub mod entry;
pub mod keys;
pub mod scripts;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use redis::AsyncCommands as _;
use redis::streams::{StreamAutoClaimReply, StreamReadReply};

pub use conn::{RedisConn, RedisTarget};
pub use entry::Delivery;
pub use keys::{AgentKeys, EventKeys, GROUP, KeySpace, NOTIFIER_GROUP};
pub use scripts::{RateDecision, SlotGrant};

use crate::domain::{AgentKind, AgentSettings, Dispatch, Priority};

/// Handle to the dispatch structures of one deployment; cheap to clone.
#[derive(Debug, Clone)]
pub struct Queue {
    conn: RedisConn,
    target: RedisTarget,
    keys: KeySpace,
    /// The generation Redis last answered, per agent type: a hint for recording the dispatch
    /// with the insert (see `outbox`), checked against the answer of every enqueue.
    seen: Arc<Mutex<BTreeMap<AgentKind, String>>>,
}

/// Response timeout for ordinary commands.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

impl Queue {
    /// Connects.
    pub async fn connect(target: RedisTarget, prefix: &str) -> anyhow::Result<Queue> {
        let keys = KeySpace::new(prefix)?;
        let conn = RedisConn::connect(&target, COMMAND_TIMEOUT).await?;
        Ok(Queue {
            conn,
            target,
            keys,
            seen: Arc::default(),
        })
    }

    /// The key space.
    pub fn keys(&self) -> &KeySpace {
        &self.keys
    }

    /// A connection of its own for blocking reads of up to `block`.
    pub async fn blocking_reader(&self, block: Duration) -> anyhow::Result<Reader> {
        let conn = RedisConn::connect(&self.target, block + COMMAND_TIMEOUT).await?;
        Ok(Reader {
            conn,
            keys: self.keys.clone(),
        })
    }

    /// A round trip, for readiness.
    pub async fn ping(&self) -> anyhow::Result<()> {
        let mut c = self.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut c).await.context("Redis ping")?;
        Ok(())
    }

    /// Hands orders to Redis, one script call per agent type. Returns, per agent type, the
    /// generation the orders were handed to (to record in Postgres).
    pub async fn enqueue(&self, orders: &[Dispatch]) -> anyhow::Result<Vec<(String, Vec<Dispatch>)>> {
        let mut by_agent: BTreeMap<AgentKind, Vec<Dispatch>> = BTreeMap::new();
        for o in orders {
            by_agent.entry(o.agent).or_default().push(*o);
        }
        let mut out = Vec::with_capacity(by_agent.len());
        let mut c = self.conn.clone();
        for (agent, orders) in by_agent {
            let candidate = uuid::Uuid::new_v4().to_string();
            // Chunk so one script call never blocks Redis for long. Each chunk reports its own
            // generation: a flush between chunks must not mark earlier chunks as current.
            for chunk in orders.chunks(1000) {
                let generation = scripts::enqueue(&mut c, &self.keys.agent(agent), &candidate, chunk).await?;
                self.saw_generation(agent, &generation);
                out.push((generation, chunk.to_vec()));
            }
        }
        Ok(out)
    }

    /// The current dispatch generation of an agent type, creating one if Redis has none (first
    /// use, or after data loss).
    pub async fn generation(&self, agent: AgentKind) -> anyhow::Result<String> {
        let key = self.keys.agent(agent).generation();
        let mut c = self.conn.clone();
        let candidate = uuid::Uuid::new_v4().to_string();
        let _: bool = c.set_nx(&key, &candidate).await?;
        let current: Option<String> = c.get(&key).await?;
        let current = current.context("generation key vanished right after SET NX")?;
        self.saw_generation(agent, &current);
        Ok(current)
    }

    /// The generation Redis last answered for `agent` in this process, if any. Only a hint: it
    /// is stale after Redis lost its data until the next enqueue answers.
    pub fn last_generation(&self, agent: AgentKind) -> Option<String> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&agent)
            .cloned()
    }

    fn saw_generation(&self, agent: AgentKind, generation: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.get(&agent).map(String::as_str) != Some(generation) {
            seen.insert(agent, generation.to_owned());
        }
    }

    /// Creates the consumer group on every stream of an agent type (idempotent). Starts at `0`
    /// so orders added before the group existed (e.g. right after a Redis flush) are read.
    pub async fn ensure_groups(&self, agent: AgentKind) -> anyhow::Result<()> {
        let mut c = self.conn.clone();
        for stream in self.keys.agent(agent).streams() {
            let r: redis::RedisResult<()> = redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(&stream)
                .arg(GROUP)
                .arg("0")
                .arg("MKSTREAM")
                .query_async(&mut c)
                .await;
            match r {
                Ok(()) => {}
                Err(e) if e.code() == Some("BUSYGROUP") => {}
                Err(e) => return Err(e).context("creating consumer group"),
            }
        }
        Ok(())
    }

    /// Acknowledges and deletes handled entries.
    pub async fn ack(&self, agent: AgentKind, done: &[Delivery]) -> anyhow::Result<()> {
        scripts::ack(&mut self.conn.clone(), &self.keys.agent(agent), done).await
    }

    /// Moves due delayed orders into the streams.
    pub async fn promote_due(&self, agent: AgentKind, max: usize) -> anyhow::Result<(usize, Option<Duration>)> {
        scripts::promote(&mut self.conn.clone(), &self.keys.agent(agent), max).await
    }

    /// Takes an order out of the delayed set (cancellation). Orders already in a stream stay and
    /// are dropped at claim time by the attempt fence.
    pub async fn remove_delayed(&self, order: &Dispatch) -> anyhow::Result<bool> {
        let mut c = self.conn.clone();
        let n: i64 = c
            .zrem(self.keys.agent(order.agent).delayed(), entry::delayed_member(order))
            .await?;
        Ok(n > 0)
    }

    /// Asks for fleet-wide run slots.
    pub async fn acquire_slots(&self, agent: AgentKind, ttl: Duration, wanted: &[String]) -> anyhow::Result<SlotGrant> {
        scripts::acquire(&mut self.conn.clone(), &self.keys.agent(agent), ttl, wanted).await
    }

    /// Extends held slots.
    pub async fn renew_slots(&self, agent: AgentKind, ttl: Duration, held: &[String]) -> anyhow::Result<()> {
        scripts::renew_slots(&mut self.conn.clone(), &self.keys.agent(agent), ttl, held).await
    }

    /// Gives slots back.
    pub async fn release_slots(&self, agent: AgentKind, slots: &[String]) -> anyhow::Result<()> {
        if slots.is_empty() {
            return Ok(());
        }
        let mut c = self.conn.clone();
        let _: i64 = c.zrem(self.keys.agent(agent).slots(), slots).await?;
        Ok(())
    }

    /// Mirrors an agent's settings from Postgres (read by `acquire.lua`).
    pub async fn sync_settings(&self, s: &AgentSettings) -> anyhow::Result<()> {
        let mut c = self.conn.clone();
        let limit = s.concurrency_limit.map_or(-1, i64::from);
        let until = s.paused_until.map_or(0, |t| t.timestamp_millis().max(0));
        let _: () = redis::cmd("HSET")
            .arg(self.keys.agent(s.agent).settings())
            .arg("limit")
            .arg(limit)
            .arg("paused")
            .arg(u8::from(s.paused))
            .arg("paused_until_ms")
            .arg(until)
            .query_async(&mut c)
            .await?;
        Ok(())
    }

    /// Takes a short lock (SET NX PX) so one reconciler at a time works on an agent type.
    pub async fn try_lock(&self, agent: AgentKind, holder: &str, ttl: Duration) -> anyhow::Result<bool> {
        let mut c = self.conn.clone();
        let ok: Option<String> = redis::cmd("SET")
            .arg(self.keys.agent(agent).reconcile_lock())
            .arg(holder)
            .arg("NX")
            .arg("PX")
            .arg(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX))
            .query_async(&mut c)
            .await?;
        Ok(ok.is_some())
    }

    /// Stream lengths of an agent type (orders not yet claimed), highest priority first.
    pub async fn stream_lengths(&self, agent: AgentKind) -> anyhow::Result<[u64; 3]> {
        let mut c = self.conn.clone();
        let mut out = [0u64; 3];
        for (i, s) in self.keys.agent(agent).streams().iter().enumerate() {
            out[i] = c.xlen(s).await?;
        }
        Ok(out)
    }

    /// Counts one request of `client` (a token id) on an API `route`: at most `limit` per
    /// `window`, in fixed windows that start with a client's first request.
    pub async fn count_request(
        &self,
        route: &'static str,
        client: &str,
        limit: u32,
        window: Duration,
    ) -> anyhow::Result<RateDecision> {
        let counter = self.keys.rate_limit(route, client);
        scripts::rate_limit(&mut self.conn.clone(), counter, limit, window).await
    }

    /// Deletes every key of this key space (tests and benchmarks; never in production paths).
    pub async fn delete_all_keys(&self) -> anyhow::Result<()> {
        let mut c = self.conn.clone();
        for agent in AgentKind::ALL {
            let keys = self.keys.agent(*agent).all();
            let _: i64 = c.del(keys).await?;
        }
        let _: i64 = c.del(self.keys.events().all()).await?;
        Ok(())
    }
}

/// Longest the events stream gets (approximately); older events stay in Postgres.
pub const EVENTS_MAXLEN: usize = 100_000;

impl Queue {
    /// Appends events to the events stream (one pipeline).
    pub async fn publish_events(&self, events: &[crate::domain::FeedEvent]) -> anyhow::Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let key = self.keys.events().stream();
        let mut pipe = redis::pipe();
        for e in events {
            let cmd = pipe
                .cmd("XADD")
                .arg(&key)
                .arg("MAXLEN")
                .arg("~")
                .arg(EVENTS_MAXLEN)
                .arg("*");
            for (k, v) in entry::event_fields(e) {
                cmd.arg(k).arg(v);
            }
            cmd.ignore();
        }
        let mut c = self.conn.clone();
        let _: () = pipe.query_async(&mut c).await.context("publishing events")?;
        Ok(())
    }

    /// True when the events feed has no generation (first use, or Redis lost it).
    pub async fn events_generation_missing(&self) -> anyhow::Result<bool> {
        let mut c = self.conn.clone();
        let exists: bool = c.exists(self.keys.events().generation()).await?;
        Ok(!exists)
    }

    /// Records that the events feed is complete again (after a replay).
    pub async fn set_events_generation(&self) -> anyhow::Result<()> {
        let mut c = self.conn.clone();
        let _: bool = c
            .set_nx(self.keys.events().generation(), uuid::Uuid::new_v4().to_string())
            .await?;
        Ok(())
    }

    /// Id of the newest entry of the events stream (`0-0` when empty).
    pub async fn events_tail_id(&self) -> anyhow::Result<String> {
        let mut c = self.conn.clone();
        let reply: redis::streams::StreamRangeReply = redis::cmd("XREVRANGE")
            .arg(self.keys.events().stream())
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut c)
            .await?;
        Ok(reply.ids.first().map(|i| i.id.clone()).unwrap_or_else(|| "0-0".into()))
    }

    /// Creates the notifier's consumer group on the events stream (idempotent). New groups start
    /// at `0`: events appended before the first notifier started are delivered too.
    pub async fn ensure_notifier_group(&self) -> anyhow::Result<()> {
        let mut c = self.conn.clone();
        let r: redis::RedisResult<()> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(self.keys.events().stream())
            .arg(NOTIFIER_GROUP)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut c)
            .await;
        match r {
            Ok(()) => Ok(()),
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            Err(e) => Err(e).context("creating the notifier group"),
        }
    }

    /// Acknowledges handled events of the notifier group.
    pub async fn ack_events(&self, ids: &[String]) -> anyhow::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut c = self.conn.clone();
        let _: i64 = c.xack(self.keys.events().stream(), NOTIFIER_GROUP, ids).await?;
        Ok(())
    }
}

/// Lines kept per live log (older ones are trimmed; the archive in Postgres keeps the tail).
pub const LOG_MAXLEN: usize = 10_000;
/// How long a finished attempt's live log stays in Redis.
pub const LOG_TTL_SECS: u64 = 24 * 3600;

/// One entry of a live log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    /// A line the agent printed.
    Line(String),
    /// The attempt ended; nothing follows.
    End,
}

impl Queue {
    /// Appends lines to an attempt's live log (one pipeline); `end` closes it. Every append
    /// sets the expiry, so a log whose worker died mid-run still goes away (the TTL exists from
    /// the first line, not only from the end).
    pub async fn append_log(
        &self,
        task: crate::domain::TaskId,
        attempt: crate::domain::Attempt,
        lines: &[String],
        end: bool,
    ) -> anyhow::Result<()> {
        let key = self.keys.execution_log(task, attempt);
        let mut pipe = redis::pipe();
        for l in lines {
            pipe.cmd("XADD")
                .arg(&key)
                .arg("MAXLEN")
                .arg("~")
                .arg(LOG_MAXLEN)
                .arg("*")
                .arg("l")
                .arg(l)
                .ignore();
        }
        if end {
            pipe.cmd("XADD").arg(&key).arg("*").arg("end").arg("1").ignore();
        }
        pipe.cmd("EXPIRE").arg(&key).arg(LOG_TTL_SECS).ignore();
        let mut c = self.conn.clone();
        let _: () = pipe.query_async(&mut c).await.context("appending to the live log")?;
        Ok(())
    }
}

impl Reader {
    /// Live log entries after stream id `after`, blocking up to `block` for the first. `None`
    /// when the log does not exist (never written, or expired).
    pub async fn log_after(
        &mut self,
        task: crate::domain::TaskId,
        attempt: crate::domain::Attempt,
        after: &str,
        block: Duration,
    ) -> anyhow::Result<Option<Vec<(String, LogEntry)>>> {
        let key = self.keys.execution_log(task, attempt);
        let exists: bool = redis::cmd("EXISTS").arg(&key).query_async(&mut self.conn).await?;
        if !exists {
            return Ok(None);
        }
        let reply: Option<StreamReadReply> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(500)
            .arg("BLOCK")
            .arg(u64::try_from(block.as_millis()).unwrap_or(u64::MAX))
            .arg("STREAMS")
            .arg(&key)
            .arg(after)
            .query_async(&mut self.conn)
            .await
            .context("XREAD log")?;
        let mut out = Vec::new();
        for id in reply.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids) {
            let entry = if id.map.contains_key("end") {
                LogEntry::End
            } else {
                match id.map.get("l") {
                    Some(redis::Value::BulkString(b)) => LogEntry::Line(String::from_utf8_lossy(b).into_owned()),
                    _ => continue,
                }
            };
            out.push((id.id, entry));
        }
        Ok(Some(out))
    }
}

/// A stream entry id with the event it carries.
pub type EventEntry = (String, crate::domain::FeedEvent);

impl Reader {
    /// Events appended after stream id `after`, blocking up to `block` for the first.
    pub async fn events_after(
        &mut self,
        after: &str,
        block: Duration,
        count: usize,
    ) -> anyhow::Result<Vec<EventEntry>> {
        let reply: Option<StreamReadReply> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(count)
            .arg("BLOCK")
            .arg(u64::try_from(block.as_millis()).unwrap_or(u64::MAX))
            .arg("STREAMS")
            .arg(self.keys.events().stream())
            .arg(after)
            .query_async(&mut self.conn)
            .await
            .context("XREAD events")?;
        Ok(decode_events(reply))
    }

    /// Reads events for notifier `consumer`: first its own pending ones (a restart resumes what
    /// it had not acknowledged), then new ones, blocking up to `block`.
    pub async fn notifier_events(
        &mut self,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> anyhow::Result<Vec<EventEntry>> {
        for start in ["0", ">"] {
            let mut cmd = redis::cmd("XREADGROUP");
            cmd.arg("GROUP")
                .arg(NOTIFIER_GROUP)
                .arg(consumer)
                .arg("COUNT")
                .arg(count);
            if start == ">" {
                cmd.arg("BLOCK")
                    .arg(u64::try_from(block.as_millis()).unwrap_or(u64::MAX));
            }
            let reply: Option<StreamReadReply> = cmd
                .arg("STREAMS")
                .arg(self.keys.events().stream())
                .arg(start)
                .query_async(&mut self.conn)
                .await
                .context("XREADGROUP events")?;
            let got = decode_events(reply);
            if !got.is_empty() {
                return Ok(got);
            }
        }
        Ok(Vec::new())
    }

    /// Takes over events another notifier read but did not acknowledge within `min_idle`.
    pub async fn claim_stale_events(
        &mut self,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> anyhow::Result<Vec<EventEntry>> {
        let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(self.keys.events().stream())
            .arg(NOTIFIER_GROUP)
            .arg(consumer)
            .arg(u64::try_from(min_idle.as_millis()).unwrap_or(u64::MAX))
            .arg("0-0")
            .arg("COUNT")
            .arg(count)
            .query_async(&mut self.conn)
            .await
            .context("XAUTOCLAIM events")?;
        Ok(reply
            .claimed
            .into_iter()
            .filter_map(|id| entry::decode_event(&id.map).map(|e| (id.id, e)))
            .collect())
    }
}

fn decode_events(reply: Option<StreamReadReply>) -> Vec<EventEntry> {
    let Some(reply) = reply else { return Vec::new() };
    reply
        .keys
        .into_iter()
        .flat_map(|k| k.ids)
        .filter_map(|id| entry::decode_event(&id.map).map(|e| (id.id, e)))
        .collect()
}

/// A dedicated connection for one consumer's blocking reads.
#[derive(Debug)]
pub struct Reader {
    conn: RedisConn,
    keys: KeySpace,
}

impl Reader {
    /// Reads up to `count` new orders of `agent` for `consumer` without blocking, highest
    /// priority first.
    ///
    /// # Cancel safety
    /// Not cancel safe: entries read by a dropped call stay pending for this consumer and are
    /// recovered by XAUTOCLAIM after the claim timeout.
    pub async fn read_now(&mut self, agent: AgentKind, consumer: &str, count: usize) -> anyhow::Result<Vec<Delivery>> {
        let keys = self.keys.agent(agent);
        let mut out = Vec::new();
        for p in Priority::ALL {
            if out.len() >= count {
                break;
            }
            let reply: Option<StreamReadReply> = redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg(GROUP)
                .arg(consumer)
                .arg("COUNT")
                .arg(count - out.len())
                .arg("STREAMS")
                .arg(keys.stream(*p))
                .arg(">")
                .query_async(&mut self.conn)
                .await
                .context("XREADGROUP")?;
            self.collect(agent, &keys, reply, &mut out).await?;
        }
        Ok(out)
    }

    /// Blocks up to `block` for new orders on all three streams at once, COUNT 1 each: it may
    /// return up to three entries (one per stream), highest priority first; the caller gives
    /// back what it cannot run.
    pub async fn wait_one(
        &mut self,
        agent: AgentKind,
        consumer: &str,
        block: Duration,
    ) -> anyhow::Result<Vec<Delivery>> {
        let keys = self.keys.agent(agent);
        let streams = keys.streams();
        let reply: Option<StreamReadReply> = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(consumer)
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(u64::try_from(block.as_millis()).unwrap_or(u64::MAX))
            .arg("STREAMS")
            .arg(&streams[..])
            .arg(">")
            .arg(">")
            .arg(">")
            .query_async(&mut self.conn)
            .await
            .context("XREADGROUP BLOCK")?;
        let mut out = Vec::new();
        self.collect(agent, &keys, reply, &mut out).await?;
        Ok(out)
    }

    /// Takes over at most `count` entries that sat unacknowledged longer than `min_idle` (their
    /// reader died between read and claim).
    pub async fn autoclaim(
        &mut self,
        agent: AgentKind,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> anyhow::Result<Vec<Delivery>> {
        let keys = self.keys.agent(agent);
        let mut out = Vec::new();
        for p in Priority::ALL {
            if out.len() >= count {
                break;
            }
            let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
                .arg(keys.stream(*p))
                .arg(GROUP)
                .arg(consumer)
                .arg(u64::try_from(min_idle.as_millis()).unwrap_or(u64::MAX))
                .arg("0-0")
                .arg("COUNT")
                .arg(count - out.len())
                .query_async(&mut self.conn)
                .await
                .context("XAUTOCLAIM")?;
            let mut junk = Vec::new();
            for id in reply.claimed {
                match entry::decode(agent, *p, &id.id, &id.map) {
                    Some(d) => out.push(d),
                    None => junk.push((*p, id.id)),
                }
            }
            self.drop_junk(&keys, junk).await?;
        }
        Ok(out)
    }

    /// Acks and deletes entries that do not decode (only a newer, incompatible writer makes
    /// them), so they do not come back at every XAUTOCLAIM.
    async fn drop_junk(&mut self, keys: &AgentKeys, junk: Vec<(Priority, String)>) -> anyhow::Result<()> {
        if junk.is_empty() {
            return Ok(());
        }
        tracing::warn!(entries = junk.len(), "dropping undecodable stream entries");
        let refs: Vec<(Priority, &str)> = junk.iter().map(|(p, id)| (*p, id.as_str())).collect();
        scripts::ack_entries(&mut self.conn, keys, &refs).await
    }

    async fn collect(
        &mut self,
        agent: AgentKind,
        keys: &AgentKeys,
        reply: Option<StreamReadReply>,
        out: &mut Vec<Delivery>,
    ) -> anyhow::Result<()> {
        let Some(reply) = reply else { return Ok(()) };
        // Keep priority order even when a blocking read returned several streams.
        let mut found: Vec<(Priority, Delivery)> = Vec::new();
        let mut junk = Vec::new();
        for sk in reply.keys {
            let Some(p) = Priority::ALL.iter().copied().find(|p| keys.stream(*p) == sk.key) else {
                continue;
            };
            for id in sk.ids {
                match entry::decode(agent, p, &id.id, &id.map) {
                    Some(d) => found.push((p, d)),
                    None => junk.push((p, id.id)),
                }
            }
        }
        found.sort_by_key(|(p, _)| *p);
        out.extend(found.into_iter().map(|(_, d)| d));
        self.drop_junk(keys, junk).await
    }
}

/// Whether a Redis error means the consumer group (or stream) is gone, e.g. after a flush.
pub fn is_missing_group(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<redis::RedisError>()
            .is_some_and(|r| r.code() == Some("NOGROUP"))
    })
}

/// Whether an error means Redis could not be reached.
pub fn is_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<redis::RedisError>().is_some_and(|r| {
            r.is_io_error() || r.is_timeout() || r.is_connection_dropped() || r.is_connection_refusal()
        })
    })
}
