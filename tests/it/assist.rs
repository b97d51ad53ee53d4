//! `POST /api/elaborate` and `POST /api/validate`: the local model first, then Claude, then
//! Gemini, each through its real wire format; checked output; 503 without models; 422 for
//! oversized input; 429 with Retry-After over the per-token limit.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tests::TestApp;
use tests::model_apis::{API_KEY, Api, ModelApis, Reply};

async fn json_of(r: reqwest::Response, status: u16) -> Value {
    let got = r.status().as_u16();
    let text = r.text().await.expect("body");
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).expect("json body")
}

fn proposal() -> String {
    json!({
        "title": "Add a health endpoint that load balancers can probe every few seconds",
        "description": "Load balancers need a cheap liveness check.",
        "instructions": "Add GET /healthz returning 200 with {\"ok\": true}.",
        "acceptance_criteria": ["GET /healthz answers 200", "a test covers it"],
        "agent": "claude", "model": "sonnet", "budget_usd": 12.5, "timeout": "20m",
        "priority": "high", "labels": ["api", "ops"]
    })
    .to_string()
}

#[tokio::test]
async fn elaborate_drafts_a_task_with_the_local_model_then_falls_back_to_claude() {
    let models = ModelApis::start().await;
    let mut env = models.env(&[Api::OpenAi, Api::Anthropic, Api::Gemini]);
    env.push(("ELABORATE_TIMEOUT_MS", "4000".into()));
    let app = TestApp::spawn_with_api_env(&env).await;
    let r = app
        .post(
            "/api/projects",
            &json!({"name": "shop", "repository": "/srv/shop.git", "default_branch": "trunk"}),
        )
        .await;
    let project = json_of(r, 201).await;

    models.script(Api::OpenAi, [Reply::Text(format!("```json\n{}\n```", proposal()))]);
    let r = app
        .post(
            "/api/elaborate",
            &json!({"request": "add a health endpoint", "project_id": project["id"]}),
        )
        .await;
    let p = json_of(r, 200).await;
    assert_eq!(p["generated_by"], "local");
    assert_eq!(p["title"].as_str().unwrap().chars().count(), 60);
    assert_eq!(p["budget_usd"], 5.0, "clamped to 5.00");
    assert_eq!(
        (&p["timeout"], &p["priority"], &p["model"]),
        (&json!("20m"), &json!("high"), &json!("sonnet"))
    );
    assert_eq!(p["agent"], "claude");
    assert_eq!(
        p["acceptance_criteria"],
        json!(["GET /healthz answers 200", "a test covers it"])
    );
    assert!(
        p["instructions"].as_str().unwrap().ends_with("- a test covers it"),
        "{p}"
    );
    assert_eq!(p["project_id"], project["id"]);
    let asked = &models.seen(Api::OpenAi)[0];
    assert_eq!(asked.body["response_format"]["type"], "json_object");
    let user = asked.body["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.contains("add a health endpoint") && user.contains("shop") && user.contains("trunk"),
        "{user}"
    );

    // The proposal is a valid task as it stands.
    let mut task = p.clone();
    for k in ["acceptance_criteria", "generated_by"] {
        task.as_object_mut().unwrap().remove(k);
    }
    json_of(app.post("/api/tasks", &task).await, 201).await;

    // The local model fails, then hangs (it gets half the deadline: a quarter is kept for each
    // model after it); Claude answers, in time (Messages API, key and version headers).
    let hang = Reply::Delayed(Duration::from_secs(30), Box::new(Reply::Text(proposal())));
    for local in [Reply::Status(500), hang] {
        models.script(Api::OpenAi, [local]);
        models.script(Api::Anthropic, [Reply::Text(proposal())]);
        let started = Instant::now();
        let r = app
            .post("/api/elaborate", &json!({"request": "add a health endpoint"}))
            .await;
        assert_eq!(json_of(r, 200).await["generated_by"], "claude");
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    }
    let asked = &models.seen(Api::Anthropic)[0];
    assert_eq!(asked.path, "/v1/messages");
    assert_eq!(asked.headers["x-api-key"], API_KEY);
    assert_eq!(asked.headers["anthropic-version"], "2023-06-01");
    assert!(asked.body["system"].as_str().unwrap().contains("JSON"));
    assert!(models.seen(Api::Gemini).is_empty());
}

