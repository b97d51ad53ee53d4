//! Tasks: insert, read, list, and every state change.
//!
//! [`Store::apply_transitions`] is the only function that writes `tasks.state` after creation
//! (claims are the one other writer, in [`super::attempts`], for QUEUED → RUNNING). Each row it
//! applies carries the state the caller decided from, the target the state machine returned for
//! that state and event, and the attempt it is fenced on; the UPDATE matches only if all still
//! hold, and writes the event row (and closes the execution when leaving RUNNING) in the same
//! statement.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Store;
use super::rows::{SpecOptions, TaskRow, task_columns, tasks_from_rows};
use crate::domain::{
    AgentKind, Attempt, EventRecord, Execution, IllegalTransition, Question, Task, TaskEvent, TaskId, TaskSpec,
    TaskState, transition,
};

/// A task to insert.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// Identity, chosen by the caller (so it can be returned before the insert commits).
    pub id: TaskId,
    /// The validated spec.
    pub spec: TaskSpec,
    /// `Idempotency-Key` with the hash of the request body it came with.
    pub idempotency: Option<(String, String)>,
    /// Recorded as the reason of the `create` event (how the task was classified).
    pub creation_reason: Option<String>,
    /// The Redis generation the caller will hand this QUEUED task to right after the commit,
    /// recorded with the insert instead of by a second UPDATE (see `outbox::premark`). `None`
    /// leaves the task to be marked after the hand-over, or sent by the reconciler.
    pub dispatch_generation: Option<String>,
}

/// How a created task should start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initial {
    /// Stay PENDING until `POST /run`.
    Pending,
    /// Submit at once (the state machine's `Run` from PENDING).
    Run,
}

/// One state change to apply.
#[derive(Debug, Clone)]
pub struct Transition {
    /// The task.
    pub id: TaskId,
    /// The state the decision was made from.
    pub from: TaskState,
    /// The event.
    pub event: TaskEvent,
    /// The attempt the decision was made for; the write is fenced on it.
    pub fence: Attempt,
    /// Set `run_at` (None = leave it).
    pub run_at: Option<Option<DateTime<Utc>>>,
    /// Give back this many charged attempts (rate limits, hand-backs).
    pub refund: i32,
    /// Set `last_error` (None = leave it).
    pub last_error: Option<Option<String>>,
    /// Set `question` (None = leave it).
    pub question: Option<Option<Question>>,
    /// Set `rejection_comment` (None = leave it).
    pub rejection_comment: Option<Option<String>>,
    /// Mark the failure as a dead letter.
    pub dead_letter: bool,
    /// Recorded on the event row.
    pub reason: Option<String>,
    /// Closes the attempt's execution row; required when leaving RUNNING.
    pub execution: Option<ExecutionEnd>,
}

impl Transition {
    /// A transition with no side changes.
    pub fn new(id: TaskId, from: TaskState, event: TaskEvent, fence: Attempt) -> Transition {
        Transition {
            id,
            from,
            event,
            fence,
            run_at: None,
            refund: 0,
            last_error: None,
            question: None,
            rejection_comment: None,
            dead_letter: false,
            reason: None,
            execution: None,
        }
    }
}

/// How an execution ended.
#[derive(Debug, Clone, Default)]
pub struct ExecutionEnd {
    /// One of the `executions.outcome` CHECK values.
    pub outcome: &'static str,
    /// Process exit code.
    pub exit_code: Option<i32>,
    /// Error text.
    pub error: Option<String>,
    /// Captured output.
    pub output: Option<String>,
    /// Agent summary.
    pub summary: Option<String>,
    /// Cost.
    pub cost_usd: Option<f64>,
    /// Input tokens.
    pub tokens_in: Option<i64>,
    /// Output tokens.
    pub tokens_out: Option<i64>,
    /// Agent session id.
    pub session_id: Option<String>,
    /// What the attempt changed in its git sandbox.
    pub changes: Option<crate::domain::Changes>,
}

/// What became of one requested transition.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// Written; the task as it is now.
    Done(Box<Task>),
    /// The state machine forbids it.
    Illegal(IllegalTransition),
    /// The task moved on (other state or attempt) before the write; nothing was written.
    Stale,
}

