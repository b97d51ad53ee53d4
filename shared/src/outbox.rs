//! Handing committed QUEUED tasks to Redis, and recording that it happened.
//!
//! Always after the Postgres commit that made the task QUEUED: enqueue, then mark the rows with
//! the generation Redis answered. A crash or Redis error in between leaves the rows unmarked and
//! the reconciler sends them again; a duplicate order is dropped at claim time by the attempt
//! fence, so sending twice is safe and sending never is impossible.
//!
//! The create path saves the second write: it records the generation this process last saw
//! ([`premark`]) with the insert, and marks again only when Redis answers another one. Should
//! the process die between the commit and the enqueue, such a row looks handed over; the
//! reconciler's backstop sends it once the agent's streams run dry (`Store::lost_orders`). A
//! failed enqueue clears the premark, so the reconciler sends those rows after its grace.

use std::collections::BTreeMap;

use crate::domain::{AgentKind, Dispatch};
use crate::queue::Queue;
use crate::store::Store;
use crate::store::tasks::{Initial, NewTask};

/// Enqueues `orders` and records their generation. Errors are the caller's to log; the
/// reconciler covers whatever did not get through.
pub async fn hand_over(store: &Store, queue: &Queue, orders: &[Dispatch]) -> anyhow::Result<()> {
    hand_over_premarked(store, queue, orders, &Premarks::default()).await
}

/// The generation recorded at insert, per agent type.
pub type Premarks = BTreeMap<AgentKind, String>;

/// Records, on each task that will be handed over right after its insert commits, the
/// generation this process last saw for its agent type. Returns what was recorded.
pub fn premark(queue: &Queue, tasks: &mut [NewTask], initial: Initial) -> Premarks {
    let mut marks = Premarks::new();
    if initial != Initial::Run {
        return marks;
    }
    for t in tasks.iter_mut().filter(|t| t.spec.depends_on.is_empty()) {
        let agent = t.spec.agent;
        if !marks.contains_key(&agent)
            && let Some(g) = queue.last_generation(agent)
        {
            marks.insert(agent, g);
        }
        t.dispatch_generation = marks.get(&agent).cloned();
    }
    marks
}

/// [`hand_over`] for orders whose rows were inserted with `marks`: rows are written again only
/// when Redis answered another generation, or cleared when the enqueue failed.
pub async fn hand_over_premarked(
    store: &Store,
    queue: &Queue,
    orders: &[Dispatch],
    marks: &Premarks,
) -> anyhow::Result<()> {
    if orders.is_empty() {
        return Ok(());
    }
    let sent = match queue.enqueue(orders).await {
        Ok(s) => s,
        Err(e) => {
            for (agent, generation) in marks {
                let mine: Vec<Dispatch> = orders.iter().filter(|o| o.agent == *agent).copied().collect();
                if let Err(c) = store.unmark_dispatched(&mine, generation).await {
                    tracing::warn!(error.message = %c, "clearing dispatch marks failed; the reconciler's backstop covers them");
                }
            }
            return Err(e);
        }
    };
    for (generation, sent) in sent {
        let premarked = sent.first().and_then(|o| marks.get(&o.agent)) == Some(&generation);
        if !premarked {
            store.mark_dispatched(&sent, &generation).await?;
        }
    }
    Ok(())
}

/// The dispatch order for a task that is QUEUED now.
pub fn order_for(task: &crate::domain::Task) -> Dispatch {
    Dispatch {
        task: task.id,
        attempt: task.attempt,
        agent: task.spec.agent,
        priority: task.spec.priority,
        not_before: task.spec.run_at,
    }
}

/// Orders for tasks an API call just made QUEUED that can be handed over at once. Tasks with
/// prerequisites (`depends_on`) are left to the reconciler, which hands them over once every
/// prerequisite is COMPLETED (`Store::undispatched`).
pub fn immediate_orders(tasks: &[crate::domain::Task]) -> Vec<Dispatch> {
    tasks
        .iter()
        .filter(|t| t.state == crate::domain::TaskState::Queued && t.spec.depends_on.is_empty())
        .map(order_for)
        .collect()
}
