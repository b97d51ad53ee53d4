//! The attempts this worker runs right now: what the heartbeat renews, what shutdown waits for.
//!
//! Keyed by (task, attempt): a task can be cancelled and re-run, and claimed again by this
//! worker, while its previous attempt is still winding down; the two must never share an entry.

use std::collections::HashMap;
use std::sync::Mutex;

use shared::domain::{AgentKind, Attempt, TaskId};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Why an attempt was told to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The lease is gone (cancelled by a user, reaped after a pause, finished elsewhere): write
    /// nothing, the fence would refuse it anyway.
    LeaseLost,
    /// The worker is shutting down: give the task back without charging the attempt.
    HandBack,
}

struct Entry {
    agent: AgentKind,
    slot: String,
    stop: CancellationToken,
    reason: Option<StopReason>,
}

type Key = (TaskId, Attempt);

/// Registry of running attempts.
#[derive(Default)]
pub struct Running {
    inner: Mutex<HashMap<Key, Entry>>,
    changed: Notify,
}

impl Running {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // A panic while holding this lock cannot leave the map inconsistent (single inserts and
        // removes), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers an attempt; returns its stop token.
    pub fn insert(&self, key: Key, agent: AgentKind, slot: String) -> CancellationToken {
        let stop = CancellationToken::new();
        self.lock().insert(
            key,
            Entry {
                agent,
                slot,
                stop: stop.clone(),
                reason: None,
            },
        );
        stop
    }

    /// Unregisters an attempt; returns why it was stopped, if it was.
    pub fn remove(&self, key: Key) -> Option<StopReason> {
        let reason = self.lock().remove(&key).and_then(|e| e.reason);
        self.changed.notify_waiters();
        reason
    }

    /// Why an attempt was told to stop, if it was.
    pub fn reason(&self, key: Key) -> Option<StopReason> {
        self.lock().get(&key).and_then(|e| e.reason)
    }

    /// Tells one attempt to stop.
    pub fn stop(&self, key: Key, reason: StopReason) {
        if let Some(e) = self.lock().get_mut(&key) {
            e.reason.get_or_insert(reason);
            e.stop.cancel();
        }
    }

    /// Tells every attempt to stop.
    pub fn stop_all(&self, reason: StopReason) {
        for e in self.lock().values_mut() {
            e.reason.get_or_insert(reason);
            e.stop.cancel();
        }
    }

    /// (task, attempt) of every running attempt, for lease renewal.
    pub fn leases(&self) -> Vec<Key> {
        self.lock().keys().copied().collect()
    }

    /// Slots held per agent type, for slot renewal.
    pub fn slots(&self) -> HashMap<AgentKind, Vec<String>> {
        let mut out: HashMap<AgentKind, Vec<String>> = HashMap::new();
        for e in self.lock().values() {
            out.entry(e.agent).or_default().push(e.slot.clone());
        }
        out
    }

    /// How many run.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none run.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Waits until no attempt runs.
    pub async fn wait_empty(&self) {
        loop {
            let notified = self.changed.notified();
            if self.is_empty() {
                return;
            }
            notified.await;
        }
    }
}
