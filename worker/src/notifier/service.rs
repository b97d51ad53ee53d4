//! The notifier process (`worker notify`): a dedicated consumer group on the events stream.
//!
//! - **Intake** reads events (its own unacknowledged ones first, then new ones; every few
//!   seconds it also takes over events another notifier left unacknowledged), writes one
//!   delivery row per interested subscription (idempotent per event and subscription), and only
//!   then acknowledges the events. A crash before the ack re-reads them; nothing is lost, and
//!   the rows are not duplicated.
//! - **Delivery** takes due rows under a lease, encrypts each payload for its browser (RFC 8291),
//!   signs a VAPID token (RFC 8292), posts it (RFC 8030: TTL, Urgency, Topic), and marks it
//!   delivered; 404/410 delete the subscription, 429/5xx reschedule after Retry-After, other
//!   rejections give up. A notifier killed between the push service's 201 and the mark sends
//!   that message again once the lease runs out: at least once, and the only window for a
//!   duplicate. On SIGTERM it stops taking work and finishes what it is sending.
//! - A **relay** runs here too, so events reach the stream even where no worker runs.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use shared::config::NotifierSettings;
use shared::domain::TaskState;
use shared::domain::notify::notification_for;
use shared::queue::{EventEntry, Queue, Reader};
use shared::store::Store;
use shared::store::push::DueDelivery;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::webpush::{self, PushMessage, SendOutcome, SubscriptionKeys, Urgency, VapidKeys};

const READ_BLOCK: Duration = Duration::from_millis(1000);
const STALE_EVERY: Duration = Duration::from_secs(5);
const IDLE_POLL: Duration = Duration::from_millis(500);
/// Attempts before a delivery that keeps meeting 429/5xx or network errors is given up.
const MAX_ATTEMPTS: i32 = 12;
/// How long finished delivery rows are kept, and how often they are pruned.
const KEEP_DELIVERIES: Duration = Duration::from_secs(7 * 24 * 3600);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// A connected notifier.
pub struct Notifier {
    store: Store,
    queue: Queue,
    settings: NotifierSettings,
    vapid: VapidKeys,
    http: reqwest::Client,
    wake: Notify,
}

impl Notifier {
    /// Connects to Postgres and Redis.
    pub async fn build(settings: NotifierSettings) -> anyhow::Result<Notifier> {
        let store = Store::connect(&settings.common.database_url, settings.common.database_max_connections).await?;
        let queue = Queue::connect(settings.common.redis.clone(), &settings.common.redis_prefix).await?;
        Self::build_with(settings, store, queue)
    }

    /// Uses existing handles (tests).
    pub fn build_with(settings: NotifierSettings, store: Store, queue: Queue) -> anyhow::Result<Notifier> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let vapid = VapidKeys::from_private_b64(&settings.vapid_private_key)?;
        // A send must end before its delivery lease does, or another sender could repeat it.
        let timeout = (settings.delivery_lease / 2).clamp(Duration::from_millis(500), Duration::from_secs(30));
        // A push service answers; it never redirects. Following one would let a subscription
        // point the notifier at any address (loopback, the cloud metadata service).
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Notifier {
            store,
            queue,
            settings,
            vapid,
            http,
            wake: Notify::new(),
        })
    }

    /// Runs until `shutdown` resolves; then finishes the sends in flight.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        let me = Arc::new(self);
        me.queue.ensure_notifier_group().await?;
        let stop = CancellationToken::new();
        let tasks = TaskTracker::new();
        tasks.spawn(crate::relay::run_with(me.store.clone(), me.queue.clone(), stop.clone()));
        tasks.spawn(intake(me.clone(), stop.clone()));
        tasks.spawn(deliver(me.clone(), stop.clone()));
        tracing::info!(notifier = %me.settings.notifier_id, vapid_key = %me.vapid.public_b64(), "notifier running");
        shutdown.await;
        stop.cancel();
        tasks.close();
        tasks.wait().await;
        tracing::info!("notifier stopped");
        Ok(())
    }
}

async fn intake(n: Arc<Notifier>, stop: CancellationToken) {
    let mut reader: Option<Reader> = None;
    let mut next_stale = tokio::time::Instant::now();
    while !stop.is_cancelled() {
        let r = async {
            if reader.is_none() {
                reader = Some(n.queue.blocking_reader(READ_BLOCK).await?);
            }
            let Some(r) = reader.as_mut() else {
                return anyhow::Ok(());
            };
            let events = if tokio::time::Instant::now() >= next_stale {
                next_stale = tokio::time::Instant::now() + STALE_EVERY;
                r.claim_stale_events(&n.settings.notifier_id, n.settings.claim_timeout, 100)
                    .await?
            } else {
                tokio::select! {
                    () = stop.cancelled() => return Ok(()),
                    e = r.notifier_events(&n.settings.notifier_id, 100, READ_BLOCK) => e?,
                }
            };
            take_in(&n, events).await
        };
        if let Err(e) = r.await {
            if shared::queue::is_missing_group(&e) {
                let _ = n.queue.ensure_notifier_group().await;
                continue;
            }
            tracing::warn!(error.message = %format!("{e:#}"), "notifier intake failed; retrying");
            reader = None;
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    }
}

/// Turns events into delivery rows, then acknowledges them.
async fn take_in(n: &Notifier, events: Vec<EventEntry>) -> anyhow::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut subs_by_state = HashMap::new();
    let mut rows = Vec::new();
    for (_, fe) in &events {
        let e = &fe.event;
        if e.from == Some(e.to) || e.to == TaskState::Pending && e.from.is_none() {
            continue;
        }
        let subs = match subs_by_state.get(&e.to) {
            Some(s) => Vec::clone(s),
            None => {
                let found = n.store.subscriptions_for(e.to).await?;
                subs_by_state.insert(e.to, found.clone());
                found
            }
        };
        if subs.is_empty() {
            continue;
        }
        let Some(task) = n.store.get_task(e.task_id).await? else {
            continue;
        };
        let payload = notification_for(
            e.task_id,
            &task.spec.title,
            e.to,
            e.reason.as_deref(),
            &n.settings.public_url,
        );
        let json = serde_json::to_value(&payload)?;
        let topic = webpush::topic_for(&e.task_id.to_string());
        // A subscription hears only about tasks its token may see.
        for s in subs.iter().filter(|s| s.may_hear_of(task.spec.project_id)) {
            rows.push((e.id, s.id, json.clone(), Some(topic.clone())));
        }
    }
    if n.store.queue_deliveries(&rows).await? > 0 {
        n.wake.notify_one();
    }
    let ids: Vec<String> = events.into_iter().map(|(id, _)| id).collect();
    n.queue.ack_events(&ids).await
}

