//! Liveness and readiness. Unauthenticated.

use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::ApiTags;
use crate::state::AppState;

/// Health routes.
pub struct HealthApi;

/// Health of the process and its dependencies.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: String,
    /// Postgres: `ok` or the error.
    pub postgres: Option<String>,
    /// Redis: `ok` or the error.
    pub redis: Option<String>,
}

/// Readiness answer.
#[derive(ApiResponse)]
pub enum Readiness {
    /// Postgres and Redis answer.
    #[oai(status = 200)]
    Ready(Json<Health>),
    /// A dependency does not answer.
    #[oai(status = 503)]
    NotReady(Json<Health>),
}

fn verdict(r: anyhow::Result<()>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) => format!("{e:#}"),
    }
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness
    ///
    /// 200 while the process serves requests.
    #[oai(path = "/healthz", method = "get")]
    async fn healthz(&self) -> Json<Health> {
        Json(Health {
            status: "ok".into(),
            postgres: None,
            redis: None,
        })
    }

    /// Readiness
    ///
    /// 200 when Postgres and Redis both answer, else 503.
    #[oai(path = "/readyz", method = "get")]
    async fn readyz(&self, state: Data<&AppState>) -> Readiness {
        let (pg, redis) = tokio::join!(state.store.ping(), state.queue.ping());
        let (pg, redis) = (verdict(pg), verdict(redis));
        let ok = pg == "ok" && redis == "ok";
        let h = Health {
            status: if ok { "ok" } else { "unavailable" }.into(),
            postgres: Some(pg),
            redis: Some(redis),
        };
        if ok {
            Readiness::Ready(Json(h))
        } else {
            Readiness::NotReady(Json(h))
        }
    }
}
