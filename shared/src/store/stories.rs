//! Stories: the `stories`, `story_tasks` and `story_events` tables.
//!
//! Every story state change is one conditional UPDATE (`WHERE state = $from`, and for the ship
//! step also the lease owner) whose target comes from [`crate::domain::story::story_transition`],
//! with its event row written by the same statement. Checkers are created at most once per
//! checked attempt (a unique index, and the checked task's row locked while deciding), and a
//! checker's verdict is applied once (its `applied` flag flips in the transaction that applies it;
//! a pass is the task's `accept` transition, fenced on READY and the checked attempt).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::story::{StoryEvent, StoryState, Verdict, story_transition};
use crate::domain::{AgentKind, Attempt, Task, TaskEvent, TaskId, TaskState};

use super::Store;
use super::tasks::{Applied, Initial, NewTask, Transition, apply_transitions_on, insert_tasks_on};

/// One task of a story, with its role.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryTask {
    /// The task.
    pub task_id: TaskId,
    /// `work`, `checker` or `validation`.
    pub role: String,
    /// The key it was created under (work tasks).
    pub key: Option<String>,
    /// What a checker checks it against (work tasks).
    pub acceptance_criteria: Vec<String>,
    /// The task and attempt a checker checks.
    pub checks: Option<(TaskId, Attempt)>,
    /// The last verdict (work tasks: their checker's; checkers: their own).
    pub verdict: Option<String>,
    /// The checker's report.
    pub report: Option<String>,
}

/// A story.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Identity.
    pub id: Uuid,
    /// Its project.
    pub project_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The branch its tasks share.
    pub branch: String,
    /// The checkers' agent type, when chosen.
    pub checker_agent: Option<AgentKind>,
    /// State.
    pub state: StoryState,
    /// The validation task, once shipped.
    pub validation_task_id: Option<TaskId>,
    /// The merge commit on the default branch, once shipped.
    pub merge_commit: Option<String>,
    /// Why shipping or validation failed.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Its tasks.
    pub tasks: Vec<StoryTask>,
}

/// A work task of a new story.
#[derive(Debug, Clone)]
pub struct NewStoryTask {
    /// The task.
    pub task: NewTask,
    /// Its key within the story.
    pub key: String,
    /// Its acceptance criteria.
    pub acceptance_criteria: Vec<String>,
}

/// A story to create.
#[derive(Debug, Clone)]
pub struct NewStory {
    /// Identity.
    pub id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// The checkers' agent type.
    pub checker_agent: Option<AgentKind>,
    /// Its work tasks.
    pub tasks: Vec<NewStoryTask>,
}

/// One line of a story's history: its own transitions and its tasks'.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryHistoryEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The task, for task transitions and checker verdicts.
    pub task_id: Option<TaskId>,
    /// `story` or `task`.
    pub kind: &'static str,
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

/// A READY work task whose attempt has no checker yet.
#[derive(Debug, Clone)]
pub struct PendingCheck {
    /// The checked task.
    pub task: Task,
    /// Its story.
    pub story_id: Uuid,
    /// The story's branch.
    pub branch: String,
    /// The story's project.
    pub project_id: Uuid,
    /// The story's checker choice.
    pub checker_agent: Option<AgentKind>,
    /// The criteria.
    pub acceptance_criteria: Vec<String>,
}

/// A checker that ended and whose verdict is not applied yet.
#[derive(Debug, Clone)]
pub struct EndedChecker {
    /// The checker task.
    pub checker: TaskId,
    /// Its final state.
    pub state: TaskState,
    /// Its last attempt's summary.
    pub summary: Option<String>,
    /// Its last error.
    pub last_error: Option<String>,
    /// What it checked.
    pub checked: TaskId,
    /// Which attempt.
    pub checked_attempt: Attempt,
    /// The story.
    pub story_id: Uuid,
}

/// A story a worker holds for shipping.
#[derive(Debug, Clone)]
pub struct ShipJob {
    /// The story.
    pub story: Story,
    /// The project's repository.
    pub repository: Option<String>,
    /// The project's default branch.
    pub default_branch: String,
    /// The project's deploy command.
    pub deploy_command: Option<Vec<String>>,
    /// The project's default agent (the validator when the story chose no checker).
    pub default_agent: AgentKind,
}

