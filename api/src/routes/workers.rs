//! `GET /api/workers`: the live workers of the fleet, from the worker registry.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use shared::domain::worker::WorkerInfo;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::ApiError;
use crate::state::AppState;

/// Worker routes.
pub struct WorkersApi;

/// A live worker process.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct WorkerView {
    /// `WORKER_ID`.
    pub id: String,
    /// Host name.
    pub host: String,
    /// Version of the worker binary.
    pub version: String,
    /// Agent types it claims.
    pub agents: Vec<String>,
    /// Attempts it may run at once.
    pub concurrency: u32,
    /// Attempts it runs now (as of its last heartbeat).
    pub running: u32,
    /// How it sandboxes agents (`none` when not configured).
    pub sandbox: String,
    /// When the process started.
    pub started_at: DateTime<Utc>,
    /// Its last heartbeat.
    pub last_seen_at: DateTime<Utc>,
    /// Dropped from this list after this unless it heartbeats again (one lease TTL after its last heartbeat).
    pub expires_at: DateTime<Utc>,
}

impl From<WorkerInfo> for WorkerView {
    fn from(w: WorkerInfo) -> WorkerView {
        let p = w.presence;
        WorkerView {
            id: p.id,
            host: p.host,
            version: p.version,
            agents: p.agents.iter().map(|a| a.as_str().to_owned()).collect(),
            concurrency: p.concurrency,
            running: p.running,
            sandbox: p.sandbox,
            started_at: p.started_at,
            last_seen_at: w.last_seen_at,
            expires_at: w.expires_at,
        }
    }
}

#[OpenApi(prefix_path = "/api/workers", tag = "ApiTags::Workers")]
impl WorkersApi {
    /// List live workers
    ///
    /// Every worker that heartbeated within its lease TTL, by id. A worker that stopped cleanly
    /// leaves at once; one that died leaves when its entry expires.
    #[oai(path = "/", method = "get")]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<Vec<WorkerView>>, ApiError> {
        auth.fleet()?;
        Ok(Json(
            state.store.live_workers().await?.into_iter().map(Into::into).collect(),
        ))
    }
}
