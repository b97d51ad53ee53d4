//! Creating tasks: validate (classifying tasks without an agent, see `classify`), insert (with creation events), commit, then hand QUEUED tasks to
//! Redis. The hand-over happens after the commit and may fail: the task is still safe in
//! Postgres and the reconciler dispatches it (see `shared::outbox`).

use chrono::Utc;
use sha2::{Digest, Sha256};
use shared::domain::{TaskDraft, TaskId, TaskSpec};
use shared::outbox;
use shared::store::tasks::{IdempotentInsert, Initial, NewTask};

use super::classify::{self, Parsed};
use crate::auth::BearerAuth;
use crate::problem::ApiError;
use crate::problem::FieldProblem;
use crate::state::AppState;

/// Validates a draft, prefixing field names for batch items.
pub fn parse(draft: TaskDraft, prefix: &str) -> Result<TaskSpec, Vec<FieldProblem>> {
    TaskSpec::parse(draft, Utc::now()).map_err(|e| {
        e.0.into_iter()
            .map(|f| FieldProblem {
                field: format!("{prefix}{}", f.field),
                message: f.message,
            })
            .collect()
    })
}

/// Prerequisites must exist (so no dependency cycle can ever form).
async fn check_prerequisites(state: &AppState, specs: &[&TaskSpec]) -> Result<(), ApiError> {
    let mut ids: Vec<TaskId> = specs.iter().flat_map(|s| s.depends_on.iter().copied()).collect();
    ids.sort();
    ids.dedup();
    let missing = state.store.missing_tasks(&ids).await?;
    if let Some(m) = missing.first() {
        return Err(ApiError::unprocessable(
            "unknown-reference",
            format!("depends_on names task {m}, which does not exist"),
        ));
    }
    Ok(())
}

/// Who may create these tasks, with what: the role's limits (see `auth`), an agent's subtasks
/// inheriting their parent's (see `shared::domain::access`), and the depth and size caps of a
/// task tree. May narrow a spec (an inherited project, ceiling or budget).
async fn authorize(
    state: &AppState,
    auth: &BearerAuth,
    parents_read: &Parents,
    specs: &mut [&mut TaskSpec],
) -> Result<(), ApiError> {
    let mut parents: Vec<(TaskId, i64)> = Vec::new();
    for spec in specs.iter_mut() {
        if let Some(scope) = auth.0.task_scope {
            if spec.parent_task_id != Some(scope) {
                return Err(ApiError::forbidden(format!(
                    "this token may only create subtasks of task {scope}"
                )));
            }
            let parent = parents_read
                .task(scope)
                .ok_or_else(|| ApiError::not_found("task", scope.as_uuid()))?;
            shared::domain::access::inherit(parent, spec).map_err(|e| ApiError::forbidden(e.0))?;
        } else if let Some(parent) = spec.parent_task_id
            && auth.project_scope().is_some()
        {
            // A scoped token may hang subtasks only under tasks it may see.
            let parent = parents_read
                .task(parent)
                .ok_or_else(|| ApiError::not_found("task", parent.as_uuid()))?;
            auth.task(parent)?;
        }
        auth.spec(&state.settings.agent_policy, spec)?;
        if let Some(parent) = spec.parent_task_id {
            match parents.iter_mut().find(|(p, _)| *p == parent) {
                Some((_, n)) => *n += 1,
                None => parents.push((parent, 1)),
            }
        }
    }
    let (max_depth, max_tasks) = (state.settings.max_task_depth, state.settings.max_tree_tasks);
    for (parent, n) in parents {
        let (depth, count) = state.store.tree_size(parent, max_depth, max_tasks).await?;
        if depth > i64::from(max_depth) {
            return Err(ApiError::unprocessable(
                "task-tree-limit",
                format!("a subtask of {parent} would be deeper than MAX_TASK_DEPTH ({max_depth}) levels"),
            ));
        }
        if count > 0 && count + n > i64::from(max_tasks) {
            return Err(ApiError::unprocessable(
                "task-tree-limit",
                format!("the tree of task {parent} would hold more than MAX_TREE_TASKS ({max_tasks}) tasks"),
            ));
        }
    }
    Ok(())
}

/// Hands QUEUED tasks to Redis; logs (does not fail the request) when Redis is unavailable.
/// `marks`: the generations recorded with their insert ([`outbox::premark`]).
pub async fn dispatch_queued(state: &AppState, tasks: &[shared::domain::Task], marks: &outbox::Premarks) {
    let orders = outbox::immediate_orders(tasks);
    if let Err(e) = outbox::hand_over_premarked(&state.store, &state.queue, &orders, marks).await {
        tracing::warn!(error.message = %e, tasks = orders.len(), "dispatch deferred to the reconciler");
    }
}

