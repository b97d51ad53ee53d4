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
//!
//! The worker's own git never reads anything the agent can write. Its repository is a git
//! directory in `<root>/.git-store/<task id>.git`, outside every sandbox, used with
//! `--git-dir`/`--work-tree` on the agent's tree (see [`WorkerGit`]); the agent gets a copy of it
//! as `work/.git` to commit in, which the worker never looks at (git ignores `.git` in a work
//! tree). Every worker git call has a cleared environment, no system or global config, hooks and
//! fsmonitor off, only the repository URL's protocol allowed, no credential helper but the
//! worker's own, and fetches from and pushes to the URL the worker has, never a remote name. A
//! restored workspace gets a fresh store: nothing in the archive's `.git` is trusted.

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

/// A project's deploy command, as the ship step runs it.
#[derive(Debug, Clone, Copy)]
pub struct Deploy<'a> {
    /// argv (None: nothing to run).
    pub command: Option<&'a [String]>,
    /// How long it may run.
    pub timeout: Duration,
    /// The sandbox it runs in.
    pub sandbox: &'a crate::sandbox::Sandbox,
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

/// How the worker runs git on a tree an agent controls: its own git directory, the repository URL
/// it was given (credentials split off and handed to git through a helper, never written to a
/// file), and an environment of nothing but what git needs.
#[derive(Debug, Clone)]
pub struct WorkerGit {
    store: PathBuf,
    work: PathBuf,
    url: String,
    protocol: &'static str,
    credentials: Option<(String, String)>,
}

impl WorkerGit {
    /// git on `work` with the git directory `store`, talking to `url`.
    pub fn new(store: PathBuf, work: PathBuf, url: &str) -> WorkerGit {
        let (url, credentials) = split_credentials(url);
        WorkerGit {
            protocol: protocol_of(&url),
            store,
            work,
            url,
            credentials,
        }
    }

    fn command(&self) -> Command {
        let mut c = Command::new("git");
        // Settings that neutralise whatever config could otherwise run a program; given through
        // GIT_CONFIG_* so they outrank every file git reads.
        let config: &[(&str, &str)] = &[
            ("core.hooksPath", "/dev/null"),
            ("core.fsmonitor", "false"),
            ("core.pager", "cat"),
            ("core.editor", "true"),
            ("core.askPass", ""),
            ("core.sshCommand", "false"),
            ("core.logAllRefUpdates", "false"),
            ("commit.gpgSign", "false"),
            ("tag.gpgSign", "false"),
            ("diff.external", ""),
            ("submodule.recurse", "false"),
            ("safe.directory", "*"),
            ("credential.helper", ""),
            (
                "credential.helper",
                "!f() { test \"$1\" = get || exit 0; echo \"username=$CLAUDOMATOR_GIT_USERNAME\"; echo \"password=$CLAUDOMATOR_GIT_PASSWORD\"; }; f",
            ),
        ];
        c.env_clear()
            .env(
                "PATH",
                std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
            )
            .env("HOME", &self.store)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ALLOW_PROTOCOL", self.protocol)
            .env("GIT_CONFIG_COUNT", config.len().to_string())
            .envs(git_identity());
        for (i, (k, v)) in config.iter().enumerate() {
            c.env(format!("GIT_CONFIG_KEY_{i}"), k)
                .env(format!("GIT_CONFIG_VALUE_{i}"), v);
        }
        if let Some((user, password)) = &self.credentials {
            c.env("CLAUDOMATOR_GIT_USERNAME", user)
                .env("CLAUDOMATOR_GIT_PASSWORD", password);
        }
        c.arg("--git-dir")
            .arg(&self.store)
            .arg("--work-tree")
            .arg(&self.work)
            .current_dir(&self.work);
        c
    }

    /// Runs `git <args>`; its trimmed stdout.
    pub async fn run(&self, args: &[&str]) -> anyhow::Result<String> {
        let mut cmd = self.command();
        cmd.args(args);
        let out = run_tool(&mut cmd, &format!("git {}", args.join(" ")), None).await?;
        Ok(String::from_utf8_lossy(&out).trim().to_owned())
    }

    /// Fetches every branch of the repository into `refs/remotes/origin/*`.
    async fn fetch(&self) -> anyhow::Result<()> {
        self.run(&[
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-recurse-submodules",
            "--",
            &self.url,
            "+refs/heads/*:refs/remotes/origin/*",
        ])
        .await
        .map(drop)
    }

