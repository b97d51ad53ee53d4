//! The worker registry and what it is for: `GET /api/workers` lists a worker within a heartbeat
//! of its start and drops it within a lease TTL of a `kill -9` (at once on a clean shutdown);
//! `GET /api/agents` counts live workers and free capacity; classification picks only agent
//! types a live worker serves; a task no live worker can run is created with a warning.

use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tests::{TestApp, wait_until};

/// Lease TTL of the test timings (`fast_timings`).
const LEASE_TTL: Duration = Duration::from_millis(3000);

async fn workers(app: &TestApp) -> Vec<Value> {
    let r = app.get("/api/workers").await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("workers json")
}

async fn listed(app: &TestApp, id: &str) -> Option<Value> {
    workers(app).await.into_iter().find(|w| w["id"] == id)
}

async fn agent(app: &TestApp, name: &str) -> Value {
    let all: Vec<Value> = app.get("/api/agents").await.json().await.expect("agents json");
    all.into_iter().find(|a| a["agent"] == name).expect("agent listed")
}

#[tokio::test]
async fn a_worker_is_listed_while_it_heartbeats_and_dropped_within_a_lease_ttl_of_kill_9() {
    let app = TestApp::spawn_without_worker().await;
    assert!(workers(&app).await.is_empty());
    assert_eq!(agent(&app, "exec").await["live_workers"], 0);

    let mut child = app.spawn_worker_process(&[
        ("WORKER_ID", "registry-victim".into()),
        ("WORKER_AGENTS", "exec".into()),
        ("WORKER_CONCURRENCY", "3".into()),
        ("AGENT_SANDBOX", "bwrap".into()),
    ]);
    // Startup (connecting, consumer groups) plus one heartbeat, on a loaded machine.
    let w = wait_until(Duration::from_secs(20), "the worker to register", || listed(&app, "registry-victim")).await;
    assert_eq!(w["agents"], json!(["exec"]));
    assert_eq!(w["concurrency"], 3);
    assert_eq!(w["running"], 0);
    assert_eq!(w["sandbox"], "bwrap");
    assert_eq!(w["version"], env!("CARGO_PKG_VERSION"));
    assert!(!w["host"].as_str().unwrap_or_default().is_empty());
    // It keeps heartbeating: last_seen moves on.
    let first_seen = w["last_seen_at"].as_str().expect("last_seen_at").to_owned();
    wait_until(Duration::from_secs(5), "a later heartbeat", || async {
        listed(&app, "registry-victim")
            .await
            .filter(|w| w["last_seen_at"].as_str() > Some(first_seen.as_str()))
    })
    .await;
    let exec = agent(&app, "exec").await;
    assert_eq!((&exec["live_workers"], &exec["free_capacity"]), (&json!(1), &json!(3)));
    assert_eq!(agent(&app, "claude").await["live_workers"], 0);

    // A running attempt shows as used capacity.
    let id = app.run_exec(&["sleep", "8"], json!({})).await;
    app.wait_state(&id, "RUNNING", Duration::from_secs(15)).await;
    wait_until(Duration::from_secs(5), "the running attempt to be reported", || async {
        let exec = agent(&app, "exec").await;
        (exec["free_capacity"] == 2).then_some(())
    })
    .await;
    assert_eq!(listed(&app, "registry-victim").await.expect("listed")["running"], 1);

    let pid = child.id().expect("pid");
    kill(Pid::from_raw(pid as i32), Signal::SIGKILL).expect("kill -9");
    let killed_at = Instant::now();
    let _ = child.wait().await;
    wait_until(LEASE_TTL + Duration::from_secs(3), "the dead worker to drop out", || async {
        listed(&app, "registry-victim").await.is_none().then_some(())
    })
    .await;
    assert!(
        killed_at.elapsed() <= LEASE_TTL + Duration::from_secs(3),
        "dropped {:?} after the kill",
        killed_at.elapsed()
    );
    let exec = agent(&app, "exec").await;
    assert_eq!((&exec["live_workers"], &exec["free_capacity"]), (&json!(0), &json!(0)));
    app.store
        .prune_workers()
        .await
        .expect("pruning keeps rows of workers dead for less than a day");
}

