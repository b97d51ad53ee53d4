//! Sandboxes: the directory an attempt works in, `<root>/<task id>/`, with `work/` (the agent's
//! working directory: a fresh clone of the task's project on the task's branch, or empty), `home/`
//! (the agent's HOME: CLI config and sessions) and `protocol/` (question and summary files).
//!
//! The path is the same on every worker, so a task that blocked on a question can be archived
//! (work tree and HOME, hence the agent's session) into Postgres and restored by whichever worker
//! runs the answered task: nothing of a blocked task lives only on one worker's disk. After an
//! attempt on a project, leftover changes are committed, changestats taken against the default
//! branch, and the task's branch pushed to the project's repository; the directory is then
//! removed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, bail};
use shared::domain::project::Project;
use shared::domain::{Changes, Task, TaskId};
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

use crate::agents::{Workspace, git_identity};

/// Longest a git or tar command may take.
const TOOL_TIMEOUT: Duration = Duration::from_secs(300);

/// Where the sandboxes live.
#[derive(Debug, Clone)]
pub struct Sandboxes {
    root: PathBuf,
    archive_limit: usize,
}

/// A task's project repository, as the sandbox needs it.
#[derive(Debug, Clone)]
pub struct Repo {
    /// Clone URL or path.
    pub url: String,
    /// The branch work starts from and changestats compare against.
    pub default_branch: String,
}

impl Repo {
    /// The repository of a project that has one.
    pub fn of(p: &Project) -> Option<Repo> {
        p.repository.clone().filter(|r| !r.trim().is_empty()).map(|url| Repo {
            url,
            default_branch: p.default_branch.clone(),
        })
    }
}

/// The branch a task's work goes to.
pub fn branch_of(task: TaskId) -> String {
    format!("claudomator/{task}")
}