    /// Pushes HEAD to `branch` of the repository.
    async fn push(&self, branch: &str) -> anyhow::Result<()> {
        let refspec = format!("HEAD:refs/heads/{branch}");
        self.run(&["push", "--quiet", "--no-verify", "--", &self.url, &refspec])
            .await
            .map(drop)
    }
}

/// The URL without its password, and the user and password git gets from the worker's
/// credential helper (so they are in no file and no argv).
fn split_credentials(url: &str) -> (String, Option<(String, String)>) {
    match reqwest::Url::parse(url) {
        Ok(mut u) if matches!(u.scheme(), "http" | "https") && u.password().is_some() => {
            let user = u.username().to_owned();
            let password = u.password().unwrap_or_default().to_owned();
            let _ = u.set_password(None);
            let _ = u.set_username("");
            (u.to_string(), Some((user, password)))
        }
        _ => (url.to_owned(), None),
    }
}

/// The one transport git may use for `url` (`GIT_ALLOW_PROTOCOL`): `ext::`, and any transport a
/// rewrite or submodule might name, stay refused.
fn protocol_of(url: &str) -> &'static str {
    match url.split_once("://").map(|(s, _)| s) {
        Some("https") => "https",
        Some("http") => "http",
        Some("ssh" | "git+ssh") => "ssh",
        Some("git") => "git",
        Some("file") => "file",
        Some(_) => "none",
        // `host:path` (scp-like) is ssh; a plain path is the local transport.
        None if url.starts_with('/') || url.starts_with('.') => "file",
        None if url.contains(':') => "ssh",
        None => "file",
    }
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
                .arg("--no-same-permissions")
                .arg("-C")
                .arg(&self.root);
            run_tool(&mut tar, "tar (restoring the workspace)", Some(bytes)).await?;
            if !ws.dir.is_dir() {
                bail!("the archived workspace has no work directory");
            }
            if let Some(r) = repo {
                // The archive's `.git` was the agent's: the worker's store is built afresh, its
                // index at the branch's start, so the restored tree's changes are the agent's.
                let git = self.git_of(task.id, r, &ws.dir);
                let start = init_store(&git, r, branch).await?;
                git.run(&["update-ref", &format!("refs/heads/{branch}"), &start])
                    .await?;
                git.run(&["symbolic-ref", "HEAD", &format!("refs/heads/{branch}")])
                    .await?;
                git.run(&["read-tree", &start]).await?;
            }
            return Ok(Workspace {
                resume_session: session,
                ..ws
            });
        }
        tokio::fs::create_dir_all(&ws.home).await?;
        tokio::fs::create_dir_all(&ws.dir).await?;
        if let Some(r) = repo {
            let git = self.git_of(task.id, r, &ws.dir);
            clone_repo(&git, r, branch).await?;
            agent_copy(&git.store, &ws.dir.join(".git")).await?;
        }
        Ok(ws)
    }

    /// Where the worker keeps the git directory of a task (or `ship-<story>`): outside every
    /// sandbox, which binds only `<root>/<task id>`.
    fn store_of(&self, name: &str) -> PathBuf {
        self.root.join(".git-store").join(format!("{name}.git"))
    }

    /// The worker's git on a task's tree.
    pub fn git_of(&self, id: TaskId, repo: &Repo, work: &Path) -> WorkerGit {
        WorkerGit::new(self.store_of(&id.to_string()), work.to_owned(), &repo.url)
    }
}

/// A fresh store with every branch of the repository fetched; the commit work starts from.
async fn init_store(git: &WorkerGit, repo: &Repo, branch: &str) -> anyhow::Result<String> {
    let _ = tokio::fs::remove_dir_all(&git.store).await;
    if let Some(parent) = git.store.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut init = Command::new("git");
    init.env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["init", "--quiet", "--bare", "--template="])
        .arg(&git.store);
    run_tool(&mut init, "git init", None).await?;
    git.fetch().await?;
    // A retried task (or the next task of a story) goes on from what was pushed before.
    let own = format!("refs/remotes/origin/{branch}");
    if let Ok(c) = git.run(&["rev-parse", "--verify", "--quiet", &own]).await {
        return Ok(c);
    }
    git.run(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("refs/remotes/origin/{}", repo.default_branch),
    ])
    .await
    .with_context(|| format!("the repository has no branch `{}`", repo.default_branch))
}

