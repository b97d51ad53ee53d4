//! Containment of every process an attempt starts (`exec` argv, the `claude` and `gemini` CLIs,
//! checker and validation runs, a project's deploy command): with `AGENT_SANDBOX=bwrap` (the
//! default) each runs in a bubblewrap sandbox of its own, built by [`Jail::wrap`] from the
//! command the runner prepared.
//!
//! What a sandbox is (ARCHITECTURE.md, Trust model):
//! - new user, PID, IPC, UTS (and, where possible, cgroup) namespaces; uid/gid 1000 inside, every
//!   capability dropped (bwrap run by root keeps them otherwise), no new privileges, nested user
//!   namespaces refused, its own session (no TIOCSTI into the worker's terminal);
//! - `--die-with-parent`: the namespace's init dies with the thread that spawned bwrap, and the
//!   kernel then kills every process of the namespace — `setsid`, double forks and a cleared
//!   marker variable included. So bwrap is spawned from one long-lived thread ([`spawn`]),
//!   never from a blocking-pool thread that may exit after idling;
//! - the environment is exactly what the runner set (`Command::env_clear` + its variables), passed
//!   through the spawning `Command`: bwrap's `--setenv` would put values in its argv, readable
//!   from `/proc/1/cmdline` inside;
//! - filesystem: `/usr` (and the merged-`/usr` links), a few files of `/etc` (DNS, certificates,
//!   generated passwd/group), the agent CLIs' install and `AGENT_SANDBOX_RO_PATHS` read-only; the
//!   attempt directory read-write; a private size-capped `/tmp`; its own `/proc` and `/dev`;
//!   everything else (the rest of `WORKSPACE_ROOT`, the worker's HOME, the git store) absent;
//! - the network is kept (agents reach their model APIs); `exec` tasks lose it with
//!   `AGENT_SANDBOX_EXEC_NETWORK=false`.
//!
//! With `AGENT_SANDBOX=none` commands run as they are, and `agents::process` falls back to
//! process groups and the marker-variable scan to find what an attempt left behind.

use std::ffi::OsString;
use std::os::unix::fs::FileTypeExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{Context as _, bail};
use shared::config::{SandboxMode, SandboxSettings};
use tokio::process::{Child, Command};

/// uid and gid of the agent inside a sandbox (never 0: Claude Code refuses
/// `bypassPermissions` as root, and no file inside should look like root's).
const SANDBOX_UID: u32 = 1000;
/// Size of a sandbox's private `/tmp`.
const TMP_BYTES: u64 = 512 << 20;
/// Host files of `/etc` a sandbox sees (read-only, where they exist): name resolution, TLS
/// roots and the dynamic linker's cache. Nothing with secrets (`/etc/ssl/private` stays out).
const ETC_FILES: &[&str] = &[
    "/etc/resolv.conf",
    "/etc/hosts",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/nsswitch.conf",
    "/etc/ssl/certs",
    "/etc/ssl/openssl.cnf",
    "/etc/ca-certificates",
    "/etc/ca-certificates.conf",
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
];
/// The CA bundle Node is pointed at: with a cleared environment it ignores the system store.
const CA_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The worker's sandbox configuration, shared by every attempt.
#[derive(Debug, Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    mode: SandboxMode,
    bwrap: PathBuf,
    exec_network: bool,
    /// Flags every sandbox gets (namespaces, system directories, identity files).
    base: Vec<OsString>,
    /// Holds the generated passwd and group files; removed when the worker exits.
    _identity: Option<tempfile::TempDir>,
}

/// The containment of one process tree: which directory it may write.
#[derive(Debug, Clone)]
pub struct Jail {
    sandbox: Sandbox,
    writable: PathBuf,
    home: PathBuf,
    network: bool,
}

