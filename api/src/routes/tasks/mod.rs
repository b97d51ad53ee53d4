//! `/api/tasks`: create (JSON, YAML, batch), list, read, act (run, cancel, accept, reject,
//! resume), and read history (executions, events).

mod classify;
pub(crate) mod create;
pub mod dto;
mod yaml;

use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use shared::domain::{AgentKind, TaskEvent, TaskId, TaskState};
use shared::outbox;
use shared::store::tasks::{Applied, TaskFilter};
use uuid::Uuid;

use self::dto::{
    CreateTaskBatch, CreateTaskBody, CreatedBatch, EventView, ExecutionView, RejectBody, TaskPage, TaskView,
};
use super::ApiTags;
use crate::auth::BearerAuth;
use crate::live::unserved_warning;
use crate::problem::{ApiError, FieldProblem};
use crate::state::AppState;

/// Task routes.
pub struct TasksApi;

/// Answer of `POST /api/tasks`.
#[derive(ApiResponse)]
pub enum CreateResponse {
    /// Created.
    #[oai(status = 201)]
    Created(Json<TaskView>),
    /// The same `Idempotency-Key` and body were seen before: the task created then.
    #[oai(status = 200)]
    Replayed(Json<TaskView>),
}

const MAX_PAGE: u32 = 500;

