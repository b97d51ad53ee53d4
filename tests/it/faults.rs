//! Failures on real processes: kill -9, SIGSTOP, cancellation, retries, timeouts, fleet limits,
//! graceful shutdown, and Redis losing its keys mid-run.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tests::{TestApp, wait_until};

const T: Duration = Duration::from_secs(30);

fn ts(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("timestamp"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

async fn lease_owner(app: &TestApp, id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT lease_owner FROM tasks WHERE id = $1::uuid AND state = 'RUNNING'")
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
        .flatten()
}

#[tokio::test]
async fn a_task_whose_worker_is_killed_completes_on_another_worker() {
    let mut app = TestApp::spawn_without_worker().await;
    let mut victim = app.spawn_worker_process(&[("WORKER_ID", "victim".into())]);
    let id = app
        .run_exec(
            &["sh", "-c", "test \"$CLAUDOMATOR_ATTEMPT\" -ge 2 || sleep 5"],
            json!({}),
        )
        .await;
    wait_until(T, "the victim to hold the lease", || async {
        (lease_owner(&app, &id).await.as_deref() == Some("victim")).then_some(())
    })
    .await;
    let pid = victim.id().expect("pid");
    kill(Pid::from_raw(pid as i32), Signal::SIGKILL).unwrap();
    let _ = victim.wait().await;
    let killed_at = Instant::now();
    let w = app.start_worker(&[("WORKER_ID", "rescuer".into())]).await;
    app.keep(w);
    let t = app.wait_state(&id, "COMPLETED", T).await;
    // Lease TTL 3 s + reclaim interval 0.3 s, with slack for a loaded machine.
    assert!(
        killed_at.elapsed() < Duration::from_secs(8),
        "took {:?}",
        killed_at.elapsed()
    );
    assert_eq!(t["attempt"], 2);
    let ex = app.executions(&id).await;
    assert_eq!(ex[0]["outcome"], "lease_expired");
    assert_eq!(ex[0]["worker_id"], "victim");
    assert_eq!(ex[1]["outcome"], "succeeded");
    assert_eq!(ex[1]["worker_id"], "rescuer");
}

#[tokio::test]
async fn a_frozen_worker_cannot_overwrite_the_attempt_that_replaced_it() {
    let mut app = TestApp::spawn_without_worker().await;
    let log = std::env::temp_dir().join(format!("cm-frozen-{}.log", uuid::Uuid::new_v4()));
    let mut frozen = {
        let mut env = app.env(&[("WORKER_ID", "frozen".into()), ("RUST_LOG", "info".into())]);
        env.insert("PATH".into(), std::env::var("PATH").unwrap_or_default());
        tokio::process::Command::new(tests::worker_binary())
            .env_clear()
            .envs(env)
            .stderr(std::fs::File::create(&log).unwrap())
            .kill_on_drop(true)
            .spawn()
            .unwrap()
    };
    // Attempt 1 sleeps 1 s (while its worker is frozen, the sleep finishes); later attempts are instant.
    let id = app
        .run_exec(
            &[
                "sh",
                "-c",
                "test \"$CLAUDOMATOR_ATTEMPT\" -ge 2 || sleep 1; echo attempt $CLAUDOMATOR_ATTEMPT",
            ],
            json!({}),
        )
        .await;
    wait_until(T, "the frozen worker to hold the lease", || async {
        (lease_owner(&app, &id).await.as_deref() == Some("frozen")).then_some(())
    })
    .await;
    let pid = Pid::from_raw(frozen.id().unwrap() as i32);
    kill(pid, Signal::SIGSTOP).unwrap();
    let w = app.start_worker(&[("WORKER_ID", "healthy".into())]).await;
    app.keep(w);
    let t = app.wait_state(&id, "COMPLETED", T).await;
    assert_eq!(t["attempt"], 2);
    let before: Vec<Value> = app.events(&id).await;
    kill(pid, Signal::SIGCONT).unwrap();
    // Wait until the thawed worker has noticed and given up on its attempt.
    wait_until(T, "the thawed worker to drop its stale attempt", || async {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        (text.contains("nothing recorded") || text.contains("result refused")).then_some(())
    })
    .await;
    let after = app.events(&id).await;
    assert_eq!(before, after, "the stale worker wrote an event");
    let ex = app.executions(&id).await;
    assert_eq!(ex.len(), 2);
    assert_eq!(ex[0]["outcome"], "lease_expired");
    assert!(
        ex[0]["output"].is_null(),
        "the stale attempt's output leaked: {}",
        ex[0]
    );
    assert_eq!(ex[1]["outcome"], "succeeded");
    assert_eq!(ex[1]["output"], "attempt 2\n");
    assert_eq!(app.task(&id).await["state"], "COMPLETED");
    let _ = frozen.kill().await;
    let _ = std::fs::remove_file(&log);
}

// Several threads: the API node, the worker and the test share this runtime, and a 2 s bound
// must not measure how long one of them waited behind the others on a loaded machine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_running_task_kills_its_process_group_within_two_seconds() {
    let app = TestApp::spawn().await;
    let id = app.run_exec(&["sh", "-c", "sleep 60 & wait"], json!({})).await;
    // The task's processes, found on the host by the task id every one of them carries.
    wait_until(T, "the sleeping grandchild to start", || async {
        tests::processes_with_env("CLAUDOMATOR_TASK_ID", &id)
            .iter()
            .any(|p| std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "sleep"))
            .then_some(())
    })
    .await;
    app.wait_state(&id, "RUNNING", T).await;
    let asked = Instant::now();
    let r = app.post(&format!("/api/tasks/{id}/cancel"), &json!({})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "CANCELLED");
    // Within 2 s of the cancel request, not of when its answer came back.
    let left = Duration::from_secs(2).saturating_sub(asked.elapsed());
    wait_until(left, "the sleeping grandchild to be killed", || async {
        tests::processes_with_env("CLAUDOMATOR_TASK_ID", &id)
            .is_empty()
            .then_some(())
    })
    .await;
    let ex = app.executions(&id).await;
    assert_eq!(ex[0]["outcome"], "cancelled");
}

