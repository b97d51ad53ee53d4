//! Push subscriptions and the delivery outbox of the notifier.
//!
//! A delivery row per (event, subscription) is created when the notifier reads an event
//! (`ON CONFLICT DO NOTHING`, so a redelivered event adds nothing). Senders take due rows under
//! a short lease (`next_attempt_at` pushed forward, `FOR UPDATE SKIP LOCKED`), so concurrent
//! notifiers never send the same row at once; a row is marked delivered after the push service
//! accepted it, or rescheduled.

use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Store;
use crate::domain::TaskState;
use crate::domain::notify::PushSubscription;

/// A delivery to make.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// The event.
    pub event_id: i64,
    /// The subscription.
    pub subscription: PushSubscription,
    /// JSON payload.
    pub payload: serde_json::Value,
    /// RFC 8030 topic.
    pub topic: Option<String>,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

type SubRow = (Uuid, String, String, String, Vec<String>, String, Option<Vec<Uuid>>);

fn to_sub(r: SubRow) -> anyhow::Result<PushSubscription> {
    Ok(PushSubscription {
        id: r.0,
        endpoint: r.1,
        p256dh: r.2,
        auth: r.3,
        notify_on: r.4.iter().map(|s| s.parse()).collect::<Result<_, _>>()?,
        vapid_key: r.5,
        projects: r.6,
    })
}

impl Store {
    /// Saves a subscription; the same endpoint again replaces its keys and choices.
    pub async fn save_subscription(
        &self,
        endpoint: &str,
        p256dh: &str,
        auth: &str,
        notify_on: &[TaskState],
        vapid_key: &str,
        token_id: Option<Uuid>,
    ) -> anyhow::Result<PushSubscription> {
        let states: Vec<&str> = notify_on.iter().map(|s| s.as_str()).collect();
        let row: SubRow = sqlx::query_as(
            "INSERT INTO push_subscriptions (id, endpoint, p256dh, auth, notify_on, vapid_key, token_id) \
             VALUES ($1, $2, $3, $4, $5::task_state[], $6, $7) \
             ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth, \
               notify_on = excluded.notify_on, vapid_key = excluded.vapid_key \
             RETURNING id, endpoint, p256dh, auth, notify_on::text[], vapid_key, NULL::uuid[]",
        )
        .bind(Uuid::now_v7())
        .bind(endpoint)
        .bind(p256dh)
        .bind(auth)
        .bind(&states)
        .bind(vapid_key)
        .bind(token_id)
        .fetch_one(&self.pool)
        .await
        .context("saving push subscription")?;
        to_sub(row)
    }

    /// Deletes a subscription; false when there was none.
    /// With `owner`, only a subscription that token made.
    pub async fn delete_subscription(&self, id: Uuid, owner: Option<Uuid>) -> anyhow::Result<bool> {
        let r = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND ($2::uuid IS NULL OR token_id = $2)")
            .bind(id)
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Subscriptions that want to hear about `state`, with their token's project scope. Those of
    /// a revoked or expired token hear nothing (ones without a token predate token ownership).
    pub async fn subscriptions_for(&self, state: TaskState) -> anyhow::Result<Vec<PushSubscription>> {
        let rows: Vec<SubRow> = sqlx::query_as(
            "SELECT s.id, s.endpoint, s.p256dh, s.auth, s.notify_on::text[], s.vapid_key, a.project_ids \
             FROM push_subscriptions s LEFT JOIN api_tokens a ON a.id = s.token_id \
             WHERE $1::task_state = ANY(s.notify_on) \
               AND (s.token_id IS NULL OR (a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now())))",
        )
        .bind(state.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(to_sub).collect()
    }

    /// Records deliveries to make (idempotent per event and subscription).
    pub async fn queue_deliveries(
        &self,
        rows: &[(i64, Uuid, serde_json::Value, Option<String>)],
    ) -> anyhow::Result<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let r = sqlx::query(
            "INSERT INTO push_deliveries (event_id, subscription_id, payload, topic) \
             SELECT * FROM unnest($1::int8[], $2::uuid[], $3::jsonb[], $4::text[]) \
             ON CONFLICT DO NOTHING",
        )
        .bind(rows.iter().map(|r| r.0).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.3.clone()).collect::<Vec<_>>())
        .execute(&self.pool)
        .await
        .context("queueing deliveries")?;
        Ok(r.rows_affected())
    }

