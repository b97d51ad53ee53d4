//! Who may do what: token roles (admin, member, viewer), project scopes, agents' task-scoped
//! tokens and their subtasks, the task-tree caps, and the token API.

use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;
use tests::sse::SseClient;

const T: Duration = Duration::from_secs(20);

/// A request with a given token.
async fn call(app: &TestApp, token: &str, method: &str, path: &str, body: Option<&Value>) -> reqwest::Response {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = app
        .http
        .request(method, format!("{}{path}", app.api.url))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.expect("request")
}

async fn json_of(r: reqwest::Response, want: u16) -> Value {
    let status = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(status, want, "{v}");
    v
}

/// Mints a token through the API with the test's admin token; returns the secret.
async fn mint(app: &TestApp, role: &str, projects: Option<Vec<&str>>) -> String {
    let mut body = json!({"name": format!("{role}-token"), "role": role});
    if let Some(p) = projects {
        body["projects"] = json!(p);
    }
    let v = json_of(app.post("/api/tokens", &body).await, 201).await;
    assert_eq!(v["role"], role);
    v["secret"].as_str().expect("secret").to_owned()
}

async fn project(app: &TestApp, name: &str) -> String {
    let v = json_of(
        app.post(
            "/api/projects",
            &json!({"name": name, "repository": format!("https://example.com/{name}.git")}),
        )
        .await,
        201,
    )
    .await;
    v["id"].as_str().expect("project id").to_owned()
}

async fn task_in(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    call(app, token, "POST", "/api/tasks", Some(&body)).await
}

fn noop(title: &str, project: Option<&str>) -> Value {
    let mut b = json!({"title": title, "agent": "noop"});
    if let Some(p) = project {
        b["project_id"] = json!(p);
    }
    b
}

#[tokio::test]
async fn a_viewer_token_gets_403_on_every_write_and_may_read() {
    let app = TestApp::spawn_without_worker().await;
    let viewer = mint(&app, "viewer", None).await;
    let task = json_of(app.post("/api/tasks", &noop("mine", None)).await, 201).await;
    let task_id = task["id"].as_str().unwrap().to_owned();
    let project_id = project(&app, "viewed").await;

    // Every operation of the spec that is not a read: the spec is the list of routes.
    let spec = json_of(app.get("/api/openapi.json").await, 200).await;
    let mut writes = 0;
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        // Webhooks take no bearer token; a push subscription is the viewer's own.
        if path.starts_with("/api/webhooks") || path.starts_with("/api/push") {
            continue;
        }
        for method in ops.as_object().expect("operations").keys() {
            if method == "get" || method == "parameters" {
                continue;
            }
            let concrete = path
                .replace("{id}", if path.contains("tasks") { &task_id } else { &project_id })
                .replace("{agent}", "noop");
            let r = call(&app, &viewer, &method.to_uppercase(), &concrete, Some(&json!({}))).await;
            assert_eq!(r.status(), 403, "{method} {concrete}");
            writes += 1;
        }
    }
    assert!(writes >= 20, "only {writes} write operations found in the spec");
    // Nothing changed, and reading works.
    let t = json_of(
        call(&app, &viewer, "GET", &format!("/api/tasks/{task_id}"), None).await,
        200,
    )
    .await;
    assert_eq!(t["state"], "PENDING");
    json_of(call(&app, &viewer, "GET", "/api/projects", None).await, 200).await;
    let me = json_of(call(&app, &viewer, "GET", "/api/me", None).await, 200).await;
    assert_eq!(me["role"], "viewer");
    assert_eq!(me["can_write"], false);
}