/// Filters for listing.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only this state.
    pub state: Option<TaskState>,
    /// Only this agent.
    pub agent: Option<AgentKind>,
    /// Only this project.
    pub project_id: Option<Uuid>,
    /// Only tasks carrying this label.
    pub label: Option<String>,
    /// Only subtasks of this task.
    pub parent_task_id: Option<TaskId>,
    /// Only tasks older than this id (cursor: ids are time-ordered, newest first).
    pub before: Option<TaskId>,
    /// Only tasks of these projects (a token's project scope).
    pub projects: Option<Vec<Uuid>>,
}

/// Looked up by idempotency key.
#[derive(Debug, Clone)]
pub enum IdempotentInsert {
    /// Inserted now.
    Created(Box<Task>),
    /// The same key and body were seen before: the first task.
    Replayed(Box<Task>),
    /// The key was used with a different body.
    KeyReused,
}

const IDEMPOTENCY_WINDOW_HOURS: i32 = 24;

impl Store {
    /// Inserts tasks with their creation events in one statement. With [`Initial::Run`] they
    /// start QUEUED (the state machine's answer for PENDING + Run) and await dispatch, with one
    /// `create` event from nothing to QUEUED; otherwise PENDING, with `create` to PENDING.
    pub async fn insert_tasks(&self, tasks: &[NewTask], initial: Initial, actor: &str) -> anyhow::Result<Vec<Task>> {
        let mut ex = self.pool.acquire().await?;
        insert_tasks_on(&mut ex, tasks, initial, actor).await
    }

    /// Inserts one task honouring its idempotency key: the same key and body within 24 hours
    /// return the first task; a different body is [`IdempotentInsert::KeyReused`].
    pub async fn insert_idempotent(
        &self,
        task: NewTask,
        initial: Initial,
        actor: &str,
    ) -> anyhow::Result<IdempotentInsert> {
        let Some((key, hash)) = task.idempotency.clone() else {
            let mut v = self.insert_tasks(std::slice::from_ref(&task), initial, actor).await?;
            return v
                .pop()
                .map(|t| IdempotentInsert::Created(Box::new(t)))
                .context("insert returned no row");
        };
        for _ in 0..3 {
            let mut tx = self.pool.begin().await?;
            // Forget keys older than the window so they can be reused.
            sqlx::query(
                "UPDATE tasks SET idempotency_key = NULL, request_hash = NULL \
                 WHERE idempotency_key = $1 AND created_at < now() - make_interval(hours => $2)",
            )
            .bind(&key)
            .bind(IDEMPOTENCY_WINDOW_HOURS)
            .execute(&mut *tx)
            .await?;
            let existing: Option<(Uuid, Option<String>)> =
                sqlx::query_as("SELECT id, request_hash FROM tasks WHERE idempotency_key = $1")
                    .bind(&key)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((id, old_hash)) = existing {
                tx.commit().await?;
                if old_hash.as_deref() != Some(hash.as_str()) {
                    return Ok(IdempotentInsert::KeyReused);
                }
                let t = self
                    .get_task(TaskId::from_uuid(id))
                    .await?
                    .context("idempotent task vanished")?;
                return Ok(IdempotentInsert::Replayed(Box::new(t)));
            }
            match insert_tasks_on(&mut tx, std::slice::from_ref(&task), initial, actor).await {
                Ok(mut v) => {
                    tx.commit().await?;
                    return v
                        .pop()
                        .map(|t| IdempotentInsert::Created(Box::new(t)))
                        .context("insert returned no row");
                }
                Err(e) if is_unique_violation(&e, "tasks_idempotency_key") => continue,
                Err(e) => return Err(e),
            }
        }
        anyhow::bail!("idempotency key `{key}` kept racing")
    }

    /// One task.
    pub async fn get_task(&self, id: TaskId) -> anyhow::Result<Option<Task>> {
        let sql = concat!("SELECT ", task_columns!(), " FROM tasks t WHERE t.id = $1");
        let row: Option<TaskRow> = sqlx::query_as(sql)
            .bind(id.as_uuid())
            .fetch_optional(&self.pool)
            .await?;
        row.map(Task::try_from).transpose()
    }

