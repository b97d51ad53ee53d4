//! The task state machine: the only place that decides which state follows which.
//!
//! `transition(from, event)` is a pure function over every `(TaskState, TaskEvent)` pair.
//! Persisting a transition is `store::tasks::apply_transitions`' job (one conditional UPDATE
//! fenced on the state the decision was made from and on the attempt), so an illegal transition
//! is rejected here and a racing one is rejected by the row count there.

use std::fmt;
use std::str::FromStr;

/// Every state a task can be in. Exhaustive on purpose: adding a state must fail to compile
/// everywhere a decision about it is needed (API views, SQL enum, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaskState {
    /// Created, not submitted.
    Pending,
    /// Submitted; waiting in dispatch (possibly delayed until `run_at`).
    Queued,
    /// An attempt holds the lease and runs the agent.
    Running,
    /// Waiting for a human answer, or a parent waiting for its subtasks.
    Blocked,
    /// The agent finished; awaiting accept/reject.
    Ready,
    /// Done. The only state nothing leaves.
    Completed,
    /// Failed permanently or ran out of attempts; can be re-run.
    Failed,
    /// Cancelled by a user; can be re-run.
    Cancelled,
    /// Exceeded its wall-clock timeout; can be resumed.
    TimedOut,
    /// Exceeded its cost budget; can be re-run.
    BudgetExceeded,
}

impl TaskState {
    /// Every state, in declaration order (used by round-trip tests and stats).
    pub const ALL: [TaskState; 10] = [
        TaskState::Pending,
        TaskState::Queued,
        TaskState::Running,
        TaskState::Blocked,
        TaskState::Ready,
        TaskState::Completed,
        TaskState::Failed,
        TaskState::Cancelled,
        TaskState::TimedOut,
        TaskState::BudgetExceeded,
    ];

    /// The wire and database spelling (the Postgres enum `task_state` uses the same labels).
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Pending => "PENDING",
            TaskState::Queued => "QUEUED",
            TaskState::Running => "RUNNING",
            TaskState::Blocked => "BLOCKED",
            TaskState::Ready => "READY",
            TaskState::Completed => "COMPLETED",
            TaskState::Failed => "FAILED",
            TaskState::Cancelled => "CANCELLED",
            TaskState::TimedOut => "TIMED_OUT",
            TaskState::BudgetExceeded => "BUDGET_EXCEEDED",
        }
    }

    /// States from which no worker will act without a human or API call.
    pub fn is_settled(self) -> bool {
        !matches!(self, TaskState::Queued | TaskState::Running)
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no task state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown task state `{0}`")]
pub struct UnknownState(pub String);

impl FromStr for TaskState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskState::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// Everything that can happen to a task. API calls and worker outcomes both map to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskEvent {
    /// `POST /run`: submit a new task, or re-run a failed/cancelled/over-budget one.
    Run,
    /// A worker claimed the task for a new attempt.
    Start,
    /// The agent succeeded and the result needs review (READY).
    SucceedForReview,
    /// The agent succeeded and the task needs no review (COMPLETED).
    Succeed,
    /// The attempt failed and will be tried again (transient failure with attempts left,
    /// expired lease, rate limit, or a worker handing the task back on shutdown).
    Requeue,
    /// The attempt failed for good (permanent failure, attempts exhausted, dead letter).
    Fail,
    /// The attempt ran past its timeout.
    TimeOut,
    /// The attempt spent more than the task's budget.
    ExceedBudget,
    /// The agent asked a question, or spawned subtasks and must wait for them.
    Block,
    /// `POST /answer`: a human answered the question.
    Answer,
    /// Every subtask of a blocked parent completed.
    SubtasksDone,
    /// `POST /accept`.
    Accept,
    /// `POST /reject`: back to PENDING with a comment.
    Reject,
    /// `POST /resume` of a timed-out task.
    Resume,
    /// `POST /cancel`.
    Cancel,
}

impl TaskEvent {
    /// Every event, for exhaustive table tests.
    pub const ALL: [TaskEvent; 15] = [
        TaskEvent::Run,
        TaskEvent::Start,
        TaskEvent::SucceedForReview,
        TaskEvent::Succeed,
        TaskEvent::Requeue,
        TaskEvent::Fail,
        TaskEvent::TimeOut,
        TaskEvent::ExceedBudget,
        TaskEvent::Block,
        TaskEvent::Answer,
        TaskEvent::SubtasksDone,
        TaskEvent::Accept,
        TaskEvent::Reject,
        TaskEvent::Resume,
        TaskEvent::Cancel,
    ];

