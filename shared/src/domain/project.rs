//! Projects: a repository claudomator works on, and where its CI webhooks come from.

use chrono::{DateTime, Utc};

use super::ids::AgentKind;
use super::task::FieldError;

/// A project as stored (the webhook secret is never part of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// Identity.
    pub id: uuid::Uuid,
    /// Unique name.
    pub name: String,
    /// Clone URL or local path.
    pub repository: Option<String>,
    /// The branch work merges into.
    pub default_branch: String,
    /// GitHub `owner/name`, for webhooks.
    pub github_repo: Option<String>,
    /// GitLab `group/name`, for webhooks.
    pub gitlab_project: Option<String>,
    /// Whether a webhook secret is set.
    pub has_webhook_secret: bool,
    /// Agent of tasks created for this project (CI fixes).
    pub default_agent: AgentKind,
    /// Model of those tasks.
    pub default_model: Option<String>,
    /// At most this many of its tasks running at once (stored; not enforced yet).
    pub max_running: Option<u32>,
    /// The argv run in a clone of the default branch after a story is merged.
    pub deploy_command: Option<Vec<String>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Fields of a project to create or change (`None` = not given).
#[derive(Debug, Clone, Default)]
pub struct ProjectDraft {
    /// Name.
    pub name: Option<String>,
    /// Repository.
    pub repository: Option<Option<String>>,
    /// Default branch.
    pub default_branch: Option<String>,
    /// GitHub repository.
    pub github_repo: Option<Option<String>>,
    /// GitLab project.
    pub gitlab_project: Option<Option<String>>,
    /// Webhook secret.
    pub webhook_secret: Option<Option<String>>,
    /// Default agent, by name.
    pub default_agent: Option<String>,
    /// Default model.
    pub default_model: Option<Option<String>>,
    /// Running limit.
    pub max_running: Option<Option<u32>>,
    /// Deploy command (argv).
    pub deploy_command: Option<Option<Vec<String>>>,
}

fn repo_path_ok(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
}

impl ProjectDraft {
    /// Checks the fields that were given. `creating` requires a name.
    pub fn validate(&self, creating: bool) -> Result<(), Vec<FieldError>> {
        let mut errs = Vec::new();
        let mut err = |field: &'static str, m: &str| {
            errs.push(FieldError {
                field,
                message: m.to_owned(),
            })
        };
        match self.name.as_deref().map(str::trim) {
            None if creating => err("name", "is required"),
            Some(n) if n.is_empty() || n.chars().count() > 100 => err("name", "must be 1 to 100 characters"),
            _ => {}
        }
        if let Some(b) = &self.default_branch
            && (b.trim().is_empty() || b.len() > 255 || b.contains(['\0', ' ', '~', '^', ':']))
        {
            err("default_branch", "is not a valid branch name");
        }
        if let Some(Some(r)) = &self.repository
            && (r.is_empty() || r.len() > 2048)
        {
            err("repository", "must be 1 to 2048 characters");
        }
        if let Some(Some(g)) = &self.github_repo
            && (!repo_path_ok(g) || g.split('/').count() != 2)
        {
            err("github_repo", "must be owner/name");
        }
        if let Some(Some(g)) = &self.gitlab_project
            && !repo_path_ok(g)
        {
            err("gitlab_project", "must be group/name");
        }
        if let Some(Some(s)) = &self.webhook_secret
            && !(8..=256).contains(&s.len())
        {
            err("webhook_secret", "must be 8 to 256 characters");
        }
        if let Some(a) = &self.default_agent
            && a.parse::<AgentKind>().is_err()
        {
            err("default_agent", "is not a known agent type");
        }
        if let Some(Some(0)) = self.max_running {
            err("max_running", "must be at least 1");
        }
        if let Some(Some(argv)) = &self.deploy_command
            && (argv.is_empty()
                || argv[0].is_empty()
                || argv.len() > 64
                || argv.iter().any(|a| a.len() > 4096 || a.contains('\0')))
        {
            err("deploy_command", "must be a non-empty argv of at most 64 arguments");
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}
