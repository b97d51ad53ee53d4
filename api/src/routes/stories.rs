//! `/api/stories`: tasks of one project on one branch, each with acceptance criteria and a
//! checker of another agent type; shipped (merged, deployed) and validated once every task is
//! COMPLETED. The moving parts run in the workers (`worker::stories`); this is the edge.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use shared::domain::story::{StoryEvent, StoryState};
use shared::domain::{AgentKind, TaskDraft, TaskId};
use shared::outbox;
use shared::store::stories::{NewStory, NewStoryTask, Story, StoryChanges, StoryHistoryEntry};
use shared::store::tasks::NewTask;
use uuid::Uuid;

use super::ApiTags;
use crate::auth::BearerAuth;
use crate::problem::{ApiError, FieldProblem};
use crate::state::AppState;

/// Most work tasks in one story.
const MAX_TASKS: usize = 50;
/// Most acceptance criteria per task, and their length.
const MAX_CRITERIA: usize = 32;
const CRITERION_BYTES: usize = 2048;

/// Story routes.
pub struct StoriesApi;

/// A work task of a new story.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct CreateStoryTask {
    /// Unique within the story; `depends_on` names these keys.
    pub key: String,
    /// Title.
    pub title: String,
    /// What the agent should do.
    pub instructions: Option<String>,
    /// Agent type (default: the project's default agent).
    pub agent: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// What the checker checks the work against.
    #[oai(default)]
    pub acceptance_criteria: Vec<String>,
    /// Keys of tasks that must be COMPLETED before this one is queued.
    #[oai(default)]
    pub depends_on: Vec<String>,
    /// For `exec` tasks: the argv.
    pub argv: Option<Vec<String>>,
    /// Timeout like `30m`.
    pub timeout: Option<String>,
    /// Budget in US dollars.
    pub budget_usd: Option<f64>,
    /// Attempts (default 3).
    pub max_attempts: Option<u32>,
}

/// A story to create.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct CreateStory {
    /// The project (must have a repository to ship).
    pub project_id: Uuid,
    /// Title.
    pub title: String,
    /// What the story delivers.
    pub description: Option<String>,
    /// Agent type of the checkers and the validation (default: one different from each task's).
    pub checker_agent: Option<String>,
    /// Its tasks.
    pub tasks: Vec<CreateStoryTask>,
}

/// One task of a story.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StoryTaskView {
    /// The task.
    pub task_id: Uuid,
    /// `work`, `checker` or `validation`.
    pub role: String,
    /// Its key (work tasks).
    pub key: Option<String>,
    /// Acceptance criteria (work tasks).
    pub acceptance_criteria: Vec<String>,
    /// The task a checker checks.
    pub checks_task_id: Option<Uuid>,
    /// The attempt it checks.
    pub checks_attempt: Option<i32>,
    /// `pass` or `fail`: a work task's last checker verdict, or a checker's own.
    pub verdict: Option<String>,
    /// The checker's report.
    pub checker_report: Option<String>,
}

/// A story.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StoryView {
    /// Id.
    pub id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The branch its tasks share.
    pub branch: String,
    /// Agent type of its checkers, when chosen.
    pub checker_agent: Option<String>,
    /// `OPEN`, `SHIPPABLE`, `SHIPPING`, `VALIDATING`, `REVIEW_READY` or `NEEDS_FIX`.
    pub state: String,
    /// The validation task, once shipped.
    pub validation_task_id: Option<Uuid>,
    /// The merge commit on the default branch.
    pub merge_commit: Option<String>,
    /// Why shipping or validation failed.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Its tasks: work, checkers, validation.
    pub tasks: Vec<StoryTaskView>,
}

