//! Handing committed QUEUED tasks to Redis, and recording that it happened.
//!
//! Always after the Postgres commit that made the task QUEUED: enqueue, then mark the rows with
//! the generation Redis answered. A crash or Redis error in between leaves the rows unmarked and
//! the reconciler sends them again; a duplicate order is dropped at claim time by the attempt
//! fence, so sending twice is safe and sending never is impossible.

use crate::domain::Dispatch;
use crate::queue::Queue;
use crate::store::Store;

/// Enqueues `orders` and records their generation. Errors are the caller's to log; the
/// reconciler covers whatever did not get through.
pub async fn hand_over(store: &Store, queue: &Queue, orders: &[Dispatch]) -> anyhow::Result<()> {
    if orders.is_empty() {
        return Ok(());
    }
    for (generation, sent) in queue.enqueue(orders).await? {
        store.mark_dispatched(&sent, &generation).await?;
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