#[tokio::test]
async fn a_member_may_not_create_exec_tasks_or_set_deploy_command() {
    let mut app = TestApp::spawn_without_worker().await;
    let member = mint(&app, "member", None).await;
    let exec = json!({"title": "shell", "agent": "exec", "exec": {"argv": ["true"]}});
    let p = json_of(task_in(&app, &member, exec.clone()).await, 403).await;
    assert!(p["detail"].as_str().unwrap().contains("exec"), "{p}");
    // Members create model and noop tasks.
    json_of(task_in(&app, &member, noop("fine", None)).await, 201).await;
    let batch = json!({"tasks": [noop("ok", None), exec.clone()]});
    json_of(call(&app, &member, "POST", "/api/tasks/batch", Some(&batch)).await, 403).await;

    let body =
        json!({"name": "deploys", "repository": "https://example.com/d.git", "deploy_command": ["sh", "-c", "id"]});
    json_of(call(&app, &member, "POST", "/api/projects", Some(&body)).await, 403).await;
    let pid = project(&app, "plain").await;
    let patch = json!({"deploy_command": ["sh", "-c", "id"]});
    json_of(
        call(&app, &member, "PATCH", &format!("/api/projects/{pid}"), Some(&patch)).await,
        403,
    )
    .await;
    let p = json_of(app.get(&format!("/api/projects/{pid}")).await, 200).await;
    assert!(p["deploy_command"].is_null(), "{p}");
    // Agent settings are an admin's too.
    json_of(
        call(
            &app,
            &member,
            "PATCH",
            "/api/agents/noop",
            Some(&json!({"paused": true})),
        )
        .await,
        403,
    )
    .await;

    // The policy is a setting: exec opened to members.
    app.replace_api(&[("EXEC_TASKS_ROLE", "member".into())]).await;
    json_of(task_in(&app, &member, exec).await, 201).await;
}

#[tokio::test]
async fn a_member_permission_ceiling_caps_and_fills_in_the_mode() {
    let app = TestApp::spawn_with_api_env(&[("MEMBER_MAX_PERMISSION_MODE", "acceptEdits".into())]).await;
    let member = mint(&app, "member", None).await;
    let base = json!({"title": "c", "agent": "claude", "instructions": "x"});
    let mut high = base.clone();
    high["permission_mode"] = json!("bypassPermissions");
    json_of(task_in(&app, &member, high.clone()).await, 403).await;
    let t = json_of(task_in(&app, &member, base).await, 201).await;
    assert_eq!(t["permission_mode"], "acceptEdits", "{t}");
    // Admins are not capped.
    let t = json_of(app.post("/api/tasks", &high).await, 201).await;
    assert_eq!(t["permission_mode"], "bypassPermissions", "{t}");
    // Tool names that would become flags are refused for everyone.
    let mut flag = json!({"title": "c", "agent": "claude", "instructions": "x"});
    flag["allowed_tools"] = json!(["--dangerously-skip-permissions"]);
    json_of(app.post("/api/tasks", &flag).await, 422).await;
    flag["allowed_tools"] = json!(["Bash(rm -rf:*)"]);
    json_of(app.post("/api/tasks", &flag).await, 422).await;
    flag["allowed_tools"] = json!(["Read", "Bash(git:*)"]);
    json_of(app.post("/api/tasks", &flag).await, 201).await;
}

#[tokio::test]
async fn a_project_scoped_token_sees_only_its_project_in_lists_events_and_sse() {
    let app = TestApp::spawn().await;
    let a = project(&app, "alpha").await;
    let b = project(&app, "beta").await;
    let scoped = mint(&app, "member", Some(vec![&a])).await;

    let mut sse = SseClient::connect(&app.http, &format!("{}/api/events", app.api.url), &scoped, None).await;
    let in_b = json_of(app.post("/api/tasks?run=true", &noop("b", Some(&b))).await, 201).await;
    let in_b = in_b["id"].as_str().unwrap().to_owned();
    app.wait_state(&in_b, "COMPLETED", T).await;
    let loose = json_of(app.post("/api/tasks", &noop("none", None)).await, 201).await;
    let in_a = json_of(task_in(&app, &scoped, noop("a", Some(&a))).await, 201).await;
    let in_a = in_a["id"].as_str().unwrap().to_owned();
    json_of(
        call(&app, &scoped, "POST", &format!("/api/tasks/{in_a}/run"), None).await,
        200,
    )
    .await;
    app.wait_state(&in_a, "COMPLETED", T).await;

    // SSE: everything that arrives is project A's, up to A's task completing.
    tokio::time::timeout(T, async {
        loop {
            let e = sse.next_event().await;
            assert_eq!(e["project_id"], a.as_str(), "{e}");
            if e["task_id"] == in_a.as_str() && e["to"] == "COMPLETED" {
                break;
            }
        }
    })
    .await
    .expect("project A's events over SSE");

    let list = json_of(call(&app, &scoped, "GET", "/api/tasks", None).await, 200).await;
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [in_a.as_str()]);
    // The full token sees all three.
    let all = json_of(app.get("/api/tasks").await, 200).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 3);
    // Asking for the other project by filter gives nothing.
    let other = json_of(
        call(&app, &scoped, "GET", &format!("/api/tasks?project_id={b}"), None).await,
        200,
    )
    .await;
    assert_eq!(other["items"], json!([]));

    for path in [
        format!("/api/tasks/{in_b}"),
        format!("/api/tasks/{in_b}/events"),
        format!("/api/tasks/{in_b}/executions"),
        format!("/api/tasks/{}", loose["id"].as_str().unwrap()),
        format!("/api/projects/{b}"),
    ] {
        json_of(call(&app, &scoped, "GET", &path, None).await, 403).await;
    }
    json_of(
        call(&app, &scoped, "POST", &format!("/api/tasks/{in_b}/run"), None).await,
        403,
    )
    .await;
    json_of(task_in(&app, &scoped, noop("b2", Some(&b))).await, 403).await;
    json_of(task_in(&app, &scoped, noop("nowhere", None)).await, 403).await;
    let projects = json_of(call(&app, &scoped, "GET", "/api/projects", None).await, 200).await;
    let names: Vec<&str> = projects
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha"]);
    let stories = json_of(
        call(&app, &scoped, "GET", &format!("/api/stories?project_id={b}"), None).await,
        200,
    )
    .await;
    assert_eq!(stories, json!([]));

    // Replaying the event history from the start shows only project A as well.
    let mut replay = SseClient::connect(&app.http, &format!("{}/api/events", app.api.url), &scoped, Some("0")).await;
    let first = tokio::time::timeout(T, replay.next_event())
        .await
        .expect("a replayed event");
    assert_eq!(first["task_id"], in_a.as_str(), "{first}");
}

