//! Retention: terminal tasks past the settings are pruned with their history in small batches,
//! by one worker at a time; live tasks and what they depend on stay, and the daily statistics
//! come out the same before and after.

use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;
use tests::wait::wait_until;

const T: Duration = Duration::from_secs(60);

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

async fn create(app: &TestApp, body: Value, run: bool) -> String {
    let r = app.post(&format!("/api/tasks?run={run}"), &body).await;
    assert_eq!(r.status(), 201, "create: {}", r.text().await.unwrap_or_default());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn old_terminal_tasks_go_with_their_history_while_live_ones_and_the_totals_stay() {
    // No retention in the worker: the test prunes by hand, with a cutoff in the future.
    let mut app = TestApp::spawn_without_worker().await;
    let w = app.start_worker(&[("RETENTION_MS", "0".into())]).await;
    app.keep(w);
    let tasks: Vec<Value> = (0..5)
        .map(|i| json!({"title": format!("done{i}"), "agent": "noop"}))
        .collect();
    let r = app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks })).await;
    assert_eq!(r.status(), 200);
    let failed = app.run_exec(&["false"], json!({"max_attempts": 1})).await;
    app.wait_state(&failed, "FAILED", T).await;
    app.wait_completed(5, T).await;
    // Live: a prerequisite's dependent (PENDING), a delayed task (QUEUED), a running one.
    let prereq = app.run_exec(&["true"], json!({})).await;
    app.wait_state(&prereq, "COMPLETED", T).await;
    let pending = create(
        &app,
        json!({"title": "waits", "agent": "noop", "depends_on": [prereq]}),
        false,
    )
    .await;
    let later = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let delayed = create(&app, json!({"title": "later", "agent": "noop", "run_at": later}), true).await;
    let running = app.run_exec(&["sleep", "60"], json!({})).await;
    app.wait_state(&running, "RUNNING", T).await;
    let stats_before = app.store.daily_stats(chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()).await.unwrap();
    assert_eq!(stats_before.iter().map(|s| s.tasks).sum::<i64>(), 7, "{stats_before:?}");
    let live_events = count(
        &app,
        &format!("SELECT count(*) FROM task_events WHERE task_id IN ('{pending}', '{delayed}', '{running}', '{prereq}')"),
    )
    .await;

    // Batches of two, until one finds nothing.
    let cutoff = Some(chrono::Utc::now() + chrono::Duration::minutes(1));
    let mut rounds = Vec::new();
    loop {
        let p = app.store.prune_terminal(cutoff, None, 2).await.unwrap();
        assert!(p.tasks <= 2, "{p:?}");
        rounds.push(p.tasks);
        if p.candidates == 0 {
            break;
        }
        assert!(rounds.len() < 20, "pruning does not end: {rounds:?}");
    }
    assert_eq!(rounds.iter().sum::<u64>(), 6, "five completed and one failed: {rounds:?}");
    assert_eq!(rounds[..3], [2, 2, 2]);

    // Gone with their history; the rest untouched.
    assert_eq!(count(&app, "SELECT count(*) FROM tasks").await, 4);
    let orphans = count(
        &app,
        "SELECT (SELECT count(*) FROM task_events e WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = e.task_id)) \
              + (SELECT count(*) FROM executions x WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = x.task_id))",
    )
    .await;
    assert_eq!(orphans, 0, "events or executions of pruned tasks are left");
    let r = app.get(&format!("/api/tasks/{failed}")).await;
    assert_eq!(r.status(), 404);
    assert_eq!(app.task(&pending).await["state"], "PENDING");
    assert_eq!(app.task(&delayed).await["state"], "QUEUED");
    assert_eq!(app.task(&running).await["state"], "RUNNING");
    assert_eq!(app.task(&prereq).await["state"], "COMPLETED", "a live task depends on it");
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) FROM task_events WHERE task_id IN ('{pending}', '{delayed}', '{running}', '{prereq}')"),
        )
        .await,
        live_events
    );

    // The totals are the same, now mostly from the rollup.
    let stats_after = app.store.daily_stats(chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap()).await.unwrap();
    assert_eq!(stats_after, stats_before);
    assert_eq!(count(&app, "SELECT coalesce(sum(tasks), 0)::bigint FROM task_daily_stats").await, 6);
    let failed_rolled = count(
        &app,
        "SELECT coalesce(sum(tasks), 0)::bigint FROM task_daily_stats WHERE state = 'FAILED' AND executions = 1",
    )
    .await;
    assert_eq!(failed_rolled, 1);
}

#[tokio::test]
async fn one_worker_at_a_time_prunes_and_keeps_the_newest_tasks_per_project() {
    let mut app = TestApp::spawn_without_worker().await;
    // Retention by count only: the newest two terminal tasks (of the tasks without a project).
    let settings = |id: &str| {
        vec![
            ("WORKER_ID", id.to_owned()),
            ("RETENTION_MS", "0".to_owned()),
            ("RETENTION_KEEP_PER_PROJECT", "2".to_owned()),
            ("RETENTION_BATCH", "3".to_owned()),
            ("RETENTION_INTERVAL_MS", "200".to_owned()),
        ]
    };
    let a = app.start_worker(&settings("ret-a")).await;
    app.keep(a);
    let b = app.start_worker(&settings("ret-b")).await;
    app.keep(b);
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(create(&app, json!({"title": format!("t{i}"), "agent": "noop"}), true).await);
    }
    let live = create(&app, json!({"title": "pending", "agent": "noop"}), false).await;
    let left = wait_until(T, "all but the newest two terminal tasks to be pruned", || async {
        let left: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM tasks WHERE state = 'COMPLETED' ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        let done = count(&app, "SELECT coalesce(sum(tasks), 0)::bigint FROM task_daily_stats").await;
        (done == 6 && left.len() == 2).then_some(left)
    })
    .await;
    let newest: Vec<uuid::Uuid> = ids[6..].iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(left, newest);
    assert_eq!(app.task(&live).await["state"], "PENDING");

    // One holder, one of the two workers.
    let holders: Vec<String> = sqlx::query_scalar("SELECT holder FROM maintenance_leases WHERE name = 'retention'")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(holders.len(), 1);
    assert!(holders[0] == "ret-a" || holders[0] == "ret-b", "{holders:?}");
}

#[tokio::test]
async fn the_lease_has_one_holder_until_it_expires_or_is_released() {
    let app = TestApp::spawn_without_worker().await;
    let s = &app.store;
    let long = Duration::from_secs(60);
    assert!(s.take_lease("job", "a", long).await.unwrap());
    assert!(!s.take_lease("job", "b", long).await.unwrap(), "a holds it");
    assert!(s.take_lease("job", "a", long).await.unwrap(), "the holder renews");
    assert!(s.take_lease("other", "b", long).await.unwrap(), "leases are per job");
    s.release_lease("job", "b").await.unwrap();
    assert!(!s.take_lease("job", "b", long).await.unwrap(), "only the holder releases");
    s.release_lease("job", "a").await.unwrap();
    assert!(s.take_lease("job", "b", Duration::from_millis(1)).await.unwrap());
    wait_until(T, "b's lease to expire and a to take it", || async {
        s.take_lease("job", "a", long).await.unwrap().then_some(())
    })
    .await;
    assert!(!s.take_lease("job", "b", long).await.unwrap());
}
