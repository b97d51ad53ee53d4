//! The worker: claims tasks from Redis, runs them, records results in Postgres.
//!
//! - [`startup`]: build, run, graceful shutdown.
//! - [`consumer`]: the claim loop of one agent type (slots → read → claim → ack → spawn).
//! - [`attempt`]: one attempt (run → decide → record, fenced on the attempt).
//! - [`recorder`]: batches result writes.
//! - [`heartbeat`]: renews leases; stops attempts whose lease is gone (cancel included).
//! - [`maintenance`]: reaper of expired leases and reconciler of undispatched tasks.
//! - [`stories`]: checkers, the ship step and validation of stories.
//! - [`relay`]: appends committed task events to the Redis events stream.
//! - [`running`]: registry of running attempts.
//! - [`registry`]: this worker's entry in the fleet's worker registry (Postgres, with expiry).
//! - [`agents`]: runners per agent type.
//! - [`workspace`]: sandboxes: per-task directories, git clones, pushes, archives of blocked
//!   workspaces.
//! - [`summary`]: a summary written by the local model when an agent left none.
//! - [`context`]: the shared handles.

pub mod agents;
pub mod attempt;
pub mod consumer;
pub mod context;
pub mod heartbeat;
pub mod maintenance;
pub mod notifier;
pub mod recorder;
pub mod registry;
pub mod relay;
pub mod running;
pub mod startup;
pub mod stories;
pub mod summary;
pub mod workspace;
