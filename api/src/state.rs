//! What every handler can reach. Holds handles only (pools and connections are shared and
//! cheap to clone); API nodes keep no other state (beyond a one-second cache of which agent
//! types live workers serve), so any number of them can serve.

use std::sync::Arc;

use shared::config::ApiSettings;
use shared::llm::LlmClients;
use shared::queue::Queue;
use shared::store::Store;

/// Handles shared by all requests.
#[derive(Clone)]
pub struct AppState {
    /// Postgres.
    pub store: Store,
    /// Redis.
    pub queue: Queue,
    /// Settings.
    pub settings: Arc<ApiSettings>,
    /// Model APIs (classification, elaborate, validate).
    pub llm: LlmClients,
    /// Batches concurrent single-task creates.
    pub inserter: crate::inserter::Inserter,
    /// Agent types live workers serve (classification, warnings), briefly cached.
    pub live: crate::live::LiveAgents,
}
