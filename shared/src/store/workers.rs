//! The worker registry (table `workers`): each worker upserts its row on every heartbeat with an
//! expiry one lease TTL ahead, so "live" is `expires_at > now()` on the Postgres clock and a
//! worker killed without a goodbye drops out within one lease TTL. A clean shutdown deletes the
//! row at once. The registry is informational (listing, classification, warnings): no task write
//! is fenced on it.

use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use super::Store;
use crate::domain::AgentKind;
use crate::domain::worker::{WorkerInfo, WorkerPresence};

/// Rows expired longer than this are deleted when a worker starts.
const PRUNE_AFTER: Duration = Duration::from_secs(24 * 3600);

type WorkerRow = (
    String,
    String,
    String,
    Vec<String>,
    i32,
    i32,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    DateTime<Utc>,
);

impl Store {
    /// Inserts or refreshes a worker's row, live for `ttl` from now.
    pub async fn register_worker(&self, w: &WorkerPresence, ttl: Duration) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO workers (id, host, version, agents, concurrency, running, sandbox, started_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4::text[]::agent_kind[], $5, $6, $7, $8, now(), now() + make_interval(secs => $9)) \
             ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, version = EXCLUDED.version, \
               agents = EXCLUDED.agents, concurrency = EXCLUDED.concurrency, running = EXCLUDED.running, \
               sandbox = EXCLUDED.sandbox, started_at = EXCLUDED.started_at, \
               last_seen_at = EXCLUDED.last_seen_at, expires_at = EXCLUDED.expires_at",
        )
        .bind(&w.id)
        .bind(&w.host)
        .bind(&w.version)
        .bind(w.agents.iter().map(|a| a.as_str()).collect::<Vec<_>>())
        .bind(i32::try_from(w.concurrency).unwrap_or(i32::MAX))
        .bind(i32::try_from(w.running).unwrap_or(i32::MAX))
        .bind(&w.sandbox)
        .bind(w.started_at)
        .bind(ttl.as_secs_f64())
        .execute(&self.pool)
        .await
        .with_context(|| format!("registering worker {}", w.id))?;
        Ok(())
    }

    /// Removes a worker's row (clean shutdown).
    pub async fn deregister_worker(&self, id: &str) -> anyhow::Result<()> {
        sqlx::query("DELETE FROM workers WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .with_context(|| format!("deregistering worker {id}"))?;
        Ok(())
    }

    /// Deletes rows of workers gone for a day; returns how many.
    pub async fn prune_workers(&self) -> anyhow::Result<u64> {
        let r = sqlx::query("DELETE FROM workers WHERE expires_at < now() - make_interval(secs => $1)")
            .bind(PRUNE_AFTER.as_secs_f64())
            .execute(&self.pool)
            .await
            .context("pruning the worker registry")?;
        Ok(r.rows_affected())
    }

    /// Workers whose registration has not expired, by id.
    pub async fn live_workers(&self) -> anyhow::Result<Vec<WorkerInfo>> {
        let rows: Vec<WorkerRow> = sqlx::query_as(
            "SELECT id, host, version, agents::text[], concurrency, running, sandbox, started_at, last_seen_at, expires_at \
             FROM workers WHERE expires_at > now() ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading live workers")?;
        rows.into_iter()
            .map(
                |(id, host, version, agents, concurrency, running, sandbox, started_at, last_seen_at, expires_at)| {
                    Ok(WorkerInfo {
                        presence: WorkerPresence {
                            id,
                            host,
                            version,
                            agents: agents
                                .iter()
                                .map(|a| a.parse::<AgentKind>())
                                .collect::<Result<_, _>>()?,
                            concurrency: u32::try_from(concurrency).unwrap_or(0),
                            running: u32::try_from(running).unwrap_or(0),
                            sandbox,
                            started_at,
                        },
                        last_seen_at,
                        expires_at,
                    })
                },
            )
            .collect()
    }

    /// Agent types at least one live worker serves.
    pub async fn live_agents(&self) -> anyhow::Result<Vec<AgentKind>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT a::text FROM workers, unnest(agents) AS a WHERE expires_at > now() ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading the agent types live workers serve")?;
        rows.iter().map(|a| Ok(a.parse::<AgentKind>()?)).collect()
    }
}
