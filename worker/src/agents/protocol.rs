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
            question: dir.join(QUESTION_FILE),
            summary: dir.join(SUMMARY_FILE),
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

    /// A successful run that left a question is BLOCKED on it; a summary file is the summary.
    /// A question or summary file that is not a regular file inside the protocol directory (a
    /// symlink, a FIFO, a device) fails the attempt. Removes the files. The files are the
    /// agent's, so they are read off the async threads, without following links, capped.
    pub async fn read(self, outcome: Option<AttemptOutcome>) -> (Option<AttemptOutcome>, Option<String>) {
        let dir = self.dir.clone();
        let read = tokio::task::spawn_blocking(move || {
            let summary = read_agent_file(&dir, SUMMARY_FILE, FILE_LIMIT);
            let question = read_agent_file(&dir, QUESTION_FILE, FILE_LIMIT);
            let _ = std::fs::remove_dir_all(&dir);
            (summary, question)
        })
        .await;
        let (summary, question) = match read {
            Ok(r) => r,
            Err(e) => {
                let e = std::io::Error::other(format!("reading the protocol files: {e}"));
                return (refused(outcome, QUESTION_FILE, &e), None);
            }
        };
        let summary = match summary {
            Ok(s) => s.filter(|s| !s.is_empty()),
            Err(e) => return (refused(outcome, SUMMARY_FILE, &e), None),
        };
        let question = match question {
            Ok(q) => q.filter(|q| !q.is_empty()),
            Err(e) => return (refused(outcome, QUESTION_FILE, &e), summary),
        };
        let outcome = match (outcome, question) {
            (Some(AttemptOutcome::Succeeded), Some(q)) => Some(match Question::parse_agent_json(&q) {
                Ok(q) => AttemptOutcome::Blocked(q),
                Err(e) => AttemptOutcome::Failed {
                    transient: false,
                    error: e,
                },
            }),
            (o, _) => o,
        };
        (outcome, summary)
    }
}

const QUESTION_FILE: &str = "question.json";
const SUMMARY_FILE: &str = "summary.md";

/// A protocol file that could not be read fails a run that was not stopped (a stopped run stays
/// stopped: nothing is recorded for it either way).
fn refused(outcome: Option<AttemptOutcome>, name: &str, e: &std::io::Error) -> Option<AttemptOutcome> {
    outcome.map(|_| AttemptOutcome::Failed {
        transient: false,
        error: format!("the agent's {name} is unreadable: {e}"),
    })
}

/// Reads `dir/name` as the agent left it: `None` when absent; an error when it is not a regular
/// file directly in `dir` (no symlink anywhere on the way, so never `/dev/zero` or
/// `/proc/self/environ`; a FIFO does not block the open) or not UTF-8-ish text; at most `cap`
/// bytes. Blocking: call it off the async threads.
pub fn read_agent_file(dir: &Path, name: &str, cap: usize) -> std::io::Result<Option<String>> {
    use nix::fcntl::{OFlag, OpenHow, ResolveFlag, open, openat2};
    use std::io::Read as _;
    let base = open(
        dir,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        nix::sys::stat::Mode::empty(),
    )
    .map_err(std::io::Error::from)?;
    let how = OpenHow::new()
        .flags(OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC | OFlag::O_NOCTTY)
        .resolve(ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let file = match openat2(&base, name, how) {
        Ok(fd) => std::fs::File::from(fd),
        Err(nix::errno::Errno::ENOENT) => return Ok(None),
        Err(nix::errno::Errno::ELOOP) => {
            return Err(std::io::Error::other("it is a symbolic link"));
        }
        Err(e) => return Err(e.into()),
    };
    // The type of what was opened, not of what the path named a moment earlier.
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::other("it is not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(cap as u64).read_to_end(&mut bytes)?;
    Ok(Some(String::from_utf8_lossy(&bytes).trim().to_owned()))
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
