//! `/api/push`: Web Push subscriptions. The browser fetches the VAPID public key, subscribes
//! with it (`pushManager.subscribe({userVisibleOnly: true, applicationServerKey})`), and posts
//! its `PushSubscription.toJSON()` here; the notifier then sends it the events it chose.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use shared::domain::TaskState as DomainState;
use shared::domain::notify::{DEFAULT_NOTIFY_ON, PushSubscription};
use shared::push::{SubscriptionKeys, VapidKeys};
use uuid::Uuid;

use super::ApiTags;
use super::tasks::dto::TaskState;
use crate::auth::BearerAuth;
use crate::problem::{ApiError, FieldProblem};
use crate::state::AppState;

/// Push routes.
pub struct PushApi;

/// The key browsers subscribe with.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VapidPublicKey {
    /// base64url of the 65-byte uncompressed P-256 point (`applicationServerKey`).
    pub public_key: String,
}

/// `keys` of a browser subscription.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SubscriptionKeysBody {
    /// The browser's P-256 public key, base64url (65 bytes).
    pub p256dh: String,
    /// The browser's auth secret, base64url (16 bytes).
    pub auth: String,
}

/// A browser's `PushSubscription.toJSON()`, plus which task states notify.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SubscribeBody {
    /// Push service URL (https; http only for loopback).
    pub endpoint: String,
    /// When the subscription expires (ms since the epoch), as the browser reports it.
    #[oai(rename = "expirationTime")]
    pub expiration_time: Option<i64>,
    /// The browser's keys.
    pub keys: SubscriptionKeysBody,
    /// Task states that notify (default COMPLETED, FAILED, BLOCKED, READY).
    pub notify_on: Option<Vec<TaskState>>,
}

/// A saved subscription.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SubscriptionView {
    /// Id (for DELETE).
    pub id: Uuid,
    /// Push service URL.
    pub endpoint: String,
    /// Task states that notify.
    pub notify_on: Vec<TaskState>,
}

impl From<PushSubscription> for SubscriptionView {
    fn from(s: PushSubscription) -> Self {
        SubscriptionView {
            id: s.id,
            endpoint: s.endpoint,
            notify_on: s.notify_on.into_iter().map(Into::into).collect(),
        }
    }
}

/// Answer of `DELETE /api/push/subscriptions/{id}`.
#[derive(ApiResponse)]
pub enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    Done,
}

fn vapid(state: &AppState) -> Result<VapidKeys, ApiError> {
    let key = state
        .settings
        .vapid_private_key
        .as_deref()
        .ok_or_else(|| ApiError::unavailable("push is not configured (set VAPID_PRIVATE_KEY)".into()))?;
    VapidKeys::from_private_b64(key).map_err(|e| ApiError::from(e.context("VAPID_PRIVATE_KEY is invalid")))
}

fn valid_endpoint(url: &str) -> bool {
    let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"];
    url.len() <= 2048 && (url.starts_with("https://") || loopback.iter().any(|p| url.starts_with(p)))
}

#[OpenApi(prefix_path = "/api/push", tag = "ApiTags::Push")]
impl PushApi {
    /// The VAPID public key
    ///
    /// Pass it as `applicationServerKey` when subscribing in the browser.
    #[oai(path = "/vapid-public-key", method = "get")]
    async fn vapid_public_key(
        &self,
        state: Data<&AppState>,
        _auth: BearerAuth,
    ) -> Result<Json<VapidPublicKey>, ApiError> {
        Ok(Json(VapidPublicKey {
            public_key: vapid(&state)?.public_b64(),
        }))
    }

    /// Subscribe a browser
    ///
    /// Saves the browser's subscription (the same endpoint again replaces it) and which task
    /// states notify it.
    #[oai(path = "/subscriptions", method = "post")]
    async fn subscribe(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<SubscribeBody>,
    ) -> Result<Json<SubscriptionView>, ApiError> {
        auth.require_full()?;
        let vapid = vapid(&state)?;
        let b = body.0;
        let mut problems = Vec::new();
        if !valid_endpoint(&b.endpoint) {
            problems.push(FieldProblem {
                field: "endpoint".into(),
                message: "must be an https URL".into(),
            });
        }
        if let Err(e) = SubscriptionKeys::parse(&b.keys.p256dh, &b.keys.auth) {
            problems.push(FieldProblem {
                field: "keys".into(),
                message: format!("{e:#}"),
            });
        }
        let notify_on: Vec<DomainState> = match b.notify_on {
            Some(v) if v.is_empty() => {
                problems.push(FieldProblem {
                    field: "notify_on".into(),
                    message: "name at least one state".into(),
                });
                Vec::new()
            }
            Some(v) => v.into_iter().map(Into::into).collect(),
            None => DEFAULT_NOTIFY_ON.to_vec(),
        };
        if !problems.is_empty() {
            return Err(ApiError::validation(problems));
        }
        let saved = state
            .store
            .save_subscription(
                &b.endpoint,
                &b.keys.p256dh,
                &b.keys.auth,
                &notify_on,
                &vapid.public_b64(),
                Some(auth.0.token_id),
            )
            .await?;
        Ok(Json(saved.into()))
    }

    /// Unsubscribe
    #[oai(path = "/subscriptions/:id", method = "delete")]
    async fn unsubscribe(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> Result<Deleted, ApiError> {
        auth.require_full()?;
        // A subscription belongs to the token that made it; admins may remove any.
        let owner = auth.admin().is_err().then_some(auth.0.token_id);
        if state.store.delete_subscription(id.0, owner).await? {
            Ok(Deleted::Done)
        } else {
            Err(ApiError::not_found("subscription", id.0))
        }
    }
}
