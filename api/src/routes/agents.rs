//! `/api/agents`: per agent type queue statistics, fleet-wide settings, and the live workers
//! serving it with their free capacity.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{Object, OpenApi};
use shared::domain::AgentKind;
use shared::domain::worker::free_capacity;
use shared::store::dispatch::AgentPatch;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::{ApiError, FieldProblem};
use crate::state::AppState;

/// Agent routes.
pub struct AgentsApi;

/// One agent type: queue statistics and settings.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AgentView {
    /// Agent type.
    pub agent: String,
    /// QUEUED and due.
    pub queued: i64,
    /// QUEUED with a future start (scheduled or backing off).
    pub delayed: i64,
    /// RUNNING.
    pub running: i64,
    /// FAILED as dead letters (attempts ran out on lost leases).
    pub dead: i64,
    /// Age of the oldest due QUEUED task, in seconds.
    pub oldest_waiting_secs: Option<f64>,
    /// Paused by an operator.
    pub paused: bool,
    /// Paused by a rate limit until then.
    pub paused_until: Option<DateTime<Utc>>,
    /// Why it is paused.
    pub pause_reason: Option<String>,
    /// Fleet-wide limit of attempts at once (absent: none).
    pub concurrency_limit: Option<u32>,
    /// Live workers serving this agent type (0: its tasks wait until one starts).
    pub live_workers: u32,
    /// Attempts the live workers could start now: their free permits (shared by every agent
    /// type a worker serves), capped by the fleet-wide limit less RUNNING.
    pub free_capacity: u32,
}

/// Body of `PATCH /api/agents/{type}`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct AgentPatchBody {
    /// Pause (true) or resume (false; also lifts a rate-limit pause).
    pub paused: Option<bool>,
    /// Fleet-wide limit (0 to 10000); `null` removes it.
    #[oai(nullable)]
    pub concurrency_limit: MaybeUndefined<u32>,
}

fn parse_agent(name: &str) -> Result<AgentKind, ApiError> {
    name.parse().map_err(|e: shared::domain::ids::UnknownName| {
        ApiError::validation(vec![FieldProblem {
            field: "agent".into(),
            message: e.to_string(),
        }])
    })
}

async fn views(state: &AppState) -> Result<Vec<AgentView>, ApiError> {
    let stats = state.store.agent_stats().await?;
    let settings = state.store.agent_settings().await?;
    let workers = state.store.live_workers().await?;
    let now = Utc::now();
    Ok(stats
        .into_iter()
        .map(|st| {
            let s = settings.iter().find(|s| s.agent == st.agent);
            let (live_workers, free) = free_capacity(&workers, st.agent);
            let limit = s.and_then(|s| s.concurrency_limit);
            let free_capacity = match limit {
                Some(l) => free.min(u32::try_from((i64::from(l) - st.running).max(0)).unwrap_or(0)),
                None => free,
            };
            AgentView {
                agent: st.agent.as_str().to_owned(),
                queued: st.queued,
                delayed: st.delayed,
                running: st.running,
                dead: st.dead,
                oldest_waiting_secs: st.oldest_queued_at.map(|t| (now - t).as_seconds_f64().max(0.0)),
                paused: s.is_some_and(|s| s.paused),
                paused_until: s.and_then(|s| s.paused_until).filter(|t| *t > now),
                pause_reason: s.and_then(|s| s.pause_reason.clone()),
                concurrency_limit: limit,
                live_workers,
                free_capacity,
            }
        })
        .collect())
}

#[OpenApi(prefix_path = "/api/agents", tag = "ApiTags::Agents")]
impl AgentsApi {
    /// List agent types
    ///
    /// Queue statistics (from Postgres, the source of truth), settings, live workers and free
    /// capacity of every agent type.
    #[oai(path = "/", method = "get")]
    async fn list(&self, state: Data<&AppState>, auth: BearerAuth) -> Result<Json<Vec<AgentView>>, ApiError> {
        auth.fleet()?;
        Ok(Json(views(&state).await?))
    }

    /// Change an agent type's settings
    ///
    /// Pause or resume it on every worker, or set its fleet-wide concurrency limit. Takes effect
    /// at once.
    #[oai(path = "/:agent", method = "patch")]
    async fn patch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        agent: Path<String>,
        body: Json<AgentPatchBody>,
    ) -> Result<Json<AgentView>, ApiError> {
        auth.admin()?;
        let agent = parse_agent(&agent.0)?;
        let concurrency_limit = match body.0.concurrency_limit {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) if v <= 10_000 => Some(Some(v)),
            MaybeUndefined::Value(_) => {
                return Err(ApiError::unprocessable(
                    "validation",
                    "concurrency_limit must be at most 10000".into(),
                ));
            }
        };
        let settings = state
            .store
            .update_agent(
                agent,
                &AgentPatch {
                    paused: body.0.paused,
                    concurrency_limit,
                },
            )
            .await?;
        if let Err(e) = state.queue.sync_settings(&settings).await {
            tracing::warn!(error.message = %e, "agent settings saved; Redis mirror follows at the next reconcile");
        }
        let view = views(&state).await?.into_iter().find(|v| v.agent == agent.as_str());
        view.map(Json).ok_or_else(|| ApiError::not_found("agent", agent))
    }
}