    /// Tasks matching `f`, newest first, at most `limit`.
    pub async fn list_tasks(&self, f: &TaskFilter, limit: i64) -> anyhow::Result<Vec<Task>> {
        let sql = concat!(
            "SELECT ",
            task_columns!(),
            " FROM tasks t WHERE \
             ($1::task_state IS NULL OR t.state = $1::task_state) AND \
             ($2::agent_kind IS NULL OR t.agent = $2::agent_kind) AND \
             ($3::uuid IS NULL OR t.project_id = $3) AND \
             ($4::text IS NULL OR (t.labels @> ARRAY[$4::text] AND t.labels <> '{}')) AND \
             ($5::uuid IS NULL OR t.parent_task_id = $5) AND \
             ($6::uuid IS NULL OR t.id < $6) AND \
             ($8::uuid[] IS NULL OR t.project_id = ANY($8)) \
             ORDER BY t.id DESC LIMIT $7"
        );
        let rows: Vec<TaskRow> = sqlx::query_as(sql)
            .bind(f.state.map(|s| s.as_str()))
            .bind(f.agent.map(|a| a.as_str()))
            .bind(f.project_id)
            .bind(f.label.as_deref())
            .bind(f.parent_task_id.map(|t| t.as_uuid()))
            .bind(f.before.map(|t| t.as_uuid()))
            .bind(limit)
            .bind(f.projects.as_deref())
            .fetch_all(&self.pool)
            .await?;
        tasks_from_rows(rows)
    }

    /// The tree `task` is in, for capping subtasks: how many tasks lie on the path from it up to
    /// its root (it included; a task without a parent gives 1), and how many tasks the tree
    /// holds. Both walks stop a little past the caps, so a huge tree costs no more than that.
    pub async fn tree_size(&self, task: TaskId, depth_cap: u32, count_cap: u32) -> anyhow::Result<(i64, i64)> {
        let row: (Option<i64>, i64) = sqlx::query_as(
            "WITH RECURSIVE up(id, parent, depth) AS ( \
                 SELECT id, parent_task_id, 1::bigint FROM tasks WHERE id = $1 \
                 UNION ALL SELECT t.id, t.parent_task_id, up.depth + 1 FROM tasks t JOIN up ON t.id = up.parent \
                   WHERE up.depth <= $2), \
             root AS (SELECT id FROM up ORDER BY depth DESC LIMIT 1), \
             down(id) AS ( \
                 SELECT id FROM root \
                 UNION ALL SELECT t.id FROM tasks t JOIN down ON t.parent_task_id = down.id) \
             SELECT (SELECT max(depth) FROM up), (SELECT count(*) FROM (SELECT 1 FROM down LIMIT $3) x)",
        )
        .bind(task.as_uuid())
        .bind(i64::from(depth_cap))
        .bind(i64::from(count_cap) + 1)
        .fetch_one(&self.pool)
        .await
        .context("measuring a task tree")?;
        Ok((row.0.unwrap_or(0), row.1))
    }