/// Side changes of a story transition.
#[derive(Debug, Clone, Default)]
pub struct StoryChanges {
    /// Set the validation task.
    pub validation_task_id: Option<TaskId>,
    /// Set the merge commit.
    pub merge_commit: Option<String>,
    /// Set (Some) or clear (None inside) the last error.
    pub last_error: Option<Option<String>>,
    /// Only if this worker holds the ship lease.
    pub ship_owner: Option<String>,
    /// The task the event is about.
    pub task_id: Option<TaskId>,
}

type StoryRow = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    Option<String>,
    String,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
);

const STORY_COLUMNS: &str = "s.id, s.project_id, s.title, s.description, s.branch, s.checker_agent::text, \
     s.state::text, s.validation_task_id, s.merge_commit, s.last_error, s.created_at, s.updated_at";

fn to_story(r: StoryRow, tasks: Vec<StoryTask>) -> anyhow::Result<Story> {
    Ok(Story {
        id: r.0,
        project_id: r.1,
        title: r.2,
        description: r.3,
        branch: r.4,
        checker_agent: r.5.map(|a| a.parse()).transpose().map_err(|e| anyhow::anyhow!("{e}"))?,
        state: r.6.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
        validation_task_id: r.7.map(TaskId::from_uuid),
        merge_commit: r.8,
        last_error: r.9,
        created_at: r.10,
        updated_at: r.11,
        tasks,
    })
}

