//! Projects, and the CI-failure bookkeeping of webhooks (one task per failing commit, each
//! delivery acted on once).

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Store;
use super::tasks::{Initial, NewTask, insert_tasks_on};
use crate::domain::project::{Project, ProjectDraft};
use crate::domain::{Task, TaskId};

type Row = (
    Uuid,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    bool,
    String,
    Option<String>,
    Option<i32>,
    DateTime<Utc>,
    Option<Vec<String>>,
);

const COLUMNS: &str = "id, name, repository, default_branch, github_repo, gitlab_project, webhook_secret IS NOT NULL, \
    default_agent::text, default_model, max_running, created_at, deploy_command";

fn to_project(r: Row) -> anyhow::Result<Project> {
    Ok(Project {
        id: r.0,
        name: r.1,
        repository: r.2,
        default_branch: r.3,
        github_repo: r.4,
        gitlab_project: r.5,
        has_webhook_secret: r.6,
        default_agent: r.7.parse()?,
        default_model: r.8,
        max_running: r.9.and_then(|m| u32::try_from(m).ok()),
        created_at: r.10,
        deploy_command: r.11,
    })
}

/// What a CI failure delivery did.
#[derive(Debug, Clone)]
pub enum CiRecorded {
    /// A new task.
    Created(Box<Task>),
    /// This delivery was seen before (a redelivery): nothing done.
    Redelivery,
    /// Another event already reported this commit's failure: its task.
    SameFailure(TaskId),
}

