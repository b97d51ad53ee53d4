//! The real Gemini CLI (npm `@google/gemini-cli`, pinned) against a scripted Gemini API on
//! loopback (`GOOGLE_GEMINI_BASE_URL`): a sandboxed edit pushed to the task's branch, tokens and
//! session, a question resumed in the same session by another worker, and a quota 429 pausing
//! the agent type.

use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;
use tests::fake_gemini::{FakeGemini, Turn};

const T: Duration = Duration::from_secs(60);

fn overrides(fake: &FakeGemini, id: &str) -> Vec<(&'static str, String)> {
    let mut o = fake.worker_env();
    o.push(("WORKER_AGENTS", "gemini".into()));
    o.push(("WORKER_ID", id.into()));
    o
}

async fn gemini_task(app: &TestApp, extra: Value) -> String {
    let mut body = json!({"title": "Write hello", "agent": "gemini", "instructions": "Create hello.txt."});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let r = app.post("/api/tasks?run=true", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn gemini_works_in_the_sandbox_and_resumes_its_session_after_a_question() {
    let fake = FakeGemini::start(vec![
        Turn::Shell(
            "printf 'draft\\n' > notes.txt && printf '{\"text\": \"Which colour?\"}' > \"$CLAUDOMATOR_QUESTION_FILE\""
                .into(),
        ),
        Turn::Text("I asked.".into()),
    ])
    .await;
    let mut app = TestApp::spawn_without_worker().await;
    let repo = crate::claude::origin(&app);
    let project = crate::claude::project(&app, &repo).await;
    let mut asker = app.start_worker(&overrides(&fake, "asker")).await;
    let id = gemini_task(&app, json!({"project_id": project})).await;
    let t = app.wait_state(&id, "BLOCKED", T).await;
    assert_eq!(t["question"]["text"], "Which colour?");
    let first = app.executions(&id).await[0].clone();
    assert_eq!(first["outcome"], "blocked");
    let session = first["session_id"].as_str().unwrap().to_owned();
    asker.shutdown_in_place().await;
    assert!(!app.workspace_root().join(&id).exists());

    let before = fake.seen().len();
    fake.push([
        Turn::Shell("cat notes.txt && printf 'blue\\n' > colour.txt".into()),
        Turn::Text("Painted.\n\n## Summary\nPainted it blue.".into()),
    ]);
    let w = app.start_worker(&overrides(&fake, "answerer")).await;
    app.keep(w);
    let r = app
        .post(&format!("/api/tasks/{id}/answer"), &json!({"answer": "blue"}))
        .await;
    assert_eq!(r.status(), 200);
    app.wait_state(&id, "READY", T).await;
    let ex = app.executions(&id).await;
    assert_eq!(ex[1]["worker_id"], "answerer");
    assert_eq!(ex[1]["outcome"], "succeeded");
    assert_eq!(ex[1]["summary"], "Painted it blue.");
    assert_eq!(ex[1]["session_id"], session.as_str());
    // Tokens from the CLI's stats; the cost from them by the GEMINI_PRICES table (default
    // gemini-2.5-pro: 1.25 and 10 USD per million input and output tokens).
    assert_eq!(ex[1]["tokens_in"], 200);
    assert_eq!(ex[1]["tokens_out"], 40);
    let cost = ex[1]["cost_usd"].as_f64().unwrap();
    assert!((cost - 0.00065).abs() < 1e-9, "{cost}");
    // The resumed request carries the earlier conversation and the answer.
    let resumed = fake.seen()[before].to_string();
    assert!(resumed.contains("Which colour?"), "earlier conversation missing");
    assert!(resumed.contains("The human answered your question: blue"));
    let changes = &ex[1]["changes"];
    assert_eq!(changes["files_changed"], 2);
    assert_eq!(changes["pushed"], true);
    let branch = format!("claudomator/{id}");
    assert_eq!(
        crate::claude::git(&repo, &["show", &format!("{branch}:colour.txt")]),
        "blue"
    );
    assert_eq!(
        crate::claude::git(&repo, &["show", &format!("{branch}:notes.txt")]),
        "draft"
    );
}

#[tokio::test]
async fn a_quota_429_pauses_gemini_without_charging_an_attempt() {
    let fake = FakeGemini::start(vec![Turn::Exhausted(37)]).await;
    let mut app = TestApp::spawn_without_worker().await;
    let w = app.start_worker(&overrides(&fake, "w")).await;
    app.keep(w);
    let id = gemini_task(&app, json!({})).await;
    let started = chrono::Utc::now();
    crate::claude::rate_limited(&app, &id).await;
    assert_eq!(fake.seen().len(), 1, "the CLI was stopped at its first retry");
    let until = crate::claude::paused_until(&app, "gemini").await;
    let wait = (until - started).num_seconds();
    assert!((30..=60).contains(&wait), "paused for {wait} s");
}