impl Sandbox {
    /// Sets up the sandbox of a worker and checks that it works: with `bwrap`, a missing binary
    /// or user namespaces that cannot be created refuse the start with what to install or
    /// enable. `agent_bins` are the agent CLIs, whose install directories become visible.
    pub async fn new(settings: &SandboxSettings, agent_bins: &[&str]) -> anyhow::Result<Sandbox> {
        if settings.mode == SandboxMode::None {
            tracing::warn!(
                "AGENT_SANDBOX=none: agents run unconfined as the worker's user and can read its environment, its HOME and every workspace"
            );
            return Ok(Sandbox {
                inner: Arc::new(Inner {
                    mode: SandboxMode::None,
                    bwrap: PathBuf::new(),
                    exec_network: true,
                    base: Vec::new(),
                    _identity: None,
                }),
            });
        }
        let bwrap = find_program(&settings.bwrap, std::env::var_os("PATH").as_deref()).with_context(|| {
            format!(
                "AGENT_SANDBOX=bwrap needs bubblewrap, and `{}` was not found: install it (Debian/Ubuntu: \
                 `apt-get install bubblewrap`), point AGENT_SANDBOX_BWRAP at it, or set AGENT_SANDBOX=none \
                 to run agents unconfined",
                settings.bwrap
            )
        })?;
        let identity = tempfile::Builder::new()
            .prefix("claudomator-sandbox-")
            .tempdir()
            .context("creating the sandbox identity files")?;
        std::fs::write(
            identity.path().join("passwd"),
            format!("agent:x:{SANDBOX_UID}:{SANDBOX_UID}:agent:/nonexistent:/bin/sh\n"),
        )
        .context("writing the sandbox passwd file")?;
        std::fs::write(identity.path().join("group"), format!("agent:x:{SANDBOX_UID}:\n"))
            .context("writing the sandbox group file")?;
        let mut ro: Vec<PathBuf> = agent_bins
            .iter()
            .filter_map(|b| install_dir(b))
            .chain(settings.ro_paths.iter().cloned())
            .collect();
        ro.sort();
        ro.dedup();
        let base = base_flags(identity.path(), &ro);
        let sandbox = Sandbox {
            inner: Arc::new(Inner {
                mode: SandboxMode::Bwrap,
                bwrap,
                exec_network: settings.exec_network,
                base,
                _identity: Some(identity),
            }),
        };
        sandbox.probe().await?;
        tracing::info!(bwrap = %sandbox.inner.bwrap.display(), read_only = ?ro, "agents run in bubblewrap sandboxes");
        Ok(sandbox)
    }

    /// How processes are contained.
    pub fn mode(&self) -> SandboxMode {
        self.inner.mode
    }

    /// The containment of an attempt working in `writable` (its `<root>/<task id>` directory)
    /// with `home` as HOME; `exec` says whether it runs an `exec` task (which may lose the
    /// network).
    pub fn jail(&self, writable: &Path, home: &Path, exec: bool) -> Jail {
        Jail {
            sandbox: self.clone(),
            writable: writable.to_owned(),
            home: home.to_owned(),
            network: !exec || self.inner.exec_network,
        }
    }

    /// Runs `true` in a sandbox, so a host where bwrap cannot work fails at start, not per task.
    async fn probe(&self) -> anyhow::Result<()> {
        let dir = tempfile::Builder::new()
            .prefix("claudomator-probe-")
            .tempdir()
            .context("creating the sandbox probe directory")?;
        let jail = self.jail(dir.path(), dir.path(), false);
        let mut cmd = crate::agents::process::command("true");
        cmd.current_dir(dir.path());
        let mut child = spawn(jail.wrap(cmd)).await.context("starting bwrap")?;
        let out = tokio::time::timeout(Duration::from_secs(30), async {
            let mut err = Vec::new();
            if let Some(mut e) = child.stderr.take() {
                use tokio::io::AsyncReadExt as _;
                let _ = (&mut e).take(64 * 1024).read_to_end(&mut err).await;
            }
            (child.wait().await, err)
        })
        .await
        .context("the bwrap probe did not finish within 30 s")?;
        match out {
            (Ok(st), _) if st.success() => Ok(()),
            (st, err) => bail!(
                "AGENT_SANDBOX=bwrap, but bubblewrap cannot create a sandbox here ({}): {}. It needs \
                 unprivileged user namespaces (sysctl user.max_user_namespaces > 0, \
                 kernel.unprivileged_userns_clone=1 where it exists, and on Ubuntu \
                 kernel.apparmor_restrict_unprivileged_userns=0); in a container see the README \
                 (security_opt). Or set AGENT_SANDBOX=none to run agents unconfined",
                match st {
                    Ok(s) => s.to_string(),
                    Err(e) => format!("{e:#}"),
                },
                String::from_utf8_lossy(&err).trim()
            ),
        }
    }
}

