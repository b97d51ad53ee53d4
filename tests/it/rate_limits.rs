//! Rate limits from the model API pause the whole agent type on every worker, honour
//! Retry-After, cost no attempt, and leave other agent types running. Uses the real `local`
//! runner against a scripted OpenAI-compatible server.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use tests::TestApp;
use tests::fake_model::{FakeModel, Reply};

const T: Duration = Duration::from_secs(30);

fn ts(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("timestamp"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_429_with_retry_after_pauses_the_agent_type_fleet_wide() {
    let model = FakeModel::start(vec![Reply::RateLimited("2".into())]).await;
    let mut app = TestApp::spawn_without_worker().await;
    for i in 0..2 {
        let w = app
            .start_worker(&[
                ("WORKER_ID", format!("w{i}")),
                ("WORKER_AGENTS", "local,exec".into()),
                ("LOCAL_MODEL_URL", model.base_url.clone()),
            ])
            .await;
        app.keep(w);
    }
    let a: Value = app
        .post(
            "/api/tasks?run=true",
            &json!({"title": "a", "agent": "local", "instructions": "fix it"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let a = a["id"].as_str().unwrap().to_owned();
    let limited = tests::wait_until(T, "the first attempt to be rate limited", || async {
        let ex = app.executions(&a).await;
        ex.first().filter(|e| e["outcome"] == "rate_limited").cloned()
    })
    .await;
    let reset = ts(&limited["finished_at"]) + TimeDelta::seconds(2);
    // While paused: another local task waits, an exec task runs.
    let b: Value = app
        .post(
            "/api/tasks?run=true",
            &json!({"title": "b", "agent": "local", "instructions": "more"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let b = b["id"].as_str().unwrap().to_owned();
    let c = app.run_exec(&["true"], json!({})).await;
    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    let local = agents.iter().find(|x| x["agent"] == "local").unwrap();
    let paused_until = ts(&local["paused_until"]);
    assert!(
        (paused_until - reset).num_milliseconds().abs() < 1000,
        "paused until {paused_until}, reset {reset}"
    );
    let c_done = app.wait_state(&c, "COMPLETED", T).await;
    assert!(
        ts(&c_done["updated_at"]) < reset,
        "the exec task waited for the local pause"
    );

    // Model-agent tasks wait for review: READY.
    let a_done = app.wait_state(&a, "READY", T).await;
    let b_done = app.wait_state(&b, "READY", T).await;
    let ex = app.executions(&a).await;
    assert_eq!(ex.len(), 2);
    assert!(
        ts(&ex[1]["started_at"]) >= reset,
        "retried at {} before the reset {reset}",
        ex[1]["started_at"]
    );
    assert_eq!(a_done["attempts_used"], 1, "the rate-limited attempt was refunded");
    assert_eq!(ex[1]["summary"], "done");
    assert_eq!(ex[1]["tokens_in"], 11);
    assert_eq!(ex[1]["tokens_out"], 7);
    let b_ex = app.executions(&b).await;
    assert_eq!(b_ex.len(), 1);
    assert!(
        ts(&b_ex[0]["started_at"]) >= reset,
        "another local task started during the pause"
    );
    assert_eq!(b_done["state"], "READY");
    assert_eq!(model.requests().len(), 3);
    // The request asked for streaming with usage.
    assert_eq!(model.requests()[0].1["stream"], true);
    assert_eq!(model.requests()[0].1["stream_options"]["include_usage"], true);
}

#[tokio::test]
async fn server_errors_are_retried_and_client_errors_fail() {
    let model = FakeModel::start(vec![Reply::Status(500), Reply::Status(404)]).await;
    let mut app = TestApp::spawn_without_worker().await;
    let w = app
        .start_worker(&[
            ("WORKER_AGENTS", "local".into()),
            ("WORKER_CONCURRENCY", "1".into()),
            ("LOCAL_MODEL_URL", model.base_url.clone()),
        ])
        .await;
    app.keep(w);
    let r: Value = app
        .post(
            "/api/tasks?run=true",
            &json!({"title": "x", "agent": "local", "instructions": "go"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = r["id"].as_str().unwrap().to_owned();
    let t = app.wait_state(&id, "FAILED", T).await;
    let outcomes: Vec<Value> = app.executions(&id).await.iter().map(|e| e["outcome"].clone()).collect();
    assert_eq!(outcomes, [json!("failed"), json!("failed")]);
    assert!(t["last_error"].as_str().unwrap().contains("404"), "{t}");
}
