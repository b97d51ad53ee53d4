//! Everything the worker's parts share, in one struct.

use std::sync::{Arc, Mutex};

use shared::config::WorkerSettings;
use shared::domain::AgentKind;
use shared::domain::outcome::RetryPolicy;
use shared::domain::retry::Backoff;
use shared::queue::Queue;
use shared::store::Store;
use tokio::sync::Semaphore;

use crate::agents::Runners;
use crate::recorder::Recorder;
use crate::running::Running;

/// Shared handles and settings.
pub struct Context {
    /// Postgres.
    pub store: Store,
    /// Redis.
    pub queue: Queue,
    /// Settings.
    pub settings: WorkerSettings,
    /// Result batching.
    pub recorder: Recorder,
    /// Running attempts.
    pub running: Running,
    /// Runners per agent type.
    pub runners: Runners,
    /// Local concurrency: one permit per attempt this process may run.
    pub permits: Arc<Semaphore>,
    /// Names of this worker's fleet slots not in use, per agent type.
    free_slots: Mutex<std::collections::HashMap<AgentKind, Vec<String>>>,
    /// Retry policy.
    pub policy: RetryPolicy,
    /// Where attempts work.
    pub sandboxes: crate::workspace::Sandboxes,
    /// The local model, for summaries agents did not write.
    pub llm: Option<shared::llm::LlmClients>,
    /// How agent processes are contained.
    pub sandbox: crate::sandbox::Sandbox,
}

impl Context {
    /// Builds the context.
    pub fn new(
        store: Store,
        queue: Queue,
        settings: WorkerSettings,
        recorder: Recorder,
        sandbox: crate::sandbox::Sandbox,
    ) -> Context {
        let slots = settings
            .agents
            .iter()
            .map(|a| {
                (
                    *a,
                    (0..settings.concurrency)
                        .rev()
                        .map(|i| format!("{}:{i}", settings.worker_id))
                        .collect(),
                )
            })
            .collect();
        let policy = RetryPolicy {
            backoff: Backoff {
                base: settings.backoff_base,
                cap: settings.backoff_cap,
            },
            ..RetryPolicy::default()
        };
        Context {
            permits: Arc::new(Semaphore::new(settings.concurrency)),
            store,
            queue,
            recorder,
            running: Running::default(),
            runners: Runners::new(
                settings.local_model.clone().map(|m| crate::agents::local::LocalModel {
                    base_url: m.base_url,
                    default_model: m.model,
                    api_key: m.api_key,
                }),
                crate::agents::claude::ClaudeConfig {
                    bin: crate::sandbox::agent_program(&settings.claude_bin, sandbox.mode()),
                    permission_mode: settings.claude_permission_mode.clone(),
                    model: settings.claude_model.clone(),
                    env: settings.claude_env.clone(),
                },
                crate::agents::gemini::GeminiConfig {
                    bin: crate::sandbox::agent_program(&settings.gemini_bin, sandbox.mode()),
                    model: settings.gemini_model.clone(),
                    env: settings.gemini_env.clone(),
                },
            ),
            llm: settings.local_model.clone().and_then(|local| {
                shared::llm::LlmClients::new(shared::config::LlmSettings {
                    local: Some(local),
                    anthropic: None,
                    gemini: None,
                })
                .map_err(|e| tracing::warn!(error.message = %e, "no model client for summaries"))
                .ok()
            }),
            sandboxes: crate::workspace::Sandboxes::new(
                settings.workspace_root.clone(),
                settings.workspace_archive_max_bytes,
            ),
            sandbox,
            free_slots: Mutex::new(slots),
            policy,
            settings,
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<AgentKind, Vec<String>>> {
        self.free_slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes up to `n` free slot names of an agent type.
    pub fn take_slots(&self, agent: AgentKind, n: usize) -> Vec<String> {
        let mut all = self.slots();
        let v = all.entry(agent).or_default();
        let keep = v.len().saturating_sub(n);
        v.split_off(keep)
    }

    /// Returns slot names to the free list.
    pub fn put_slots(&self, agent: AgentKind, names: impl IntoIterator<Item = String>) {
        self.slots().entry(agent).or_default().extend(names);
    }

    /// The actor name on events this worker writes.
    pub fn actor(&self) -> String {
        format!("worker:{}", self.settings.worker_id)
    }
}