#[tokio::test]
async fn an_agent_token_creates_subtasks_only_within_its_parent_limits() {
    let app = TestApp::spawn_without_worker().await;
    let a = project(&app, "home").await;
    let b = project(&app, "elsewhere").await;
    let parent = json_of(
        app.post(
            "/api/tasks",
            &json!({"title": "parent", "agent": "claude", "instructions": "x", "project_id": a,
                    "permission_mode": "acceptEdits", "budget_usd": 2.0}),
        )
        .await,
        201,
    )
    .await;
    let parent_id = parent["id"].as_str().unwrap().to_owned();
    let (_, agent) = app
        .store
        .create_token("agent", Some(parent_id.parse().unwrap()), None)
        .await
        .expect("agent token");
    let sub = |extra: Value| {
        let mut b = json!({"title": "sub", "agent": "claude", "instructions": "y", "parent_task_id": parent_id});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };

    let p = json_of(task_in(&app, &agent, sub(json!({"project_id": b}))).await, 403).await;
    assert!(p["detail"].as_str().unwrap().contains("project"), "{p}");
    let exec = sub(json!({"agent": "exec", "exec": {"argv": ["id"]}, "instructions": null}));
    json_of(task_in(&app, &agent, exec).await, 403).await;
    json_of(task_in(&app, &agent, sub(json!({"agent": "gemini"}))).await, 403).await;
    json_of(
        task_in(&app, &agent, sub(json!({"permission_mode": "bypassPermissions"}))).await,
        403,
    )
    .await;
    // Asking for more than the parent has left gets what is left (the parent's remaining budget).
    let over = json_of(task_in(&app, &agent, sub(json!({"budget_usd": 50.0}))).await, 201).await;
    assert_eq!(over["budget_usd"], 2.0, "{over}");
    // Not a subtask of its own task.
    json_of(task_in(&app, &agent, noop("loose", Some(&a))).await, 403).await;

    // Within the limits: created, with the parent's project, ceiling and budget.
    let t = json_of(task_in(&app, &agent, sub(json!({}))).await, 201).await;
    assert_eq!(t["project_id"], a.as_str());
    assert_eq!(t["permission_mode"], "acceptEdits");
    assert_eq!(t["budget_usd"], 2.0);

    // It reads nothing outside its task and project.
    json_of(call(&app, &agent, "GET", "/api/agents", None).await, 403).await;
    json_of(call(&app, &agent, "GET", "/api/stories", None).await, 403).await;
    json_of(
        call(&app, &agent, "GET", &format!("/api/projects/{b}"), None).await,
        403,
    )
    .await;
    let ps = json_of(call(&app, &agent, "GET", "/api/projects", None).await, 200).await;
    assert_eq!(ps.as_array().unwrap().len(), 1);
    assert_eq!(ps[0]["id"], a.as_str());
}