impl From<Story> for StoryView {
    fn from(s: Story) -> Self {
        StoryView {
            id: s.id,
            project_id: s.project_id,
            title: s.title,
            description: s.description,
            branch: s.branch,
            checker_agent: s.checker_agent.map(|a| a.as_str().to_owned()),
            state: s.state.as_str().to_owned(),
            validation_task_id: s.validation_task_id.map(|t| t.as_uuid()),
            merge_commit: s.merge_commit,
            last_error: s.last_error,
            created_at: s.created_at,
            updated_at: s.updated_at,
            tasks: s
                .tasks
                .into_iter()
                .map(|t| StoryTaskView {
                    task_id: t.task_id.as_uuid(),
                    role: t.role,
                    key: t.key,
                    acceptance_criteria: t.acceptance_criteria,
                    checks_task_id: t.checks.map(|(c, _)| c.as_uuid()),
                    checks_attempt: t.checks.map(|(_, a)| a.0),
                    verdict: t.verdict,
                    checker_report: t.report,
                })
                .collect(),
        }
    }
}

/// One line of a story's history.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StoryHistoryView {
    /// When.
    pub at: DateTime<Utc>,
    /// `story` (the story's own transition or a checker verdict) or `task`.
    pub kind: String,
    /// The task it is about.
    pub task_id: Option<Uuid>,
    /// State before.
    pub from: Option<String>,
    /// State after.
    pub to: String,
    /// Event.
    pub event: String,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
}

impl From<StoryHistoryEntry> for StoryHistoryView {
    fn from(e: StoryHistoryEntry) -> Self {
        StoryHistoryView {
            at: e.at,
            kind: e.kind.to_owned(),
            task_id: e.task_id.map(|t| t.as_uuid()),
            from: e.from,
            to: e.to,
            event: e.event,
            actor: e.actor,
            reason: e.reason,
        }
    }
}

/// Body of `POST /api/stories/elaborate`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct ElaborateStoryBody {
    /// What the story should deliver, in a line or a paragraph.
    pub request: String,
    /// The project it is for (its name, repository and branch go into the prompt).
    pub project_id: Option<Uuid>,
}

/// A drafted story: what `POST /api/stories` takes (with `project_id` set when one was given).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StoryDraftView {
    /// The project, when the request named one.
    pub project_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Tasks, dependencies first.
    pub tasks: Vec<StoryTaskDraftView>,
    /// Which model wrote it: `local`, `claude` or `gemini`.
    pub drafted_by: String,
}

/// A drafted task of a story.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct StoryTaskDraftView {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Instructions.
    pub instructions: String,
    /// Agent type.
    pub agent: String,
    /// Model.
    pub model: Option<String>,
    /// Acceptance criteria.
    pub acceptance_criteria: Vec<String>,
    /// Keys of earlier tasks it needs.
    pub depends_on: Vec<String>,
    /// Timeout like `15m`.
    pub timeout: String,
    /// Budget in US dollars.
    pub budget_usd: f64,
}

#[derive(ApiResponse)]
enum Created {
    /// Created; its tasks are queued (each once its dependencies are COMPLETED).
    #[oai(status = 201)]
    Created(Json<StoryView>),
}

fn field(field: String, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field,
        message: message.into(),
    }
}

