//! Postgres: the source of truth, and the only module that writes SQL.
//!
//! Which queries exist and what they guarantee:
//! - [`tasks`]: inserting tasks (with their first events), reading and listing them, and every
//!   state change. Each change is one conditional `UPDATE … WHERE state = $from AND attempt =
//!   $fence` whose target state comes from [`crate::domain::transition`]; the row count decides
//!   whether it happened. The event row is written by the same statement.
//! - [`attempts`]: the worker side: batch claims (QUEUED → RUNNING, attempt + 1, lease, execution
//!   row), lease renewal, fenced batch finishes, and the reaper's view of expired leases.
//! - [`dispatch`]: the outbox the reconciler reads (QUEUED tasks not yet handed to the current
//!   Redis generation) and agent settings.
//! - [`ci_plans`]: a CI-fix task's model-written plan, applied only while the task was never
//!   claimed (the one write of `instructions` after insert; not a state change).
//! - [`tokens`]: API tokens, stored as SHA-256 hashes.
//! - [`stories`]: stories, their tasks (work, checkers, validation) and history; story state
//!   changes are conditional UPDATEs like task ones, checkers are created and applied once.
//! - [`logs`]: whole execution logs, gzip-compressed, archived when an attempt ends.
//! - [`workers`]: the worker registry (live = heartbeat within a lease TTL).
//! - [`workspaces`]: archived workspaces of BLOCKED tasks, written only by the owning attempt.
//! - [`retention`]: pruning terminal tasks and their history in batches (rolled up into daily
//!   statistics first), and the fleet-wide maintenance leases that let one worker do it.
//!
//! Row structs live in [`rows`] and never leave this module; callers get domain types.

pub mod attempts;
pub mod ci_plans;
pub mod dispatch;
pub mod events;
pub mod logs;
pub mod projects;
pub mod push;
pub mod retention;
mod rows;
pub mod stories;
pub mod tasks;
pub mod tokens;
pub mod workers;
pub mod workspaces;

use std::time::Duration;

use anyhow::Context as _;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// Embedded migrations (the `migrations/` folder at the workspace root).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Handle to the database; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: PgPool,
}

impl Store {
    /// Connects a pool of at most `max_connections`.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Store> {
        let opts: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid Postgres URL")?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .context("connecting to Postgres")?;
        Ok(Store { pool })
    }

    /// Wraps an existing pool (tests).
    pub fn from_pool(pool: PgPool) -> Store {
        Store { pool }
    }

    /// The pool, for migrations and readiness checks.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR.run(&self.pool).await.context("running migrations")
    }

    /// A trivial round trip, for readiness.
    pub async fn ping(&self) -> anyhow::Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("Postgres ping")?;
        Ok(())
    }
}

/// Whether an error means Postgres could not be reached (as opposed to a bad query).
pub fn is_unavailable(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_))
        )
    })
}

/// Whether Postgres refused a text value it cannot store: a NUL character (SQLSTATE 22021)
/// or a character with no equivalent in the server encoding (22P05). It is the client's input,
/// so the API answers 422 instead of 500, wherever a string reached a statement unchecked.
pub fn is_unstorable_text(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .and_then(|d| d.code())
            .is_some_and(|code| code == "22021" || code == "22P05")
    })
}

/// Whether an error is a foreign-key violation (a reference to a row that does not exist).
pub fn is_foreign_key_violation(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|d| d.is_foreign_key_violation())
    })
}

/// Whether an error is a unique violation (of any constraint).
pub fn is_unique_violation_any(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|d| d.is_unique_violation())
    })
}
