//! Database row shapes and their conversion to domain types. Nothing outside `store` sees these.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::domain::task::AgentOptions;
use crate::domain::{Attempt, Question, Task, TaskId, TaskSpec, TaskState};

/// The runner options kept in `tasks.options` (jsonb). A separate, versionable shape.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct SpecOptions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub argv: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_tools: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_turns: Option<u32>,
}

impl From<&AgentOptions> for SpecOptions {
    fn from(o: &AgentOptions) -> Self {
        SpecOptions {
            argv: o.argv.clone(),
            working_dir: o.working_dir.clone(),
            permission_mode: o.permission_mode.clone(),
            allowed_tools: o.allowed_tools.clone(),
            max_turns: o.max_turns,
        }
    }
}

/// Columns selected by `task_columns!()`.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TaskRow {
    pub id: Uuid,
    pub project_id: Option<Uuid>,
    pub parent_task_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub instructions: String,
    pub agent: String,
    pub model: Option<String>,
    pub priority: String,
    pub state: String,
    pub attempt: i32,
    pub attempts_charged: i32,
    pub max_attempts: i32,
    pub timeout_ms: Option<i64>,
    pub budget_usd: Option<f64>,
    pub review: bool,
    pub labels: Vec<String>,
    pub depends_on: Vec<Uuid>,
    pub options: sqlx::types::Json<SpecOptions>,
    pub run_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub question: Option<sqlx::types::Json<Question>>,
    pub rejection_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The select list matching [`TaskRow`]; enums are read as text and parsed. A macro so queries
/// stay `&'static str` (sqlx caches their prepared statements).
macro_rules! task_columns {
    () => {
        "t.id, t.project_id, t.parent_task_id, t.title, t.description, \
    t.instructions, t.agent::text AS agent, t.model, t.priority::text AS priority, t.state::text AS state, \
    t.attempt, t.attempts_charged, t.max_attempts, t.timeout_ms, t.budget_usd, t.review, t.labels, \
    t.depends_on, t.options, t.run_at, t.last_error, t.question, t.rejection_comment, t.created_at, \
    t.updated_at"
    };
}
pub(crate) use task_columns;

impl TryFrom<TaskRow> for Task {
    type Error = anyhow::Error;
    fn try_from(r: TaskRow) -> anyhow::Result<Task> {
        let opts = r.options.0;
        Ok(Task {
            id: TaskId::from_uuid(r.id),
            spec: TaskSpec {
                title: r.title,
                description: r.description,
                instructions: r.instructions,
                agent: r.agent.parse()?,
                model: r.model,
                priority: r.priority.parse()?,
                max_attempts: u32::try_from(r.max_attempts)?,
                timeout: r
                    .timeout_ms
                    .map(|ms| std::time::Duration::from_millis(ms.unsigned_abs())),
                budget_usd: r.budget_usd,
                labels: r.labels,
                project_id: r.project_id,
                parent_task_id: r.parent_task_id.map(TaskId::from_uuid),
                depends_on: r.depends_on.into_iter().map(TaskId::from_uuid).collect(),
                run_at: r.run_at,
                review: r.review,
                options: AgentOptions {
                    argv: opts.argv,
                    working_dir: opts.working_dir,
                    permission_mode: opts.permission_mode,
                    allowed_tools: opts.allowed_tools,
                    max_turns: opts.max_turns,
                },
            },
            state: r.state.parse::<TaskState>()?,
            attempt: Attempt(r.attempt),
            attempts_charged: r.attempts_charged,
            last_error: r.last_error,
            question: r.question.map(|q| q.0),
            rejection_comment: r.rejection_comment,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Converts a batch of rows, failing on the first row that does not map.
pub(crate) fn tasks_from_rows(rows: Vec<TaskRow>) -> anyhow::Result<Vec<Task>> {
    rows.into_iter().map(Task::try_from).collect()
}
