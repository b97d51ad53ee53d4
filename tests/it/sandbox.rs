//! Containment of agent processes (bubblewrap, `AGENT_SANDBOX=bwrap`, the default): what a task
//! can see and write, and that nothing of an attempt outlives it — not after `kill -9` of its
//! worker, not after a cancel, not a `setsid` child without the marker variable.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tests::{TestApp, processes_with_env, wait_until};

const T: Duration = Duration::from_secs(30);

/// Looks around from inside: every environment in `/proc`, the pids there, writes outside the
/// attempt directory, the listing of WORKSPACE_ROOT, and its own identity.
fn probe_script(host_home: &str, root: &str) -> String {
    format!(
        r#"
for f in /proc/[0-9]*/environ; do tr '\0' '\n' < "$f"; done 2>/dev/null | grep -E '^(DATABASE_URL|REDIS_URL)=' | sed 's/^/LEAK /'
echo "PIDS $(ls /proc | grep -E '^[0-9]+$' | tr '\n' ' ')"
echo x > /etc/cm-probe 2>/dev/null && echo WROTE_ETC
echo x > /cm-probe 2>/dev/null && echo WROTE_ROOT
echo x > {host_home}/cm-sandbox-probe 2>/dev/null && echo WROTE_HOME
echo x > /usr/cm-probe 2>/dev/null && echo WROTE_USR
echo "ROOT $(ls -a {root} | grep -v '^\.' | tr '\n' ' ')"
echo "UID $(id -u)"
grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status | tr -s '\t' ' '
echo "HOST $(hostname)"
unshare -U true 2>/dev/null && echo NESTED_USERNS
exit 0
"#
    )
}

