//! Identifiers and small closed vocabularies: task ids, agent kinds, priorities.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A task's identity (UUIDv7, so ids sort by creation time and make good cursors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TaskId(Uuid);

impl TaskId {
    /// A fresh, time-ordered id.
    pub fn new() -> Self {
        TaskId(Uuid::now_v7())
    }
    /// Wraps a UUID read from storage or the wire.
    pub fn from_uuid(id: Uuid) -> Self {
        TaskId(id)
    }
    /// The UUID inside.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for TaskId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for TaskId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(TaskId)
    }
}

/// The attempt number of a task: bumped by every claim, and the fencing token every result
/// write is conditional on. Attempt 0 means "never claimed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Attempt(pub i32);

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! closed_vocabulary {
    ($(#[$meta:meta])* $name:ident, $err:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The wire, database and Redis spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| UnknownName { kind: $err, name: s.to_owned() })
            }
        }
    };
}

/// A name outside a closed vocabulary (agent kind, priority, ...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{name}`")]
pub struct UnknownName {
    /// What kind of name was expected.
    pub kind: &'static str,
    /// What was given.
    pub name: String,
}

closed_vocabulary!(
    /// Which runner executes a task. Each kind has its own streams and limits.
    AgentKind, "agent type", {
        /// A command run as an argv list (no shell), built in.
        Exec => "exec",
        /// Does nothing and succeeds: exercises the full claim/lease/record path (benchmarks).
        Noop => "noop",
        /// Claude Code CLI.
        Claude => "claude",
        /// Gemini CLI.
        Gemini => "gemini",
        /// An OpenAI-compatible local model server.
        Local => "local",
    }
);

impl AgentKind {
    /// Agents driven by a language model; their successes go to READY for review by default.
    pub fn is_model(self) -> bool {
        matches!(self, AgentKind::Claude | AgentKind::Gemini | AgentKind::Local)
    }
}

closed_vocabulary!(
    /// Dispatch priority: a worker drains higher priorities first.
    Priority, "priority", {
        /// Drained first.
        High => "high",
        /// The default.
        Normal => "normal",
        /// Drained last.
        Low => "low",
    }
);

closed_vocabulary!(
    /// What a (non-agent) API token may do. Ordered from least to most.
    Role, "role", {
        /// Reads only.
        Viewer => "viewer",
        /// Creates, runs, answers, cancels, accepts and rejects tasks and stories; reads.
        Member => "member",
        /// Everything: tokens, projects (with `deploy_command`), agent settings.
        Admin => "admin",
    }
);

closed_vocabulary!(
    /// Claude Code's `--permission-mode`, ordered from least to most the agent may do unasked,
    /// so a ceiling is a comparison.
    PermissionMode, "permission mode", {
        /// Plans only; changes nothing.
        Plan => "plan",
        /// Asks before edits and commands (headless: refuses them unless allowed).
        Default => "default",
        /// Edits files unasked.
        AcceptEdits => "acceptEdits",
        /// Runs anything unasked (the worker's sandbox is the boundary).
        BypassPermissions => "bypassPermissions",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_round_trip() {
        for a in AgentKind::ALL {
            assert_eq!(a.as_str().parse::<AgentKind>(), Ok(*a));
        }
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>(), Ok(*p));
        }
        let err = "cobol".parse::<AgentKind>().unwrap_err();
        assert_eq!(err.to_string(), "unknown agent type `cobol`");
    }

    #[test]
    fn task_ids_sort_by_creation() {
        let a = TaskId::new();
        let b = TaskId::new();
        assert!(a < b);
        assert_eq!(a.to_string().parse::<TaskId>().unwrap(), a);
    }
}
