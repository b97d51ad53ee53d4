//! Dispatch survives crashes and Redis failures: the outbox and the reconciler.

use std::time::Duration;

use serde_json::{Value, json};
use shared::domain::{TaskDraft, TaskId, TaskSpec};
use shared::store::tasks::{Initial, NewTask};
use tests::proxy::Proxy;
use tests::{TestApp, wait_until};

const T: Duration = Duration::from_secs(30);

fn noop_spec(title: &str) -> TaskSpec {
    let d = TaskDraft {
        title: Some(title.into()),
        agent: Some("noop".into()),
        ..TaskDraft::default()
    };
    TaskSpec::parse(d, chrono::Utc::now()).unwrap()
}

#[tokio::test]
async fn a_task_committed_but_never_handed_to_redis_is_dispatched_by_the_reconciler() {
    // The API "crashes" right after its commit: the row is QUEUED, nothing is in Redis.
    let mut app = TestApp::spawn_without_worker().await;
    let new = NewTask {
        id: TaskId::new(),
        spec: noop_spec("orphan"),
        idempotency: None,
        creation_reason: None,
        dispatch_generation: None,
    };
    let inserted = app.store.insert_tasks(&[new], Initial::Run, "test").await.unwrap();
    let id = inserted[0].id.to_string();
    let generation: Option<String> = sqlx::query_scalar("SELECT dispatched_gen FROM tasks WHERE id = $1::uuid")
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(generation.is_none());
    assert_eq!(
        app.queue.stream_lengths(shared::domain::AgentKind::Noop).await.unwrap(),
        [0, 0, 0]
    );
    let w = app.start_worker(&[]).await;
    app.keep(w);
    app.wait_state(&id, "COMPLETED", T).await;
}

