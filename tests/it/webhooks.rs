//! CI webhooks with GitHub's own example payloads (signed here) and a GitLab pipeline payload;
//! and the projects API they rely on.

use serde_json::{Value, json};
use tests::TestApp;
use tests::github_examples::{find, sign};

pub(crate) const SECRET: &str = "a webhook secret";

pub(crate) async fn project(app: &TestApp, name: &str, body: Value) -> Value {
    let mut b = json!({"name": name, "webhook_secret": SECRET});
    for (k, v) in body.as_object().unwrap() {
        b[k] = v.clone();
    }
    let r = app.post("/api/projects", &b).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    r.json().await.unwrap()
}

pub(crate) async fn github(
    app: &TestApp,
    event: &str,
    delivery: &str,
    payload: &Value,
    signature: Option<String>,
) -> reqwest::Response {
    let body = serde_json::to_vec(payload).unwrap();
    let mut req = app
        .http
        .post(format!("{}/api/webhooks/github", app.api.url))
        .header("content-type", "application/json")
        .header("X-GitHub-Event", event)
        .header("X-GitHub-Delivery", delivery)
        .header("User-Agent", "GitHub-Hookshot/test");
    if let Some(s) = signature
        .or_else(|| Some(sign(SECRET, &body)))
        .filter(|s| !s.is_empty())
    {
        req = req.header("X-Hub-Signature-256", s);
    }
    req.body(body).send().await.unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn failed_github_runs_become_one_task_per_commit() {
    let app = TestApp::spawn_without_worker().await;
    let hello = project(&app, "hello", json!({"github_repo": "Codertocat/Hello-World"})).await;
    project(
        &app,
        "octo",
        json!({"github_repo": "octo-org/octo-repo", "default_agent": "gemini"}),
    )
    .await;
    project(&app, "pinged", json!({"github_repo": "Octocoders/Hello-World"})).await;

    let ping = find("ping", |_| true);
    let r = github(&app, "ping", "d-ping", &ping, None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "pong");

    let failed_run = find("check_run", |e| {
        e["action"] == "completed" && e["check_run"]["conclusion"] == "failure"
    });
    let r = github(&app, "check_run", "d-1", &failed_run, None).await;
    assert_eq!(r.status(), 201);
    let task_id = r.json::<Value>().await.unwrap()["task_id"].as_str().unwrap().to_owned();
    let t = app.task(&task_id).await;
    assert_eq!(t["state"], "QUEUED");
    assert_eq!(t["agent"], "claude");
    assert_eq!(t["project_id"], hello["id"]);
    let instr = t["instructions"].as_str().unwrap();
    assert!(instr.starts_with("CI failure\n- provider: github\n- repository: Codertocat/Hello-World\n- branch: changes\n- commit: ec26c3e57ca3a959ca5aad62de7213c562f8c821\n- check: Octocoders-linter\n- run: https://github.com/Codertocat/Hello-World/runs/128620228\n"), "{instr}");

    // A redelivery reuses X-GitHub-Delivery: nothing new.
    let r = github(&app, "check_run", "d-1", &failed_run, None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "duplicate");
    // The check suite reporting the same commit's failure: the same task.
    let mut suite = find("check_suite", |e| e["action"] == "completed");
    suite["check_suite"]["conclusion"] = json!("failure");
    let r = github(&app, "check_suite", "d-2", &suite, None).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        (v["status"].as_str(), v["task_id"].as_str()),
        (Some("already-reported"), Some(task_id.as_str()))
    );
    // A failed workflow run of another repository, sent form-encoded: a second task.
    let mut wf = find("workflow_run", |e| {
        e["action"] == "completed" && e["workflow_run"]["conclusion"] == "success"
    });
    wf["workflow_run"]["conclusion"] = json!("timed_out");
    let form = format!(
        "payload={}",
        url::form_urlencoded::byte_serialize(wf.to_string().as_bytes()).collect::<String>()
    );
    let r = app
        .http
        .post(format!("{}/api/webhooks/github", app.api.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("X-GitHub-Event", "workflow_run")
        .header("X-GitHub-Delivery", "d-3")
        .header("X-Hub-Signature-256", sign(SECRET, form.as_bytes()))
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let wf_task = app
        .task(r.json::<Value>().await.unwrap()["task_id"].as_str().unwrap())
        .await;
    assert_eq!(wf_task["agent"], "gemini");
    assert!(wf_task["title"].as_str().unwrap().starts_with("CI failure:"));
    // Successes are acknowledged and ignored.
    let ok_run = find("check_run", |e| {
        e["action"] == "completed" && e["check_run"]["conclusion"] == "success"
    });
    assert_eq!(github(&app, "check_run", "d-4", &ok_run, None).await.status(), 202);
    assert_eq!(count(&app, "tasks").await, 2);
}

#[tokio::test]
async fn unsigned_badly_signed_unknown_and_oversized_hooks_change_nothing() {
    let app = TestApp::spawn_without_worker().await;
    project(&app, "hello", json!({"github_repo": "Codertocat/Hello-World"})).await;
    let failed_run = find("check_run", |e| {
        e["action"] == "completed" && e["check_run"]["conclusion"] == "failure"
    });
    let r = github(&app, "check_run", "x-1", &failed_run, Some(String::new())).await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = github(&app, "check_run", "x-2", &failed_run, Some(sign("wrong secret", b"{}"))).await;
    assert_eq!(r.status(), 401);
    let mut other = failed_run.clone();
    other["repository"]["full_name"] = json!("someone/else");
    assert_eq!(github(&app, "check_run", "x-3", &other, None).await.status(), 404);
    let mut huge = failed_run.clone();
    huge["check_run"]["output"]["text"] = json!("x".repeat(70_000));
    assert_eq!(github(&app, "check_run", "x-4", &huge, None).await.status(), 413);
    assert_eq!(count(&app, "tasks").await, 0);
    assert_eq!(count(&app, "webhook_deliveries").await, 0);
}

#[tokio::test]
async fn failed_gitlab_pipelines_become_tasks() {
    let app = TestApp::spawn_without_worker().await;
    project(&app, "gl", json!({"gitlab_project": "gitlab-org/gitlab-test"})).await;
    let payload: Value = serde_json::from_str(include_str!("../fixtures/gitlab_pipeline_failed.json")).unwrap();
    let send = |token: &str, uuid: &str, p: &Value| {
        app.http
            .post(format!("{}/api/webhooks/gitlab", app.api.url))
            .header("content-type", "application/json")
            .header("X-Gitlab-Event", "Pipeline Hook")
            .header("X-Gitlab-Token", token)
            .header("X-Gitlab-Event-UUID", uuid)
            .json(p)
            .send()
    };
    assert_eq!(send("not the secret", "u-0", &payload).await.unwrap().status(), 401);
    let r = send(SECRET, "u-1", &payload).await.unwrap();
    assert_eq!(r.status(), 201);
    let t = app
        .task(r.json::<Value>().await.unwrap()["task_id"].as_str().unwrap())
        .await;
    let instr = t["instructions"].as_str().unwrap();
    assert!(instr.contains("- provider: gitlab\n- repository: gitlab-org/gitlab-test\n- branch: main\n- commit: bcbb5ec396a2c0f828686f14fac9b80b780504f2\n"), "{instr}");
    assert!(instr.contains("failed jobs: test-image (test)"), "{instr}");
    assert_eq!(
        send(SECRET, "u-1", &payload)
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["status"],
        "duplicate"
    );
    let mut ok = payload.clone();
    ok["object_attributes"]["status"] = json!("success");
    assert_eq!(send(SECRET, "u-2", &ok).await.unwrap().status(), 202);
    assert_eq!(count(&app, "tasks").await, 1);
}

#[tokio::test]
async fn projects_can_be_created_changed_and_deleted() {
    let app = TestApp::spawn_without_worker().await;
    let p = project(
        &app,
        "web",
        json!({"repository": "https://example.invalid/web.git", "default_branch": "trunk"}),
    )
    .await;
    assert_eq!(p["default_branch"], "trunk");
    assert_eq!(p["has_webhook_secret"], true);
    assert!(p.get("webhook_secret").is_none(), "the secret is never shown");
    let id = p["id"].as_str().unwrap();
    let dup = app.post("/api/projects", &json!({"name": "web"})).await;
    assert_eq!(dup.status(), 409);
    let bad = app
        .post("/api/projects", &json!({"name": "x", "github_repo": "not a repo"}))
        .await;
    assert_eq!(bad.status(), 422);
    let patch = |body: Value| {
        app.http
            .patch(format!("{}/api/projects/{id}", app.api.url))
            .bearer_auth(&app.token)
            .json(&body)
            .send()
    };
    let v: Value = patch(json!({"webhook_secret": null, "github_repo": "acme/web"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (v["has_webhook_secret"].as_bool(), v["github_repo"].as_str()),
        (Some(false), Some("acme/web"))
    );
    let list: Vec<Value> = app.get("/api/projects").await.json().await.unwrap();
    assert_eq!(list.len(), 1);
    // A project with tasks cannot be deleted; without, it can.
    let r = app
        .post("/api/tasks", &json!({"title": "t", "agent": "noop", "project_id": id}))
        .await;
    assert_eq!(r.status(), 201);
    let del = || {
        app.http
            .delete(format!("{}/api/projects/{id}", app.api.url))
            .bearer_auth(&app.token)
            .send()
    };
    assert_eq!(del().await.unwrap().status(), 409);
    sqlx::query("DELETE FROM tasks").execute(&app.db.pool).await.unwrap();
    assert_eq!(del().await.unwrap().status(), 204);
    assert_eq!(app.get(&format!("/api/projects/{id}")).await.status(), 404);
}
