//! The one integration-test binary: real Postgres, real Redis, real HTTP, real processes.
//! Each test has its own database and Redis prefix, so they all run in parallel.

mod access;
mod assist;
mod blocked;
mod classify;
mod claude;
mod clients;
mod cluster;
mod conformance;
mod contract;
mod dispatch;
mod enums;
mod events;
mod faults;
mod gemini;
mod hostile;
mod loops;
mod openapi_drift;
mod push;
mod rate_limits;
mod retention;
mod sandbox;
mod stories;
mod tasks_api;
mod ui;
mod webhooks;
mod webhooks_ci_plan;
mod workers;