#[tokio::test]
async fn a_task_tree_past_the_depth_or_size_cap_is_refused() {
    let app = TestApp::spawn_with_api_env(&[("MAX_TASK_DEPTH", "2".into()), ("MAX_TREE_TASKS", "4".into())]).await;
    let root = json_of(app.post("/api/tasks", &noop("root", None)).await, 201).await;
    let mut parent = root["id"].as_str().unwrap().to_owned();
    for level in 1..=2 {
        let mut b = noop(&format!("level {level}"), None);
        b["parent_task_id"] = json!(parent);
        let t = json_of(app.post("/api/tasks", &b).await, 201).await;
        parent = t["id"].as_str().unwrap().to_owned();
    }
    let mut deeper = noop("level 3", None);
    deeper["parent_task_id"] = json!(parent);
    let p = json_of(app.post("/api/tasks", &deeper).await, 422).await;
    assert_eq!(p["type"], "urn:claudomator:problem:task-tree-limit", "{p}");

    // Three tasks so far; one more fits under the root, a batch of two does not.
    let mut wide = noop("wide", None);
    wide["parent_task_id"] = root["id"].clone();
    let batch = json!({"tasks": [wide.clone(), wide.clone()]});
    json_of(app.post("/api/tasks/batch", &batch).await, 422).await;
    json_of(app.post("/api/tasks", &wide).await, 201).await;
    json_of(app.post("/api/tasks", &wide).await, 422).await;
}

#[tokio::test]
async fn the_token_api_round_trip_create_use_list_revoke() {
    let app = TestApp::spawn_without_worker().await;
    let pid = project(&app, "scoped").await;
    let mut made = Vec::new();
    for role in ["admin", "member", "viewer"] {
        let expires = (chrono::Utc::now() + chrono::TimeDelta::days(1)).to_rfc3339();
        let body = json!({"name": format!("{role} one"), "role": role, "projects": [pid], "expires_at": expires});
        let v = json_of(app.post("/api/tokens", &body).await, 201).await;
        assert_eq!(v["projects"], json!([pid]));
        assert!(v["expires_at"].is_string());
        let secret = v["secret"].as_str().unwrap().to_owned();
        let me = json_of(call(&app, &secret, "GET", "/api/me", None).await, 200).await;
        assert_eq!(me["role"], role);
        assert_eq!(me["token_id"], v["id"]);
        assert_eq!(me["can_admin"], role == "admin");
        assert_eq!(me["can_write"], role != "viewer");
        made.push((v["id"].as_str().unwrap().to_owned(), secret, role));
    }
    // Only admins manage tokens.
    for (_, secret, role) in &made[1..] {
        let r = call(
            &app,
            secret,
            "POST",
            "/api/tokens",
            Some(&json!({"name": "x", "role": "admin"})),
        )
        .await;
        assert_eq!(r.status(), 403, "{role}");
        assert_eq!(
            call(&app, secret, "GET", "/api/tokens", None).await.status(),
            403,
            "{role}"
        );
    }
    let list = json_of(app.get("/api/tokens").await, 200).await;
    let listed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for (id, _, _) in &made {
        assert!(listed.contains(&id.as_str()), "{id} not in {listed:?}");
    }
    assert!(
        list.as_array().unwrap().iter().all(|t| t.get("secret").is_none()),
        "{list}"
    );
    // Bad input is 422.
    json_of(
        app.post("/api/tokens", &json!({"name": "", "role": "admin"})).await,
        422,
    )
    .await;
    let unknown = json!({"name": "n", "role": "member", "projects": [uuid::Uuid::now_v7()]});
    json_of(app.post("/api/tokens", &unknown).await, 422).await;

    for (id, secret, _) in &made {
        let r = call(&app, &app.token, "DELETE", &format!("/api/tokens/{id}"), None).await;
        assert_eq!(r.status(), 204);
        assert_eq!(call(&app, secret, "GET", "/api/me", None).await.status(), 401);
    }
    let r = call(&app, &app.token, "DELETE", &format!("/api/tokens/{}", made[0].0), None).await;
    assert_eq!(r.status(), 404);
    let list = json_of(app.get("/api/tokens").await, 200).await;
    let revoked = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["revoked_at"].is_string())
        .count();
    assert_eq!(revoked, 3);
}
