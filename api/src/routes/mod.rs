//! The OpenAPI service: every route, assembled in one place. The spec is served at
//! `/api/openapi.json` (and checked in as `openapi/openapi.yaml`), interactive docs at
//! `/api/docs`.

pub mod agents;
pub mod assist;
pub mod events;
pub mod executions;
pub mod health;
pub mod projects;
pub mod push;
pub mod spec;
pub mod stories;
pub mod tasks;
pub mod tokens;
pub mod webhooks;
pub mod workers;

use poem_openapi::{OpenApiService, Tags};

/// Tags grouping the operations in the docs.
#[derive(Tags)]
pub enum ApiTags {
    /// Tasks: create, inspect, act on.
    Tasks,
    /// Agent types: queue statistics, pause, limits.
    Agents,
    /// Live workers (the worker registry).
    Workers,
    /// Server-sent events.
    Events,
    /// Web Push subscriptions.
    Push,
    /// Projects.
    Projects,
    /// CI webhooks (authenticated by the project's webhook secret, not a bearer token).
    Webhooks,
    /// Model-backed helpers: draft a task from a line, rate a draft.
    Assist,
    /// Stories: tasks on one branch, checked, shipped and validated.
    Stories,
    /// API tokens (admin) and the calling token.
    Tokens,
    /// Liveness and readiness.
    Health,
}

/// Every API, in spec order.
pub type Apis = (
    health::HealthApi,
    tasks::TasksApi,
    agents::AgentsApi,
    workers::WorkersApi,
    events::EventsApi,
    push::PushApi,
    projects::ProjectsApi,
    webhooks::WebhooksApi,
    executions::ExecutionsApi,
    assist::AssistApi,
    stories::StoriesApi,
    tokens::TokensApi,
);

/// The OpenAPI service (no state needed: handlers take `AppState` from request data, so the
/// spec can be rendered without a database).
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            health::HealthApi,
            tasks::TasksApi,
            agents::AgentsApi,
            workers::WorkersApi,
            events::EventsApi,
            push::PushApi,
            projects::ProjectsApi,
            webhooks::WebhooksApi,
            executions::ExecutionsApi,
            assist::AssistApi,
            stories::StoriesApi,
            tokens::TokensApi,
        ),
        "claudomator",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Task automation server for AI coding agents. Every route under /api except the health \
             checks needs `Authorization: Bearer <token>`. Errors are RFC 9457 problem+json.",
    )
}

pub use spec::{spec_json, spec_yaml};