#[tokio::test]
async fn a_task_created_while_redis_is_unreachable_runs_once_the_reconciler_sees_it() {
    let mut app = TestApp::spawn_without_worker().await;
    if app.on_cluster() {
        // The proxy forwards to one server; on a cluster this fault is covered by the reconciler
        // test above (a committed task that never reached Redis).
        return;
    }
    let redis_addr = tests::redis::redis_url()
        .trim_start_matches("redis://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let proxy = Proxy::start(redis_addr).await;
    let node = app.start_api(Some(&proxy.redis_url())).await;
    // One task while Redis answers: the node learns the generation and records it with later
    // inserts, so the failed hand-over below must clear that record.
    let r = app
        .http
        .post(format!("{}/api/tasks?run=true", node.url))
        .header("authorization", app.bearer())
        .json(&json!({"title": "warm-up", "agent": "noop"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    proxy.cut();
    let r = app
        .http
        .post(format!("{}/api/tasks?run=true", node.url))
        .header("authorization", app.bearer())
        .json(&json!({"title": "while redis is down", "agent": "exec", "exec": {"argv": ["true"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        201,
        "the task is durable in Postgres even though dispatch failed"
    );
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(app.task(&id).await["state"], "QUEUED");
    assert_eq!(
        dispatched_gen(&app, &id).await,
        None,
        "a failed hand-over leaves no dispatch record"
    );
    let w = app.start_worker(&[]).await;
    app.keep(w);
    app.wait_state(&id, "COMPLETED", T).await;
    assert_eq!(app.executions(&id).await.len(), 1);
    node.stop().await;
}

async fn create_noop(app: &TestApp, title: &str) -> String {
    let r = app
        .post("/api/tasks?run=true", &json!({"title": title, "agent": "noop"}))
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn dispatched_gen(app: &TestApp, id: &str) -> Option<String> {
    sqlx::query_scalar("SELECT dispatched_gen FROM tasks WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_created_task_records_its_dispatch_with_the_insert_once_the_generation_is_known() {
    let app = TestApp::spawn_without_worker().await;
    let first = create_noop(&app, "first").await;
    let generation: String = redis::cmd("GET")
        .arg(app.queue.keys().agent(shared::domain::AgentKind::Noop).generation())
        .query_async(&mut app.redis_conn().await)
        .await
        .unwrap();
    assert_eq!(dispatched_gen(&app, &first).await.as_deref(), Some(generation.as_str()));
    // The second insert carries the generation itself: its row has had no other write since.
    let second = create_noop(&app, "second").await;
    let (gen2, inserted_with_it): (Option<String>, bool) =
        sqlx::query_as("SELECT dispatched_gen, dispatched_at = created_at FROM tasks WHERE id = $1::uuid")
            .bind(&second)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(gen2.as_deref(), Some(generation.as_str()));
    assert!(inserted_with_it, "recorded by the insert (same transaction time)");
    assert_eq!(
        app.queue.stream_lengths(shared::domain::AgentKind::Noop).await.unwrap()[1],
        2
    );
}

#[tokio::test]
async fn lease_renewals_and_dispatch_marks_skip_locked_rows_instead_of_waiting() {
    // Waiting on rows locked in another order (this worker's own result batch) deadlocked.
    let app = TestApp::spawn_without_worker().await;
    let new: Vec<NewTask> = (0..3)
        .map(|i| NewTask {
            id: TaskId::new(),
            spec: noop_spec(&format!("l{i}")),
            idempotency: None,
            creation_reason: None,
            dispatch_generation: None,
        })
        .collect();
    let tasks = app.store.insert_tasks(&new, Initial::Run, "test").await.unwrap();
    let orders: Vec<_> = tasks[..2].iter().map(shared::outbox::order_for).collect();
    let claimed = app.store.claim("w1", &orders, Duration::from_secs(30)).await.unwrap();
    assert_eq!(claimed.claimed.len(), 2);
    let held: Vec<_> = claimed.claimed.iter().map(|t| (t.id, t.attempt)).collect();
    let lease = |id: TaskId| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, chrono::DateTime<chrono::Utc>>("SELECT lease_expires_at FROM tasks WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let before = lease(held[0].0).await;
    // Another transaction holds the first running row and the queued third row.
    let mut locker = app.db.pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM tasks WHERE id = ANY($1) FOR UPDATE")
        .bind(vec![held[0].0.as_uuid(), tasks[2].id.as_uuid()])
        .execute(&mut *locker)
        .await
        .unwrap();
    let renewed = tokio::time::timeout(
        Duration::from_secs(5),
        app.store.renew_leases("w1", &held, Duration::from_secs(60)),
    )
    .await
    .expect("the renewal must not wait for the lock")
    .unwrap();
    assert_eq!(
        renewed.len(),
        2,
        "a skipped row whose lease is still ours counts as held"
    );
    assert_eq!(lease(held[0].0).await, before, "the locked row was skipped");
    assert!(lease(held[1].0).await > before, "the free row was renewed");
    let third = [shared::outbox::order_for(&tasks[2])];
    let marked = tokio::time::timeout(Duration::from_secs(5), app.store.mark_dispatched(&third, "g"))
        .await
        .expect("the mark must not wait for the lock")
        .unwrap();
    assert_eq!(marked, 0);
    locker.rollback().await.unwrap();
    assert_eq!(app.store.mark_dispatched(&third, "g").await.unwrap(), 1);
}

#[tokio::test]
async fn losing_every_redis_key_re_dispatches_queued_tasks() {
    let mut app = TestApp::spawn_without_worker().await;
    let tasks: Vec<Value> = (0..20)
        .map(|i| json!({"title": format!("q{i}"), "agent": "noop"}))
        .collect();
    let r = app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks })).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.queue.stream_lengths(shared::domain::AgentKind::Noop).await.unwrap()[1],
        20
    );
    app.redis.flush().await;
    assert_eq!(
        app.queue.stream_lengths(shared::domain::AgentKind::Noop).await.unwrap()[1],
        0
    );
    let w = app.start_worker(&[]).await;
    app.keep(w);
    app.wait_completed(20, T).await;
}

#[tokio::test]
async fn delayed_tasks_wait_for_run_at_and_cancelled_ones_never_run() {
    let app = TestApp::spawn().await;
    let run_at = chrono::Utc::now() + chrono::TimeDelta::milliseconds(1500);
    let id = app.run_exec(&["true"], json!({"run_at": run_at.to_rfc3339()})).await;
    let cancelled = app.run_exec(&["true"], json!({"delay_secs": 1})).await;
    assert_eq!(
        app.post(&format!("/api/tasks/{cancelled}/cancel"), &json!({}))
            .await
            .status(),
        200
    );
    app.wait_state(&id, "COMPLETED", T).await;
    let started = app.executions(&id).await[0]["started_at"].as_str().unwrap().to_owned();
    let started = chrono::DateTime::parse_from_rfc3339(&started).unwrap();
    assert!(started >= run_at, "started {started} before run_at {run_at}");
    // The cancelled one was due long ago; it never ran.
    wait_until(T, "the delayed order to be due", || async {
        (chrono::Utc::now() > run_at).then_some(())
    })
    .await;
    assert_eq!(app.task(&cancelled).await["state"], "CANCELLED");
    assert!(app.executions(&cancelled).await.is_empty());
}

#[tokio::test]
async fn higher_priorities_are_drained_first() {
    let mut app = TestApp::spawn_without_worker().await;
    let mut ids = Vec::new();
    for p in ["low", "normal", "high", "low", "high"] {
        ids.push((p, app.run_exec(&["true"], json!({"priority": p})).await));
    }
    let w = app.start_worker(&[("WORKER_CONCURRENCY", "1".into())]).await;
    app.keep(w);
    let mut starts = Vec::new();
    for (p, id) in &ids {
        app.wait_state(id, "COMPLETED", T).await;
        starts.push((
            app.executions(id).await[0]["started_at"].as_str().unwrap().to_owned(),
            *p,
        ));
    }
    starts.sort();
    let order: Vec<&str> = starts.iter().map(|s| s.1).collect();
    assert_eq!(order, ["high", "high", "normal", "low", "low"]);
}

#[tokio::test]
async fn flushall_during_a_run_loses_nothing_and_runs_nothing_twice() {
    // A Redis of our own, so FLUSHALL hits every key of every user, as a restart without
    // persistence would.
    let server = tests::redis_server::RedisServer::start().await;
    let mut app = TestApp::spawn_on(shared::queue::RedisTarget::Single(server.url())).await;
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
    assert_eq!(r.status(), 200);
    app.wait_completed(30, T).await;
    server.flushall().await;
    app.wait_completed(300, Duration::from_secs(60)).await;
    let succeeded: Vec<i64> = sqlx::query_scalar(
        "SELECT count(*) FILTER (WHERE e.outcome = 'succeeded') FROM tasks t LEFT JOIN executions e ON e.task_id = t.id GROUP BY t.id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(succeeded.len(), 300);
    assert!(succeeded.iter().all(|n| *n == 1), "every task succeeded exactly once");
    let overlapping: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM executions a JOIN executions b ON a.task_id = b.task_id AND a.attempt < b.attempt \
         WHERE b.started_at < coalesce(a.finished_at, 'infinity')",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(overlapping, 0);
    // No foreign key guards these tables (ARCHITECTURE.md): every row must still have its task,
    // and every task its three events (create into the queue, start, finish) at least.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM task_events e WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = e.task_id)) \
              + (SELECT count(*) FROM executions x WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = x.task_id))",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "events or executions without their task");
    let short: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM tasks t WHERE (SELECT count(*) FROM task_events e WHERE e.task_id = t.id) < 3",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(short, 0, "tasks with fewer than three events");
}

#[tokio::test]
async fn orders_lost_while_the_generation_survives_are_sent_again() {
    // A failover that drops recent writes but keeps the generation key: the streams are empty,
    // the tasks are QUEUED and marked as dispatched to the current generation.
    let mut app = TestApp::spawn_without_worker().await;
    let tasks: Vec<Value> = (0..10)
        .map(|i| json!({"title": format!("l{i}"), "agent": "noop"}))
        .collect();
    assert_eq!(
        app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks }))
            .await
            .status(),
        200
    );
    let mut c = app.redis_conn().await;
    for stream in app.queue.keys().agent(shared::domain::AgentKind::Noop).streams() {
        let _: () = redis::cmd("DEL").arg(stream).query_async(&mut c).await.unwrap();
    }
    let generation: Option<String> = redis::cmd("GET")
        .arg(app.queue.keys().agent(shared::domain::AgentKind::Noop).generation())
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(generation.is_some(), "the generation key survives");
    let w = app.start_worker(&[]).await;
    app.keep(w);
    app.wait_completed(10, T).await;
}

#[tokio::test]
async fn a_task_runs_only_after_everything_it_depends_on_completed() {
    let app = TestApp::spawn().await;
    let one = app.run_exec(&["sleep", "0.3"], json!({"title": "one"})).await;
    let two = app.run_exec(&["sleep", "0.6"], json!({"title": "two"})).await;
    let three = app
        .run_exec(&["true"], json!({"title": "three", "depends_on": [one, two]}))
        .await;
    let blocked = app
        .run_exec(&["sh", "-c", "exit 3"], json!({"title": "broken prerequisite"}))
        .await;
    let never = app
        .run_exec(&["true"], json!({"title": "never", "depends_on": [blocked]}))
        .await;
    app.wait_state(&three, "COMPLETED", T).await;
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let started3 = at(&app.executions(&three).await[0]["started_at"]);
    for prerequisite in [&one, &two] {
        let finished = at(&app.executions(prerequisite).await[0]["finished_at"]);
        assert!(started3 >= finished, "three started before {prerequisite} finished");
    }
    app.wait_state(&blocked, "FAILED", T).await;
    // The dependent of a failed task stays QUEUED and never runs; the reconciler has had time.
    wait_until(T, "a few reconcile rounds", || async {
        (chrono::Utc::now().timestamp_millis() - started3.timestamp_millis() > 2000).then_some(())
    })
    .await;
    assert_eq!(app.task(&never).await["state"], "QUEUED");
    assert!(app.executions(&never).await.is_empty());
    // Prerequisites must exist.
    let r = app
        .post(
            "/api/tasks",
            &json!({"title": "x", "agent": "noop", "depends_on": [uuid::Uuid::new_v4()]}),
        )
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn an_idle_agent_type_does_not_starve_another_on_the_same_worker() {
    // One permit shared by two claim loops: the idle exec loop must not hold it while it waits.
    let mut app = TestApp::spawn_without_worker().await;
    let w = app
        .start_worker(&[
            ("WORKER_AGENTS", "exec,noop".into()),
            ("WORKER_CONCURRENCY", "1".into()),
        ])
        .await;
    app.keep(w);
    let tasks: Vec<Value> = (0..10)
        .map(|i| json!({"title": format!("s{i}"), "agent": "noop"}))
        .collect();
    assert_eq!(
        app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks }))
            .await
            .status(),
        200
    );
    // Holding the permit through 1 s blocking reads would take about 10 s here.
    app.wait_completed(10, Duration::from_secs(6)).await;
}
