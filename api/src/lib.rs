//! The API node: a stateless poem-openapi service over Postgres (truth) and Redis (dispatch).
//!
//! - [`startup`]: build, bind, serve, shut down.
//! - [`routes`]: the OpenAPI service, one module per area; DTOs live beside their routes.
//! - [`problem`]: the one error type (RFC 9457 problem+json), mapped in one place.
//! - [`auth`]: bearer tokens.
//! - [`state`]: the handles every request can reach.
//! - [`ui`]: the web UI's static files, served at `/` in front of the API.
//! - [`ci_plan`]: the local model's plans of CI-fix tasks, written after the webhook answered.
//! - [`inserter`]: concurrent single-task creates coalesced into shared insert statements.
//! - [`live`]: which agent types live workers serve (classification, task warnings).
//!
//! Handlers convert DTOs to domain types at the edge, call `shared::store` / `shared::outbox`,
//! and convert back. They hold nothing between requests.

pub mod auth;
mod body_limit;
pub mod ci_plan;
pub mod inserter;
pub mod live;
pub mod problem;
pub mod routes;
pub mod startup;
pub mod state;
pub mod ui;