#[tokio::test]
async fn transient_failures_retry_and_permanent_ones_fail_at_once() {
    let app = TestApp::spawn().await;
    let flaky = app
        .run_exec(
            &["sh", "-c", "test \"$CLAUDOMATOR_ATTEMPT\" -ge 3 || exit 75"],
            json!({"max_attempts": 3}),
        )
        .await;
    let hopeless = app.run_exec(&["sh", "-c", "exit 75"], json!({"max_attempts": 2})).await;
    let broken = app.run_exec(&["sh", "-c", "exit 3"], json!({})).await;
    let t = app.wait_state(&flaky, "COMPLETED", T).await;
    assert_eq!(t["attempt"], 3);
    let outcomes: Vec<Value> = app
        .executions(&flaky)
        .await
        .iter()
        .map(|e| e["outcome"].clone())
        .collect();
    assert_eq!(outcomes, [json!("failed"), json!("failed"), json!("succeeded")]);
    let t = app.wait_state(&hopeless, "FAILED", T).await;
    assert!(
        t["last_error"]
            .as_str()
            .unwrap()
            .contains("gave up after 2 of 2 attempts"),
        "{t}"
    );
    let t = app.wait_state(&broken, "FAILED", T).await;
    assert_eq!(t["attempt"], 1);
    assert_eq!(app.executions(&broken).await[0]["exit_code"], 3);
    // A failed task can be re-run with a fresh attempt budget.
    let t: Value = app
        .post(&format!("/api/tasks/{hopeless}/run"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["state"], "QUEUED");
    assert_eq!(t["attempts_used"], 0);
}

#[tokio::test]
async fn a_task_past_its_timeout_is_killed_and_can_be_resumed() {
    let app = TestApp::spawn().await;
    let id = app.run_exec(&["sleep", "30"], json!({"timeout_secs": 1})).await;
    let t = app.wait_state(&id, "TIMED_OUT", T).await;
    assert_eq!(t["last_error"], "timed out");
    let ex = app.executions(&id).await;
    assert_eq!(ex[0]["outcome"], "timed_out");
    let took = ts(&ex[0]["finished_at"]) - ts(&ex[0]["started_at"]);
    assert!(took < chrono::TimeDelta::seconds(5), "{took}");
    let t: Value = app
        .post(&format!("/api/tasks/{id}/resume"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["state"], "QUEUED");
}

#[tokio::test]
async fn a_fleet_wide_limit_holds_across_workers() {
    let mut app = TestApp::spawn_without_worker().await;
    let r = app
        .http
        .patch(format!("{}/api/agents/exec", app.api.url))
        .header("authorization", app.bearer())
        .json(&json!({"concurrency_limit": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for i in 0..3 {
        let w = app.start_worker(&[("WORKER_ID", format!("w{i}"))]).await;
        app.keep(w);
    }
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(app.run_exec(&["sleep", "0.4"], json!({})).await);
    }
    let mut spans = Vec::new();
    for id in &ids {
        app.wait_state(id, "COMPLETED", T).await;
        let ex = &app.executions(id).await[0];
        spans.push((ts(&ex["started_at"]), ts(&ex["finished_at"])));
    }
    let mut points: Vec<(DateTime<Utc>, i32)> = spans.iter().flat_map(|(s, e)| [(*s, 1), (*e, -1)]).collect();
    points.sort_by_key(|p| (p.0, p.1));
    let (mut now, mut max) = (0, 0);
    for (_, d) in points {
        now += d;
        max = max.max(now);
    }
    assert_eq!(max, 2, "never more than 2 at once, and the limit was used");
}

#[tokio::test]
async fn a_worker_shutting_down_hands_running_tasks_back_at_once() {
    let mut app = TestApp::spawn_without_worker().await;
    let leaving = app
        .start_worker(&[("WORKER_ID", "leaving".into()), ("SHUTDOWN_GRACE_MS", "300".into())])
        .await;
    let id = app
        .run_exec(
            &["sh", "-c", "test \"$CLAUDOMATOR_ATTEMPT\" -ge 2 || sleep 30"],
            json!({"max_attempts": 1}),
        )
        .await;
    wait_until(T, "the leaving worker to hold the lease", || async {
        (lease_owner(&app, &id).await.as_deref() == Some("leaving")).then_some(())
    })
    .await;
    let stay = app.start_worker(&[("WORKER_ID", "staying".into())]).await;
    app.keep(stay);
    let asked = Instant::now();
    leaving.shutdown().await;
    let t = app.wait_state(&id, "COMPLETED", T).await;
    // Well under the 3 s lease TTL: handed back, not reaped.
    assert!(asked.elapsed() < Duration::from_secs(3), "took {:?}", asked.elapsed());
    assert_eq!(
        t["attempts_used"], 1,
        "the handed-back attempt was refunded (max_attempts is 1)"
    );
    let ex = app.executions(&id).await;
    assert_eq!(ex[0]["outcome"], "handed_back");
    assert_eq!(ex[1]["worker_id"], "staying");
}

#[tokio::test]
async fn losing_redis_keys_mid_run_neither_loses_nor_doubles_any_task() {
    let mut app = TestApp::spawn_without_worker().await;
    for i in 0..2 {
        let w = app
            .start_worker(&[("WORKER_ID", format!("w{i}")), ("WORKER_CONCURRENCY", "16".into())])
            .await;
        app.keep(w);
    }
    let tasks: Vec<Value> = (0..300)
        .map(|i| json!({"title": format!("f{i}"), "agent": "exec", "exec": {"argv": ["true"]}}))
        .collect();
    let r = app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks })).await;
    let ids: Vec<String> = r.json::<Value>().await.unwrap()["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    app.wait_completed(30, T).await;
    app.redis.flush().await;
    app.wait_completed(300, Duration::from_secs(60)).await;
    let rows: Vec<(uuid::Uuid, i64, i64)> = sqlx::query_as(
        "SELECT t.id, count(*) FILTER (WHERE e.outcome = 'succeeded'), count(*) FROM tasks t JOIN executions e ON e.task_id = t.id GROUP BY t.id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), ids.len());
    for (id, ok, _) in &rows {
        assert_eq!(*ok, 1, "task {id} succeeded {ok} times");
    }
    let overlapping: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM executions a JOIN executions b ON a.task_id = b.task_id AND a.attempt < b.attempt \
         WHERE b.started_at < coalesce(a.finished_at, 'infinity')",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        overlapping, 0,
        "an attempt started while an earlier one of the same task still ran"
    );
}

#[tokio::test]
async fn a_task_whose_attempts_all_die_with_their_workers_is_dead_lettered_and_can_be_rerun() {
    let mut app = TestApp::spawn_without_worker().await;
    let mut victim = app.spawn_worker_process(&[("WORKER_ID", "doomed".into())]);
    let id = app.run_exec(&["sleep", "5"], json!({"max_attempts": 1})).await;
    wait_until(T, "the doomed worker to hold the lease", || async {
        (lease_owner(&app, &id).await.as_deref() == Some("doomed")).then_some(())
    })
    .await;
    kill(Pid::from_raw(victim.id().expect("pid") as i32), Signal::SIGKILL).unwrap();
    let _ = victim.wait().await;
    let w = app.start_worker(&[]).await;
    app.keep(w);
    let t = app.wait_state(&id, "FAILED", T).await;
    assert!(
        t["last_error"]
            .as_str()
            .unwrap()
            .starts_with("dead letter: lease of attempt 1 expired"),
        "{t}"
    );
    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    assert_eq!(agents.iter().find(|a| a["agent"] == "exec").unwrap()["dead"], 1);
    // Re-running a dead letter gives it a fresh attempt budget; it then succeeds.
    let t: Value = app
        .post(&format!("/api/tasks/{id}/run"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["state"], "QUEUED");
    assert_eq!(t["attempts_used"], 0);
    let done = app.wait_state(&id, "COMPLETED", T).await;
    assert_eq!(done["attempt"], 2);
    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    assert_eq!(agents.iter().find(|a| a["agent"] == "exec").unwrap()["dead"], 0);
}
