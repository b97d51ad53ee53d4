//! The attempts this worker runs right now: what the heartbeat renews, what shutdown waits for.

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
    attempt: Attempt,
    agent: AgentKind,
    slot: String,
    stop: CancellationToken,
    reason: Option<StopReason>,
}

/// Registry of running attempts.
#[derive(Default)]
pub struct Running {
    inner: Mutex<HashMap<TaskId, Entry>>,
    changed: Notify,
}

impl Running {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TaskId, Entry>> {
        // A panic while holding this lock cannot leave the map inconsistent (single inserts and
        // removes), so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers an attempt; returns its stop token.
    pub fn insert(&self, task: TaskId, attempt: Attempt, agent: AgentKind, slot: String) -> CancellationToken {
        let stop = CancellationToken::new();
        self.lock().insert(
            task,
            Entry {
                attempt,
                agent,
                slot,
                stop: stop.clone(),
                reason: None,
            },
        );
        stop
    }

    /// Unregisters an attempt; returns why it was stopped, if it was.
    pub fn remove(&self, task: TaskId) -> Option<StopReason> {
        let reason = self.lock().remove(&task).and_then(|e| e.reason);
        self.changed.notify_waiters();
        reason
    }

    /// Why an attempt was told to stop, if it was.
    pub fn reason(&self, task: TaskId) -> Option<StopReason> {
        self.lock().get(&task).and_then(|e| e.reason)
    }

    /// Tells one attempt to stop.
    pub fn stop(&self, task: TaskId, reason: StopReason) {
        if let Some(e) = self.lock().get_mut(&task) {
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
    pub fn leases(&self) -> Vec<(TaskId, Attempt)> {
        self.lock().iter().map(|(t, e)| (*t, e.attempt)).collect()
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