/// The project an original YAML task's `agent.project_dir` names: model agents work in a clone
/// of their project's repository, so the directory must be one project's `repository` (compared
/// without a trailing `/`, `.git` or `file://`). Anything else is refused, never ignored.
pub async fn project_of_dir(
    state: &AppState,
    dir: &str,
    project_id: Option<uuid::Uuid>,
) -> Result<uuid::Uuid, ApiError> {
    fn norm(s: &str) -> &str {
        let s = s.trim().strip_prefix("file://").unwrap_or(s.trim());
        let s = s.trim_end_matches('/');
        s.strip_suffix(".git").unwrap_or(s)
    }
    let projects = state.store.list_projects().await?;
    let found: Vec<_> = projects
        .iter()
        .filter(|p| p.repository.as_deref().is_some_and(|r| norm(r) == norm(dir)))
        .collect();
    let refuse = |message: String| {
        ApiError::validation(vec![FieldProblem {
            field: "agent.project_dir".into(),
            message,
        }])
    };
    match (found.as_slice(), project_id) {
        ([p], None) => Ok(p.id),
        ([p], Some(id)) if p.id == id => Ok(id),
        ([p], Some(id)) => Err(refuse(format!(
            "is the repository of project {} but project_id is {id}; give one of them",
            p.id
        ))),
        ([], _) => Err(refuse(format!(
            "`{dir}` is no project's repository; model agents work in a clone of their project's \
             repository, so create a project with this `repository` (POST /api/projects) and give \
             its `project_id` instead, or use an `exec` agent to run in a directory"
        ))),
        (_, Some(id)) if found.iter().any(|p| p.id == id) => Ok(id),
        (many, _) => Err(refuse(format!(
            "is the repository of {} projects; give `project_id` to choose one",
            many.len()
        ))),
    }
}

/// A subtask inherits what makes its work part of the parent's: the project (so it works in a
/// clone of the same repository, on the parent's branch, see `worker::attempt::sandbox`), the
/// agent type unless it names one, and what is left of the parent's budget (its own budget can
/// only be lower). An unknown parent is left to the insert's reference check.
fn inherit_from_parent(parents_read: &Parents, draft: &mut TaskDraft) {
    let Some((parent, left)) = draft
        .parent_task_id
        .and_then(|id| parents_read.0.get(&TaskId::from_uuid(id)))
    else {
        return;
    };
    if draft.project_id.is_none() {
        draft.project_id = parent.spec.project_id;
    }
    if draft.agent.as_deref().is_none_or(|a| a.eq_ignore_ascii_case("auto")) {
        draft.agent = Some(parent.spec.agent.as_str().to_owned());
    }
    if let Some(left) = *left {
        draft.budget_usd = Some(draft.budget_usd.map_or(left, |own| own.min(left)));
    }
}

/// The parents a request's drafts name, each read once (with what is left of its budget), for
/// both inheritance and authorization: a batch of subtasks of one task reads it once.
struct Parents(std::collections::HashMap<TaskId, (shared::domain::Task, Option<f64>)>);

impl Parents {
    async fn read(state: &AppState, drafts: &[TaskDraft]) -> Result<Parents, ApiError> {
        let mut map = std::collections::HashMap::new();
        for id in drafts.iter().filter_map(|d| d.parent_task_id).map(TaskId::from_uuid) {
            if map.contains_key(&id) {
                continue;
            }
            let Some(parent) = state.store.get_task(id).await? else {
                continue; // left to the insert's reference check
            };
            let left = match parent.spec.budget_usd {
                Some(budget) => {
                    let spent = state
                        .store
                        .spent_before(parent.id, shared::domain::Attempt(i32::MAX))
                        .await?;
                    Some(shared::domain::budget::remaining(Some(budget), spent).unwrap_or(budget))
                }
                None => None,
            };
            map.insert(id, (parent, left));
        }
        Ok(Parents(map))
    }

    fn task(&self, id: TaskId) -> Option<&shared::domain::Task> {
        self.0.get(&id).map(|(t, _)| t)
    }
}

/// The result of creating one task.
pub enum Created {
    /// New.
    New(shared::domain::Task),
    /// Replayed from an earlier request with the same idempotency key.
    Replayed(shared::domain::Task),
}