    /// A task's transition history, oldest first.
    pub async fn task_events(&self, id: TaskId) -> anyhow::Result<Vec<EventRecord>> {
        let rows: Vec<(
            i64,
            Uuid,
            Option<String>,
            String,
            String,
            i32,
            String,
            Option<String>,
            DateTime<Utc>,
        )> = sqlx::query_as(
            "SELECT id, task_id, from_state::text, to_state::text, event, attempt, actor, reason, created_at \
                 FROM task_events WHERE task_id = $1 ORDER BY id",
        )
        .bind(id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, task, from, to, event, attempt, actor, reason, at)| {
                Ok(EventRecord {
                    id,
                    task_id: TaskId::from_uuid(task),
                    from: from.map(|s| s.parse()).transpose()?,
                    to: to.parse()?,
                    event,
                    attempt: Attempt(attempt),
                    actor,
                    reason,
                    at,
                })
            })
            .collect()
    }

    /// One execution.
    pub async fn execution(&self, id: Uuid) -> anyhow::Result<Option<Execution>> {
        let task: Option<Uuid> = sqlx::query_scalar("SELECT task_id FROM executions WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(task) = task else { return Ok(None) };
        Ok(self
            .executions(TaskId::from_uuid(task))
            .await?
            .into_iter()
            .find(|e| e.id == id))
    }

    /// A task's executions, by attempt.
    pub async fn executions(&self, id: TaskId) -> anyhow::Result<Vec<Execution>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: Uuid,
            task_id: Uuid,
            attempt: i32,
            worker_id: String,
            started_at: DateTime<Utc>,
            finished_at: Option<DateTime<Utc>>,
            exit_code: Option<i32>,
            outcome: Option<String>,
            error: Option<String>,
            cost_usd: Option<f64>,
            tokens_in: Option<i64>,
            tokens_out: Option<i64>,
            summary: Option<String>,
            output: Option<String>,
            session_id: Option<String>,
            changes: Option<sqlx::types::Json<crate::domain::Changes>>,
            feedback: Option<sqlx::types::Json<Vec<crate::domain::feedback::FeedbackItem>>>,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, task_id, attempt, worker_id, started_at, finished_at, exit_code, outcome, error, \
             cost_usd, tokens_in, tokens_out, summary, output, session_id, changes, feedback \
             FROM executions WHERE task_id = $1 ORDER BY attempt",
        )
        .bind(id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| Execution {
                id: r.id,
                task_id: TaskId::from_uuid(r.task_id),
                attempt: Attempt(r.attempt),
                worker_id: r.worker_id,
                started_at: r.started_at,
                finished_at: r.finished_at,
                exit_code: r.exit_code,
                outcome: r.outcome,
                error: r.error,
                cost_usd: r.cost_usd,
                tokens_in: r.tokens_in,
                tokens_out: r.tokens_out,
                summary: r.summary,
                output: r.output,
                session_id: r.session_id,
                changes: r.changes.map(|j| j.0),
                feedback: r.feedback.map(|j| j.0).unwrap_or_default(),
            })
            .collect())
    }

    /// The FAIL report of the last checker of a story work task, if its last verdict was FAIL.
    pub async fn checker_fail_report(&self, id: TaskId) -> anyhow::Result<Option<String>> {
        let r: Option<Option<String>> = sqlx::query_scalar(
            "SELECT report FROM story_tasks WHERE task_id = $1 AND role = 'work' AND verdict = 'fail'",
        )
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .context("reading the checker report")?;
        Ok(r.flatten())
    }

    /// What the attempts of a task before `attempt` cost, in US dollars.
    pub async fn spent_before(&self, id: TaskId, attempt: Attempt) -> anyhow::Result<f64> {
        sqlx::query_scalar(
            "SELECT COALESCE(sum(cost_usd), 0)::float8 FROM executions WHERE task_id = $1 AND attempt < $2",
        )
        .bind(id.as_uuid())
        .bind(attempt.0)
        .fetch_one(&self.pool)
        .await
        .context("reading what earlier attempts cost")
    }

    /// Records the feedback an attempt was given on its execution.
    pub async fn record_feedback(
        &self,
        id: TaskId,
        attempt: Attempt,
        items: &[crate::domain::feedback::FeedbackItem],
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE executions SET feedback = $3 WHERE task_id = $1 AND attempt = $2")
            .bind(id.as_uuid())
            .bind(attempt.0)
            .bind(sqlx::types::Json(items))
            .execute(&self.pool)
            .await
            .context("recording the feedback of an attempt")?;
        Ok(())
    }

    /// Applies transitions in one statement. Each result says whether that row was written.
    pub async fn apply_transitions(&self, rows: &[Transition], actor: &str) -> anyhow::Result<Vec<Applied>> {
        let mut ex = self.pool.acquire().await?;
        apply_transitions_on(&mut ex, rows, actor).await
    }

    /// Applies one transition decided from the task's current state, re-reading and deciding
    /// again (up to three times) when a concurrent change got there first.
    pub async fn transition_current(
        &self,
        id: TaskId,
        event: TaskEvent,
        actor: &str,
        fill: impl Fn(&Task, &mut Transition),
    ) -> anyhow::Result<Option<Applied>> {
        for _ in 0..3 {
            let Some(task) = self.get_task(id).await? else {
                return Ok(None);
            };
            let mut row = Transition::new(id, task.state, event, task.attempt);
            fill(&task, &mut row);
            if task.state == TaskState::Running && row.execution.is_none() {
                row.execution = Some(ExecutionEnd {
                    outcome: "cancelled",
                    ..ExecutionEnd::default()
                });
            }
            let applied = self.apply_transitions(std::slice::from_ref(&row), actor).await?;
            match applied.into_iter().next() {
                Some(Applied::Stale) => continue,
                other => return Ok(other),
            }
        }
        Ok(Some(Applied::Stale))
    }
}

