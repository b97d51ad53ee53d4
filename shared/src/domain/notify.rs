//! Push subscriptions and what a notification says.

use super::ids::TaskId;
use super::state::TaskState;

/// States that notify when a subscription names none.
pub const DEFAULT_NOTIFY_ON: [TaskState; 4] = [
    TaskState::Completed,
    TaskState::Failed,
    TaskState::Blocked,
    TaskState::Ready,
];

/// A browser's push subscription (its `PushSubscription.toJSON()`, validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushSubscription {
    /// Identity.
    pub id: uuid::Uuid,
    /// The push service URL.
    pub endpoint: String,
    /// The browser's P-256 public key (base64url, 65-byte point).
    pub p256dh: String,
    /// The browser's auth secret (base64url, 16 bytes).
    pub auth: String,
    /// Task states that notify.
    pub notify_on: Vec<TaskState>,
    /// The VAPID public key the browser subscribed with.
    pub vapid_key: String,
    /// The project scope of the token that made it (`None`: every project): it hears only
    /// about tasks that token may see.
    pub projects: Option<Vec<uuid::Uuid>>,
}

impl PushSubscription {
    /// Whether a task of `project` is one the subscribing token may see.
    pub fn may_hear_of(&self, project: Option<uuid::Uuid>) -> bool {
        self.projects
            .as_ref()
            .is_none_or(|ps| project.is_some_and(|p| ps.contains(&p)))
    }
}

/// The small JSON a notification carries (kept well under the 3993-byte Web Push limit).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotificationPayload {
    /// Headline.
    pub title: String,
    /// One line of detail.
    pub body: String,
    /// The task.
    pub task_id: TaskId,
    /// Its new state.
    pub state: String,
    /// Where to open it.
    pub url: String,
}

/// What to say about a task that entered `state`.
pub fn notification_for(
    task: TaskId,
    title: &str,
    state: TaskState,
    reason: Option<&str>,
    base_url: &str,
) -> NotificationPayload {
    let verb = match state {
        TaskState::Completed => "completed",
        TaskState::Failed => "failed",
        TaskState::Blocked => "needs an answer",
        TaskState::Ready => "is ready for review",
        TaskState::TimedOut => "timed out",
        TaskState::BudgetExceeded => "ran over budget",
        TaskState::Cancelled => "was cancelled",
        TaskState::Running => "started",
        TaskState::Queued => "was queued",
        TaskState::Pending => "is pending",
    };
    let short: String = title.chars().take(80).collect();
    NotificationPayload {
        title: format!("Task {verb}"),
        body: match reason {
            Some(r) if !r.is_empty() => format!("{short}: {}", r.chars().take(200).collect::<String>()),
            _ => short,
        },
        task_id: task,
        state: state.as_str().to_owned(),
        url: format!("{}/api/tasks/{task}", base_url.trim_end_matches('/')),
    }
}