#[OpenApi(prefix_path = "/api/tasks", tag = "ApiTags::Tasks")]
impl TasksApi {
    /// Create a task
    ///
    /// JSON or the original task YAML (`application/yaml`). With `run=true` the task is
    /// submitted at once (QUEUED); otherwise it waits in PENDING for `POST /run`. A task for an
    /// agent type no live worker serves is still created; its `warnings` say so. An
    /// `Idempotency-Key` makes retries safe: the same key and body within 24 hours return the
    /// first task (200); the same key with another body is 409.
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Submit at once.
        #[oai(default)]
        run: Query<bool>,
        /// Makes the request safe to retry.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: Header<Option<String>>,
        body: CreateTaskBody,
    ) -> Result<CreateResponse, ApiError> {
        let hash_input = format!("{body:?}|run={}", run.0);
        let dto::YamlDraft { mut draft, project_dir } = body.into();
        if let Some(dir) = project_dir {
            draft.project_id = Some(create::project_of_dir(&state, &dir, draft.project_id).await?);
        }
        match create::create_one(&state, &auth, draft, hash_input, run.0, idempotency_key.0).await? {
            create::Created::New(t) => Ok(CreateResponse::Created(Json(warned(&state, t.into()).await))),
            create::Created::Replayed(t) => Ok(CreateResponse::Replayed(Json(warned(&state, t.into()).await))),
        }
    }

    /// Create many tasks
    ///
    /// One statement and one dispatch call for the whole batch. All or nothing: any invalid
    /// task rejects the batch with every problem listed.
    #[oai(path = "/batch", method = "post")]
    async fn create_batch(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Submit at once.
        #[oai(default)]
        run: Query<bool>,
        body: Json<CreateTaskBatch>,
    ) -> Result<poem_openapi::payload::Json<CreatedBatch>, ApiError> {
        let drafts = body.0.tasks.into_iter().map(Into::into).collect();
        let created = create::create_batch(&state, &auth, drafts, run.0).await?;
        let mut agents: Vec<AgentKind> = created.iter().map(|(_, a)| *a).collect();
        agents.sort_by_key(|a| a.as_str());
        agents.dedup();
        let warnings = match state.live.served(&state.store, &agents).await {
            Some(served) => agents
                .into_iter()
                .filter(|a| !served.contains(a))
                .map(unserved_warning)
                .collect(),
            None => Vec::new(),
        };
        Ok(Json(CreatedBatch {
            ids: created.into_iter().map(|(i, _)| i.as_uuid()).collect(),
            warnings,
        }))
    }

    /// List tasks
    ///
    /// Newest first; pass `next_cursor` as `cursor` for the next page.
    #[oai(path = "/", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only this state.
        #[oai(name = "state")]
        state_filter: Query<Option<dto::TaskState>>,
        /// Only this agent type.
        agent: Query<Option<String>>,
        /// Only this project.
        project_id: Query<Option<Uuid>>,
        /// Only tasks with this label.
        label: Query<Option<String>>,
        /// Only subtasks of this task.
        parent_task_id: Query<Option<Uuid>>,
        /// Continue after this task id.
        cursor: Query<Option<Uuid>>,
        /// Page size (1 to 500, default 50).
        limit: Query<Option<u32>>,
    ) -> Result<Json<TaskPage>, ApiError> {
        let agent = match agent.0 {
            Some(a) => Some(a.parse().map_err(|e: shared::domain::ids::UnknownName| {
                ApiError::validation(vec![FieldProblem {
                    field: "agent".into(),
                    message: e.to_string(),
                }])
            })?),
            None => None,
        };
        // Postgres text cannot hold NUL, so no label has one (and the query would fail).
        if label.0.as_deref().is_some_and(|l| l.contains('\0')) {
            return Err(ApiError::validation(vec![FieldProblem {
                field: "label".into(),
                message: "must not contain NUL".into(),
            }]));
        }
        let limit = limit.0.unwrap_or(50).clamp(1, MAX_PAGE);
        let mut filter = TaskFilter {
            state: state_filter.0.map(Into::into),
            agent,
            project_id: project_id.0,
            label: label.0,
            parent_task_id: parent_task_id.0.map(TaskId::from_uuid),
            before: cursor.0.map(TaskId::from_uuid),
            projects: auth.project_scope().map(<[Uuid]>::to_vec),
        };
        if let Some(scope) = auth.0.task_scope {
            filter.parent_task_id = Some(scope);
        }
        let mut items = state.store.list_tasks(&filter, i64::from(limit) + 1).await?;
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next_cursor = more.then(|| items.last().map(|t| t.id.as_uuid())).flatten();
        let mut items: Vec<TaskView> = items.into_iter().map(Into::into).collect();
        warn_unserved(&state, &mut items).await;
        Ok(Json(TaskPage { items, next_cursor }))
    }

    /// Get a task
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<TaskView>, ApiError> {
        let id = TaskId::from_uuid(id.0);
        auth.may_touch(id)?;
        let task = state
            .store
            .get_task(id)
            .await?
            .ok_or_else(|| ApiError::not_found("task", id))?;
        auth.task(&task)?;
        Ok(Json(warned(&state, task.into()).await))
    }

    /// Run a task
    ///
    /// Submits a PENDING task, or re-runs a FAILED, CANCELLED or BUDGET_EXCEEDED one (with a
    /// fresh attempt budget).
    #[oai(path = "/:id/run", method = "post")]
    async fn run(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<TaskView>, ApiError> {
        act(&state, &auth, id.0, TaskEvent::Run, |_, row| {
            row.last_error = Some(None);
        })
        .await
    }

    /// Cancel a task
    ///
    /// A QUEUED task leaves dispatch; a RUNNING one is stopped by the worker holding it within
    /// about a second (its process group is killed).
    #[oai(path = "/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<TaskView>, ApiError> {
        act(&state, &auth, id.0, TaskEvent::Cancel, |t, row| {
            row.reason = Some(format!("cancelled while {}", t.state));
            row.run_at = Some(None);
        })
        .await
    }

    /// Accept a READY task
    #[oai(path = "/:id/accept", method = "post")]
    async fn accept(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<TaskView>, ApiError> {
        act(&state, &auth, id.0, TaskEvent::Accept, |_, _| {}).await
    }

    /// Reject a READY task
    ///
    /// Back to PENDING with the comment kept on the task.
    #[oai(path = "/:id/reject", method = "post")]
    async fn reject(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RejectBody>,
    ) -> Result<Json<TaskView>, ApiError> {
        let comment = body.0.comment.filter(|c| !c.trim().is_empty());
        if comment.as_ref().is_some_and(|c| c.len() > 16 * 1024) {
            return Err(ApiError::unprocessable(
                "validation",
                "comment is longer than 16384 bytes".into(),
            ));
        }
        act(&state, &auth, id.0, TaskEvent::Reject, move |_, row| {
            row.reason = comment.clone();
            row.rejection_comment = Some(comment.clone());
        })
        .await
    }

    /// Answer a BLOCKED task's question
    ///
    /// The task is queued again; its next attempt, on any worker, gets the answer
    /// (`CLAUDOMATOR_ANSWER` for `exec` tasks).
    #[oai(path = "/:id/answer", method = "post")]
    async fn answer(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<dto::AnswerBody>,
    ) -> Result<Json<TaskView>, ApiError> {
        let answer = body.0.answer.trim().to_owned();
        if answer.is_empty() || answer.len() > 16 * 1024 {
            return Err(ApiError::unprocessable(
                "validation",
                "answer must be 1 to 16384 bytes".into(),
            ));
        }
        act(&state, &auth, id.0, TaskEvent::Answer, move |t, row| {
            let mut q = t.question.clone().unwrap_or(shared::domain::Question {
                text: String::new(),
                options: Vec::new(),
                answer: None,
            });
            q.answer = Some(answer.clone());
            row.reason = Some(format!("answered: {}", answer.chars().take(200).collect::<String>()));
            row.question = Some(Some(q));
        })
        .await
    }

    /// Resume a TIMED_OUT task
    #[oai(path = "/:id/resume", method = "post")]
    async fn resume(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<TaskView>, ApiError> {
        act(&state, &auth, id.0, TaskEvent::Resume, |_, _| {}).await
    }

    /// A task's executions
    ///
    /// One per attempt, oldest first.
    #[oai(path = "/:id/executions", method = "get")]
    async fn executions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<ExecutionView>>, ApiError> {
        let id = TaskId::from_uuid(id.0);
        auth.may_touch(id)?;
        let task = state
            .store
            .get_task(id)
            .await?
            .ok_or_else(|| ApiError::not_found("task", id))?;
        auth.task(&task)?;
        Ok(Json(
            state.store.executions(id).await?.into_iter().map(Into::into).collect(),
        ))
    }

    /// A task's events
    ///
    /// Every transition, oldest first.
    #[oai(path = "/:id/events", method = "get")]
    async fn events(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<EventView>>, ApiError> {
        let id = TaskId::from_uuid(id.0);
        auth.may_touch(id)?;
        let task = state
            .store
            .get_task(id)
            .await?
            .ok_or_else(|| ApiError::not_found("task", id))?;
        auth.task(&task)?;
        Ok(Json(
            state.store.task_events(id).await?.into_iter().map(Into::into).collect(),
        ))
    }
}

/// Whether a task in this state waits for a worker of its agent type.
fn waits(v: &TaskView) -> bool {
    matches!(v.state, dto::TaskState::Pending | dto::TaskState::Queued)
}

/// Warns on each view of a waiting task whose agent type no live worker serves. Reading the
/// registry failing leaves the views without warnings (the request itself succeeded).
async fn warn_unserved(state: &AppState, views: &mut [TaskView]) {
    let waiting: Vec<AgentKind> = views
        .iter()
        .filter(|v| waits(v))
        .filter_map(|v| v.agent.parse().ok())
        .collect();
    if waiting.is_empty() {
        return;
    }
    let Some(served) = state.live.served(&state.store, &waiting).await else {
        return;
    };
    for v in views.iter_mut().filter(|v| waits(v)) {
        if let Ok(a) = v.agent.parse::<AgentKind>()
            && !served.contains(&a)
        {
            v.warnings.push(unserved_warning(a));
        }
    }
}

/// One view with its warnings.
async fn warned(state: &AppState, view: TaskView) -> TaskView {
    let mut views = [view];
    warn_unserved(state, &mut views).await;
    let [view] = views;
    view
}

/// Applies `event` to the task's current state and follows up on dispatch.
async fn act(
    state: &AppState,
    auth: &BearerAuth,
    id: Uuid,
    event: TaskEvent,
    fill: impl Fn(&shared::domain::Task, &mut shared::store::tasks::Transition),
) -> Result<Json<TaskView>, ApiError> {
    let id = TaskId::from_uuid(id);
    auth.write()?;
    auth.may_touch(id)?;
    let before = state
        .store
        .get_task(id)
        .await?
        .ok_or_else(|| ApiError::not_found("task", id))?;
    auth.task(&before)?;
    match state.store.transition_current(id, event, &auth.actor(), fill).await? {
        None => Err(ApiError::not_found("task", id)),
        Some(Applied::Done(task)) => {
            if task.state == TaskState::Queued {
                create::dispatch_queued(state, std::slice::from_ref(&task), &Default::default()).await;
            }
            if event == TaskEvent::Cancel && before.state == TaskState::Queued {
                // Orders already in a stream are dropped at claim time by the fence.
                if let Err(e) = state.queue.remove_delayed(&outbox::order_for(&before)).await {
                    tracing::warn!(error.message = %e, task.id = %id, "could not remove delayed order");
                }
            }
            Ok(Json(warned(state, (*task).into()).await))
        }
        Some(Applied::Illegal(e)) => Err(ApiError::illegal_transition(e.from, e.to_string())),
        Some(Applied::Stale) => {
            let now = state
                .store
                .get_task(id)
                .await?
                .ok_or_else(|| ApiError::not_found("task", id))?;
            Err(ApiError::illegal_transition(
                now.state,
                "the task changed while the request ran; try again".into(),
            ))
        }
    }
}