async fn run_tool(cmd: &mut Command, what: &str, stdin: Option<&[u8]>) -> anyhow::Result<Vec<u8>> {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().with_context(|| format!("starting {what}"))?;
    if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(data).await.with_context(|| format!("feeding {what}"))?;
    }
    let out = tokio::time::timeout(TOOL_TIMEOUT, child.wait_with_output())
        .await
        .with_context(|| format!("{what} took longer than {TOOL_TIMEOUT:?}"))?
        .with_context(|| format!("waiting for {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

fn git_cmd(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C")
        .arg(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .envs(git_identity());
    c
}

async fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = run_tool(git_cmd(dir).args(args), &format!("git {}", args.join(" ")), None).await?;
    Ok(String::from_utf8_lossy(&out).trim().to_owned())
}

/// `git diff --numstat` totals: files, insertions, deletions (binary files count as files).
pub fn numstat_totals(numstat: &str) -> (u32, u64, u64) {
    numstat
        .lines()
        .filter(|l| !l.trim().is_empty())
        .fold((0, 0, 0), |(f, i, d), l| {
            let mut parts = l.split('\t');
            let ins = parts.next().and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
            let del = parts.next().and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
            (f + 1, i + ins, d + del)
        })
}

impl Sandboxes {
    /// Sandboxes under `root`; archives of blocked workspaces up to `archive_limit` bytes.
    pub fn new(root: PathBuf, archive_limit: usize) -> Sandboxes {
        Sandboxes { root, archive_limit }
    }

    fn task_dir(&self, id: TaskId) -> PathBuf {
        self.root.join(id.to_string())
    }

    /// Prepares the attempt's directories: restored from `archive` when the task resumes from
    /// a question, else fresh (a clone of `repo` on the task's branch when there is one).
    pub async fn prepare(
        &self,
        task: &Task,
        repo: Option<&Repo>,
        branch: &str,
        archive: Option<(&[u8], Option<String>)>,
    ) -> anyhow::Result<Workspace> {
        let dir = self.task_dir(task.id);
        self.remove(task.id).await;
        tokio::fs::create_dir_all(&self.root)
            .await
            .with_context(|| format!("creating WORKSPACE_ROOT {}", self.root.display()))?;
        let ws = Workspace {
            dir: dir.join("work"),
            home: dir.join("home"),
            protocol_dir: dir.join("protocol"),
            git: repo.is_some(),
            resume_session: None,
        };
        if let Some((bytes, session)) = archive {
            let mut tar = Command::new("tar");
            tar.arg("-xzf")
                .arg("-")
                .arg("--no-same-owner")
                .arg("-C")
                .arg(&self.root);
            run_tool(&mut tar, "tar (restoring the workspace)", Some(bytes)).await?;
            if !ws.dir.is_dir() {
                bail!("the archived workspace has no work directory");
            }
            return Ok(Workspace {
                resume_session: session,
                ..ws
            });
        }
        tokio::fs::create_dir_all(&ws.home).await?;
        match repo {
            None => tokio::fs::create_dir_all(&ws.dir).await?,
            Some(r) => clone_repo(r, branch, &ws.dir).await?,
        }
        Ok(ws)
    }
}

async fn clone_repo(repo: &Repo, branch: &str, dir: &Path) -> anyhow::Result<()> {
    {
        let mut clone = Command::new("git");
        clone
            .args(["clone", "--quiet", "--no-hardlinks", "--"])
            .arg(&repo.url)
            .arg(dir)
            .env("GIT_TERMINAL_PROMPT", "0");
        run_tool(&mut clone, "git clone", None).await?;
        // A retried task (or the next task of a story) goes on from what was pushed before.
        let start = if git(
            dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/remotes/origin/{branch}"),
            ],
        )
        .await
        .is_ok()
        {
            format!("origin/{branch}")
        } else {
            let default = format!("origin/{}", repo.default_branch);
            git(
                dir,
                &["rev-parse", "--verify", "--quiet", &format!("refs/remotes/{default}")],
            )
            .await
            .with_context(|| format!("the repository has no branch `{}`", repo.default_branch))?;
            default
        };
        git(dir, &["checkout", "--quiet", "-B", branch, &start]).await?;
        Ok(())
    }
}

impl Sandboxes {
    /// Commits what the agent left, takes changestats against the default branch and pushes the
    /// task's branch.
    pub async fn finish_git(&self, task: &Task, repo: &Repo, ws: &Workspace, branch: &str) -> anyhow::Result<Changes> {
        let dir = &ws.dir;
        git(dir, &["add", "-A"]).await?;
        if git(dir, &["diff", "--cached", "--quiet"]).await.is_err() {
            let message = format!("{}\n\nclaudomator task {}", task.spec.title, task.id);
            git(dir, &["commit", "--quiet", "--no-verify", "-m", &message]).await?;
        }
        let default = format!("origin/{}", repo.default_branch);
        let base = git(dir, &["merge-base", &default, "HEAD"]).await?;
        let commit = git(dir, &["rev-parse", "HEAD"]).await?;
        let (files_changed, insertions, deletions) =
            numstat_totals(&git(dir, &["diff", "--numstat", &base, "HEAD"]).await?);
        let pushed = if commit == base {
            false
        } else {
            let refspec = format!("HEAD:refs/heads/{branch}");
            if let Err(first) = git(dir, &["push", "--quiet", "origin", &refspec]).await {
                // Someone else moved the branch (an earlier attempt's late push): go on from it.
                git(dir, &["pull", "--quiet", "--rebase", "origin", branch])
                    .await
                    .with_context(|| format!("push refused ({first:#}), and rebasing onto the branch failed"))?;
                git(dir, &["push", "--quiet", "origin", &refspec]).await?;
            }
            true
        };
        let commit = git(dir, &["rev-parse", "HEAD"]).await?;
        Ok(Changes {
            branch: branch.to_owned(),
            commit,
            base,
            files_changed,
            insertions,
            deletions,
            pushed,
        })
    }

    /// Archives the task's directory (work tree and HOME) for resuming elsewhere; None when it is
    /// larger than the limit.
    pub async fn archive(&self, id: TaskId) -> anyhow::Result<Option<Vec<u8>>> {
        let mut tar = Command::new("tar");
        tar.arg("-czf")
            .arg("-")
            .arg("-C")
            .arg(&self.root)
            .arg("--exclude")
            .arg(format!("{id}/protocol"))
            .arg("--")
            .arg(id.to_string());
        let bytes = run_tool(&mut tar, "tar (archiving the workspace)", None).await?;
        Ok((bytes.len() <= self.archive_limit).then_some(bytes))
    }

    /// Merges a story's branch into the default branch in a fresh clone, pushes it, and runs
    /// the deploy command there. Returns the merge commit and the deploy output.
    pub async fn ship(
        &self,
        story: uuid::Uuid,
        title: &str,
        repo: &Repo,
        branch: &str,
        deploy: Option<&[String]>,
        deploy_timeout: Duration,
    ) -> anyhow::Result<(String, String)> {
        let dir = self.root.join(format!("ship-{story}"));
        let _ = tokio::fs::remove_dir_all(&dir).await;
        tokio::fs::create_dir_all(&self.root).await?;
        let r = async {
            clone_repo(repo, &repo.default_branch, &dir).await?;
            git(
                &dir,
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    &format!("refs/remotes/origin/{branch}"),
                ],
            )
            .await
            .with_context(|| format!("the story's branch `{branch}` was never pushed"))?;
            let message = format!("Merge story: {title}\n\nclaudomator story {story}");
            if let Err(e) = git(
                &dir,
                &[
                    "merge",
                    "--no-ff",
                    "--no-edit",
                    "-m",
                    &message,
                    &format!("origin/{branch}"),
                ],
            )
            .await
            {
                let _ = git(&dir, &["merge", "--abort"]).await;
                return Err(e.context(format!("merging `{branch}` into `{}`", repo.default_branch)));
            }
            git(
                &dir,
                &[
                    "push",
                    "--quiet",
                    "origin",
                    &format!("HEAD:refs/heads/{}", repo.default_branch),
                ],
            )
            .await?;
            let commit = git(&dir, &["rev-parse", "HEAD"]).await?;
            let mut output = String::new();
            if let Some((program, args)) = deploy.and_then(|d| d.split_first()) {
                let mut cmd = crate::agents::process::command(program);
                cmd.args(args)
                    .current_dir(&dir)
                    .env("CLAUDOMATOR_STORY_ID", story.to_string());
                let stop = tokio_util::sync::CancellationToken::new();
                let f = crate::agents::process::run(
                    cmd,
                    crate::agents::process::Supervision {
                        timeout: deploy_timeout,
                        output_limit_bytes: 64 * 1024,
                        log: None,
                        stop: &stop,
                    },
                    |_, _| crate::agents::process::Verdict::Continue,
                )
                .await
                .with_context(|| format!("starting the deploy command `{program}`"))?;
                output = f.output;
                match f.end {
                    crate::agents::process::End::Exited(s) if s.success() => {}
                    end => bail!("the deploy command failed ({end:?}): {}", output.trim()),
                }
            }
            anyhow::Ok((commit, output))
        }
        .await;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        r
    }

    /// Removes the task's directory.
    pub async fn remove(&self, id: TaskId) {
        let dir = self.task_dir(id);
        if let Err(e) = tokio::fs::remove_dir_all(&dir).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error.message = %e, dir = %dir.display(), "workspace not removed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numstat_totals_count_binary_files() {
        assert_eq!(numstat_totals("3\t1\ta.rs\n-\t-\tlogo.png\n10\t0\tb.rs\n"), (3, 13, 1));
        assert_eq!(numstat_totals(""), (0, 0, 0));
    }
}