pub(super) async fn insert_tasks_on(
    ex: &mut sqlx::PgConnection,
    tasks: &[NewTask],
    initial: Initial,
    actor: &str,
) -> anyhow::Result<Vec<Task>> {
    // A task created straight into the queue gets one event, `create` from nothing to QUEUED
    // (the state machine still decides that PENDING + run is QUEUED): the PENDING in between
    // was never visible to anyone, and the pair cost a row per task.
    let state = match initial {
        Initial::Pending => TaskState::Pending,
        Initial::Run => transition(TaskState::Pending, TaskEvent::Run)?,
    };
    let events: Vec<(Option<&str>, &str, &str)> = vec![(None, state.as_str(), "create")];
    let n = tasks.len();
    let mut ids = Vec::with_capacity(n);
    let mut project = Vec::with_capacity(n);
    let mut parent = Vec::with_capacity(n);
    let mut title = Vec::with_capacity(n);
    let mut description = Vec::with_capacity(n);
    let mut instructions = Vec::with_capacity(n);
    let mut agent = Vec::with_capacity(n);
    let mut model = Vec::with_capacity(n);
    let mut priority = Vec::with_capacity(n);
    let mut max_attempts = Vec::with_capacity(n);
    let mut timeout_ms = Vec::with_capacity(n);
    let mut budget = Vec::with_capacity(n);
    let mut review = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    let mut depends = Vec::with_capacity(n);
    let mut options = Vec::with_capacity(n);
    let mut run_at = Vec::with_capacity(n);
    let mut idem_key = Vec::with_capacity(n);
    let mut idem_hash = Vec::with_capacity(n);
    let mut creation_reason = Vec::with_capacity(n);
    let mut dispatch_generation = Vec::with_capacity(n);
    for t in tasks {
        let s = &t.spec;
        ids.push(t.id.as_uuid());
        project.push(s.project_id);
        parent.push(s.parent_task_id.map(|p| p.as_uuid()));
        title.push(s.title.as_str());
        description.push(s.description.as_str());
        instructions.push(s.instructions.as_str());
        agent.push(s.agent.as_str());
        model.push(s.model.as_deref());
        priority.push(s.priority.as_str());
        max_attempts.push(i32::try_from(s.max_attempts)?);
        timeout_ms.push(s.timeout.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)));
        budget.push(s.budget_usd);
        review.push(s.review);
        labels.push(serde_json::to_value(&s.labels)?);
        depends.push(serde_json::to_value(
            s.depends_on.iter().map(|d| d.as_uuid()).collect::<Vec<_>>(),
        )?);
        options.push(serde_json::to_value(SpecOptions::from(&s.options))?);
        run_at.push(s.run_at);
        idem_key.push(t.idempotency.as_ref().map(|(k, _)| k.as_str()));
        idem_hash.push(t.idempotency.as_ref().map(|(_, h)| h.as_str()));
        creation_reason.push(t.creation_reason.as_deref());
        dispatch_generation.push(t.dispatch_generation.as_deref().filter(|_| state == TaskState::Queued));
    }
    // Labels and prerequisites arrive as JSON arrays; most tasks have neither, and the CASE
    // spares those rows two subqueries each.
    let sql = concat!(
        "WITH input AS ( \
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], \
             $7::text[], $8::text[], $9::text[], $10::int[], $11::int8[], $12::float8[], $13::bool[], \
             $14::jsonb[], $15::jsonb[], $16::jsonb[], $17::timestamptz[], $18::text[], $19::text[], $25::text[], $26::text[]) \
           WITH ORDINALITY AS i(id, project_id, parent_task_id, title, description, instructions, agent, model, \
             priority, max_attempts, timeout_ms, budget_usd, review, labels, depends_on, options, run_at, \
             idempotency_key, request_hash, creation_reason, dispatched_gen, n) \
         ), ins AS ( \
           INSERT INTO tasks (id, project_id, parent_task_id, title, description, instructions, agent, model, \
             priority, max_attempts, timeout_ms, budget_usd, review, labels, depends_on, options, run_at, \
             idempotency_key, request_hash, state, queued_at, dispatched_gen, dispatched_at) \
           SELECT id, project_id, parent_task_id, title, description, instructions, agent::agent_kind, model, \
             priority::task_priority, max_attempts, timeout_ms, budget_usd, review, \
             CASE WHEN labels = '[]' THEN '{}' ELSE ARRAY(SELECT jsonb_array_elements_text(labels)) END, \
             CASE WHEN depends_on = '[]' THEN '{}' \
               ELSE ARRAY(SELECT jsonb_array_elements_text(depends_on)::uuid) END, options, run_at, \
             idempotency_key, request_hash, $20::task_state, \
             CASE WHEN $20::task_state = 'QUEUED' THEN now() END, \
             dispatched_gen, CASE WHEN dispatched_gen IS NOT NULL THEN now() END \
           FROM input ORDER BY n \
           RETURNING * \
         ), ev AS ( \
           INSERT INTO task_events (task_id, from_state, to_state, event, attempt, actor, reason) \
           SELECT ins.id, e.from_state::task_state, e.to_state::task_state, e.event, 0, $24, \
             CASE WHEN e.event = 'create' THEN input.creation_reason END \
           FROM ins JOIN input ON input.id = ins.id, \
             unnest($21::text[], $22::text[], $23::text[]) WITH ORDINALITY AS e(from_state, to_state, event, n) \
           ORDER BY ins.id, e.n \
         ) \
         SELECT ",
        task_columns!(),
        " FROM ins t ORDER BY t.id"
    );
    let rows: Vec<TaskRow> = sqlx::query_as(sql)
        .bind(&ids)
        .bind(&project)
        .bind(&parent)
        .bind(&title)
        .bind(&description)
        .bind(&instructions)
        .bind(&agent)
        .bind(&model)
        .bind(&priority)
        .bind(&max_attempts)
        .bind(&timeout_ms)
        .bind(&budget)
        .bind(&review)
        .bind(&labels)
        .bind(&depends)
        .bind(&options)
        .bind(&run_at)
        .bind(&idem_key)
        .bind(&idem_hash)
        .bind(state.as_str())
        .bind(events.iter().map(|e| e.0).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.1).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.2).collect::<Vec<_>>())
        .bind(actor)
        .bind(&creation_reason)
        .bind(&dispatch_generation)
        .fetch_all(&mut *ex)
        .await
        .context("inserting tasks")?;
    tasks_from_rows(rows)
}