impl Store {
    /// Creates a story and its work tasks (queued; each waits for its `depends_on`) in one
    /// transaction.
    pub async fn create_story(&self, s: &NewStory, actor: &str) -> anyhow::Result<(Story, Vec<Task>)> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO stories (id, project_id, title, description, branch, checker_agent) \
             VALUES ($1, $2, $3, $4, $5, $6::agent_kind)",
        )
        .bind(s.id)
        .bind(s.project_id)
        .bind(&s.title)
        .bind(&s.description)
        .bind(crate::domain::story::story_branch(s.id))
        .bind(s.checker_agent.map(|a| a.as_str()))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO story_events (story_id, from_state, to_state, event, actor) VALUES ($1, NULL, 'OPEN', 'create', $2)",
        )
        .bind(s.id)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        let new: Vec<NewTask> = s.tasks.iter().map(|t| t.task.clone()).collect();
        let tasks = insert_tasks_on(&mut tx, &new, Initial::Run, actor).await?;
        for t in &s.tasks {
            sqlx::query(
                "INSERT INTO story_tasks (task_id, story_id, role, key, acceptance_criteria) VALUES ($1, $2, 'work', $3, $4)",
            )
            .bind(t.task.id.as_uuid())
            .bind(s.id)
            .bind(&t.key)
            .bind(&t.acceptance_criteria)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let story = self
            .get_story(s.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("story vanished after insert"))?;
        Ok((story, tasks))
    }

    /// A story with its tasks.
    pub async fn get_story(&self, id: Uuid) -> anyhow::Result<Option<Story>> {
        let row: Option<StoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {STORY_COLUMNS} FROM stories s WHERE s.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let tasks = self.story_tasks(id).await?;
        to_story(row, tasks).map(Some)
    }

    /// Stories, newest first, at most `limit`, optionally of one project.
    /// `scope`: only stories of these projects (a token's project scope).
    pub async fn list_stories(
        &self,
        project: Option<Uuid>,
        scope: Option<&[Uuid]>,
        limit: i64,
    ) -> anyhow::Result<Vec<Story>> {
        let rows: Vec<StoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {STORY_COLUMNS} FROM stories s WHERE ($1::uuid IS NULL OR s.project_id = $1) \
               AND ($3::uuid[] IS NULL OR s.project_id = ANY($3)) \
             ORDER BY s.created_at DESC LIMIT $2"
        )))
        .bind(project)
        .bind(limit)
        .bind(scope)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let tasks = self.story_tasks(r.0).await?;
            out.push(to_story(r, tasks)?);
        }
        Ok(out)
    }

    async fn story_tasks(&self, id: Uuid) -> anyhow::Result<Vec<StoryTask>> {
        type Row = (
            Uuid,
            String,
            Option<String>,
            Vec<String>,
            Option<Uuid>,
            Option<i32>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT st.task_id, st.role, st.key, st.acceptance_criteria, st.checks_task_id, st.checks_attempt, \
               st.verdict, st.report \
             FROM story_tasks st JOIN tasks t ON t.id = st.task_id WHERE st.story_id = $1 ORDER BY t.created_at, t.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| StoryTask {
                task_id: TaskId::from_uuid(r.0),
                role: r.1,
                key: r.2,
                acceptance_criteria: r.3,
                checks: r.4.zip(r.5).map(|(t, a)| (TaskId::from_uuid(t), Attempt(a))),
                verdict: r.6,
                report: r.7,
            })
            .collect())
    }

    /// The story's transitions and its tasks', in time order.
    pub async fn story_history(&self, id: Uuid) -> anyhow::Result<Vec<StoryHistoryEntry>> {
        type Row = (
            DateTime<Utc>,
            Option<Uuid>,
            bool,
            Option<String>,
            String,
            String,
            String,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT at, task_id, true, from_state::text, to_state::text, event, actor, reason, id \
               FROM story_events WHERE story_id = $1 \
             UNION ALL \
             SELECT e.created_at, e.task_id, false, e.from_state::text, e.to_state::text, e.event, e.actor, e.reason, e.id \
               FROM task_events e JOIN story_tasks st ON st.task_id = e.task_id WHERE st.story_id = $1 \
             ORDER BY 1, 3 DESC, 9",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| StoryHistoryEntry {
                at: r.0,
                task_id: r.1.map(TaskId::from_uuid),
                kind: if r.2 { "story" } else { "task" },
                from: r.3,
                to: r.4,
                event: r.5,
                actor: r.6,
                reason: r.7,
            })
            .collect())
    }

    /// Applies a story event from `from`; false when the story was not in `from` (or, with a ship
    /// owner, not held by it) and nothing was written.
    pub async fn apply_story_transition(
        &self,
        id: Uuid,
        from: StoryState,
        event: StoryEvent,
        actor: &str,
        reason: Option<&str>,
        c: &StoryChanges,
    ) -> anyhow::Result<bool> {
        let mut ex = self.pool.acquire().await?;
        apply_story_transition_on(&mut ex, id, from, event, actor, reason, c).await
    }

    /// The branch of the story a task belongs to.
    pub async fn story_branch_of(&self, task: TaskId) -> anyhow::Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT s.branch FROM story_tasks st JOIN stories s ON s.id = st.story_id WHERE st.task_id = $1",
        )
        .bind(task.as_uuid())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// READY work tasks whose current attempt has no checker.
    pub async fn pending_checks(&self, limit: i64) -> anyhow::Result<Vec<PendingCheck>> {
        let ids: Vec<(Uuid, Uuid, String, Uuid, Option<String>, Vec<String>)> = sqlx::query_as(
            "SELECT t.id, s.id, s.branch, s.project_id, s.checker_agent::text, st.acceptance_criteria \
             FROM story_tasks st JOIN tasks t ON t.id = st.task_id JOIN stories s ON s.id = st.story_id \
             WHERE st.role = 'work' AND t.state = 'READY' AND NOT EXISTS ( \
               SELECT 1 FROM story_tasks c WHERE c.checks_task_id = t.id AND c.checks_attempt = t.attempt) \
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for (task, story_id, branch, project_id, checker, criteria) in ids {
            let Some(task) = self.get_task(TaskId::from_uuid(task)).await? else {
                continue;
            };
            out.push(PendingCheck {
                task,
                story_id,
                branch,
                project_id,
                checker_agent: checker
                    .map(|a| a.parse())
                    .transpose()
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                acceptance_criteria: criteria,
            });
        }
        Ok(out)
    }

    /// Creates the checker of `checked` at `attempt`, unless the task moved on or already has
    /// one. Returns the checker, queued.
    pub async fn insert_checker(
        &self,
        checked: TaskId,
        attempt: Attempt,
        story_id: Uuid,
        checker: NewTask,
        actor: &str,
    ) -> anyhow::Result<Option<Task>> {
        let mut tx = self.pool.begin().await?;
        // Serializes deciders of the same checked task.
        let current: Option<(String, i32)> =
            sqlx::query_as("SELECT state::text, attempt FROM tasks WHERE id = $1 FOR UPDATE")
                .bind(checked.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
        if current != Some(("READY".into(), attempt.0)) {
            return Ok(None);
        }
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM story_tasks WHERE checks_task_id = $1 AND checks_attempt = $2)",
        )
        .bind(checked.as_uuid())
        .bind(attempt.0)
        .fetch_one(&mut *tx)
        .await?;
        if exists {
            return Ok(None);
        }
        let id = checker.id;
        let mut tasks = insert_tasks_on(&mut tx, std::slice::from_ref(&checker), Initial::Run, actor).await?;
        sqlx::query(
            "INSERT INTO story_tasks (task_id, story_id, role, checks_task_id, checks_attempt) VALUES ($1, $2, 'checker', $3, $4)",
        )
        .bind(id.as_uuid())
        .bind(story_id)
        .bind(checked.as_uuid())
        .bind(attempt.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(tasks.pop())
    }

    /// Checkers that ended (COMPLETED, FAILED, CANCELLED, TIMED_OUT, BUDGET_EXCEEDED) with their
    /// verdict not applied yet.
    pub async fn ended_checkers(&self, limit: i64) -> anyhow::Result<Vec<EndedChecker>> {
        type Row = (Uuid, String, Option<String>, Option<String>, Uuid, i32, Uuid);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT t.id, t.state::text, \
               (SELECT summary FROM executions e WHERE e.task_id = t.id ORDER BY attempt DESC LIMIT 1), \
               t.last_error, st.checks_task_id, st.checks_attempt, st.story_id \
             FROM story_tasks st JOIN tasks t ON t.id = st.task_id \
             WHERE st.role = 'checker' AND NOT st.applied \
               AND t.state IN ('COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'BUDGET_EXCEEDED') \
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(EndedChecker {
                    checker: TaskId::from_uuid(r.0),
                    state: r.1.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
                    summary: r.2,
                    last_error: r.3,
                    checked: TaskId::from_uuid(r.4),
                    checked_attempt: Attempt(r.5),
                    story_id: r.6,
                })
            })
            .collect()
    }

    /// Applies a checker's verdict once: records it on the checked task's story row, accepts the
    /// checked task on a pass (if it is still READY at the checked attempt), and notes it in the
    /// story's history. False if another worker applied it first.
    pub async fn apply_verdict(
        &self,
        c: &EndedChecker,
        verdict: Verdict,
        report: &str,
        actor: &str,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "UPDATE story_tasks SET applied = true, verdict = $2, report = $3 WHERE task_id = $1 AND NOT applied",
        )
        .bind(c.checker.as_uuid())
        .bind(verdict.as_str())
        .bind(report)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !claimed {
            return Ok(false);
        }
        sqlx::query("UPDATE story_tasks SET verdict = $2, report = $3 WHERE task_id = $1")
            .bind(c.checked.as_uuid())
            .bind(verdict.as_str())
            .bind(report)
            .execute(&mut *tx)
            .await?;
        let mut accepted = false;
        if verdict == Verdict::Pass {
            let mut t = Transition::new(c.checked, TaskState::Ready, TaskEvent::Accept, c.checked_attempt);
            t.reason = Some(format!("checker {} passed it", c.checker));
            let applied = apply_transitions_on(&mut tx, std::slice::from_ref(&t), actor).await?;
            accepted = matches!(applied.first(), Some(Applied::Done(_)));
        }
        let event = match (verdict, accepted) {
            (Verdict::Pass, true) => "checker_passed",
            (Verdict::Pass, false) => "checker_passed_late",
            (Verdict::Fail, _) => "checker_failed",
        };
        sqlx::query(
            "INSERT INTO story_events (story_id, from_state, to_state, event, task_id, actor, reason) \
             SELECT id, state, state, $2, $3, $4, $5 FROM stories WHERE id = $1",
        )
        .bind(c.story_id)
        .bind(event)
        .bind(c.checked.as_uuid())
        .bind(actor)
        .bind(report.chars().take(4000).collect::<String>())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// OPEN stories whose work tasks are all COMPLETED.
    pub async fn stories_done(&self, limit: i64) -> anyhow::Result<Vec<Uuid>> {
        Ok(sqlx::query_scalar(
            "SELECT s.id FROM stories s WHERE s.state = 'OPEN' \
               AND EXISTS (SELECT 1 FROM story_tasks st WHERE st.story_id = s.id AND st.role = 'work') \
               AND NOT EXISTS (SELECT 1 FROM story_tasks st JOIN tasks t ON t.id = st.task_id \
                 WHERE st.story_id = s.id AND st.role = 'work' AND t.state <> 'COMPLETED') \
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Takes a SHIPPING story nobody holds (or whose holder's lease ran out) for `lease`.
    pub async fn claim_shipping(&self, owner: &str, lease: std::time::Duration) -> anyhow::Result<Option<ShipJob>> {
        let ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        let id: Option<Uuid> = sqlx::query_scalar(
            "UPDATE stories SET ship_owner = $1, ship_lease_until = now() + make_interval(secs => $2::float8 / 1000) \
             WHERE id = (SELECT id FROM stories WHERE state = 'SHIPPING' \
               AND (ship_lease_until IS NULL OR ship_lease_until < now()) \
               ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING id",
        )
        .bind(owner)
        .bind(ms as f64)
        .fetch_optional(&self.pool)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        let Some(story) = self.get_story(id).await? else {
            return Ok(None);
        };
        let p: (Option<String>, String, Option<Vec<String>>, String) = sqlx::query_as(
            "SELECT repository, default_branch, deploy_command, default_agent::text FROM projects WHERE id = $1",
        )
        .bind(story.project_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Some(ShipJob {
            story,
            repository: p.0,
            default_branch: p.1,
            deploy_command: p.2.filter(|c| !c.is_empty()),
            default_agent: p.3.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
        }))
    }

    /// Creates the validation task of a story `owner` shipped and moves it to VALIDATING, in one
    /// transaction; nothing is written if `owner` no longer holds it.
    pub async fn start_validation(
        &self,
        story: Uuid,
        owner: &str,
        task: NewTask,
        merge_commit: &str,
        actor: &str,
    ) -> anyhow::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let held: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM stories WHERE id = $1 AND state = 'SHIPPING' AND ship_owner = $2 FOR UPDATE",
        )
        .bind(story)
        .bind(owner)
        .fetch_optional(&mut *tx)
        .await?;
        if held.is_none() {
            return Ok(false);
        }
        let id = task.id;
        insert_tasks_on(&mut tx, std::slice::from_ref(&task), Initial::Run, actor).await?;
        sqlx::query("INSERT INTO story_tasks (task_id, story_id, role) VALUES ($1, $2, 'validation')")
            .bind(id.as_uuid())
            .bind(story)
            .execute(&mut *tx)
            .await?;
        let changes = StoryChanges {
            validation_task_id: Some(id),
            merge_commit: Some(merge_commit.to_owned()),
            last_error: Some(None),
            ship_owner: Some(owner.to_owned()),
            task_id: Some(id),
        };
        let moved = apply_story_transition_on(
            &mut tx,
            story,
            StoryState::Shipping,
            StoryEvent::Deployed,
            actor,
            Some("merged and deployed; validating"),
            &changes,
        )
        .await?;
        if !moved {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// VALIDATING stories whose validation task ended: (story, task state, its last summary).
    pub async fn validations_ended(&self, limit: i64) -> anyhow::Result<Vec<(Uuid, TaskState, Option<String>)>> {
        let rows: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
            "SELECT s.id, t.state::text, \
               (SELECT summary FROM executions e WHERE e.task_id = t.id ORDER BY attempt DESC LIMIT 1) \
             FROM stories s JOIN tasks t ON t.id = s.validation_task_id \
             WHERE s.state = 'VALIDATING' \
               AND t.state IN ('COMPLETED', 'READY', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'BUDGET_EXCEEDED') \
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, st, sum)| Ok((id, st.parse().map_err(|e| anyhow::anyhow!("{e}"))?, sum)))
            .collect()
    }
}

async fn apply_story_transition_on(
    ex: &mut sqlx::PgConnection,
    id: Uuid,
    from: StoryState,
    event: StoryEvent,
    actor: &str,
    reason: Option<&str>,
    c: &StoryChanges,
) -> anyhow::Result<bool> {
    let to = story_transition(from, event)?;
    let n = sqlx::query(
        "WITH upd AS ( \
           UPDATE stories SET state = $3::story_state, updated_at = now(), \
             validation_task_id = coalesce($4, validation_task_id), \
             merge_commit = coalesce($5, merge_commit), \
             last_error = CASE WHEN $6 THEN $7 ELSE last_error END, \
             ship_owner = CASE WHEN $3::story_state = 'SHIPPING' THEN ship_owner END, \
             ship_lease_until = CASE WHEN $3::story_state = 'SHIPPING' THEN ship_lease_until END \
           WHERE id = $1 AND state = $2::story_state AND ($8::text IS NULL OR ship_owner = $8) \
           RETURNING id \
         ) \
         INSERT INTO story_events (story_id, from_state, to_state, event, task_id, actor, reason) \
         SELECT id, $2::story_state, $3::story_state, $9, $10, $11, $12 FROM upd",
    )
    .bind(id)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(c.validation_task_id.map(|t| t.as_uuid()))
    .bind(c.merge_commit.as_deref())
    .bind(c.last_error.is_some())
    .bind(c.last_error.clone().flatten())
    .bind(c.ship_owner.as_deref())
    .bind(event.as_str())
    .bind(c.task_id.map(|t| t.as_uuid()))
    .bind(actor)
    .bind(reason)
    .execute(&mut *ex)
    .await?
    .rows_affected();
    Ok(n == 1)
}