/// `POST /api/tasks`.
pub async fn create_one(
    state: &AppState,
    auth: &BearerAuth,
    draft: TaskDraft,
    body_hash_input: String,
    run: bool,
    idempotency_key: Option<String>,
) -> Result<Created, ApiError> {
    auth.write()?;
    if let Some(k) = &idempotency_key
        && (k.is_empty() || k.len() > 255)
    {
        return Err(ApiError::bad_request(
            "Idempotency-Key must be 1 to 255 characters".into(),
        ));
    }
    let mut draft = draft;
    let parents_read = Parents::read(state, std::slice::from_ref(&draft)).await?;
    inherit_from_parent(&parents_read, &mut draft);
    let Parsed { mut spec, reason } = classify::parse_all(state, vec![draft], |_| String::new())
        .await?
        .pop()
        .ok_or_else(|| anyhow::anyhow!("parsing one draft gave no spec"))?;
    authorize(state, auth, &parents_read, &mut [&mut spec]).await?;
    check_prerequisites(state, &[&spec]).await?;
    let idempotency = idempotency_key.map(|k| (k, hex::encode(Sha256::digest(body_hash_input.as_bytes()))));
    let initial = if run { Initial::Run } else { Initial::Pending };
    let new = NewTask {
        id: TaskId::new(),
        spec,
        idempotency,
        creation_reason: reason,
        dispatch_generation: None,
    };
    if new.idempotency.is_none() {
        // Concurrent creates share statements (see `inserter`), which also hands the task over.
        let t = state
            .inserter
            .insert(new, initial, auth.actor())
            .await
            .map_err(reference_error)?;
        return Ok(Created::New(t));
    }
    let mut new = [new];
    let marks = outbox::premark(&state.queue, &mut new, initial);
    let [new] = new;
    match state
        .store
        .insert_idempotent(new, initial, &auth.actor())
        .await
        .map_err(reference_error)?
    {
        IdempotentInsert::Created(t) => {
            dispatch_queued(state, std::slice::from_ref(&t), &marks).await;
            Ok(Created::New(*t))
        }
        IdempotentInsert::Replayed(t) => Ok(Created::Replayed(*t)),
        IdempotentInsert::KeyReused => Err(ApiError::conflict(
            "idempotency-key-reused",
            "Idempotency key reused",
            "this Idempotency-Key was used with a different request body".into(),
        )),
    }
}

/// `POST /api/tasks/batch`: the ids and agent types created, in request order.
pub async fn create_batch(
    state: &AppState,
    auth: &BearerAuth,
    drafts: Vec<TaskDraft>,
    run: bool,
) -> Result<Vec<(TaskId, shared::domain::AgentKind)>, ApiError> {
    auth.write()?;
    let max = state.settings.max_batch;
    if drafts.is_empty() || drafts.len() > max {
        return Err(ApiError::unprocessable(
            "batch-size",
            format!("send between 1 and {max} tasks"),
        ));
    }
    let mut drafts = drafts;
    let parents_read = Parents::read(state, &drafts).await?;
    for d in &mut drafts {
        inherit_from_parent(&parents_read, d);
    }
    let mut parsed = classify::parse_all(state, drafts, |i| format!("tasks[{i}].")).await?;
    let mut specs: Vec<&mut TaskSpec> = parsed.iter_mut().map(|p| &mut p.spec).collect();
    authorize(state, auth, &parents_read, &mut specs).await?;
    let specs: Vec<&TaskSpec> = parsed.iter().map(|p| &p.spec).collect();
    check_prerequisites(state, &specs).await?;
    let mut new: Vec<NewTask> = parsed
        .into_iter()
        .map(|p| NewTask {
            id: TaskId::new(),
            spec: p.spec,
            idempotency: None,
            creation_reason: p.reason,
            dispatch_generation: None,
        })
        .collect();
    let initial = if run { Initial::Run } else { Initial::Pending };
    let marks = outbox::premark(&state.queue, &mut new, initial);
    let tasks = state
        .store
        .insert_tasks(&new, initial, &auth.actor())
        .await
        .map_err(reference_error)?;
    dispatch_queued(state, &tasks, &marks).await;
    Ok(new.iter().map(|n| (n.id, n.spec.agent)).collect())
}

/// A reference to a project or parent task that does not exist is the client's mistake (422).
fn reference_error(e: anyhow::Error) -> ApiError {
    if shared::store::is_foreign_key_violation(&e) {
        return ApiError::unprocessable(
            "unknown-reference",
            "project_id or parent_task_id names no existing project or task".into(),
        );
    }
    e.into()
}