    /// Name recorded in `task_events.event`.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskEvent::Run => "run",
            TaskEvent::Start => "start",
            TaskEvent::SucceedForReview => "succeed_for_review",
            TaskEvent::Succeed => "succeed",
            TaskEvent::Requeue => "requeue",
            TaskEvent::Fail => "fail",
            TaskEvent::TimeOut => "time_out",
            TaskEvent::ExceedBudget => "exceed_budget",
            TaskEvent::Block => "block",
            TaskEvent::Answer => "answer",
            TaskEvent::SubtasksDone => "subtasks_done",
            TaskEvent::Accept => "accept",
            TaskEvent::Reject => "reject",
            TaskEvent::Resume => "resume",
            TaskEvent::Cancel => "cancel",
        }
    }
}

impl fmt::Display for TaskEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `event` is not allowed while the task is in `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {event} a task that is {from}")]
pub struct IllegalTransition {
    /// The state the task was in.
    pub from: TaskState,
    /// The event that was refused.
    pub event: TaskEvent,
}

/// The next state after `event` happens in state `from`, or why it cannot happen.
pub fn transition(from: TaskState, event: TaskEvent) -> Result<TaskState, IllegalTransition> {
    use TaskEvent as E;
    use TaskState as S;
    let to = match (from, event) {
        (S::Pending | S::Failed | S::Cancelled | S::BudgetExceeded, E::Run) => S::Queued,
        (S::TimedOut, E::Resume) => S::Queued,
        (S::Queued, E::Start) => S::Running,
        (S::Running, E::SucceedForReview) => S::Ready,
        (S::Running, E::Succeed) => S::Completed,
        (S::Running, E::Requeue) => S::Queued,
        (S::Running, E::Fail) => S::Failed,
        (S::Running, E::TimeOut) => S::TimedOut,
        (S::Running, E::ExceedBudget) => S::BudgetExceeded,
        (S::Running, E::Block) => S::Blocked,
        (S::Blocked, E::Answer) => S::Queued,
        (S::Blocked, E::SubtasksDone) => S::Ready,
        (S::Ready, E::Accept) => S::Completed,
        (S::Ready, E::Reject) => S::Pending,
        (S::Pending | S::Queued | S::Running | S::Blocked, E::Cancel) => S::Cancelled,
        _ => return Err(IllegalTransition { from, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskEvent as E;
    use TaskState as S;

    /// The whole table: every legal pair with its target. Any pair not listed must be illegal.
    const LEGAL: &[(TaskState, TaskEvent, TaskState)] = &[
        (S::Pending, E::Run, S::Queued),
        (S::Failed, E::Run, S::Queued),
        (S::Cancelled, E::Run, S::Queued),
        (S::BudgetExceeded, E::Run, S::Queued),
        (S::TimedOut, E::Resume, S::Queued),
        (S::Queued, E::Start, S::Running),
        (S::Running, E::SucceedForReview, S::Ready),
        (S::Running, E::Succeed, S::Completed),
        (S::Running, E::Requeue, S::Queued),
        (S::Running, E::Fail, S::Failed),
        (S::Running, E::TimeOut, S::TimedOut),
        (S::Running, E::ExceedBudget, S::BudgetExceeded),
        (S::Running, E::Block, S::Blocked),
        (S::Blocked, E::Answer, S::Queued),
        (S::Blocked, E::SubtasksDone, S::Ready),
        (S::Ready, E::Accept, S::Completed),
        (S::Ready, E::Reject, S::Pending),
        (S::Pending, E::Cancel, S::Cancelled),
        (S::Queued, E::Cancel, S::Cancelled),
        (S::Running, E::Cancel, S::Cancelled),
        (S::Blocked, E::Cancel, S::Cancelled),
    ];

    #[test]
    fn every_state_event_pair_matches_the_table() {
        let mut checked = 0;
        for from in TaskState::ALL {
            for event in TaskEvent::ALL {
                let expected = LEGAL
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .map(|(_, _, to)| *to);
                match (transition(from, event), expected) {
                    (Ok(got), Some(want)) => assert_eq!(got, want, "{from} --{event}-->"),
                    (Err(err), None) => {
                        assert_eq!(err, IllegalTransition { from, event });
                    }
                    (got, want) => panic!("{from} --{event}--> gave {got:?}, table says {want:?}"),
                }
                checked += 1;
            }
        }
        assert_eq!(checked, TaskState::ALL.len() * TaskEvent::ALL.len());
    }

    #[test]
    fn completed_is_the_only_state_nothing_leaves() {
        for from in TaskState::ALL {
            let exits = TaskEvent::ALL.iter().filter(|e| transition(from, **e).is_ok()).count();
            assert_eq!(exits == 0, from == S::Completed, "{from} has {exits} exits");
        }
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for st in TaskState::ALL {
            assert_eq!(st.as_str().parse::<TaskState>(), Ok(st));
            assert_eq!(st.as_str().to_lowercase().parse::<TaskState>(), Ok(st));
        }
        assert!("DONE".parse::<TaskState>().is_err());
    }
}