#[tokio::test]
async fn validate_rates_a_draft_with_gemini_last_and_503_when_all_fail() {
    let models = ModelApis::start().await;
    let app = TestApp::spawn_with_api_env(&models.env(&[Api::OpenAi, Api::Anthropic, Api::Gemini])).await;
    let draft = json!({"title": "Speed up the build", "instructions": "Make it faster.", "agent": "claude",
        "acceptance_criteria": ["faster"], "generated_by": "local"});
    let rating = json!({"clarity": "warning", "ready": true, "summary": "Faster than what?",
        "questions": [{"text": "Which build: debug or release?", "severity": "blocking"},
                      {"text": "Is caching allowed?", "severity": "nice-to-know"}],
        "suggestions": ["Give a target time.", 42]});
    models.script(Api::OpenAi, [Reply::Text("not json".into())]);
    models.script(Api::Anthropic, [Reply::Status(529)]);
    models.script(Api::Gemini, [Reply::Text(rating.to_string())]);
    let a = json_of(app.post("/api/validate", &draft).await, 200).await;
    assert_eq!(a["generated_by"], "gemini");
    assert_eq!(a["clarity"], "blocking", "raised to the worst question");
    assert_eq!(a["ready"], false);
    assert_eq!(a["summary"], "Faster than what?");
    assert_eq!(
        a["questions"],
        json!([{"text": "Which build: debug or release?", "severity": "blocking"},
               {"text": "Is caching allowed?", "severity": "warning"}])
    );
    assert_eq!(a["suggestions"], json!(["Give a target time."]));
    let asked = &models.seen(Api::Gemini)[0];
    assert_eq!(asked.path, "/v1beta/models/gemini-2.5-flash:generateContent");
    assert_eq!(asked.headers["x-goog-api-key"], API_KEY);
    assert_eq!(asked.body["generationConfig"]["responseMimeType"], "application/json");

    // Nothing scripted: every model answers 500.
    let r = app.post("/api/validate", &draft).await;
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p = json_of(r, 503).await;
    assert_eq!(p["type"], "urn:claudomator:problem:model-unavailable");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("local: HTTP 500") && detail.contains("gemini: HTTP 500"),
        "{detail}"
    );
}

#[tokio::test]
async fn without_a_model_the_helpers_answer_503_and_oversized_input_is_refused() {
    let app = TestApp::spawn_without_worker().await;
    for (path, body) in [
        ("/api/elaborate", json!({"request": "add a health endpoint"})),
        ("/api/validate", json!({"title": "t", "instructions": "do it"})),
    ] {
        let r = app.post(path, &body).await;
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p = json_of(r, 503).await;
        assert_eq!(p["type"], "urn:claudomator:problem:model-unavailable", "{p}");
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("LOCAL_MODEL_URL") && detail.contains("ANTHROPIC_API_KEY"),
            "{detail}"
        );
    }

    let models = ModelApis::start().await;
    let mut app = app;
    app.replace_api(&models.env(&[Api::OpenAi])).await;
    let r = app.post("/api/elaborate", &json!({"request": "x".repeat(2001)})).await;
    let p = json_of(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "request", "{p}");
    let r = app
        .post(
            "/api/validate",
            &json!({"title": "t", "instructions": "y".repeat(16 * 1024 + 1)}),
        )
        .await;
    let p = json_of(r, 422).await;
    assert_eq!(p["errors"][0]["field"], "instructions", "{p}");
    let r = app.post("/api/elaborate", &json!({"request": "  "})).await;
    json_of(r, 422).await;
    assert!(models.seen(Api::OpenAi).is_empty(), "refused before any model call");
}

#[tokio::test]
async fn each_token_is_rate_limited_with_retry_after() {
    let models = ModelApis::start().await;
    let mut env = models.env(&[Api::OpenAi]);
    env.push(("ASSIST_RATE_LIMIT_PER_MIN", "2".into()));
    let app = TestApp::spawn_with_api_env(&env).await;
    let rating = json!({"clarity": "clear", "ready": true, "summary": "Fine.", "questions": [], "suggestions": []});
    models.script(Api::OpenAi, (0..3).map(|_| Reply::Text(rating.to_string())));
    let draft = json!({"title": "t", "instructions": "Print hello."});
    for _ in 0..2 {
        json_of(app.post("/api/validate", &draft).await, 200).await;
    }
    let r = app.post("/api/validate", &draft).await;
    let retry_after: u64 = r.headers()["retry-after"].to_str().unwrap().parse().expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let p = json_of(r, 429).await;
    assert_eq!(p["type"], "urn:claudomator:problem:rate-limited");
    assert_eq!(
        models.seen(Api::OpenAi).len(),
        2,
        "the limited request reached no model"
    );

    // Another token has its own budget.
    let (_, other) = app.store.create_token("other", None, None).await.expect("token");
    let r = app
        .http
        .post(format!("{}/api/validate", app.api.url))
        .header("authorization", format!("Bearer {other}"))
        .json(&draft)
        .send()
        .await
        .expect("POST");
    json_of(r, 200).await;
}
