//! What an attempt ended with, and what the queue does about it.
//!
//! A runner reports an [`AttemptOutcome`]; [`decide`] turns it into a [`Decision`]: the state
//! machine event to apply, whether the attempt is refunded, when to retry, whether to pause the
//! whole agent type. Pure, so every branch is a unit test.

use std::time::Duration;

use super::retry::{Backoff, rate_limit_delay};
use super::state::TaskEvent;
use super::task::Question;

/// How an attempt ended, as the runner saw it.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptOutcome {
    /// The agent did its work.
    Succeeded,
    /// The agent failed; `transient` failures are retried while attempts remain.
    Failed {
        /// Retry (network, crash, 5xx) or not (bad input, permission denied).
        transient: bool,
        /// Why.
        error: String,
    },
    /// A rate or usage limit; retry no earlier than `retry_after`, and pause the agent type.
    RateLimited {
        /// How long until the limit resets.
        retry_after: Duration,
        /// What said so.
        reason: String,
    },
    /// The agent asked a question and exited.
    Blocked(Question),
    /// The agent finished its part but created subtasks that have not all completed: the task
    /// waits BLOCKED until they have.
    WaitingForSubtasks(u32),
    /// The attempt ran past the task's timeout and was killed.
    TimedOut,
    /// The attempt spent more than the task's budget and was stopped.
    BudgetExceeded,
}

/// What to do with the task after an outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The state machine event to apply.
    pub event: TaskEvent,
    /// When requeued: how long to wait before the next attempt.
    pub retry_in: Option<Duration>,
    /// Give the attempt back (it does not count against `max_attempts`).
    pub refund: bool,
    /// Pause the whole agent type for this long (rate limits).
    pub pause_agent_for: Option<Duration>,
    /// Recorded as the task's `last_error`.
    pub error: Option<String>,
}

/// Facts about the task that the decision needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AttemptFacts {
    /// Attempts charged so far, including the one that just ended.
    pub attempts_charged: u32,
    /// The task's limit.
    pub max_attempts: u32,
    /// Success goes to READY rather than COMPLETED.
    pub review: bool,
}

/// Bounds on rate-limit waits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Backoff for transient failures.
    pub backoff: Backoff,
    /// Jitter added on top of a `Retry-After`.
    pub rate_limit_jitter: Duration,
    /// Longest pause a rate limit may impose (weekly limits can be days away).
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            backoff: Backoff::default(),
            rate_limit_jitter: Duration::from_secs(2),
            max_rate_limit_wait: Duration::from_secs(8 * 24 * 3600),
        }
    }
}

/// The `last_error` a timed-out attempt leaves on its task. A resumed task still carries it when
/// its next attempt is claimed, which is how that attempt knows to restore the archived
/// workspace and session (no extra column, no extra query for other attempts).
pub const TIMED_OUT_ERROR: &str = "timed out";

/// Decides what follows an outcome. `unit` is a uniform sample in `[0, 1)` for jitter.
pub fn decide(outcome: &AttemptOutcome, facts: AttemptFacts, policy: &RetryPolicy, unit: f64) -> Decision {
    let plain = |event| Decision {
        event,
        retry_in: None,
        refund: false,
        pause_agent_for: None,
        error: None,
    };
    match outcome {
        AttemptOutcome::Succeeded => plain(if facts.review {
            TaskEvent::SucceedForReview
        } else {
            TaskEvent::Succeed
        }),
        AttemptOutcome::Failed { transient, error } => {
            if *transient && facts.attempts_charged < facts.max_attempts {
                Decision {
                    event: TaskEvent::Requeue,
                    retry_in: Some(policy.backoff.delay(facts.attempts_charged, unit)),
                    error: Some(error.clone()),
                    ..plain(TaskEvent::Requeue)
                }
            } else {
                let error = if *transient {
                    format!(
                        "{error} (gave up after {} of {} attempts)",
                        facts.attempts_charged, facts.max_attempts
                    )
                } else {
                    error.clone()
                };
                Decision {
                    error: Some(error),
                    ..plain(TaskEvent::Fail)
                }
            }
        }
        AttemptOutcome::RateLimited { retry_after, reason } => {
            let wait = rate_limit_delay(*retry_after, policy.rate_limit_jitter, unit, policy.max_rate_limit_wait);
            Decision {
                event: TaskEvent::Requeue,
                retry_in: Some(wait),
                refund: true,
                pause_agent_for: Some((*retry_after).min(policy.max_rate_limit_wait)),
                error: Some(format!("rate limited: {reason}")),
            }
        }
        AttemptOutcome::Blocked(_) => plain(TaskEvent::Block),
        AttemptOutcome::WaitingForSubtasks(_) => plain(TaskEvent::Block),
        AttemptOutcome::TimedOut => Decision {
            error: Some(TIMED_OUT_ERROR.into()),
            ..plain(TaskEvent::TimeOut)
        },
        AttemptOutcome::BudgetExceeded => Decision {
            error: Some("budget exceeded".into()),
            ..plain(TaskEvent::ExceedBudget)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(charged: u32) -> AttemptFacts {
        AttemptFacts {
            attempts_charged: charged,
            max_attempts: 3,
            review: false,
        }
    }

    #[test]
    fn transient_failures_retry_until_attempts_run_out() {
        let p = RetryPolicy::default();
        let f = AttemptOutcome::Failed {
            transient: true,
            error: "boom".into(),
        };
        let d = decide(&f, facts(1), &p, 0.5);
        assert_eq!(d.event, TaskEvent::Requeue);
        assert_eq!(d.retry_in, Some(Duration::from_secs(1)));
        assert!(!d.refund);
        let d = decide(&f, facts(3), &p, 0.5);
        assert_eq!(d.event, TaskEvent::Fail);
        assert_eq!(d.error.as_deref(), Some("boom (gave up after 3 of 3 attempts)"));
    }

    #[test]
    fn permanent_failures_fail_at_once() {
        let f = AttemptOutcome::Failed {
            transient: false,
            error: "exit 2".into(),
        };
        assert_eq!(
            decide(&f, facts(1), &RetryPolicy::default(), 0.0).event,
            TaskEvent::Fail
        );
    }

    #[test]
    fn rate_limits_refund_and_pause_the_agent() {
        let rl = AttemptOutcome::RateLimited {
            retry_after: Duration::from_secs(30),
            reason: "429".into(),
        };
        let d = decide(&rl, facts(3), &RetryPolicy::default(), 0.0);
        assert_eq!(d.event, TaskEvent::Requeue);
        assert!(d.refund);
        assert_eq!(d.retry_in, Some(Duration::from_secs(30)));
        assert_eq!(d.pause_agent_for, Some(Duration::from_secs(30)));
    }

    #[test]
    fn waiting_for_subtasks_blocks_without_an_error() {
        let d = decide(
            &AttemptOutcome::WaitingForSubtasks(2),
            facts(1),
            &RetryPolicy::default(),
            0.0,
        );
        assert_eq!(d.event, TaskEvent::Block);
        assert_eq!(d.error, None);
    }

    #[test]
    fn success_respects_review() {
        let p = RetryPolicy::default();
        assert_eq!(
            decide(&AttemptOutcome::Succeeded, facts(1), &p, 0.0).event,
            TaskEvent::Succeed
        );
        let review = AttemptFacts {
            review: true,
            ..facts(1)
        };
        assert_eq!(
            decide(&AttemptOutcome::Succeeded, review, &p, 0.0).event,
            TaskEvent::SucceedForReview
        );
    }
}