async fn clone_repo(git: &WorkerGit, repo: &Repo, branch: &str) -> anyhow::Result<()> {
    let start = init_store(git, repo, branch).await?;
    git.run(&["checkout", "--quiet", "-f", "-B", branch, &start]).await?;
    Ok(())
}

/// Gives the agent `work/.git`: a copy of the store (objects, refs, index), with a config of
/// our own and nothing that names the repository URL.
async fn agent_copy(store: &Path, dest: &Path) -> anyhow::Result<()> {
    let mut cp = Command::new("cp");
    cp.arg("-R").arg("--no-dereference").arg("--").arg(store).arg(dest);
    run_tool(&mut cp, "cp (the agent's copy of the repository)", None).await?;
    let _ = tokio::fs::remove_file(dest.join("FETCH_HEAD")).await;
    let _ = tokio::fs::remove_dir_all(dest.join("logs")).await;
    tokio::fs::create_dir_all(dest.join("hooks")).await?;
    tokio::fs::write(
        dest.join("config"),
        "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n",
    )
    .await
    .context("writing the agent's git config")?;
    Ok(())
}

impl Sandboxes {
    /// Commits what the agent left, takes changestats against the default branch and pushes the
    /// task's branch.
    pub async fn finish_git(&self, task: &Task, repo: &Repo, ws: &Workspace, branch: &str) -> anyhow::Result<Changes> {
        let git = self.git_of(task.id, repo, &ws.dir);
        git.run(&["add", "-A"]).await?;
        if git.run(&["diff", "--cached", "--quiet"]).await.is_err() {
            let message = format!("{}\n\nclaudomator task {}", task.spec.title, task.id);
            git.run(&["commit", "--quiet", "--no-verify", "-m", &message]).await?;
        }
        let default = format!("refs/remotes/origin/{}", repo.default_branch);
        let base = git.run(&["merge-base", &default, "HEAD"]).await?;
        let commit = git.run(&["rev-parse", "HEAD"]).await?;
        let (files_changed, insertions, deletions) = numstat_totals(
            &git.run(&["diff", "--no-ext-diff", "--no-textconv", "--numstat", &base, "HEAD"])
                .await?,
        );
        let pushed = if commit == base {
            false
        } else {
            if let Err(first) = git.push(branch).await {
                // Someone else moved the branch (an earlier attempt's late push): go on from it.
                let r = async {
                    git.fetch().await?;
                    git.run(&["rebase", "--quiet", &format!("refs/remotes/origin/{branch}")])
                        .await
                };
                r.await
                    .with_context(|| format!("push refused ({first:#}), and rebasing onto the branch failed"))?;
                git.push(branch).await?;
            }
            true
        };
        let commit = git.run(&["rev-parse", "HEAD"]).await?;
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
    /// larger than the limit. tar's output is read as it comes and tar is killed once the limit is
    /// passed, so a huge workspace never sits in the worker's memory.
    pub async fn archive(&self, id: TaskId) -> anyhow::Result<Option<Vec<u8>>> {
        use tokio::io::AsyncReadExt as _;
        let mut tar = Command::new("tar");
        tar.arg("-czf")
            .arg("-")
            .arg("-C")
            .arg(&self.root)
            .arg("--exclude")
            .arg(format!("{id}/protocol"))
            .arg("--")
            .arg(id.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = tar.spawn().context("starting tar (archiving the workspace)")?;
        let (Some(mut out), Some(mut err)) = (child.stdout.take(), child.stderr.take()) else {
            bail!("tar (archiving the workspace) has no pipes");
        };
        let limit = self.archive_limit;
        // stderr on its own task: tar must never block on a full stderr pipe.
        let errors = tokio::spawn(async move {
            let mut msg = Vec::new();
            let _ = (&mut err).take(64 * 1024).read_to_end(&mut msg).await;
            msg
        });
        let read = async {
            let mut bytes = Vec::new();
            // One byte past the limit says "too big" without reading the rest.
            (&mut out).take(limit as u64 + 1).read_to_end(&mut bytes).await?;
            std::io::Result::Ok(bytes)
        };
        let bytes = tokio::time::timeout(TOOL_TIMEOUT, read)
            .await
            .with_context(|| format!("tar (archiving the workspace) took longer than {TOOL_TIMEOUT:?}"))?
            .context("reading tar's output")?;
        if bytes.len() > limit {
            let _ = child.kill().await;
            errors.abort();
            return Ok(None);
        }
        let status = child.wait().await.context("waiting for tar")?;
        let msg = errors.await.unwrap_or_default();
        if !status.success() {
            bail!(
                "tar (archiving the workspace) failed ({status}): {}",
                String::from_utf8_lossy(&msg).trim()
            );
        }
        Ok(Some(bytes))
    }

    /// Merges a story's branch into the default branch in a fresh clone, pushes it, and runs
    /// the deploy command there. Returns the merge commit and the deploy output.
    pub async fn ship(
        &self,
        story: uuid::Uuid,
        title: &str,
        repo: &Repo,
        branch: &str,
        deploy: Deploy<'_>,
    ) -> anyhow::Result<(String, String)> {
        let Deploy {
            command: deploy,
            timeout: deploy_timeout,
            sandbox,
        } = deploy;
        let name = format!("ship-{story}");
        let dir = self.root.join(&name);
        let _ = tokio::fs::remove_dir_all(&dir).await;
        tokio::fs::create_dir_all(&dir).await?;
        let git = WorkerGit::new(self.store_of(&name), dir.clone(), &repo.url);
        let r = async {
            clone_repo(&git, repo, &repo.default_branch).await?;
            let theirs = format!("refs/remotes/origin/{branch}");
            git.run(&["rev-parse", "--verify", "--quiet", &theirs])
                .await
                .with_context(|| format!("the story's branch `{branch}` was never pushed"))?;
            let message = format!("Merge story: {title}\n\nclaudomator story {story}");
            if let Err(e) = git
                .run(&["merge", "--no-ff", "--no-edit", "--no-verify", "-m", &message, &theirs])
                .await
            {
                let _ = git.run(&["merge", "--abort"]).await;
                return Err(e.context(format!("merging `{branch}` into `{}`", repo.default_branch)));
            }
            git.push(&repo.default_branch).await?;
            let commit = git.run(&["rev-parse", "HEAD"]).await?;
            // The deploy command may read the history: a copy, as an agent gets one.
            agent_copy(&git.store, &dir.join(".git")).await?;
            let mut output = String::new();
            if let Some((program, args)) = deploy.and_then(|d| d.split_first()) {
                let mut cmd = crate::agents::process::command(program);
                cmd.args(args)
                    .current_dir(&dir)
                    .env("CLAUDOMATOR_STORY_ID", story.to_string())
                    .env("CLAUDOMATOR_DEPLOY_COMMIT", &commit);
                let stop = tokio_util::sync::CancellationToken::new();
                let f = crate::agents::process::run(
                    cmd,
                    crate::agents::process::Supervision {
                        timeout: deploy_timeout,
                        output_limit_bytes: 64 * 1024,
                        log: None,
                        stop: &stop,
                        // The deploy command runs the project's code: contained like an agent,
                        // with the network (it deploys somewhere).
                        jail: &sandbox.jail(&dir, &dir, false),
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
        let _ = tokio::fs::remove_dir_all(&git.store).await;
        r
    }

    /// Removes the task's directory.
    pub async fn remove(&self, id: TaskId) {
        let _ = tokio::fs::remove_dir_all(self.store_of(&id.to_string())).await;
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

    #[test]
    fn credentials_leave_the_url_and_the_protocol_is_the_urls_own() {
        let (url, cred) = split_credentials("https://bot:s3cret@git.example.com/org/repo.git");
        assert_eq!(url, "https://git.example.com/org/repo.git");
        assert_eq!(cred, Some(("bot".into(), "s3cret".into())));
        assert_eq!(split_credentials("/srv/repo.git"), ("/srv/repo.git".into(), None));
        assert_eq!(protocol_of("https://h/r.git"), "https");
        assert_eq!(protocol_of("/srv/repo.git"), "file");
        assert_eq!(protocol_of("git@github.com:org/repo.git"), "ssh");
        assert_eq!(protocol_of("ext::sh -c evil"), "ssh");
        assert_eq!(protocol_of("fd::3"), "ssh");
    }
}
