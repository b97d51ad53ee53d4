//! The HTTP API: create, list, get, run, cancel, accept/reject; YAML; auth; problem+json.

use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;

const T: Duration = Duration::from_secs(20);

fn assert_problem(v: &Value, status: u16, slug: &str) {
    assert_eq!(v["status"], status, "{v}");
    assert_eq!(v["type"], format!("urn:claudomator:problem:{slug}"), "{v}");
    assert!(v["title"].is_string(), "{v}");
}

async fn problem(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(ct.starts_with("application/problem+json"), "content-type {ct}");
    (status, r.json().await.expect("problem json"))
}

#[tokio::test]
async fn an_exec_task_runs_to_completed_with_its_output_and_history() {
    let app = TestApp::spawn().await;
    let id = app
        .run_exec(
            &["sh", "-c", "echo out; echo err >&2"],
            json!({"labels": ["ci", "demo"]}),
        )
        .await;
    let t = app.wait_state(&id, "COMPLETED", T).await;
    assert_eq!(t["attempt"], 1);
    assert_eq!(t["labels"], json!(["ci", "demo"]));
    let ex = app.executions(&id).await;
    assert_eq!(ex.len(), 1);
    assert_eq!(ex[0]["exit_code"], 0);
    assert_eq!(ex[0]["outcome"], "succeeded");
    let out = ex[0]["output"].as_str().unwrap();
    assert!(out.contains("out\n") && out.contains("err\n"), "{out}");
    let history = app.events(&id).await;
    let events: Vec<&str> = history.iter().map(|e| e["event"].as_str().unwrap()).collect();
    // Created straight into the queue: one creation event, from nothing to QUEUED.
    assert_eq!(events, ["create", "start", "succeed"]);
    assert!(history[0]["from"].is_null(), "{history:?}");
    assert_eq!(history[0]["to"], "QUEUED");
}

#[tokio::test]
async fn pending_tasks_wait_for_run_and_list_filters_and_pages() {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = app
            .post("/api/tasks", &json!({"title": format!("p{i}"), "agent": "exec", "exec": {"argv": ["true"]}, "labels": [if i % 2 == 0 { "even" } else { "odd" }]}))
            .await;
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["state"], "PENDING");
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    // Newest first, two per page, three pages.
    let p1: Value = app.get("/api/tasks?limit=2").await.json().await.unwrap();
    assert_eq!(p1["items"].as_array().unwrap().len(), 2);
    assert_eq!(p1["items"][0]["id"], ids[4].as_str());
    let c = p1["next_cursor"].as_str().unwrap();
    let p2: Value = app
        .get(&format!("/api/tasks?limit=2&cursor={c}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p2["items"][0]["id"], ids[2].as_str());
    let c = p2["next_cursor"].as_str().unwrap();
    let p3: Value = app
        .get(&format!("/api/tasks?limit=2&cursor={c}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p3["items"].as_array().unwrap().len(), 1);
    assert!(p3["next_cursor"].is_null());
    let even: Value = app
        .get("/api/tasks?label=even&state=PENDING&agent=exec")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(even["items"].as_array().unwrap().len(), 3);

    let r = app.post(&format!("/api/tasks/{}/run", ids[0]), &json!({})).await;
    assert_eq!(r.status(), 200);
    app.wait_state(&ids[0], "COMPLETED", T).await;
    assert_eq!(app.task(&ids[1]).await["state"], "PENDING");
    // Created PENDING and run later: both events, create to PENDING then run to QUEUED.
    let history = app.events(&ids[0]).await;
    let steps: Vec<(Value, Value, Value)> = history
        .iter()
        .map(|e| (e["event"].clone(), e["from"].clone(), e["to"].clone()))
        .collect();
    assert_eq!(
        steps[..2],
        [
            (json!("create"), Value::Null, json!("PENDING")),
            (json!("run"), json!("PENDING"), json!("QUEUED")),
        ]
    );
}

#[tokio::test]
async fn yaml_tasks_in_the_original_shape_are_accepted() {
    let app = TestApp::spawn().await;
    let yaml = "name: from yaml\ndescription: the original shape\nagent:\n  type: exec\n  argv: [\"sh\", \"-c\", \"pwd\"]\n  project_dir: /tmp\ntimeout: 30m\npriority: high\ntags: [yaml]\nretry:\n  max_attempts: 2\n";
    let r = app.post_yaml(yaml).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["title"], "from yaml");
    assert_eq!(v["priority"], "high");
    assert_eq!(v["timeout_secs"], 1800);
    assert_eq!(v["max_attempts"], 2);
    assert_eq!(v["labels"], json!(["yaml"]));
    let id = v["id"].as_str().unwrap();
    app.wait_state(id, "COMPLETED", T).await;
    assert_eq!(app.executions(id).await[0]["output"], "/tmp\n");
}

#[tokio::test]
async fn an_original_yaml_with_unknown_keys_is_a_422_naming_every_one() {
    let app = TestApp::spawn_without_worker().await;
    let yaml = "name: old file\ncontext_files: [README.md]\ncontainer_image: rust:1\nagent:\n  type: exec\n  argv: [\"true\"]\n  skip_planning: true\n";
    let (s, p) = problem(app.post_yaml(yaml).await).await;
    assert_eq!(s, 422);
    assert_problem(&p, 422, "unknown-keys");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["agent.skip_planning", "container_image", "context_files"]);
    assert!(p["detail"].as_str().unwrap().contains("context_files"), "{p}");
    let listed = app.get("/api/tasks").await.json::<Value>().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0, "nothing was created");
}