#[tokio::test]
async fn a_worker_that_stops_cleanly_leaves_the_list_at_once() {
    let app = TestApp::spawn_without_worker().await;
    let w = app.start_worker(&[("WORKER_AGENTS", "noop".into())]).await;
    let id = w.id.clone();
    wait_until(Duration::from_secs(10), "the worker to register", || listed(&app, &id)).await;
    w.shutdown().await;
    assert!(listed(&app, &id).await.is_none(), "still listed after a clean shutdown");
}

#[tokio::test]
async fn unserved_agent_types_warn_and_classification_picks_a_served_one() {
    let app = TestApp::spawn_without_worker().await;

    // No worker at all: created anyway, with a warning, on create, get and list.
    let r = app
        .post("/api/tasks?run=true", &json!({"title": "t", "agent": "exec", "exec": {"argv": ["true"]}}))
        .await;
    assert_eq!(r.status(), 201);
    let t: Value = r.json().await.expect("json");
    assert_eq!(t["state"], "QUEUED");
    let w = t["warnings"].as_array().expect("warnings");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].as_str().is_some_and(|s| s.contains("no live worker serves agent type `exec`")), "{w:?}");
    let id = t["id"].as_str().expect("id");
    assert_eq!(app.task(id).await["warnings"], t["warnings"]);
    let page: Value = app.get("/api/tasks").await.json().await.expect("json");
    assert_eq!(page["items"][0]["warnings"], t["warnings"]);
    // Classification falls back to the rule over all candidates and says why.
    let auto = app.post("/api/tasks", &json!({"title": "fix readme typo", "instructions": "Fix a typo."})).await;
    let auto: Value = auto.json().await.expect("json");
    assert_eq!(auto["agent"], "claude");
    assert_eq!(auto["warnings"].as_array().map(Vec::len), Some(1));
    let reason = app.events(auto["id"].as_str().expect("id")).await[0]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(reason.contains("no live worker serves any candidate (claude, gemini)"), "{reason}");

    // A worker serving gemini: classification picks it although claude has fewer active tasks
    // tied alphabetically first; PENDING tasks, so nothing is claimed.
    let worker = app.start_worker(&[("WORKER_AGENTS", "gemini,noop".into())]).await;
    let wid = worker.id.clone();
    wait_until(Duration::from_secs(10), "the worker to register", || listed(&app, &wid)).await;
    let r = app.post("/api/tasks", &json!({"title": "fix readme typo", "instructions": "Fix a typo."})).await;
    assert_eq!(r.status(), 201);
    let g: Value = r.json().await.expect("json");
    assert_eq!(g["agent"], "gemini");
    assert_eq!(g["state"], "PENDING");
    assert_eq!(g["warnings"], json!([]));
    let reason = app.events(g["id"].as_str().expect("id")).await[0]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(reason.starts_with("agent gemini:") && !reason.contains("no live worker"), "{reason}");
    // The earlier claude task still warns; running it warns too; the exec task still warns.
    let aid = auto["id"].as_str().expect("id");
    assert_eq!(app.task(aid).await["warnings"].as_array().map(Vec::len), Some(1));
    let run: Value = app.post(&format!("/api/tasks/{aid}/run"), &json!({})).await.json().await.expect("json");
    assert_eq!(run["state"], "QUEUED");
    assert!(run["warnings"][0].as_str().is_some_and(|s| s.contains("`claude`")), "{run}");
    // A batch names each unserved agent type once.
    let r = app
        .post(
            "/api/tasks/batch",
            &json!({"tasks": [
                {"title": "a", "agent": "claude", "instructions": "x"},
                {"title": "b", "agent": "claude", "instructions": "y"},
                {"title": "c", "agent": "noop"},
            ]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.expect("json");
    let bw = b["warnings"].as_array().expect("warnings");
    assert_eq!(bw.len(), 1, "{bw:?}");
    assert!(bw[0].as_str().is_some_and(|s| s.contains("`claude`")));

    // Once the worker is gone, its agent type warns again (an API node may reuse a "served"
    // answer for a second).
    worker.shutdown().await;
    let gid = g["id"].as_str().expect("id");
    wait_until(Duration::from_secs(5), "the gemini task to warn", || async {
        app.task(gid).await["warnings"][0]
            .as_str()
            .is_some_and(|s| s.contains("`gemini`"))
            .then_some(())
    })
    .await;
}