    /// Takes up to `limit` due deliveries under a lease of `lease` (they are not due again until
    /// it runs out, so a sender that dies mid-send is retried after it).
    pub async fn take_due_deliveries(&self, limit: i64, lease: Duration) -> anyhow::Result<Vec<DueDelivery>> {
        type Row = (
            i64,
            i32,
            serde_json::Value,
            Option<String>,
            Uuid,
            String,
            String,
            String,
            Vec<String>,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "WITH due AS ( \
               SELECT event_id, subscription_id FROM push_deliveries \
               WHERE delivered_at IS NULL AND next_attempt_at <= now() \
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED \
             ), taken AS ( \
               UPDATE push_deliveries d SET attempts = d.attempts + 1, \
                 next_attempt_at = now() + make_interval(secs => $2) \
               FROM due WHERE d.event_id = due.event_id AND d.subscription_id = due.subscription_id \
               RETURNING d.event_id, d.attempts, d.payload, d.topic, d.subscription_id \
             ) \
             SELECT t.event_id, t.attempts, t.payload, t.topic, s.id, s.endpoint, s.p256dh, s.auth, \
               s.notify_on::text[], s.vapid_key \
             FROM taken t JOIN push_subscriptions s ON s.id = t.subscription_id ORDER BY t.event_id",
        )
        .bind(limit)
        .bind(lease.as_secs_f64())
        .fetch_all(&self.pool)
        .await
        .context("taking due deliveries")?;
        rows.into_iter()
            .map(|r| {
                Ok(DueDelivery {
                    event_id: r.0,
                    attempts: r.1,
                    payload: r.2,
                    topic: r.3,
                    subscription: to_sub((r.4, r.5, r.6, r.7, r.8, r.9, None))?,
                })
            })
            .collect()
    }

    /// Marks a delivery done.
    pub async fn mark_delivered(&self, event_id: i64, subscription: Uuid) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE push_deliveries SET delivered_at = now(), last_error = NULL \
             WHERE event_id = $1 AND subscription_id = $2",
        )
        .bind(event_id)
        .bind(subscription)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Tries a delivery again at `at`.
    pub async fn reschedule_delivery(
        &self,
        event_id: i64,
        subscription: Uuid,
        at: DateTime<Utc>,
        error: &str,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE push_deliveries SET next_attempt_at = $3, last_error = $4 \
             WHERE event_id = $1 AND subscription_id = $2 AND delivered_at IS NULL",
        )
        .bind(event_id)
        .bind(subscription)
        .bind(at)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up on a delivery (a permanent rejection).
    pub async fn drop_delivery(&self, event_id: i64, subscription: Uuid, error: &str) -> anyhow::Result<()> {
        sqlx::query(
            "UPDATE push_deliveries SET next_attempt_at = 'infinity', last_error = $3 \
             WHERE event_id = $1 AND subscription_id = $2",
        )
        .bind(event_id)
        .bind(subscription)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes delivery rows finished (delivered or given up) longer than `keep` ago.
    pub async fn prune_deliveries(&self, keep: Duration) -> anyhow::Result<u64> {
        let r = sqlx::query(
            "DELETE FROM push_deliveries WHERE (delivered_at < now() - make_interval(secs => $1)) \
               OR (next_attempt_at = 'infinity' AND event_id IN \
                   (SELECT id FROM task_events WHERE created_at < now() - make_interval(secs => $1)))",
        )
        .bind(keep.as_secs_f64())
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }
}
