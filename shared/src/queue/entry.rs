//! The wire format of stream entries and delayed-set members (version 1), kept apart from
//! domain types so the format can evolve with a version field.
//!
//! Stream entry fields: `v` = "1", `t` = task id, `a` = attempt. The agent and priority are
//! implied by the stream the entry sits in.

use std::collections::HashMap;

use redis::Value;

use crate::domain::{AgentKind, Attempt, Dispatch, Priority, TaskId};

/// A stream entry this worker read: the order plus where it came from (for the ack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The order.
    pub order: Dispatch,
    /// The stream entry id.
    pub entry_id: String,
}

fn field(map: &HashMap<String, Value>, name: &str) -> Option<String> {
    match map.get(name)? {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

/// Decodes an entry; `None` for entries of an unknown version or shape. Only a newer,
/// incompatible writer makes those; the reader acks and drops them with a warning.
pub fn decode(agent: AgentKind, priority: Priority, id: &str, map: &HashMap<String, Value>) -> Option<Delivery> {
    if field(map, "v").as_deref() != Some("1") {
        return None;
    }
    let task: TaskId = field(map, "t")?.parse().ok()?;
    let attempt: i32 = field(map, "a")?.parse().ok()?;
    Some(Delivery {
        order: Dispatch {
            task,
            attempt: Attempt(attempt),
            agent,
            priority,
            not_before: None,
        },
        entry_id: id.to_owned(),
    })
}

/// The delayed-set member of an order (its priority as the 1-based script index).
pub fn delayed_member(order: &Dispatch) -> String {
    format!(
        "v1|{}|{}|{}",
        order.task,
        order.attempt,
        super::keys::priority_index(order.priority)
    )
}

/// Fields of an events-stream entry (version 1): `v`, `id` (Postgres event id), `task`, `from`,
/// `to`, `event`, `attempt`, `actor`, `reason`, `at` (RFC 3339), `project`.
pub fn event_fields(e: &crate::domain::FeedEvent) -> Vec<(&'static str, String)> {
    let r = &e.event;
    vec![
        ("v", "1".to_owned()),
        ("id", r.id.to_string()),
        ("task", r.task_id.to_string()),
        ("from", r.from.map(|s| s.as_str().to_owned()).unwrap_or_default()),
        ("to", r.to.as_str().to_owned()),
        ("event", r.event.clone()),
        ("attempt", r.attempt.0.to_string()),
        ("actor", r.actor.clone()),
        ("reason", r.reason.clone().unwrap_or_default()),
        ("at", r.at.to_rfc3339()),
        ("project", e.project.map(|p| p.to_string()).unwrap_or_default()),
    ]
}

/// Decodes an events-stream entry; `None` for unknown versions or shapes.
pub fn decode_event(map: &HashMap<String, Value>) -> Option<crate::domain::FeedEvent> {
    if field(map, "v").as_deref() != Some("1") {
        return None;
    }
    let opt = |name: &str| field(map, name).filter(|s| !s.is_empty());
    Some(crate::domain::FeedEvent {
        event: crate::domain::EventRecord {
            id: field(map, "id")?.parse().ok()?,
            task_id: field(map, "task")?.parse().ok()?,
            from: match opt("from") {
                Some(s) => Some(s.parse().ok()?),
                None => None,
            },
            to: field(map, "to")?.parse().ok()?,
            event: field(map, "event")?,
            attempt: Attempt(field(map, "attempt")?.parse().ok()?),
            actor: field(map, "actor")?,
            reason: opt("reason"),
            at: chrono::DateTime::parse_from_rfc3339(&field(map, "at")?)
                .ok()?
                .with_timezone(&chrono::Utc),
        },
        project: match opt("project") {
            Some(p) => Some(p.parse().ok()?),
            None => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_decode_and_reject_unknown_versions() {
        let task = TaskId::new();
        let mut map = HashMap::new();
        map.insert("v".to_owned(), Value::BulkString(b"1".to_vec()));
        map.insert("t".to_owned(), Value::BulkString(task.to_string().into_bytes()));
        map.insert("a".to_owned(), Value::BulkString(b"4".to_vec()));
        let d = decode(AgentKind::Exec, Priority::Low, "1-0", &map).unwrap();
        assert_eq!(d.order.task, task);
        assert_eq!(d.order.attempt, Attempt(4));
        map.insert("v".to_owned(), Value::BulkString(b"2".to_vec()));
        assert!(decode(AgentKind::Exec, Priority::Low, "1-0", &map).is_none());
    }
}