impl Jail {
    /// Whether processes run in a bwrap sandbox (then nothing can outlive bwrap).
    pub fn contains(&self) -> bool {
        self.sandbox.inner.mode == SandboxMode::Bwrap
    }

    /// The command that runs `cmd` inside this jail: with `bwrap`, bwrap with `cmd`'s program,
    /// arguments and working directory, and `cmd`'s environment (set on the bwrap process, which
    /// passes it on); with `none`, `cmd` itself. `cmd` must come from
    /// `agents::process::command`, whose stdio and process-group settings the result repeats.
    pub fn wrap(&self, cmd: Command) -> Command {
        if !self.contains() {
            return cmd;
        }
        let inner = &self.sandbox.inner;
        let std = cmd.as_std();
        let mut out = Command::new(&inner.bwrap);
        out.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true)
            .current_dir("/")
            .env_clear();
        for (k, v) in std.get_envs() {
            if let Some(v) = v {
                out.env(k, v);
            }
        }
        // HOME and TMPDIR must be inside; the worker's own are not visible.
        let home_ok = std
            .get_envs()
            .any(|(k, v)| k == "HOME" && v.is_some_and(|v| Path::new(v).starts_with(&self.writable)));
        if !home_ok {
            out.env("HOME", &self.home);
        }
        out.env("TMPDIR", "/tmp").env("USER", "agent").env("LOGNAME", "agent");
        let has = |name: &str| std.get_envs().any(|(k, v)| k == name && v.is_some());
        if !has("NODE_EXTRA_CA_CERTS") && Path::new(CA_BUNDLE).is_file() {
            out.env("NODE_EXTRA_CA_CERTS", CA_BUNDLE);
        }
        let cwd = std
            .get_current_dir()
            .map(Path::to_owned)
            .unwrap_or_else(|| self.writable.clone());
        out.args(&inner.base);
        if !self.network {
            out.arg("--unshare-net");
        }
        out.arg("--bind")
            .arg(&self.writable)
            .arg(&self.writable)
            .arg("--remount-ro")
            .arg("/")
            .arg("--chdir")
            .arg(cwd)
            .arg("--")
            .arg(std.get_program())
            .args(std.get_args());
        out
    }
}

/// The flags of every sandbox, up to the attempt directory.
fn base_flags(identity: &Path, ro: &[PathBuf]) -> Vec<OsString> {
    let mut f: Vec<OsString> = [
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    let mut push = |a: &[&dyn AsRef<std::ffi::OsStr>]| f.extend(a.iter().map(|x| x.as_ref().to_owned()));
    let uid = SANDBOX_UID.to_string();
    push(&[&"--uid", &uid, &"--gid", &uid]);
    push(&[&"--ro-bind", &"/usr", &"/usr"]);
    // Merged /usr: /bin etc. are links into it; older layouts have real directories.
    for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
        match std::fs::symlink_metadata(top) {
            Ok(m) if m.file_type().is_symlink() => {
                if let Ok(target) = std::fs::read_link(top) {
                    push(&[&"--symlink", &target, &top]);
                }
            }
            Ok(m) if m.is_dir() => push(&[&"--ro-bind", &top, &top]),
            _ => {}
        }
    }
    for etc in ETC_FILES {
        push(&[&"--ro-bind-try", etc, etc]);
    }
    let passwd = identity.join("passwd");
    let group = identity.join("group");
    push(&[
        &"--ro-bind",
        &passwd,
        &"/etc/passwd",
        &"--ro-bind",
        &group,
        &"/etc/group",
    ]);
    for p in ro {
        push(&[&"--ro-bind-try", p, p]);
    }
    let tmp = TMP_BYTES.to_string();
    // /tmp before the attempt directory, which may lie under it and must not be hidden.
    push(&[
        &"--proc", &"/proc", &"--dev", &"/dev", &"--size", &tmp, &"--tmpfs", &"/tmp",
    ]);
    f
}

/// Where an agent CLI is installed, to be visible read-only: the `node_modules` directory its
/// real path lies in (an npm package and its dependencies), else the directory of its real path;
/// nothing for programs under `/usr`, which every sandbox sees.
fn install_dir(bin: &str) -> Option<PathBuf> {
    let path = find_program(bin, std::env::var_os("PATH").as_deref())?;
    let real = std::fs::canonicalize(&path).ok()?;
    if real.starts_with("/usr") {
        return None;
    }
    let dir = real
        .ancestors()
        .find(|a| a.file_name().is_some_and(|n| n == "node_modules"))
        .or_else(|| real.parent())?;
    Some(dir.to_owned())
}