/// Keys in an order where every task comes after its dependencies, or the key on a cycle.
fn dependency_order(tasks: &[CreateStoryTask]) -> Result<(), String> {
    let index: std::collections::HashMap<&str, usize> =
        tasks.iter().enumerate().map(|(i, t)| (t.key.as_str(), i)).collect();
    // Depth-first with an explicit stack (a recursive walk overflows the thread's stack on a
    // long chain). 0 unvisited, 1 on the path, 2 done; a stack entry is (task, next dependency).
    let mut mark = vec![0u8; tasks.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..tasks.len() {
        if mark[start] != 0 {
            continue;
        }
        mark[start] = 1;
        stack.push((start, 0));
        while let Some((i, next)) = stack.last_mut() {
            let i = *i;
            let Some(d) = tasks[i].depends_on.get(*next) else {
                mark[i] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            if let Some(&j) = index.get(d.as_str()) {
                match mark[j] {
                    1 => return Err(tasks[j].key.clone()),
                    0 => {
                        mark[j] = 1;
                        stack.push((j, 0));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

async fn load(state: &AppState, auth: &BearerAuth, id: Uuid) -> Result<Story, ApiError> {
    auth.fleet()?;
    let story = state
        .store
        .get_story(id)
        .await?
        .ok_or_else(|| ApiError::not_found("story", id))?;
    auth.project(Some(story.project_id))?;
    Ok(story)
}

#[OpenApi(prefix_path = "/api/stories", tag = "ApiTags::Stories")]
impl StoriesApi {
    /// Create a story
    ///
    /// Creates the story and its work tasks, all queued at once; a task with `depends_on` is
    /// dispatched only when those tasks are COMPLETED. Work tasks always end in READY: a checker
    /// of another agent type then reviews each against its acceptance criteria (pass: COMPLETED;
    /// fail: stays READY with the checker's report). All work tasks COMPLETED: SHIPPABLE.
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<CreateStory>,
    ) -> Result<Created, ApiError> {
        auth.require_full()?;
        auth.write()?;
        let b = body.0;
        auth.project(Some(b.project_id))?;
        let mut errs = Vec::new();
        let title = b.title.trim().to_owned();
        if title.is_empty() || title.chars().count() > 200 {
            errs.push(field("title".into(), "must be 1 to 200 characters"));
        }
        if b.description.as_ref().is_some_and(|d| d.len() > 16 * 1024) {
            errs.push(field("description".into(), "is longer than 16 KiB"));
        }
        if b.tasks.is_empty() || b.tasks.len() > MAX_TASKS {
            // Nothing else is looked at: every further check is per task.
            return Err(ApiError::validation(vec![field(
                "tasks".into(),
                format!("must hold 1 to {MAX_TASKS} tasks"),
            )]));
        }
        let checker: Option<AgentKind> = match b.checker_agent.as_deref() {
            None | Some("") => None,
            Some(a) => match a.parse() {
                Ok(a) => Some(a),
                Err(e) => {
                    errs.push(field("checker_agent".into(), format!("{e}")));
                    None
                }
            },
        };
        if checker.is_some_and(|c| matches!(c, AgentKind::Exec | AgentKind::Noop)) {
            errs.push(field(
                "checker_agent".into(),
                "must be a model agent (claude, gemini or local)",
            ));
        }
        let project = state.store.get_project(b.project_id).await?.ok_or_else(|| {
            ApiError::unprocessable("unknown-reference", format!("project {} does not exist", b.project_id))
        })?;
        let ids: std::collections::HashMap<String, TaskId> =
            b.tasks.iter().map(|t| (t.key.clone(), TaskId::new())).collect();
        if ids.len() != b.tasks.len() {
            errs.push(field("tasks".into(), "keys must be unique"));
        }
        let mut news = Vec::new();
        for (i, t) in b.tasks.iter().enumerate() {
            let p = format!("tasks[{i}].");
            if t.key.trim().is_empty() || t.key.len() > 64 {
                errs.push(field(format!("{p}key"), "must be 1 to 64 characters"));
            }
            if t.acceptance_criteria.len() > MAX_CRITERIA
                || t.acceptance_criteria.iter().any(|c| c.len() > CRITERION_BYTES)
            {
                errs.push(field(
                    format!("{p}acceptance_criteria"),
                    format!("at most {MAX_CRITERIA} criteria of {CRITERION_BYTES} bytes"),
                ));
            }
            let mut depends = Vec::new();
            for d in &t.depends_on {
                match ids.get(d) {
                    Some(id) if d != &t.key => depends.push(id.as_uuid()),
                    _ => errs.push(field(
                        format!("{p}depends_on"),
                        format!("`{d}` is not another task of this story"),
                    )),
                }
            }
            let agent = t
                .agent
                .clone()
                .unwrap_or_else(|| project.default_agent.as_str().to_owned());
            if checker.is_some_and(|c| c.as_str() == agent) {
                errs.push(field(format!("{p}agent"), "must differ from the story's checker_agent"));
            }
            let draft = TaskDraft {
                title: Some(t.title.clone()),
                instructions: t.instructions.clone(),
                agent: Some(agent),
                model: t.model.clone(),
                max_attempts: t.max_attempts,
                timeout: t.timeout.clone(),
                budget_usd: t.budget_usd,
                project_id: Some(b.project_id),
                depends_on: depends,
                // The checker gate acts on READY.
                review: Some(true),
                argv: t.argv.clone(),
                labels: vec!["story".into()],
                ..TaskDraft::default()
            };
            match super::tasks::create::parse(draft, &p) {
                Ok(mut spec) => {
                    auth.spec(&state.settings.agent_policy, &mut spec)?;
                    news.push(NewStoryTask {
                        task: NewTask {
                            id: ids.get(&t.key).copied().unwrap_or_else(TaskId::new),
                            spec,
                            idempotency: None,
                            creation_reason: Some(format!("task `{}` of story \"{title}\"", t.key)),
                            dispatch_generation: None,
                        },
                        key: t.key.clone(),
                        acceptance_criteria: t.acceptance_criteria.clone(),
                    })
                }
                Err(mut e) => errs.append(&mut e),
            }
        }
        if let Err(key) = dependency_order(&b.tasks) {
            errs.push(field("tasks".into(), format!("task `{key}` is on a dependency cycle")));
        }
        if !errs.is_empty() {
            return Err(ApiError::validation(errs));
        }
        let new = NewStory {
            id: Uuid::now_v7(),
            project_id: b.project_id,
            title,
            description: b.description.unwrap_or_default(),
            checker_agent: checker,
            tasks: news,
        };
        let (story, tasks) = state.store.create_story(&new, &auth.actor()).await?;
        let orders = outbox::immediate_orders(&tasks);
        if let Err(e) = outbox::hand_over(&state.store, &state.queue, &orders).await {
            tracing::warn!(error.message = %e, "story tasks not handed over; the reconciler will");
        }
        Ok(Created::Created(Json(story.into())))
    }

    /// Draft a story from a request
    ///
    /// A model splits the request into tasks with acceptance criteria and dependencies; the draft
    /// is returned, not created (post it to `POST /api/stories`). Asks the local model, then
    /// Claude, then Gemini; 503 when none is configured or none answered; 429 over the per-token
    /// rate limit.
    #[oai(path = "/elaborate", method = "post")]
    async fn elaborate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: Json<ElaborateStoryBody>,
    ) -> Result<Json<StoryDraftView>, ApiError> {
        auth.require_full()?;
        auth.write()?;
        if let Some(p) = body.0.project_id {
            auth.project(Some(p))?;
        }
        let request = body.0.request.trim().to_owned();
        if request.is_empty() || request.len() > shared::domain::assist::limits::REQUEST_BYTES {
            return Err(ApiError::validation(vec![field(
                "request".into(),
                format!("must be 1 to {} bytes", shared::domain::assist::limits::REQUEST_BYTES),
            )]));
        }
        super::assist::check_rate(&state, &auth, "elaborate").await?;
        let project = super::assist::project_context(&state, body.0.project_id).await?;
        let prompt = shared::domain::story::story_elaborate_prompt(&request, project.as_ref());
        let answer = state
            .llm
            .ask_chain(&prompt, state.settings.elaborate_timeout, |raw| {
                shared::domain::story::parse_story_proposal(raw, &request)
            })
            .await
            .map_err(super::assist::no_answer)?;
        let p = answer.value;
        Ok(Json(StoryDraftView {
            project_id: body.0.project_id,
            title: p.title,
            description: p.description,
            tasks: p
                .tasks
                .into_iter()
                .map(|(key, t, depends_on)| StoryTaskDraftView {
                    key,
                    title: t.title,
                    instructions: t.instructions,
                    agent: t.agent.as_str().to_owned(),
                    model: t.model,
                    acceptance_criteria: t.acceptance_criteria,
                    depends_on,
                    timeout: shared::domain::assist::format_timeout(t.timeout),
                    budget_usd: t.budget_usd,
                })
                .collect(),
            drafted_by: answer.provider.as_str().to_owned(),
        }))
    }

    /// List stories
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// Only this project's.
        project_id: Query<Option<Uuid>>,
    ) -> Result<Json<Vec<StoryView>>, ApiError> {
        auth.fleet()?;
        let list = state
            .store
            .list_stories(project_id.0, auth.project_scope(), 200)
            .await?;
        Ok(Json(list.into_iter().map(Into::into).collect()))
    }

    /// Get a story
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, state: Data<&AppState>, auth: BearerAuth, id: Path<Uuid>) -> Result<Json<StoryView>, ApiError> {
        Ok(Json(load(&state, &auth, id.0).await?.into()))
    }

    /// A story's history
    ///
    /// The story's own transitions, its checkers' verdicts, and every transition of its tasks,
    /// in time order.
    #[oai(path = "/:id/events", method = "get")]
    async fn events(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<Vec<StoryHistoryView>>, ApiError> {
        load(&state, &auth, id.0).await?;
        let h = state.store.story_history(id.0).await?;
        Ok(Json(h.into_iter().map(Into::into).collect()))
    }

    /// Ship a story
    ///
    /// SHIPPABLE → SHIPPING: a worker merges the story's branch into the project's default
    /// branch, pushes it, runs the project's `deploy_command`, and starts a validation task
    /// (VALIDATING → REVIEW_READY or NEEDS_FIX). 409 unless the story is SHIPPABLE.
    #[oai(path = "/:id/ship", method = "post")]
    async fn ship(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<StoryView>, ApiError> {
        self.act(&state, &auth, id.0, StoryEvent::Ship, "ship requested").await
    }

    /// Reopen a story
    ///
    /// NEEDS_FIX, SHIPPABLE or REVIEW_READY → OPEN, e.g. to re-run or add work before shipping
    /// again.
    #[oai(path = "/:id/reopen", method = "post")]
    async fn reopen(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<Json<StoryView>, ApiError> {
        self.act(&state, &auth, id.0, StoryEvent::Reopen, "reopened").await
    }
}

impl StoriesApi {
    async fn act(
        &self,
        state: &AppState,
        auth: &BearerAuth,
        id: Uuid,
        event: StoryEvent,
        why: &str,
    ) -> Result<Json<StoryView>, ApiError> {
        auth.require_full()?;
        auth.write()?;
        let story = load(state, auth, id).await?;
        let illegal = |from: StoryState| {
            ApiError::conflict(
                "illegal-transition",
                "Illegal transition",
                format!("a {from} story cannot `{}`", event.as_str()),
            )
        };
        if shared::domain::story::story_transition(story.state, event).is_err() {
            return Err(illegal(story.state));
        }
        let moved = state
            .store
            .apply_story_transition(
                id,
                story.state,
                event,
                &auth.actor(),
                Some(why),
                &StoryChanges::default(),
            )
            .await?;
        if !moved {
            return Err(ApiError::conflict(
                "state-changed",
                "State changed",
                "the story changed state meanwhile; read it again".into(),
            ));
        }
        Ok(Json(load(state, auth, id).await?.into()))
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    fn task(key: String, depends_on: Vec<String>) -> CreateStoryTask {
        CreateStoryTask {
            key,
            title: "t".into(),
            instructions: None,
            agent: None,
            model: None,
            acceptance_criteria: Vec::new(),
            depends_on,
            argv: None,
            timeout: None,
            budget_usd: None,
            max_attempts: None,
        }
    }

    #[test]
    fn a_chain_far_longer_than_the_stack_allows_recursion_is_ordered_and_a_cycle_found() {
        let n = 200_000;
        let mut tasks: Vec<CreateStoryTask> = (0..n)
            .map(|i| {
                task(
                    format!("k{i}"),
                    if i == 0 { vec![] } else { vec![format!("k{}", i - 1)] },
                )
            })
            .collect();
        assert_eq!(dependency_order(&tasks), Ok(()));
        tasks[0].depends_on = vec![format!("k{}", n - 1)];
        assert!(dependency_order(&tasks).is_err());
    }
}
