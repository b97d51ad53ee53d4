//! Reading a project's repository for a CI plan: the failing commit's recent history and its
//! agent instruction files, everything bounded.
//!
//! A shallow (`--depth 10`), blobless (`--filter=blob:none`, where the server supports it) fetch
//! of the failing commit, falling back to its branch, into a fresh directory under the system
//! temp dir that is removed however reading ends. The history is `git log --name-status`, which
//! needs trees only, so a blobless fetch stays blobless (`--stat` would fetch every blob the
//! commits touched); `CLAUDE.md` and `AGENTS.md` are read at the failing commit, the only blobs
//! fetched. Git never prompts (`GIT_TERMINAL_PROMPT=0`, ssh in batch mode), each command is
//! killed at the deadline, and output is read up to a cap. The commit and branch come from an
//! authenticated webhook but are checked before they reach git's command line anyway.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context as _, bail};
use shared::ci_plan::{GUIDE_FILES, RepoContext, limits};
use shared::webhooks::CiFailure;
use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::process::Command;
use tokio::time::Instant;

/// Output kept of commands that print little or nothing, in bytes.
const QUIET: usize = 4096;

/// Largest instruction file read at all (larger ones are skipped), in bytes.
const GUIDE_MAX_SIZE: u64 = 1024 * 1024;

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        let path = std::env::temp_dir().join(format!("claudomator-ci-plan-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!(path = %self.0.display(), error.message = %e, "could not remove a CI plan checkout");
        }
    }
}

/// What `repository` says about `f`, read before `deadline`; a repository that cannot be read
/// gives a context saying why.
pub async fn read(repository: &str, f: &CiFailure, deadline: Instant) -> RepoContext {
    let result = match TempDir::new() {
        Ok(dir) => read_in(&dir.0, repository, f, deadline).await,
        Err(e) => Err(anyhow::Error::new(e).context("creating a temporary directory")),
    };
    result.unwrap_or_else(|e| RepoContext {
        unavailable: Some(format!("{e:#}").replace(repository, &without_credentials(repository))),
        ..RepoContext::default()
    })
}

/// `repository` without a user name or password, so errors quoting it can be shown and logged.
fn without_credentials(repository: &str) -> String {
    match url::Url::parse(repository) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => repository.to_owned(),
    }
}

fn is_sha(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A branch name that is safe as `refs/heads/<name>` (a subset of `git check-ref-format`).
fn is_branch(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with(['-', '/', '.'])
        && !s.ends_with(['/', '.'])
        && !s.contains("..")
        && !s.contains("@{")
        && !s.contains("//")
        && !s
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c))
}

async fn read_in(dir: &Path, repository: &str, f: &CiFailure, deadline: Instant) -> anyhow::Result<RepoContext> {
    if !is_sha(&f.commit) {
        bail!(
            "the commit `{}` is not a hex SHA",
            f.commit.chars().take(80).collect::<String>()
        );
    }
    git(dir, &["init", "--quiet"], deadline, QUIET).await?;
    git(dir, &["remote", "add", "--", "origin", repository], deadline, QUIET).await?;
    let depth = format!("--depth={}", limits::COMMITS);
    let fetch = |what: String| {
        let depth = depth.clone();
        async move {
            git(
                dir,
                &[
                    "fetch",
                    "--quiet",
                    "--no-tags",
                    "--no-recurse-submodules",
                    &depth,
                    "--filter=blob:none",
                    "origin",
                    &what,
                ],
                deadline,
                QUIET,
            )
            .await
        }
    };
    // The failing commit itself; servers that refuse fetching by id get its branch instead.
    if let Err(by_id) = fetch(f.commit.clone()).await {
        match f.branch.as_deref().filter(|b| is_branch(b)) {
            Some(b) => fetch(format!("refs/heads/{b}"))
                .await
                .with_context(|| format!("fetching the commit failed ({by_id:#}); fetching its branch"))?,
            None => return Err(by_id),
        };
    }
    let at = if git(
        dir,
        &["cat-file", "-e", &format!("{}^{{commit}}", f.commit)],
        deadline,
        QUIET,
    )
    .await
    .is_ok()
    {
        f.commit.clone()
    } else {
        "FETCH_HEAD".to_owned()
    };
    let history = git(
        dir,
        &[
            "log",
            &format!("--max-count={}", limits::COMMITS),
            "--no-renames",
            "--name-status",
            "--date=short",
            "--format=commit %h %ad %an%n    %s",
            &at,
            "--",
        ],
        deadline,
        limits::HISTORY_BYTES,
    )
    .await?;
    let mut guides = Vec::new();
    for name in GUIDE_FILES {
        let object = format!("{at}:{name}");
        let Ok(size) = git(dir, &["cat-file", "-s", &object], deadline, 64).await else {
            continue;
        };
        if size.trim().parse::<u64>().map_or(true, |s| s > GUIDE_MAX_SIZE) {
            continue;
        }
        let text = git(dir, &["cat-file", "blob", &object], deadline, limits::GUIDE_BYTES).await?;
        guides.push((name.to_owned(), text));
    }
    Ok(RepoContext {
        history: Some(history),
        guides,
        unavailable: None,
    })
}

/// Up to `max + 1` bytes of `r` (one more than `max` tells a cut); the reader is dropped after, so
/// a writer with more to say gets a broken pipe instead of blocking.
async fn read_capped(r: impl AsyncRead + Unpin, max: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut buf)
        .await?;
    Ok(buf)
}

/// Runs `git -C dir args`, without prompts, killed at `deadline`; its output, of which more than
/// `max_out` bytes means it was cut there (and is returned whatever the exit status, since git
/// then dies of the closed pipe).
async fn git(dir: &Path, args: &[&str], deadline: Instant, max_out: usize) -> anyhow::Result<String> {
    let what = format!("git {}", args.first().copied().unwrap_or_default());
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
        .env("GCM_INTERACTIVE", "never")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {what}"))?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        bail!("{what} has no output pipes");
    };
    let finished = tokio::time::timeout_at(deadline, async {
        let (out, err) = tokio::join!(read_capped(stdout, max_out), read_capped(stderr, 2048));
        let status = child.wait().await?;
        anyhow::Ok((out?, err?, status))
    })
    .await;
    let Ok(finished) = finished else {
        let _ = child.kill().await;
        bail!("{what} did not finish in time");
    };
    let (out, err, status) = finished.with_context(|| format!("running {what}"))?;
    let cut = out.len() > max_out;
    if !status.success() && !cut {
        bail!("{what} failed ({status}): {}", String::from_utf8_lossy(&err).trim());
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_and_branch_names_reach_git() {
        assert!(is_sha("ec26c3e57ca3a959ca5aad62de7213c562f8c821"));
        assert!(!is_sha("--upload-pack=x"));
        assert!(!is_sha("abc"));
        assert!(is_branch("feature/ci-fix-1"));
        for bad in ["", "-x", "a..b", "a b", "a:b", "a/", ".hidden", "x@{1}", "a\\b"] {
            assert!(!is_branch(bad), "{bad}");
        }
        assert_eq!(
            without_credentials("https://bot:s3cret@git.example/o/r.git"),
            "https://git.example/o/r.git"
        );
        assert_eq!(without_credentials("/srv/git/r.git"), "/srv/git/r.git");
    }
}
