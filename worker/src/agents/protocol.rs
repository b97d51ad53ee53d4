//! The agent side of the question protocol (DOMAIN.md A.4, A.5): per-attempt question and
//! summary files, the environment an agent gets to call back, and the preamble telling a model
//! agent how to ask a question, report, and split big work into subtasks.

use std::path::{Path, PathBuf};

use shared::domain::{AttemptOutcome, Question, Task};
use tokio::process::Command;

use super::AgentApi;

/// Longest question or summary file read.
const FILE_LIMIT: usize = 64 * 1024;

/// The per-attempt files of the question protocol, removed when the attempt is done.
pub struct ProtocolFiles {
    dir: PathBuf,
    /// `CLAUDOMATOR_QUESTION_FILE`.
    pub question: PathBuf,
    /// `CLAUDOMATOR_SUMMARY_FILE`.
    pub summary: PathBuf,
}

impl ProtocolFiles {
    /// Creates `dir` fresh (files of an earlier attempt must not count for this one).
    pub fn create(dir: &Path) -> std::io::Result<ProtocolFiles> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir)?;
        Ok(ProtocolFiles {
            question: dir.join("question.json"),
            summary: dir.join("summary.md"),
            dir: dir.to_owned(),
        })
    }

    /// The environment of the protocol: the task, its attempt, the files, and the API to call
    /// back with a token scoped to the task.
    pub fn apply(&self, cmd: &mut Command, task: &Task, api: Option<&AgentApi>) {
        cmd.env("CLAUDOMATOR_TASK_ID", task.id.to_string())
            .env("CLAUDOMATOR_ATTEMPT", task.attempt.to_string())
            .env("CLAUDOMATOR_QUESTION_FILE", &self.question)
            .env("CLAUDOMATOR_SUMMARY_FILE", &self.summary);
        if let Some(api) = api {
            cmd.env("CLAUDOMATOR_API_URL", &api.url)
                .env("CLAUDOMATOR_TOKEN", &api.token);
        }
    }

    /// The summary file's text, if the agent wrote one.
    pub fn summary(&self) -> Option<String> {
        read_capped(&self.summary).filter(|s| !s.is_empty())
    }

    /// A successful run that left a question is BLOCKED on it; a summary file is the summary.
    /// Removes the files.
    pub fn read(self, outcome: Option<AttemptOutcome>) -> (Option<AttemptOutcome>, Option<String>) {
        let summary = self.summary();
        let outcome = match (outcome, read_capped(&self.question).filter(|q| !q.is_empty())) {
            (Some(AttemptOutcome::Succeeded), Some(q)) => Some(match Question::parse_agent_json(&q) {
                Ok(q) => AttemptOutcome::Blocked(q),
                Err(e) => AttemptOutcome::Failed {
                    transient: false,
                    error: e,
                },
            }),
            (o, _) => o,
        };
        let _ = std::fs::remove_dir_all(&self.dir);
        (outcome, summary)
    }
}

fn read_capped(p: &Path) -> Option<String> {
    std::fs::read(p)
        .ok()
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(FILE_LIMIT)]).trim().to_owned())
}

/// What a model agent is told before its instructions. Subtasks are offered only to top-level
/// tasks that can reach the API (`CLAUDOMATOR_API_URL` configured): inviting an agent to split
/// work it has no way to hand over would leave the work undone.
pub fn preamble(task: &Task, in_git_sandbox: bool, has_api: bool) -> String {
    let mut p = String::from(
        "You are running unattended under claudomator; no human watches this session.\n\
         \n\
         ## Asking a question\n\
         If you cannot continue without a human decision, write JSON to the file named by \
         $CLAUDOMATOR_QUESTION_FILE, for example \
         `{\"text\": \"Your question here?\", \"options\": [\"option A\", \"option B\"]}` \
         (options are optional; without them the answer is free text), and exit immediately. \
         The text MUST be a real question ending with '?'. You will be resumed with the answer.\n\
         \n\
         ## Reporting\n\
         End with a `## Summary` section saying what you did; you may also write it to \
         $CLAUDOMATOR_SUMMARY_FILE.\n",
    );
    if task.spec.parent_task_id.is_none() && has_api {
        p.push_str(
            "\n## Big work\n\
             If this will take much more than a few minutes, split it: create 3-7 subtasks by POSTing \
             JSON tasks to $CLAUDOMATOR_API_URL/api/tasks (header `Authorization: Bearer \
             $CLAUDOMATOR_TOKEN`) with \"parent_task_id\": \"$CLAUDOMATOR_TASK_ID\", then stop. This \
             task waits until they are done.\n",
        );
    }
    if in_git_sandbox {
        p.push_str(
            "\n## Git\n\
             You work in a git clone on this task's own branch. Commit your changes before you \
             finish; anything left uncommitted is committed for you and the branch is pushed.\n",
        );
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(parent: Option<uuid::Uuid>) -> Task {
        let draft = shared::domain::TaskDraft {
            title: Some("t".into()),
            agent: Some("claude".into()),
            instructions: Some("do it".into()),
            parent_task_id: parent,
            ..shared::domain::TaskDraft::default()
        };
        let spec = shared::domain::TaskSpec::parse(draft, chrono::Utc::now()).unwrap();
        Task {
            id: shared::domain::TaskId::new(),
            spec,
            state: shared::domain::TaskState::Running,
            attempt: shared::domain::Attempt(1),
            attempts_charged: 1,
            last_error: None,
            question: None,
            rejection_comment: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn subtasks_are_offered_only_with_a_callback_url_and_only_to_top_level_tasks() {
        assert!(preamble(&task(None), false, true).contains("## Big work"));
        assert!(!preamble(&task(None), false, false).contains("subtasks"));
        assert!(!preamble(&task(Some(uuid::Uuid::nil())), false, true).contains("subtasks"));
    }
}