async fn deliver(n: Arc<Notifier>, stop: CancellationToken) {
    let mut next_prune = tokio::time::Instant::now();
    while !stop.is_cancelled() {
        if tokio::time::Instant::now() >= next_prune {
            next_prune = tokio::time::Instant::now() + PRUNE_EVERY;
            match n.store.prune_deliveries(KEEP_DELIVERIES).await {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, "pruned old push deliveries"),
                Err(e) => tracing::warn!(error.message = %e, "pruning push deliveries failed"),
            }
        }
        let due = match n
            .store
            .take_due_deliveries(
                i64::try_from(n.settings.concurrency).unwrap_or(16),
                n.settings.delivery_lease,
            )
            .await
        {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error.message = %e, "taking deliveries failed");
                Vec::new()
            }
        };
        if due.is_empty() {
            tokio::select! {
                () = stop.cancelled() => return,
                () = n.wake.notified() => {}
                () = tokio::time::sleep(IDLE_POLL) => {}
            }
            continue;
        }
        // Sends in flight finish even when a stop arrives meanwhile.
        futures::future::join_all(due.into_iter().map(|d| deliver_one(&n, d))).await;
    }
}

async fn deliver_one(n: &Notifier, d: DueDelivery) {
    let sub = &d.subscription;
    let r = async {
        if sub.vapid_key != n.vapid.public_b64() {
            n.store
                .drop_delivery(d.event_id, sub.id, "subscribed with another VAPID key")
                .await?;
            return anyhow::Ok(());
        }
        let keys = match SubscriptionKeys::parse(&sub.p256dh, &sub.auth) {
            Ok(k) => k,
            Err(e) => {
                n.store
                    .drop_delivery(d.event_id, sub.id, &format!("bad subscription keys: {e}"))
                    .await?;
                return Ok(());
            }
        };
        let body = webpush::encrypt(&serde_json::to_vec(&d.payload)?, &keys)?;
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
        let auth = webpush::vapid_header(&n.vapid, &sub.endpoint, &n.settings.vapid_subject, now)?;
        let urgency = if d.payload["state"] == "BLOCKED" {
            Urgency::High
        } else {
            Urgency::Normal
        };
        let msg = PushMessage {
            ttl_secs: n.settings.push_ttl_secs,
            urgency,
            topic: d.topic.clone(),
        };
        match webpush::send(&n.http, &sub.endpoint, body, &msg, &auth).await {
            Ok(SendOutcome::Delivered) => n.store.mark_delivered(d.event_id, sub.id).await?,
            Ok(SendOutcome::Gone) => {
                tracing::info!(subscription = %sub.id, "push service says the subscription is gone; deleting it");
                n.store.delete_subscription(sub.id, None).await?;
            }
            Ok(SendOutcome::RetryAfter(_)) | Err(_) if d.attempts >= MAX_ATTEMPTS => {
                tracing::warn!(subscription = %sub.id, attempts = d.attempts, "push keeps failing; giving up on this message");
                n.store
                    .drop_delivery(d.event_id, sub.id, "gave up after repeated 429/5xx or network errors")
                    .await?;
            }
            Ok(SendOutcome::RetryAfter(wait)) => {
                let at = Utc::now() + chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::seconds(10));
                n.store
                    .reschedule_delivery(d.event_id, sub.id, at, "push service asked to retry later")
                    .await?;
            }
            Ok(SendOutcome::Rejected(code, text)) => {
                tracing::warn!(subscription = %sub.id, status = code, "push rejected; giving up on this message");
                n.store
                    .drop_delivery(d.event_id, sub.id, &format!("{code}: {text}"))
                    .await?;
            }
            Err(e) => {
                let backoff =
                    Duration::from_secs(2u64.saturating_pow(u32::try_from(d.attempts.clamp(1, 8)).unwrap_or(8)));
                let at = Utc::now() + chrono::TimeDelta::from_std(backoff).unwrap_or(chrono::TimeDelta::seconds(60));
                n.store
                    .reschedule_delivery(d.event_id, sub.id, at, &format!("{e:#}"))
                    .await?;
            }
        }
        Ok(())
    };
    if let Err(e) = r.await {
        tracing::warn!(error.message = %format!("{e:#}"), event = d.event_id, "delivery bookkeeping failed; the lease will retry it");
    }
}