impl Store {
    /// Creates a project.
    pub async fn create_project(&self, d: &ProjectDraft) -> anyhow::Result<Project> {
        let row: Row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO projects (id, name, repository, default_branch, github_repo, gitlab_project, webhook_secret, \
               default_agent, default_model, max_running, deploy_command) \
             VALUES ($1, $2, $3, coalesce($4, 'main'), $5, $6, $7, coalesce($8, 'claude')::agent_kind, $9, $10, $11) \
             RETURNING {COLUMNS}"
        )))
        .bind(Uuid::now_v7())
        .bind(d.name.as_deref().map(str::trim))
        .bind(d.repository.clone().flatten())
        .bind(d.default_branch.as_deref())
        .bind(d.github_repo.clone().flatten())
        .bind(d.gitlab_project.clone().flatten())
        .bind(d.webhook_secret.clone().flatten())
        .bind(d.default_agent.as_deref())
        .bind(d.default_model.clone().flatten())
        .bind(d.max_running.flatten().map(i64::from))
        .bind(d.deploy_command.clone().flatten())
        .fetch_one(&self.pool)
        .await
        .context("creating project")?;
        to_project(row)
    }

    /// Every project, by name.
    pub async fn list_projects(&self) -> anyhow::Result<Vec<Project>> {
        let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM projects ORDER BY name"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(to_project).collect()
    }

    /// One project.
    pub async fn get_project(&self, id: Uuid) -> anyhow::Result<Option<Project>> {
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM projects WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(to_project).transpose()
    }

    /// Changes the given fields; `None` when there is no such project.
    pub async fn update_project(&self, id: Uuid, d: &ProjectDraft) -> anyhow::Result<Option<Project>> {
        let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE projects SET \
               name = coalesce($2, name), \
               repository = CASE WHEN $3 THEN $4 ELSE repository END, \
               default_branch = coalesce($5, default_branch), \
               github_repo = CASE WHEN $6 THEN $7 ELSE github_repo END, \
               gitlab_project = CASE WHEN $8 THEN $9 ELSE gitlab_project END, \
               webhook_secret = CASE WHEN $10 THEN $11 ELSE webhook_secret END, \
               default_agent = coalesce($12::agent_kind, default_agent), \
               default_model = CASE WHEN $13 THEN $14 ELSE default_model END, \
               max_running = CASE WHEN $15 THEN $16 ELSE max_running END, \
               deploy_command = CASE WHEN $17 THEN $18 ELSE deploy_command END, \
               updated_at = now() \
             WHERE id = $1 RETURNING {COLUMNS}"
        )))
        .bind(id)
        .bind(d.name.as_deref().map(str::trim))
        .bind(d.repository.is_some())
        .bind(d.repository.clone().flatten())
        .bind(d.default_branch.as_deref())
        .bind(d.github_repo.is_some())
        .bind(d.github_repo.clone().flatten())
        .bind(d.gitlab_project.is_some())
        .bind(d.gitlab_project.clone().flatten())
        .bind(d.webhook_secret.is_some())
        .bind(d.webhook_secret.clone().flatten())
        .bind(d.default_agent.as_deref())
        .bind(d.default_model.is_some())
        .bind(d.default_model.clone().flatten())
        .bind(d.max_running.is_some())
        .bind(d.max_running.flatten().map(i64::from))
        .bind(d.deploy_command.is_some())
        .bind(d.deploy_command.clone().flatten())
        .fetch_optional(&self.pool)
        .await
        .context("updating project")?;
        row.map(to_project).transpose()
    }

    /// Deletes a project; false when there is none. Fails (foreign key) while tasks use it.
    pub async fn delete_project(&self, id: Uuid) -> anyhow::Result<bool> {
        let r = sqlx::query("DELETE FROM projects WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    /// The project of a GitHub repository, with its webhook secret.
    pub async fn project_by_github(&self, full_name: &str) -> anyhow::Result<Option<(Project, Option<String>)>> {
        self.project_with_secret("github_repo", full_name).await
    }

    /// The project of a GitLab project path, with its webhook secret.
    pub async fn project_by_gitlab(&self, path: &str) -> anyhow::Result<Option<(Project, Option<String>)>> {
        self.project_with_secret("gitlab_project", path).await
    }

    async fn project_with_secret(
        &self,
        column: &'static str,
        value: &str,
    ) -> anyhow::Result<Option<(Project, Option<String>)>> {
        let row: Option<(Option<String>, Uuid)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT webhook_secret, id FROM projects WHERE lower({column}) = lower($1)"
        )))
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        let Some((secret, id)) = row else { return Ok(None) };
        Ok(self.get_project(id).await?.map(|p| (p, secret)))
    }

    /// Records a CI failure delivery: acts once per delivery id, and creates a task only for the
    /// first report of a failing commit. One transaction; two first reports racing each other
    /// end with one task (the loser rolls back and finds the winner's).
    pub async fn record_ci_failure(
        &self,
        source: &str,
        delivery_id: &str,
        project: Uuid,
        commit: &str,
        task: NewTask,
        actor: &str,
    ) -> anyhow::Result<CiRecorded> {
        for _ in 0..3 {
            let mut tx = self.pool.begin().await?;
            let fresh = sqlx::query(
                "INSERT INTO webhook_deliveries (source, delivery_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(source)
            .bind(delivery_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if !fresh {
                return Ok(CiRecorded::Redelivery);
            }
            let link = |task_id: Uuid| {
                sqlx::query("UPDATE webhook_deliveries SET task_id = $3 WHERE source = $1 AND delivery_id = $2")
                    .bind(source)
                    .bind(delivery_id)
                    .bind(task_id)
            };
            let existing: Option<Uuid> =
                sqlx::query_scalar("SELECT task_id FROM ci_failures WHERE project_id = $1 AND commit_sha = $2")
                    .bind(project)
                    .bind(commit)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(id) = existing {
                link(id).execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(CiRecorded::SameFailure(TaskId::from_uuid(id)));
            }
            let mut created = insert_tasks_on(&mut tx, std::slice::from_ref(&task), Initial::Run, actor).await?;
            let won: Option<Uuid> = sqlx::query_scalar(
                "INSERT INTO ci_failures (project_id, commit_sha, task_id) VALUES ($1, $2, $3) \
                 ON CONFLICT (project_id, commit_sha) DO NOTHING RETURNING task_id",
            )
            .bind(project)
            .bind(commit)
            .bind(task.id.as_uuid())
            .fetch_optional(&mut *tx)
            .await?;
            if won.is_none() {
                tx.rollback().await?;
                continue;
            }
            link(task.id.as_uuid()).execute(&mut *tx).await?;
            tx.commit().await?;
            return created
                .pop()
                .map(|t| CiRecorded::Created(Box::new(t)))
                .context("insert returned no task");
        }
        anyhow::bail!("CI failure for {commit} kept racing")
    }
}