pub(super) async fn apply_transitions_on(
    ex: &mut sqlx::PgConnection,
    rows: &[Transition],
    actor: &str,
) -> anyhow::Result<Vec<Applied>> {
    // Decide every row first; only legal ones go to the database.
    let mut out: Vec<Option<Applied>> = Vec::with_capacity(rows.len());
    let mut legal: Vec<(usize, &Transition, TaskState)> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        match transition(r.from, r.event) {
            Ok(to) => {
                anyhow::ensure!(
                    r.from != TaskState::Running || r.execution.is_some(),
                    "leaving RUNNING needs an execution end"
                );
                legal.push((i, r, to));
                out.push(None);
            }
            Err(e) => out.push(Some(Applied::Illegal(e))),
        }
    }
    if !legal.is_empty() {
        let col = |f: &dyn Fn(&Transition, TaskState) -> Option<String>| -> Vec<Option<String>> {
            legal.iter().map(|(_, r, to)| f(r, *to)).collect()
        };
        let ids: Vec<Uuid> = legal.iter().map(|(_, r, _)| r.id.as_uuid()).collect();
        let from = col(&|r, _| Some(r.from.as_str().to_owned()));
        let to = col(&|_, to| Some(to.as_str().to_owned()));
        let event = col(&|r, _| Some(r.event.as_str().to_owned()));
        let fence: Vec<i32> = legal.iter().map(|(_, r, _)| r.fence.0).collect();
        let set_run_at: Vec<bool> = legal.iter().map(|(_, r, _)| r.run_at.is_some()).collect();
        let run_at: Vec<Option<DateTime<Utc>>> = legal.iter().map(|(_, r, _)| r.run_at.flatten()).collect();
        let refund: Vec<i32> = legal.iter().map(|(_, r, _)| r.refund).collect();
        let reset: Vec<bool> = legal.iter().map(|(_, r, _)| r.event == TaskEvent::Run).collect();
        let set_err: Vec<bool> = legal.iter().map(|(_, r, _)| r.last_error.is_some()).collect();
        let err = col(&|r, _| r.last_error.clone().flatten());
        let set_q: Vec<bool> = legal.iter().map(|(_, r, _)| r.question.is_some()).collect();
        let q: Vec<Option<serde_json::Value>> = legal
            .iter()
            .map(|(_, r, _)| {
                r.question
                    .as_ref()
                    .and_then(|q| q.as_ref())
                    .map(serde_json::to_value)
                    .transpose()
            })
            .collect::<Result<_, _>>()?;
        let set_rc: Vec<bool> = legal.iter().map(|(_, r, _)| r.rejection_comment.is_some()).collect();
        let rc = col(&|r, _| r.rejection_comment.clone().flatten());
        let dead: Vec<bool> = legal.iter().map(|(_, r, _)| r.dead_letter).collect();
        let reason = col(&|r, _| r.reason.clone());
        let x = |f: &dyn Fn(&ExecutionEnd) -> Option<String>| -> Vec<Option<String>> {
            legal.iter().map(|(_, r, _)| r.execution.as_ref().and_then(f)).collect()
        };
        let outcome = x(&|e| Some(e.outcome.to_owned()));
        let x_err = x(&|e| e.error.clone());
        let x_out = x(&|e| e.output.clone());
        let x_sum = x(&|e| e.summary.clone());
        let x_sess = x(&|e| e.session_id.clone());
        let x_changes: Vec<Option<serde_json::Value>> = legal
            .iter()
            .map(|(_, r, _)| {
                r.execution
                    .as_ref()
                    .and_then(|e| e.changes.as_ref())
                    .map(serde_json::to_value)
                    .transpose()
            })
            .collect::<Result<_, _>>()?;
        let x_exit: Vec<Option<i32>> = legal
            .iter()
            .map(|(_, r, _)| r.execution.as_ref().and_then(|e| e.exit_code))
            .collect();
        let x_cost: Vec<Option<f64>> = legal
            .iter()
            .map(|(_, r, _)| r.execution.as_ref().and_then(|e| e.cost_usd))
            .collect();
        let x_tin: Vec<Option<i64>> = legal
            .iter()
            .map(|(_, r, _)| r.execution.as_ref().and_then(|e| e.tokens_in))
            .collect();
        let x_tout: Vec<Option<i64>> = legal
            .iter()
            .map(|(_, r, _)| r.execution.as_ref().and_then(|e| e.tokens_out))
            .collect();

        let sql = concat!(
            "WITH i AS ( \
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bool[], \
                 $7::timestamptz[], $8::int[], $9::bool[], $10::bool[], $11::text[], $12::bool[], $13::jsonb[], \
                 $14::bool[], $15::text[], $16::bool[], $17::text[], $18::text[], $19::int[], $20::text[], \
                 $21::text[], $22::text[], $23::float8[], $24::int8[], $25::int8[], $26::text[], $28::jsonb[]) \
               AS i(id, from_state, to_state, event, fence, set_run_at, run_at, refund, reset, set_err, err, \
                 set_q, q, set_rc, rc, dead, reason, outcome, exit_code, x_err, x_out, x_sum, cost, tin, tout, sess, \
                 changes) \
             ), upd AS ( \
               UPDATE tasks t SET \
                 state = i.to_state::task_state, updated_at = now(), \
                 attempts_charged = CASE WHEN i.reset THEN 0 ELSE greatest(t.attempts_charged - i.refund, 0) END, \
                 run_at = CASE WHEN i.set_run_at THEN i.run_at ELSE t.run_at END, \
                 last_error = CASE WHEN i.set_err THEN i.err ELSE t.last_error END, \
                 question = CASE WHEN i.set_q THEN i.q ELSE t.question END, \
                 rejection_comment = CASE WHEN i.set_rc THEN i.rc ELSE t.rejection_comment END, \
                 dead_letter = i.dead, \
                 queued_at = CASE WHEN i.to_state = 'QUEUED' THEN now() ELSE t.queued_at END, \
                 dispatched_gen = CASE WHEN i.to_state = 'QUEUED' THEN NULL ELSE t.dispatched_gen END, \
                 lease_owner = CASE WHEN i.to_state = 'RUNNING' THEN t.lease_owner END, \
                 lease_expires_at = CASE WHEN i.to_state = 'RUNNING' THEN t.lease_expires_at END \
               FROM i WHERE t.id = i.id AND t.state = i.from_state::task_state AND t.attempt = i.fence \
               RETURNING t.* \
             ), ev AS ( \
               INSERT INTO task_events (task_id, from_state, to_state, event, attempt, actor, reason) \
               SELECT u.id, i.from_state::task_state, i.to_state::task_state, i.event, u.attempt, $27, i.reason \
               FROM upd u JOIN i ON i.id = u.id AND i.fence = u.attempt ORDER BY u.id \
             ), ex AS ( \
               UPDATE executions e SET finished_at = now(), outcome = i.outcome, exit_code = i.exit_code, \
                 error = i.x_err, output = i.x_out, summary = i.x_sum, cost_usd = i.cost, tokens_in = i.tin, \
                 tokens_out = i.tout, session_id = coalesce(i.sess, e.session_id), changes = i.changes \
               FROM upd u JOIN i ON i.id = u.id AND i.fence = u.attempt \
               WHERE i.outcome IS NOT NULL AND e.task_id = u.id AND e.attempt = u.attempt AND e.finished_at IS NULL \
             ) \
             SELECT ",
            task_columns!(),
            " FROM upd t"
        );
        let rows: Vec<TaskRow> = sqlx::query_as(sql)
            .bind(&ids)
            .bind(&from)
            .bind(&to)
            .bind(&event)
            .bind(&fence)
            .bind(&set_run_at)
            .bind(&run_at)
            .bind(&refund)
            .bind(&reset)
            .bind(&set_err)
            .bind(&err)
            .bind(&set_q)
            .bind(&q)
            .bind(&set_rc)
            .bind(&rc)
            .bind(&dead)
            .bind(&reason)
            .bind(&outcome)
            .bind(&x_exit)
            .bind(&x_err)
            .bind(&x_out)
            .bind(&x_sum)
            .bind(&x_cost)
            .bind(&x_tin)
            .bind(&x_tout)
            .bind(&x_sess)
            .bind(actor)
            .bind(&x_changes)
            .fetch_all(&mut *ex)
            .await
            .context("applying transitions")?;
        let mut done: std::collections::HashMap<Uuid, Task> = tasks_from_rows(rows)?
            .into_iter()
            .map(|t| (t.id.as_uuid(), t))
            .collect();
        for (i, r, _) in &legal {
            out[*i] = Some(match done.remove(&r.id.as_uuid()) {
                Some(t) => Applied::Done(Box::new(t)),
                None => Applied::Stale,
            });
        }
    }
    Ok(out.into_iter().map(|o| o.unwrap_or(Applied::Stale)).collect())
}

/// True when `e` is a unique violation of `constraint`.
pub(crate) fn is_unique_violation(e: &anyhow::Error, constraint: &str) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|d| d.is_unique_violation() && d.constraint() == Some(constraint))
    })
}
