//! Classification at enqueue: tasks without an agent get the least busy unpaused agent type,
//! and a model tier from the local model's JSON answer, or from the rules when there is no local
//! model or it fails. The reason is on the `create` event.

use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;
use tests::model_apis::{Api, ModelApis, Reply};

/// Creates a model task without an agent (run at once) and returns it.
async fn create_auto(app: &TestApp, body: Value) -> Value {
    let r = app.post("/api/tasks?run=true", &body).await;
    assert_eq!(r.status(), 201, "create: {}", r.text().await.unwrap_or_default());
    r.json().await.expect("task json")
}

/// The reason recorded on the task's `create` event.
async fn creation_reason(app: &TestApp, id: &str) -> String {
    let events = app.events(id).await;
    assert_eq!(events[0]["event"], "create", "{events:?}");
    events[0]["reason"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn tasks_without_an_agent_go_to_the_least_busy_unpaused_agent() {
    // No worker: tasks stay QUEUED and count as active.
    let app = TestApp::spawn_without_worker().await;
    let task = |title: &str| json!({"title": title, "instructions": "Add a --verbose flag to the CLI."});

    let first = create_auto(&app, task("one")).await;
    assert_eq!(first["agent"], "claude", "a tie goes to the first name");
    assert_eq!(first["model"], "sonnet", "rules: no keyword");
    let mut second = task("two");
    second["agent"] = json!("auto");
    let second = create_auto(&app, second).await;
    assert_eq!(second["agent"], "gemini");
    assert_eq!(second["model"], "gemini-2.5-flash");
    let reason = creation_reason(&app, second["id"].as_str().unwrap()).await;
    assert_eq!(
        reason,
        "agent gemini: fewest active tasks among unpaused agents: claude (1 active), gemini (0 active); \
         no live worker serves any candidate (claude, gemini); chose among all of them; \
         model gemini-2.5-flash: rules, no keyword of a small or a demanding task"
    );

    // A task that names its agent and model is left alone.
    let named = create_auto(
        &app,
        json!({"title": "named", "agent": "gemini", "model": "gemini-2.5-pro", "instructions": "x"}),
    )
    .await;
    assert_eq!(named["model"], "gemini-2.5-pro");
    assert_eq!(creation_reason(&app, named["id"].as_str().unwrap()).await, "");

    // claude 1, gemini 2: with claude paused, gemini still gets the next tasks.
    app.set_paused("claude", true).await;
    let r = app
        .post(
            "/api/tasks/batch?run=true",
            &json!({"tasks": [task("b1"), {"title": "b2", "agent": "auto", "instructions": "Fix a typo in the README."}]}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let ids: Vec<String> = r.json::<Value>().await.expect("json")["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|i| i.as_str().expect("id").to_owned())
        .collect();
    let b2 = app.task(&ids[1]).await;
    assert_eq!(app.task(&ids[0]).await["agent"], "gemini");
    assert_eq!(
        (&b2["agent"], &b2["model"]),
        (&json!("gemini"), &json!("gemini-2.5-flash"))
    );
    let reason = creation_reason(&app, &ids[1]).await;
    assert!(
        reason.contains("claude (1 active, paused), gemini (3 active)"),
        "{reason}"
    );

    // YAML without an agent type, and every candidate paused: the least busy regardless.
    app.set_paused("gemini", true).await;
    let yaml = "name: refactor the scheduler\nagent:\n  instructions: Refactor the scheduler loop.\n";
    let r = app.post_yaml(yaml).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let t: Value = r.json().await.expect("json");
    assert_eq!((&t["agent"], &t["model"]), (&json!("claude"), &json!("opus")));
    let reason = creation_reason(&app, t["id"].as_str().unwrap()).await;
    assert!(reason.contains("every candidate is paused"), "{reason}");
    assert!(reason.contains("model opus: rules, keyword `refactor`"), "{reason}");

    // Validation still applies to the agent chosen: model agents need instructions.
    let r = app.post("/api/tasks", &json!({"title": "no instructions"})).await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.expect("problem");
    assert_eq!(p["errors"][0]["field"], "instructions", "{p}");
}

#[tokio::test]
async fn the_model_tier_comes_from_the_local_model_and_from_rules_when_it_fails() {
    let models = ModelApis::start().await;
    models.script(
        Api::OpenAi,
        [
            Reply::Text(
                "```json\n{\"agent_type\": \"claude\", \"model\": \"opus\", \"reason\": \"touches concurrency\"}\n```"
                    .into(),
            ),
            Reply::Status(500),
            Reply::Text("I think sonnet would be best!".into()),
            Reply::Text("{\"agent_type\": \"claude\", \"model\": \"gpt-5\"}".into()),
            Reply::Delayed(
                Duration::from_secs(10),
                Box::new(Reply::Text("{\"model\": \"opus\"}".into())),
            ),
        ],
    );
    let mut env = models.env(&[Api::OpenAi]);
    env.push(("CLASSIFY_AGENTS", "claude".into()));
    env.push(("CLASSIFY_TIMEOUT_MS", "500".into()));
    let app = TestApp::spawn_with_api_env(&env).await;
    let task = json!({"title": "flag", "instructions": "Add a --verbose flag to the CLI."});

    let t = create_auto(&app, task.clone()).await;
    assert_eq!((&t["agent"], &t["model"]), (&json!("claude"), &json!("opus")));
    let reason = creation_reason(&app, t["id"].as_str().unwrap()).await;
    assert!(
        reason.ends_with("model opus: local model, touches concurrency"),
        "{reason}"
    );
    let seen = models.seen(Api::OpenAi);
    assert_eq!(seen[0].body["response_format"], json!({"type": "json_object"}));
    assert_eq!(seen[0].body["model"], "test-model");
    assert!(
        seen[0].body["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("--verbose")
    );

    for expected in ["HTTP 500", "unusable answer", "not a model tier of claude", "timed out"] {
        let t = create_auto(&app, task.clone()).await;
        assert_eq!(t["model"], "sonnet", "rules after: {expected}");
        let reason = creation_reason(&app, t["id"].as_str().unwrap()).await;
        assert!(reason.contains("model sonnet: rules, no keyword"), "{reason}");
        assert!(reason.contains(expected), "{reason}");
    }
    assert_eq!(models.seen(Api::OpenAi).len(), 5);

    // A task that names its model is not sent to the classifier.
    let t = create_auto(&app, json!({"title": "x", "model": "haiku", "instructions": "y"})).await;
    assert_eq!(t["model"], "haiku");
    assert_eq!(models.seen(Api::OpenAi).len(), 5);
}