/// The agent CLI to start inside a sandbox: its real path when it lies outside `/usr`, since the
/// directory a PATH lookup found it in (a `~/.local/bin` link, say) is not visible there.
pub fn agent_program(bin: &str, mode: SandboxMode) -> String {
    if mode == SandboxMode::None {
        return bin.to_owned();
    }
    find_program(bin, std::env::var_os("PATH").as_deref())
        .and_then(|p| std::fs::canonicalize(p).ok())
        .map_or_else(|| bin.to_owned(), |p| p.display().to_string())
}

/// `program` as a PATH lookup finds it (a name with a slash is taken as it is).
fn find_program(program: &str, path: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let is_exe = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| {
            use std::os::unix::fs::PermissionsExt as _;
            (m.is_file() || m.file_type().is_char_device()) && m.permissions().mode() & 0o111 != 0
        })
    };
    if program.contains('/') {
        let p = PathBuf::from(program);
        return is_exe(&p).then_some(p);
    }
    std::env::split_paths(path?)
        .map(|d| d.join(program))
        .find(|p| is_exe(p))
}

/// A spawn request for the spawner thread.
struct SpawnJob {
    cmd: Command,
    runtime: tokio::runtime::Handle,
    reply: tokio::sync::oneshot::Sender<std::io::Result<Child>>,
}

/// Spawns `cmd` from the worker's spawner thread, which lives as long as the process: bwrap's
/// `--die-with-parent` is tied to the thread that forked it (PR_SET_PDEATHSIG), so the sandbox
/// must not be forked from a thread that can exit while the attempt runs. The child is
/// registered with the caller's runtime.
pub async fn spawn(cmd: Command) -> std::io::Result<Child> {
    static SPAWNER: OnceLock<std::sync::Mutex<std::sync::mpsc::Sender<SpawnJob>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<SpawnJob>();
        let started = std::thread::Builder::new()
            .name("sandbox-spawner".into())
            .spawn(move || {
                while let Ok(mut job) = rx.recv() {
                    let _runtime = job.runtime.enter();
                    let _ = job.reply.send(job.cmd.spawn());
                }
            });
        if let Err(e) = started {
            tracing::error!(error.message = %e, "the sandbox spawner thread did not start");
        }
        std::sync::Mutex::new(tx)
    });
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job = SpawnJob {
        cmd,
        runtime: tokio::runtime::Handle::current(),
        reply,
    };
    spawner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .send(job)
        .map_err(|_| std::io::Error::other("the sandbox spawner thread is gone"))?;
    answer
        .await
        .map_err(|_| std::io::Error::other("the sandbox spawner thread dropped the request"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_are_found_on_the_path_or_by_their_path() {
        let path = std::ffi::OsString::from("/nonexistent:/usr/bin");
        assert_eq!(find_program("sh", Some(&path)), Some(PathBuf::from("/usr/bin/sh")));
        assert_eq!(find_program("no-such-program-here", Some(&path)), None);
        assert_eq!(find_program("/usr/bin/env", None), Some(PathBuf::from("/usr/bin/env")));
        assert_eq!(install_dir("/usr/bin/env"), None, "/usr is always visible");
    }

    #[test]
    fn flags_never_carry_the_environment() {
        let f = base_flags(Path::new("/id"), &[PathBuf::from("/opt/tools")]);
        assert!(!f.iter().any(|a| a == "--setenv" || a == "--clearenv"));
        for needed in [
            "--die-with-parent",
            "--new-session",
            "--disable-userns",
            "--unshare-pid",
        ] {
            assert!(f.iter().any(|a| a == needed), "{needed} missing");
        }
        let cap = f.iter().position(|a| a == "--cap-drop").map(|i| &f[i + 1]);
        assert_eq!(cap.map(|c| c.as_os_str()), Some(std::ffi::OsStr::new("ALL")));
        assert!(f.windows(3).any(|w| w[0] == "--ro-bind-try" && w[1] == "/opt/tools"));
    }
}
