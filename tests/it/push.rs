//! Web Push end to end: the real notifier, a push-service stand-in on loopback that verifies
//! VAPID and decrypts what it receives with the browser's keys.

use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tests::push_service::{PushService, Scripted};
use tests::{TestApp, wait_until};

const T: Duration = Duration::from_secs(30);

async fn subscribe(
    app: &TestApp,
    push: &PushService,
    notify_on: Option<Value>,
) -> (tests::push_service::TestSubscription, String) {
    let sub = push.subscribe();
    let key: Value = app.get("/api/push/vapid-public-key").await.json().await.unwrap();
    let expected = shared::push::VapidKeys::from_private_b64(&app.vapid_private_key)
        .unwrap()
        .public_b64();
    assert_eq!(key["public_key"], expected.as_str());
    let mut body = sub.to_json();
    if let Some(n) = notify_on {
        body["notify_on"] = n;
    }
    let r = app.post("/api/push/subscriptions", &body).await;
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let v: Value = r.json().await.unwrap();
    (sub, v["id"].as_str().unwrap().to_owned())
}

async fn delivered(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM push_deliveries WHERE delivered_at IS NOT NULL")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_finished_task_sends_exactly_one_decryptable_notification() {
    let push = PushService::start().await;
    let mut app = TestApp::spawn().await;
    let (sub, _) = subscribe(&app, &push, None).await;
    let n = app.start_notifier(&[]).await;
    app.keep(n);
    let id = app.run_exec(&["true"], json!({"title": "build the thing"})).await;
    app.wait_state(&id, "COMPLETED", T).await;
    wait_until(T, "the delivery to be marked", || async {
        (delivered(&app).await == 1).then_some(())
    })
    .await;
    let got = push.received();
    assert_eq!(got.len(), 1, "{got:?}");
    let msg: Value = serde_json::from_slice(&got[0].plaintext).unwrap();
    assert_eq!(msg["title"], "Task completed");
    assert_eq!(msg["body"], "build the thing");
    assert_eq!(msg["task_id"], id.as_str());
    assert_eq!(msg["state"], "COMPLETED");
    assert!(msg["url"].as_str().unwrap().ends_with(&format!("/api/tasks/{id}")));
    assert_eq!(got[0].subscription_id, sub.id);
    assert_eq!(got[0].ttl, 86_400);
    assert_eq!(got[0].urgency.as_deref(), Some("normal"));
    assert_eq!(got[0].topic.as_deref().map(str::len), Some(22));
    // Nothing else arrives for the other transitions (create, run, start).
    assert_eq!(push.attempts().len(), 1);
}

