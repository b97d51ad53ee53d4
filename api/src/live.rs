//! Which agent types some live worker serves, as classification and task warnings need it,
//! read from the worker registry and kept for up to a second so a burst of creates costs one
//! query. A lookup that finds an agent type missing reads again first: a "no worker serves it"
//! answer is never older than the request, while a stale "served" lasts at most a second (far
//! less than the lease TTL a dead worker stays listed anyway).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use shared::domain::AgentKind;
use shared::store::Store;

/// How long a read of the registry is reused when it answers "served".
const FRESH_FOR: Duration = Duration::from_secs(1);

/// A cached set of served agent types; cheap to clone.
#[derive(Clone, Default)]
pub struct LiveAgents {
    cached: Arc<Mutex<Option<(Instant, Vec<AgentKind>)>>>,
}

impl LiveAgents {
    /// The agent types live workers serve, fresh whenever one of `wanted` would be missing.
    /// `None` when the registry cannot be read (callers then act as before it existed).
    pub async fn served(&self, store: &Store, wanted: &[AgentKind]) -> Option<Vec<AgentKind>> {
        if let Some(live) = self.cached()
            && wanted.iter().all(|a| live.contains(a))
        {
            return Some(live);
        }
        match store.live_agents().await {
            Ok(live) => {
                *self.lock() = Some((Instant::now(), live.clone()));
                Some(live)
            }
            Err(e) => {
                tracing::warn!(error.message = %format!("{e:#}"), "worker registry unreadable; no warnings, classification among all candidates");
                None
            }
        }
    }

    fn cached(&self) -> Option<Vec<AgentKind>> {
        self.lock()
            .as_ref()
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, v)| v.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, Vec<AgentKind>)>> {
        self.cached.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The warning a task of `agent` gets when no live worker serves it.
pub fn unserved_warning(agent: AgentKind) -> String {
    format!(
        "no live worker serves agent type `{a}`: the task waits until one does (start a worker with `{a}` in WORKER_AGENTS; GET /api/workers lists the live ones)",
        a = agent.as_str()
    )
}