#[tokio::test]
async fn an_original_yaml_with_the_claude_key_selects_its_project_by_directory() {
    let app = TestApp::spawn_without_worker().await;
    let r = app
        .post(
            "/api/projects",
            &json!({"name": "repo", "repository": "/srv/repos/app.git"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let project = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let yaml = "name: old claude file\nclaude:\n  type: claude\n  model: sonnet\n  instructions: Fix the bug.\n  project_dir: /srv/repos/app/\nacceptance_criteria: [tests pass]\n";
    let r = app.post_yaml(yaml).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["agent"], "claude", "{v}");
    assert_eq!(v["project_id"], project.as_str());
    assert!(
        v["instructions"]
            .as_str()
            .unwrap()
            .ends_with("Acceptance criteria:\n- tests pass"),
        "{v}"
    );
    // A directory that is no project's repository is refused with the way to express it.
    let yaml = "name: elsewhere\nagent:\n  type: claude\n  instructions: x\n  project_dir: /home/me/other\n";
    let (s, p) = problem(app.post_yaml(yaml).await).await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "agent.project_dir", "{p}");
    assert!(
        p["errors"][0]["message"].as_str().unwrap().contains("project_id"),
        "{p}"
    );
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401_problems() {
    let app = TestApp::spawn_without_worker().await;
    let r = app.http.get(format!("{}/api/tasks", app.api.url)).send().await.unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, 401);
    assert_problem(&p, 401, "unauthorized");
    let r = app
        .http
        .get(format!("{}/api/tasks", app.api.url))
        .header("authorization", "Bearer cm_nope")
        .send()
        .await
        .unwrap();
    let (s, p) = problem(r).await;
    assert_eq!(s, 401);
    assert_problem(&p, 401, "unauthorized");
    // Health checks and the spec need no token.
    assert_eq!(
        app.http
            .get(format!("{}/healthz", app.api.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.http
            .get(format!("{}/readyz", app.api.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.http
            .get(format!("{}/api/openapi.json", app.api.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A revoked token stops working.
    let (id, token) = app.store.create_token("short-lived", None, None).await.unwrap();
    let ok = app
        .http
        .get(format!("{}/api/agents", app.api.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(app.store.revoke_token(id).await.unwrap());
    let gone = app
        .http
        .get(format!("{}/api/agents", app.api.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 401);
}

#[tokio::test]
async fn illegal_transitions_answer_409_with_the_current_state() {
    let app = TestApp::spawn_without_worker().await;
    let r = app
        .post(
            "/api/tasks",
            &json!({"title": "x", "agent": "exec", "exec": {"argv": ["true"]}}),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let (s, p) = problem(app.post(&format!("/api/tasks/{id}/accept"), &json!({})).await).await;
    assert_eq!(s, 409);
    assert_problem(&p, 409, "illegal-transition");
    assert_eq!(p["current_state"], "PENDING");
    // Cancel, then cancelling again is illegal too.
    assert_eq!(
        app.post(&format!("/api/tasks/{id}/cancel"), &json!({})).await.status(),
        200
    );
    let (s, p) = problem(app.post(&format!("/api/tasks/{id}/cancel"), &json!({})).await).await;
    assert_eq!(s, 409);
    assert_eq!(p["current_state"], "CANCELLED");
    // A cancelled task can be re-run.
    let r = app.post(&format!("/api/tasks/{id}/run"), &json!({})).await;
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "QUEUED");
    let (s, _) = problem(app.get(&format!("/api/tasks/{}", uuid::Uuid::new_v4())).await).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn malformed_invalid_and_oversized_requests_are_problems() {
    let app = TestApp::spawn_without_worker().await;
    let url = format!("{}/api/tasks", app.api.url);
    let send = |body: String| {
        app.http
            .post(&url)
            .header("authorization", app.bearer())
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let (s, p) = problem(send("{not json".into()).await.unwrap()).await;
    assert_eq!(s, 400);
    assert_problem(&p, 400, "bad-request");
    let (s, p) = problem(send(json!({"title": "x", "agent": "cobol"}).to_string()).await.unwrap()).await;
    assert_eq!(s, 422);
    assert_problem(&p, 422, "unknown-agent-type");
    assert_eq!(p["errors"][0]["field"], "agent");
    let (s, p) = problem(
        send(json!({"title": "", "agent": "exec", "priority": "urgent", "timeout": "soon"}).to_string())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "priority", "timeout", "exec.argv"]);
    let big = json!({"title": "x", "agent": "exec", "exec": {"argv": ["echo", "y".repeat(70_000)]}}).to_string();
    let (s, p) = problem(send(big).await.unwrap()).await;
    assert_eq!(s, 413);
    assert_problem(&p, 413, "payload-too-large");
    // Chunked bodies (no Content-Length) are limited too.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(vec![b' '; 40_000]), Ok(vec![b' '; 40_000])];
    let r = app
        .http
        .post(&url)
        .header("authorization", app.bearer())
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let (s, _) = problem(
        app.http
            .get(format!("{}/api/nowhere", app.api.url))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    // Nothing was created by any of these.
    assert!(app.store.list_tasks(&Default::default(), 10).await.unwrap().is_empty());
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_task_and_refuse_another_body() {
    let app = TestApp::spawn_without_worker().await;
    let body = json!({"title": "once", "agent": "noop"});
    let send = |b: Value| {
        app.http
            .post(format!("{}/api/tasks", app.api.url))
            .header("authorization", app.bearer())
            .header("Idempotency-Key", "k-1")
            .json(&b)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let (s, p) = problem(send(json!({"title": "other", "agent": "noop"})).await.unwrap()).await;
    assert_eq!(s, 409);
    assert_problem(&p, 409, "idempotency-key-reused");
    assert_eq!(app.store.list_tasks(&Default::default(), 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn batches_create_and_run_many_tasks_at_once() {
    let app = TestApp::spawn().await;
    let tasks: Vec<Value> = (0..50)
        .map(|i| json!({"title": format!("n{i}"), "agent": "noop"}))
        .collect();
    let r = app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks })).await;
    assert_eq!(r.status(), 200);
    let ids: Vec<String> = r.json::<Value>().await.unwrap()["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 50);
    app.wait_completed(50, T).await;
    // An invalid member rejects the whole batch and names it.
    let r = app
        .post(
            "/api/tasks/batch",
            &json!({"tasks": [{"title": "ok", "agent": "noop"}, {"title": "bad", "agent": "x"}]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "tasks[1].agent");
}

#[tokio::test]
async fn accept_and_reject_follow_review() {
    let app = TestApp::spawn().await;
    let id = app.run_exec(&["true"], json!({"review": true})).await;
    app.wait_state(&id, "READY", T).await;
    let r = app
        .post(&format!("/api/tasks/{id}/reject"), &json!({"comment": "do it again"}))
        .await;
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["state"], "PENDING");
    assert_eq!(v["rejection_comment"], "do it again");
    app.post(&format!("/api/tasks/{id}/run"), &json!({})).await;
    app.wait_state(&id, "READY", T).await;
    let v: Value = app
        .post(&format!("/api/tasks/{id}/accept"), &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["state"], "COMPLETED");
    assert_eq!(app.executions(&id).await.len(), 2);
}

#[tokio::test]
async fn agents_report_queue_stats_and_can_be_paused() {
    let app = TestApp::spawn_without_worker().await;
    for _ in 0..3 {
        app.run_exec(&["true"], json!({})).await;
    }
    app.run_exec(&["true"], json!({"delay_secs": 3600})).await;
    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    let exec = agents.iter().find(|a| a["agent"] == "exec").unwrap();
    assert_eq!(exec["queued"], 3);
    assert_eq!(exec["delayed"], 1);
    assert_eq!(exec["running"], 0);
    assert!(exec["oldest_waiting_secs"].as_f64().unwrap() >= 0.0);
    let r = app
        .http
        .patch(format!("{}/api/agents/exec", app.api.url))
        .header("authorization", app.bearer())
        .json(&json!({"paused": true, "concurrency_limit": 2}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["paused"], true);
    assert_eq!(v["concurrency_limit"], 2);
    let r = app
        .http
        .patch(format!("{}/api/agents/exec", app.api.url))
        .header("authorization", app.bearer())
        .json(&json!({"paused": false, "concurrency_limit": null}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["paused"], false);
    assert!(v["concurrency_limit"].is_null());
}

#[tokio::test]
async fn references_to_missing_tasks_or_projects_are_422() {
    let app = TestApp::spawn_without_worker().await;
    let r = app
        .post(
            "/api/tasks",
            &json!({"title": "orphan", "agent": "noop", "parent_task_id": uuid::Uuid::new_v4()}),
        )
        .await;
    let (s, p) = problem(r).await;
    assert_eq!(s, 422);
    assert_problem(&p, 422, "unknown-reference");
}

#[tokio::test]
async fn concurrent_creates_succeed_or_fail_each_on_their_own() {
    // Concurrent creates share insert statements; one bad reference must fail only its request.
    let app = TestApp::spawn_without_worker().await;
    let bodies: Vec<Value> = (0..24)
        .map(|i| {
            if i == 7 {
                json!({"title": "orphan", "agent": "noop", "parent_task_id": uuid::Uuid::new_v4()})
            } else {
                json!({"title": format!("c{i}"), "agent": "noop"})
            }
        })
        .collect();
    let answers = futures::future::join_all(bodies.iter().map(|b| app.post("/api/tasks?run=true", b))).await;
    let mut created = Vec::new();
    for (i, r) in answers.into_iter().enumerate() {
        if i == 7 {
            let (s, p) = problem(r).await;
            assert_eq!(s, 422);
            assert_problem(&p, 422, "unknown-reference");
        } else {
            assert_eq!(r.status(), 201, "request {i}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["title"], format!("c{i}"), "each request gets its own task back");
            assert_eq!(v["state"], "QUEUED");
            created.push(v["id"].as_str().unwrap().to_owned());
        }
    }
    let distinct: std::collections::HashSet<&String> = created.iter().collect();
    assert_eq!(distinct.len(), 23);
    assert_eq!(
        app.queue.stream_lengths(shared::domain::AgentKind::Noop).await.unwrap()[1],
        23,
        "every created task was handed to Redis before its answer"
    );
}