#[tokio::test]
async fn gone_subscriptions_are_deleted_and_subscriptions_validated() {
    let push = PushService::start().await;
    let mut app = TestApp::spawn().await;
    let (sub, sub_id) = subscribe(&app, &push, Some(json!(["COMPLETED"]))).await;
    push.script(&sub.endpoint, vec![Scripted::Gone]);
    let n = app.start_notifier(&[]).await;
    app.keep(n);
    let id = app.run_exec(&["true"], json!({})).await;
    app.wait_state(&id, "COMPLETED", T).await;
    wait_until(T, "the subscription to be deleted", || async {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM push_subscriptions WHERE id = $1::uuid")
            .bind(&sub_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        (n == 0).then_some(())
    })
    .await;
    assert!(push.received().is_empty());
    // Bad subscriptions are refused with the field named.
    let mut bad = push.subscribe().to_json();
    bad["keys"]["auth"] = json!("AAAA");
    let r = app.post("/api/push/subscriptions", &bad).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "keys");
    // Deleting twice: the second is 404.
    let other = subscribe(&app, &push, None).await.1;
    let del = |id: String| {
        app.http
            .delete(format!("{}/api/push/subscriptions/{id}", app.api.url))
            .bearer_auth(&app.token)
            .send()
    };
    assert_eq!(del(other.clone()).await.unwrap().status(), 204);
    assert_eq!(del(other).await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_429_is_retried_no_earlier_than_retry_after() {
    let push = PushService::start().await;
    let mut app = TestApp::spawn().await;
    let (sub, _) = subscribe(&app, &push, None).await;
    push.script(&sub.endpoint, vec![Scripted::TooMany(2)]);
    let n = app.start_notifier(&[]).await;
    app.keep(n);
    let id = app.run_exec(&["true"], json!({})).await;
    app.wait_state(&id, "COMPLETED", T).await;
    wait_until(T, "the retried delivery", || async {
        (push.received().len() == 1).then_some(())
    })
    .await;
    let attempts = push.attempts();
    assert_eq!(attempts.iter().map(|a| a.1).collect::<Vec<_>>(), [429, 201]);
    let waited = attempts[1].2.duration_since(attempts[0].2);
    assert!(waited >= Duration::from_secs(2), "retried after {waited:?}");
}

#[tokio::test]
async fn a_notifier_stopped_mid_batch_loses_nothing_and_a_restart_duplicates_nothing() {
    let push = PushService::start().await;
    let mut app = TestApp::spawn().await;
    let _ = subscribe(&app, &push, None).await;
    // Stop the first notifier while it is still working through the batch; a second one
    // finishes it.
    let mut first = app.spawn_notifier_process(&[("NOTIFIER_ID", "n1".into()), ("NOTIFIER_CONCURRENCY", "4".into())]);
    let tasks: Vec<Value> = (0..30)
        .map(|i| json!({"title": format!("t{i}"), "agent": "noop"}))
        .collect();
    assert_eq!(
        app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks }))
            .await
            .status(),
        200
    );
    wait_until(T, "some notifications to arrive", || async {
        (push.received().len() >= 3).then_some(())
    })
    .await;
    kill(Pid::from_raw(first.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    let status = first.wait().await.unwrap();
    assert!(status.success(), "the notifier exits cleanly on SIGTERM: {status:?}");
    let before = push.received().len();
    let n = app.start_notifier(&[("NOTIFIER_ID", "n2".into())]).await;
    app.keep(n);
    wait_until(T, "all 30 notifications", || async {
        (push.received().len() >= 30).then_some(())
    })
    .await;
    wait_until(T, "every delivery to be marked", || async {
        (delivered(&app).await == 30).then_some(())
    })
    .await;
    let mut ids: Vec<String> = push
        .received()
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.plaintext).unwrap()["task_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "a notification was lost");
    assert_eq!(total, 30, "{} duplicates (stopped after {before})", total - 30);
}

#[tokio::test]
async fn a_notifier_killed_hard_loses_nothing() {
    let push = PushService::start().await;
    let mut app = TestApp::spawn().await;
    let _ = subscribe(&app, &push, None).await;
    let mut first = app.spawn_notifier_process(&[("NOTIFIER_ID", "k1".into()), ("NOTIFIER_CONCURRENCY", "2".into())]);
    let tasks: Vec<Value> = (0..30)
        .map(|i| json!({"title": format!("k{i}"), "agent": "noop"}))
        .collect();
    assert_eq!(
        app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks }))
            .await
            .status(),
        200
    );
    wait_until(T, "some notifications to arrive", || async {
        (push.received().len() >= 3).then_some(())
    })
    .await;
    kill(Pid::from_raw(first.id().unwrap() as i32), Signal::SIGKILL).unwrap();
    let _ = first.wait().await;
    let n = app.start_notifier(&[("NOTIFIER_ID", "k2".into())]).await;
    app.keep(n);
    wait_until(T, "every delivery to be marked", || async {
        (delivered(&app).await == 30).then_some(())
    })
    .await;
    let mut ids: Vec<String> = push
        .received()
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(&r.plaintext).unwrap()["task_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "a notification was lost");
    // A SIGKILL between the push service's 201 and the bookkeeping can only repeat what was in
    // flight (at most NOTIFIER_CONCURRENCY messages).
    assert!(total - 30 <= 2, "{} duplicates", total - 30);
}

#[tokio::test]
async fn a_subscription_hears_only_of_tasks_its_token_may_see() {
    let push = PushService::start().await;
    let mut app = TestApp::spawn().await;
    let mut projects = Vec::new();
    for name in ["seen", "unseen"] {
        let r = app
            .post(
                "/api/projects",
                &json!({"name": name, "repository": format!("https://example.com/{name}.git")}),
            )
            .await;
        assert_eq!(r.status(), 201);
        projects.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned());
    }
    let minted: Value = app
        .post(
            "/api/tokens",
            &json!({"name": "watcher", "role": "viewer", "projects": [projects[0]]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let watcher = minted["secret"].as_str().unwrap().to_owned();
    let (all, _) = subscribe(&app, &push, Some(json!(["COMPLETED"]))).await;
    let scoped = push.subscribe();
    let mut body = scoped.to_json();
    body["notify_on"] = json!(["COMPLETED"]);
    let r = app
        .http
        .post(format!("{}/api/push/subscriptions", app.api.url))
        .bearer_auth(&watcher)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a viewer keeps its own subscription");
    let n = app.start_notifier(&[]).await;
    app.keep(n);
    let mut ids = Vec::new();
    for p in &projects {
        // Noop: a project with a repository would make an exec attempt clone it.
        let r = app
            .post(
                "/api/tasks?run=true",
                &json!({"title": "t", "agent": "noop", "project_id": p}),
            )
            .await;
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        app.wait_state(&id, "COMPLETED", T).await;
        ids.push(id);
    }
    wait_until(T, "both notifications to the unscoped subscription", || async {
        (push.received().iter().filter(|r| r.subscription_id == all.id).count() == 2).then_some(())
    })
    .await;
    wait_until(T, "every delivery to be marked", || async {
        (delivered(&app).await == 3).then_some(())
    })
    .await;
    let heard: Vec<String> = push
        .received()
        .iter()
        .filter(|r| r.subscription_id == scoped.id)
        .map(|r| {
            serde_json::from_slice::<Value>(&r.plaintext).unwrap()["task_id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(heard, [ids[0].clone()]);
}