async fn run_probe(app: &TestApp, script: &str) -> String {
    let id = app.run_exec(&["sh", "-c", script], json!({})).await;
    app.wait_state(&id, "COMPLETED", T).await;
    app.executions(&id).await[0]["output"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn an_exec_task_sees_only_its_own_processes_and_directory() {
    let mut app = TestApp::spawn_without_worker().await;
    // A real worker process, so its environment holds DATABASE_URL and REDIS_URL.
    let mut worker = app.spawn_worker_process(&[("WORKER_ID", "contained".into())]);
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    // Another task's directory, which must stay invisible.
    let root = app.workspace_root();
    std::fs::create_dir_all(root.join("someone-else/work")).unwrap();
    let root = std::fs::canonicalize(root).unwrap();
    let out = run_probe(&app, &probe_script(&home, &root.display().to_string())).await;
    assert!(
        !std::path::Path::new(&home).join("cm-sandbox-probe").exists(),
        "the task wrote into the worker's HOME"
    );
    assert!(!out.contains("LEAK"), "secrets visible: {out}");
    let pids: Vec<u32> = out
        .lines()
        .find_map(|l| l.strip_prefix("PIDS "))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    assert!(!pids.is_empty() && pids.iter().all(|p| *p < 50), "{out}");
    let worker_pid = worker.id().unwrap();
    assert!(!pids.contains(&worker_pid) || worker_pid < 50, "{out}");
    for wrote in ["WROTE_ETC", "WROTE_ROOT", "WROTE_HOME", "WROTE_USR", "NESTED_USERNS"] {
        assert!(!out.contains(wrote), "{wrote}: {out}");
    }
    let listed = out.lines().find_map(|l| l.strip_prefix("ROOT ")).unwrap_or_default();
    let listed: Vec<&str> = listed.split_whitespace().collect();
    assert_eq!(listed.len(), 1, "only its own task directory: {out}");
    assert!(!listed.contains(&"someone-else"), "{out}");
    assert!(out.contains("UID 1000"), "{out}");
    assert!(out.contains("CapEff: 0000000000000000"), "{out}");
    assert!(out.contains("CapBnd: 0000000000000000"), "{out}");
    assert!(out.contains("NoNewPrivs: 1"), "{out}");
    assert!(out.contains("HOST sandbox"), "{out}");
    let _ = worker.kill().await;
    // The same probe without a sandbox finds the worker's secrets: the checks above can fail.
    let mut open = app.spawn_worker_process(&[("WORKER_ID", "open".into()), ("AGENT_SANDBOX", "none".into())]);
    let leak = r#"for f in /proc/[0-9]*/environ; do tr '\0' '\n' < "$f"; done 2>/dev/null | grep -E '^DATABASE_URL=' | sed 's/^/LEAK /'; exit 0"#;
    let out = run_probe(&app, leak).await;
    assert!(out.contains("LEAK DATABASE_URL="), "{out}");
    let _ = open.kill().await;
    app.stop_workers().await;
}

/// A loopback stand-in the attempts of a task report to: `(attempt, when)` per request.
async fn tick_server() -> (
    u16,
    Arc<Mutex<Vec<(u32, Instant)>>>,
    tokio_util::sync::CancellationToken,
) {
    let ticks: Arc<Mutex<Vec<(u32, Instant)>>> = Arc::default();
    let t = ticks.clone();
    let app = poem::endpoint::make_sync(move |req: poem::Request| {
        let attempt = req.uri().path().trim_start_matches("/tick/").parse().unwrap_or(0);
        t.lock().unwrap().push((attempt, Instant::now()));
        "ok"
    });
    let (port, stop) = tests::loopback::serve(app, "tick server").await;
    (port, ticks, stop)
}

/// Attempt 1 leaves a `setsid` sleeper without the marker variable and a child that reports
/// every 50 ms; later attempts report a few times and succeed.
fn escaping_script(port: u16) -> String {
    format!(
        r#"
tick() {{ curl -s -o /dev/null "http://127.0.0.1:{port}/tick/$CLAUDOMATOR_ATTEMPT"; }}
if [ "$CLAUDOMATOR_ATTEMPT" -ge 2 ]; then
  for i in 1 2 3 4 5; do tick; sleep 0.05; done
  exit 0
fi
unset CLAUDOMATOR_PROCESS_MARK
setsid sleep 300 < /dev/null > /dev/null 2>&1 &
setsid sh -c 'while :; do curl -s -o /dev/null "http://127.0.0.1:{port}/tick/1"; sleep 0.05; done' < /dev/null > /dev/null 2>&1 &
while :; do tick; sleep 0.05; done
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_of_an_attempt_survives_kill_9_of_its_worker_and_the_retry_never_overlaps() {
    let mut app = TestApp::spawn_without_worker().await;
    let (port, ticks, _stop) = tick_server().await;
    let mut victim = app.spawn_worker_process(&[("WORKER_ID", "victim".into())]);
    let id = app.run_exec(&["sh", "-c", &escaping_script(port)], json!({})).await;
    wait_until(T, "attempt 1 to report", || async {
        (ticks.lock().unwrap().iter().filter(|(a, _)| *a == 1).count() >= 3).then_some(())
    })
    .await;
    assert!(!processes_with_env("CLAUDOMATOR_TASK_ID", &id).is_empty());
    kill(Pid::from_raw(victim.id().expect("pid") as i32), Signal::SIGKILL).unwrap();
    let _ = victim.wait().await;
    let killed = Instant::now();
    wait_until(
        Duration::from_secs(1),
        "every process of attempt 1 to be gone",
        || async { processes_with_env("CLAUDOMATOR_TASK_ID", &id).is_empty().then_some(()) },
    )
    .await;
    let w = app.start_worker(&[("WORKER_ID", "rescuer".into())]).await;
    app.keep(w);
    let t = app.wait_state(&id, "COMPLETED", T).await;
    assert_eq!(t["attempt"], 2);
    let ticks = ticks.lock().unwrap().clone();
    let last_first = ticks.iter().filter(|(a, _)| *a == 1).map(|(_, t)| *t).max().unwrap();
    let first_second = ticks.iter().filter(|(a, _)| *a == 2).map(|(_, t)| *t).min().unwrap();
    assert!(
        last_first < first_second,
        "attempt 1 still reported after attempt 2 started"
    );
    // A request already on its way when the worker died may land just after; none later.
    assert!(
        last_first < killed + Duration::from_millis(200),
        "attempt 1 reported {:?} after the kill",
        last_first - killed
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_while_the_owner_is_dead_leaves_nothing_running() {
    let mut app = TestApp::spawn_without_worker().await;
    let (port, ticks, _stop) = tick_server().await;
    let mut victim = app.spawn_worker_process(&[("WORKER_ID", "victim".into())]);
    let id = app.run_exec(&["sh", "-c", &escaping_script(port)], json!({})).await;
    wait_until(T, "attempt 1 to report", || async {
        ticks.lock().unwrap().iter().any(|(a, _)| *a == 1).then_some(())
    })
    .await;
    kill(Pid::from_raw(victim.id().expect("pid") as i32), Signal::SIGKILL).unwrap();
    let _ = victim.wait().await;
    let r = app.post(&format!("/api/tasks/{id}/cancel"), &json!({})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "CANCELLED");
    let cancelled = Instant::now();
    wait_until(
        Duration::from_secs(1),
        "every process of the task to be gone",
        || async { processes_with_env("CLAUDOMATOR_TASK_ID", &id).is_empty().then_some(()) },
    )
    .await;
    // A live worker reaps the expired lease; the cancelled task must not run again.
    let w = app.start_worker(&[("WORKER_ID", "survivor".into())]).await;
    app.keep(w);
    let other = app.run_exec(&["true"], json!({})).await;
    app.wait_state(&other, "COMPLETED", T).await;
    wait_until(T, "the dead attempt's execution to be closed", || async {
        let ex = app.executions(&id).await;
        (!ex.is_empty() && ex.iter().all(|e| !e["finished_at"].is_null())).then_some(ex)
    })
    .await;
    let t = app.task(&id).await;
    assert_eq!(t["state"], "CANCELLED");
    assert_eq!(t["attempt"], 1);
    assert_eq!(app.executions(&id).await.len(), 1);
    let ticks = ticks.lock().unwrap().clone();
    assert!(ticks.iter().all(|(a, _)| *a == 1), "a second attempt ran");
    assert!(
        ticks.iter().all(|(_, t)| *t < cancelled + Duration::from_millis(200)),
        "the task reported after it was cancelled"
    );
    assert!(processes_with_env("CLAUDOMATOR_TASK_ID", &id).is_empty());
}

#[tokio::test]
async fn git_config_and_hooks_an_agent_plants_never_run_in_the_workers_git() {
    let app = TestApp::spawn().await;
    let repo = crate::claude::origin(&app);
    let project = crate::claude::project(&app, &repo).await;
    let marker = app.workspace_root().with_extension("marker");
    let _ = std::fs::remove_file(&marker);
    let m = marker.display();
    // Every way the work tree's git could make the worker's git run a program, each writing the
    // marker (a host path the sandboxed task itself cannot reach).
    let script = format!(
        r#"set -e
for h in pre-commit prepare-commit-msg commit-msg post-commit pre-push post-rewrite reference-transaction; do
  printf '#!/bin/sh\necho %s >> {m}\n' "$h" > .git/hooks/$h; chmod +x .git/hooks/$h
done
git config core.fsmonitor "echo fsmonitor >> {m}; false"
git config filter.evil.clean "sh -c 'echo filter >> {m}; cat'"
git config diff.evil.textconv "sh -c 'echo textconv >> {m}; cat'"
git config core.sshCommand "sh -c 'echo ssh >> {m}'"
git config url."ext::sh -c 'echo ext >> {m}' ".insteadOf "{repo}"
echo '* filter=evil diff=evil' > .gitattributes
echo planted > planted.txt
"#,
        repo = repo.display(),
    );
    let id = app
        .run_exec(&["sh", "-c", &script], json!({"project_id": project}))
        .await;
    let t = wait_until(T, "the task to end", || async {
        let t = app.task(&id).await;
        ["COMPLETED", "FAILED"]
            .contains(&t["state"].as_str().unwrap_or_default())
            .then_some(t)
    })
    .await;
    let ex = app.executions(&id).await;
    assert_eq!(t["state"], "COMPLETED", "{t} {ex:?}");
    let changes = &ex[0]["changes"];
    assert_eq!(changes["pushed"], true, "{t} {}", ex[0]);
    let branch = changes["branch"].as_str().unwrap();
    assert_eq!(
        crate::claude::git(&repo, &["show", &format!("{branch}:planted.txt")]),
        "planted"
    );
    assert!(
        !marker.exists(),
        "the worker's git ran what the agent planted: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
}

#[tokio::test]
async fn a_question_file_that_is_a_link_or_a_fifo_fails_the_attempt_without_hanging() {
    let app = TestApp::spawn().await;
    let cases = [
        ("to /dev/zero", r#"ln -s /dev/zero "$CLAUDOMATOR_QUESTION_FILE""#),
        (
            "to /proc/self/environ",
            r#"ln -s /proc/self/environ "$CLAUDOMATOR_QUESTION_FILE""#,
        ),
        (
            "to a FIFO",
            r#"d=$(dirname "$CLAUDOMATOR_QUESTION_FILE"); mkfifo "$d/pipe"; ln -s pipe "$CLAUDOMATOR_QUESTION_FILE""#,
        ),
        ("a FIFO itself", r#"mkfifo "$CLAUDOMATOR_QUESTION_FILE""#),
        (
            "a link to a summary",
            r#"ln -s /etc/hostname "$CLAUDOMATOR_SUMMARY_FILE""#,
        ),
    ];
    let mut ids = Vec::new();
    for (what, script) in cases {
        ids.push((
            what,
            app.run_exec(&["sh", "-c", script], json!({"max_attempts": 1})).await,
        ));
    }
    for (what, id) in ids {
        let t = app.wait_state(&id, "FAILED", T).await;
        let error = t["last_error"].as_str().unwrap_or_default();
        assert!(error.contains("is unreadable"), "{what}: {t}");
        let ex = app.executions(&id).await;
        assert_eq!(ex.len(), 1, "{what}: a refused file is a permanent failure");
        assert!(t.get("question").is_none_or(Value::is_null), "{what}: {t}");
    }
}
