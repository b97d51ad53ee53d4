//! What a token may ask of an agent: the rules the API applies to a task spec before it is
//! stored, given who asks. Roles and project scopes themselves are checked in the API's auth
//! module; this is the part that looks inside a spec.
//!
//! - Exec tasks run a command on a worker, so only roles at or above a setting may create them.
//! - `permission_mode` is capped: a member gets at most the configured ceiling (a task that
//!   names none gets the ceiling, since the worker's own default may be higher).
//! - A subtask made by an agent (a task-scoped token) inherits its parent's project, agent type,
//!   permission ceiling, allowed tools and budget ceiling, and is never an exec task.

use super::ids::{AgentKind, PermissionMode, Role};
use super::task::{Task, TaskSpec};

/// Why a spec was refused (a 403: the request is well formed but not allowed to this token).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// The agent policy (settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentPolicy {
    /// Least role that may create exec tasks.
    pub exec_role: Role,
    /// Highest permission mode a member's task may run with.
    pub member_max_permission_mode: PermissionMode,
}

impl Default for AgentPolicy {
    fn default() -> Self {
        AgentPolicy {
            exec_role: Role::Admin,
            member_max_permission_mode: PermissionMode::BypassPermissions,
        }
    }
}

fn mode_of(spec: &TaskSpec) -> Option<PermissionMode> {
    spec.options.permission_mode.as_deref().and_then(|m| m.parse().ok())
}

fn cap_mode(spec: &mut TaskSpec, ceiling: PermissionMode, whose: &str) -> Result<(), Refused> {
    match mode_of(spec) {
        Some(m) if m > ceiling => Err(Refused(format!(
            "permission_mode {m} is above {whose} ceiling {ceiling}"
        ))),
        Some(_) => Ok(()),
        None => {
            if ceiling < PermissionMode::BypassPermissions {
                spec.options.permission_mode = Some(ceiling.as_str().to_owned());
            }
            Ok(())
        }
    }
}

/// Applies the role's limits to a spec made by a full (non-agent) token of `role`.
pub fn apply_role(policy: &AgentPolicy, role: Role, spec: &mut TaskSpec) -> Result<(), Refused> {
    if role == Role::Viewer {
        return Err(Refused("a viewer token may not create tasks".into()));
    }
    if spec.agent == AgentKind::Exec && role < policy.exec_role {
        return Err(Refused(format!(
            "exec tasks may be created by {} tokens only",
            policy.exec_role
        )));
    }
    if role < Role::Admin {
        cap_mode(spec, policy.member_max_permission_mode, "the member")?;
    }
    Ok(())
}

/// Applies a parent's limits to a subtask an agent creates with its task-scoped token.
pub fn inherit(parent: &Task, spec: &mut TaskSpec) -> Result<(), Refused> {
    let p = &parent.spec;
    if spec.agent == AgentKind::Exec {
        return Err(Refused("an agent may not create exec tasks".into()));
    }
    // Narrower: the parent's own agent type, or one that runs nothing (noop).
    if spec.agent != p.agent && spec.agent != AgentKind::Noop {
        return Err(Refused(format!(
            "a subtask of a {} task must use agent {} (or noop)",
            p.agent, p.agent
        )));
    }
    match (spec.project_id, p.project_id) {
        (Some(mine), theirs) if Some(mine) != theirs => {
            return Err(Refused("a subtask must stay in its parent's project".into()));
        }
        _ => spec.project_id = p.project_id,
    }
    if let Some(ceiling) = mode_of(p) {
        cap_mode(spec, ceiling, "the parent's")?;
    }
    if !p.options.allowed_tools.is_empty() {
        if spec.options.allowed_tools.is_empty() {
            spec.options.allowed_tools = p.options.allowed_tools.clone();
        } else if let Some(t) = spec
            .options
            .allowed_tools
            .iter()
            .find(|t| !p.options.allowed_tools.contains(t))
        {
            return Err(Refused(format!("allowed tool `{t}` is not allowed to the parent")));
        }
    }
    if let Some(ceiling) = p.budget_usd {
        match spec.budget_usd {
            Some(b) if b > ceiling => {
                return Err(Refused(format!("budget_usd {b} is above the parent's {ceiling}")));
            }
            Some(_) => {}
            None => spec.budget_usd = Some(ceiling),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::{Attempt, TaskDraft, TaskId, TaskState};

    fn spec(agent: &str, mode: Option<&str>) -> TaskSpec {
        TaskSpec::parse(
            TaskDraft {
                title: Some("t".into()),
                agent: Some(agent.into()),
                instructions: Some("do".into()),
                argv: (agent == "exec").then(|| vec!["true".into()]),
                permission_mode: mode.map(Into::into),
                ..TaskDraft::default()
            },
            Utc::now(),
        )
        .unwrap()
    }

    fn task(spec: TaskSpec) -> Task {
        Task {
            id: TaskId::new(),
            spec,
            state: TaskState::Running,
            attempt: Attempt(1),
            attempts_charged: 1,
            last_error: None,
            question: None,
            rejection_comment: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn members_may_not_create_exec_tasks_by_default() {
        let p = AgentPolicy::default();
        assert!(apply_role(&p, Role::Member, &mut spec("exec", None)).is_err());
        assert!(apply_role(&p, Role::Admin, &mut spec("exec", None)).is_ok());
        assert!(apply_role(&p, Role::Viewer, &mut spec("claude", None)).is_err());
        let open = AgentPolicy {
            exec_role: Role::Member,
            ..p
        };
        assert!(apply_role(&open, Role::Member, &mut spec("exec", None)).is_ok());
    }

    #[test]
    fn a_member_ceiling_caps_and_fills_in_the_permission_mode() {
        let p = AgentPolicy {
            member_max_permission_mode: PermissionMode::AcceptEdits,
            ..AgentPolicy::default()
        };
        assert!(apply_role(&p, Role::Member, &mut spec("claude", Some("bypassPermissions"))).is_err());
        let mut s = spec("claude", None);
        apply_role(&p, Role::Member, &mut s).unwrap();
        assert_eq!(s.options.permission_mode.as_deref(), Some("acceptEdits"));
        let mut s = spec("claude", Some("plan"));
        apply_role(&p, Role::Member, &mut s).unwrap();
        assert_eq!(s.options.permission_mode.as_deref(), Some("plan"));
    }

    #[test]
    fn subtasks_inherit_project_mode_and_budget() {
        let mut ps = spec("claude", Some("acceptEdits"));
        ps.project_id = Some(uuid::Uuid::now_v7());
        ps.budget_usd = Some(2.0);
        let parent = task(ps);
        let mut s = spec("claude", None);
        inherit(&parent, &mut s).unwrap();
        assert_eq!(s.project_id, parent.spec.project_id);
        assert_eq!(s.options.permission_mode.as_deref(), Some("acceptEdits"));
        assert_eq!(s.budget_usd, Some(2.0));

        let mut other = spec("claude", None);
        other.project_id = Some(uuid::Uuid::now_v7());
        assert!(inherit(&parent, &mut other).is_err());
        assert!(inherit(&parent, &mut spec("exec", None)).is_err());
        assert!(inherit(&parent, &mut spec("gemini", None)).is_err());
        assert!(inherit(&parent, &mut spec("claude", Some("bypassPermissions"))).is_err());
        let mut rich = spec("claude", None);
        rich.budget_usd = Some(5.0);
        assert!(inherit(&parent, &mut rich).is_err());
    }
}
