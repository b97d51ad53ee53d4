//! Stories: three tasks on one branch where the third depends on the first two, a checker of
//! another agent type (the real Claude Code CLI against a scripted API) that passes or sends
//! work back, then ship (merge into the default branch, deploy) and validation, with every
//! transition in the story's history.

use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;
use tests::fake_anthropic::{FakeAnthropic, Turn};

use crate::claude::{git, origin};

const T: Duration = Duration::from_secs(90);

fn verdict(text: &str) -> Turn {
    Turn::Text(format!("Checked the branch.\n\n## Summary\n{text}"))
}

async fn story_state(app: &TestApp, id: &str, state: &str) -> Value {
    tests::wait_until(T, &format!("story {id} to be {state}"), || async {
        let s: Value = app.get(&format!("/api/stories/{id}")).await.json().await.unwrap();
        (s["state"] == state).then_some(s)
    })
    .await
}

fn work(story: &Value, key: &str) -> Value {
    story["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == key)
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_story_runs_in_dependency_order_through_its_checker_gate_then_ships_and_validates() {
    let fake = FakeAnthropic::start(vec![]).await;
    fake.on("The task was: Write A", [verdict("VERDICT: PASS\na.txt is there.")]);
    fake.on(
        "The task was: Write B",
        [verdict("VERDICT: FAIL\nb.txt must say bee."), verdict("VERDICT: PASS")],
    );
    fake.on("The task was: Write C", [verdict("VERDICT: PASS")]);
    fake.on("was merged into", [verdict("VERDICT: PASS\nThe deployed story works.")]);
    let mut app = TestApp::spawn_without_worker().await;
    let mut env = fake.worker_env();
    env.push(("WORKER_AGENTS", "exec,claude".into()));
    let w = app.start_worker(&env).await;
    app.keep(w);

    let repo = origin(&app);
    let marker = app.workspace_root().with_extension("deployed");
    let r = app
        .post(
            "/api/projects",
            &json!({"name": "storied", "repository": repo.to_str().unwrap(), "default_branch": "trunk",
                    "deploy_command": ["sh", "-c", format!("git log --oneline -1 > {}", marker.display())]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let project = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    // B reads a file that only its second attempt writes correctly.
    let b_script = "if [ \"$CLAUDOMATOR_ATTEMPT\" = 1 ]; then echo b > b.txt; else echo bee > b.txt; printf '%s' \"$CLAUDOMATOR_FEEDBACK\"; fi";
    let r = app
        .post(
            "/api/stories",
            &json!({"project_id": project, "title": "Alphabet", "description": "Three files.",
            "tasks": [
                {"key": "a", "title": "Write A", "agent": "exec", "argv": ["sh", "-c", "echo a > a.txt"],
                 "acceptance_criteria": ["a.txt exists"]},
                {"key": "b", "title": "Write B", "agent": "exec", "argv": ["sh", "-c", b_script],
                 "acceptance_criteria": ["b.txt says bee"]},
                {"key": "c", "title": "Write C", "agent": "exec", "depends_on": ["a", "b"],
                 "argv": ["sh", "-c", "test -f a.txt && test -f b.txt && echo c > c.txt"],
                 "acceptance_criteria": ["c.txt exists next to a.txt and b.txt"]}
            ]}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let story: Value = r.json().await.unwrap();
    let id = story["id"].as_str().unwrap().to_owned();
    assert_eq!(story["state"], "OPEN");
    let (a, b, c) = (
        work(&story, "a")["task_id"].as_str().unwrap().to_owned(),
        work(&story, "b")["task_id"].as_str().unwrap().to_owned(),
        work(&story, "c")["task_id"].as_str().unwrap().to_owned(),
    );

    // The checker passes A and sends B back: B stays READY with the report.
    app.wait_state(&a, "COMPLETED", T).await;
    let failed = tests::wait_until(T, "B's checker verdict", || async {
        let s: Value = app.get(&format!("/api/stories/{id}")).await.json().await.unwrap();
        let b = work(&s, "b");
        (b["verdict"] == "fail").then_some(b)
    })
    .await;
    assert!(
        failed["checker_report"]
            .as_str()
            .unwrap()
            .contains("b.txt must say bee")
    );
    assert_eq!(app.task(&b).await["state"], "READY");
    assert_eq!(app.task(&c).await["state"], "QUEUED", "C waits for B");
    // A human sends B back to work; its second attempt passes.
    let r = app
        .post(
            &format!("/api/tasks/{b}/reject"),
            &json!({"comment": "see the checker"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let r = app.post(&format!("/api/tasks/{b}/run"), &json!({})).await;
    assert_eq!(r.status(), 200);
    app.wait_state(&b, "COMPLETED", T).await;
    // B's second attempt was given both the comment and the checker's report, and says so.
    let b_runs = app.executions(&b).await;
    let kinds: Vec<&str> = b_runs[1]["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["rejection", "checker_report"], "{}", b_runs[1]);
    assert!(
        b_runs[1]["feedback"][1]["text"]
            .as_str()
            .unwrap()
            .contains("b.txt must say bee")
    );
    let out = b_runs[1]["output"].as_str().unwrap();
    assert!(
        out.contains("see the checker") && out.contains("b.txt must say bee"),
        "{out}"
    );
    assert_eq!(b_runs[0]["feedback"], json!([]));
    app.wait_state(&c, "COMPLETED", T).await;

    let shippable = story_state(&app, &id, "SHIPPABLE").await;
    let checkers: Vec<&Value> = shippable["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["role"] == "checker")
        .collect();
    assert_eq!(checkers.len(), 4, "A, B twice, C");
    for ch in &checkers {
        let t = app.task(ch["task_id"].as_str().unwrap()).await;
        assert_eq!(t["agent"], "claude", "checked by another agent type");
    }
    // C ran only after A and B were accepted, on the branch that already held their work.
    let accepted_at = |id: String| {
        let app = &app;
        async move {
            app.events(&id)
                .await
                .iter()
                .rev()
                .find(|e| e["event"] == "accept")
                .map(|e| {
                    e["at"]
                        .as_str()
                        .unwrap()
                        .parse::<chrono::DateTime<chrono::Utc>>()
                        .unwrap()
                })
                .unwrap()
        }
    };
    let c_started = app
        .events(&c)
        .await
        .iter()
        .find(|e| e["event"] == "start")
        .map(|e| {
            e["at"]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
        })
        .unwrap();
    let (a_done, b_done) = (accepted_at(a.clone()).await, accepted_at(b.clone()).await);
    assert!(
        c_started > a_done && c_started > b_done,
        "C started {c_started}; A {a_done}, B {b_done}"
    );
    let branch = shippable["branch"].as_str().unwrap().to_owned();
    assert_eq!(git(&repo, &["show", &format!("{branch}:b.txt")]), "bee");

    // Ship: merged into trunk, deployed, validated.
    let r = app.post(&format!("/api/stories/{id}/ship"), &json!({})).await;
    assert_eq!(r.status(), 200);
    let r = app.post(&format!("/api/stories/{id}/ship"), &json!({})).await;
    assert_eq!(r.status(), 409, "only a SHIPPABLE story ships");
    let done = story_state(&app, &id, "REVIEW_READY").await;
    let merge = done["merge_commit"].as_str().unwrap();
    assert_eq!(git(&repo, &["rev-parse", "trunk"]), merge);
    for f in ["a.txt", "b.txt", "c.txt"] {
        git(&repo, &["cat-file", "-e", &format!("trunk:{f}")]);
    }
    let deployed = std::fs::read_to_string(&marker).unwrap();
    assert!(deployed.contains("Merge story: Alphabet"), "{deployed}");
    let validation = done["validation_task_id"].as_str().unwrap();
    assert_eq!(app.task(validation).await["state"], "COMPLETED");

    // Every transition is in the story's history.
    let history: Vec<Value> = app
        .get(&format!("/api/stories/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    let story_events: Vec<&str> = history
        .iter()
        .filter(|e| e["kind"] == "story" && !e["event"].as_str().unwrap().starts_with("checker_"))
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        story_events,
        ["create", "tasks_done", "ship", "deployed", "validated"],
        "{history:#?}"
    );
    // Checkers of A and B run side by side: their verdicts are ordered per task.
    let verdicts = |t: &str| -> Vec<String> {
        history
            .iter()
            .filter(|e| e["kind"] == "story" && e["task_id"] == t)
            .map(|e| e["event"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(verdicts(&a), ["checker_passed"]);
    assert_eq!(verdicts(&b), ["checker_failed", "checker_passed"]);
    assert_eq!(verdicts(&c), ["checker_passed"]);
    let at = |event: &str| {
        history
            .iter()
            .filter(|e| e["kind"] == "story" && e["event"] == event)
            .map(|e| {
                e["at"]
                    .as_str()
                    .unwrap()
                    .parse::<chrono::DateTime<chrono::Utc>>()
                    .unwrap()
            })
            .max()
            .unwrap()
    };
    assert!(
        at("checker_passed") <= at("tasks_done"),
        "every verdict came before tasks_done"
    );
    for t in [&a, &b, &c, &validation.to_owned()] {
        let task_events = history
            .iter()
            .filter(|e| e["kind"] == "task" && e["task_id"] == t.as_str())
            .count();
        assert_eq!(task_events, app.events(t).await.len(), "all of {t}'s transitions");
    }
}

#[tokio::test]
async fn a_failing_deploy_leaves_the_story_needing_a_fix() {
    let fake = FakeAnthropic::start(vec![]).await;
    fake.on("The task was:", [verdict("VERDICT: PASS")]);
    let mut app = TestApp::spawn_without_worker().await;
    let mut env = fake.worker_env();
    env.push(("WORKER_AGENTS", "exec,claude".into()));
    let w = app.start_worker(&env).await;
    app.keep(w);
    let repo = origin(&app);
    let r = app
        .post(
            "/api/projects",
            &json!({"name": "broken", "repository": repo.to_str().unwrap(), "default_branch": "trunk",
                    "deploy_command": ["sh", "-c", "echo cannot deploy >&2; exit 3"]}),
        )
        .await;
    let project = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/stories",
            &json!({"project_id": project, "title": "One", "checker_agent": "claude",
                "tasks": [{"key": "x", "title": "Write X", "agent": "exec", "argv": ["sh", "-c", "echo x > x.txt"]}]}),
        )
        .await;
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    story_state(&app, &id, "SHIPPABLE").await;
    assert_eq!(
        app.post(&format!("/api/stories/{id}/ship"), &json!({})).await.status(),
        200
    );
    let s = story_state(&app, &id, "NEEDS_FIX").await;
    assert!(s["last_error"].as_str().unwrap().contains("cannot deploy"), "{s}");
    // The merge itself happened before the deploy failed.
    git(&repo, &["cat-file", "-e", "trunk:x.txt"]);
}

#[tokio::test]
async fn stories_are_validated_before_anything_is_created() {
    let app = TestApp::spawn().await;
    let repo = origin(&app);
    let r = app
        .post(
            "/api/projects",
            &json!({"name": "p", "repository": repo.to_str().unwrap()}),
        )
        .await;
    let project = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let cycle = json!({"project_id": project, "title": "Loop", "tasks": [
        {"key": "a", "title": "A", "agent": "exec", "argv": ["true"], "depends_on": ["b"]},
        {"key": "b", "title": "B", "agent": "exec", "argv": ["true"], "depends_on": ["a"]}]});
    let r = app.post("/api/stories", &cycle).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert!(r.text().await.unwrap().contains("dependency cycle"));
    let same_agent = json!({"project_id": project, "title": "Self-checked", "checker_agent": "claude", "tasks": [
        {"key": "a", "title": "A", "agent": "claude", "instructions": "do it"}]});
    assert_eq!(app.post("/api/stories", &same_agent).await.status(), 422);
    let unknown = json!({"project_id": project, "title": "Dangling", "tasks": [
        {"key": "a", "title": "A", "agent": "exec", "argv": ["true"], "depends_on": ["zzz"]}]});
    assert_eq!(app.post("/api/stories", &unknown).await.status(), 422);
    let stories: Vec<Value> = app.get("/api/stories").await.json().await.unwrap();
    assert!(stories.is_empty());
    let page: Value = app.get("/api/tasks").await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn a_story_is_drafted_by_a_model_and_created_from_the_draft() {
    use tests::model_apis::{Api, ModelApis, Reply};
    let models = ModelApis::start().await;
    models.script(
        Api::OpenAi,
        [Reply::Text(
            json!({"title": "Dark mode", "description": "A theme switch.", "tasks": [
                {"key": "tokens", "title": "Add colour tokens", "instructions": "Define light and dark tokens.",
                 "acceptance_criteria": ["both palettes exist"], "agent": "claude", "model": "sonnet"},
                {"key": "toggle", "title": "Add the toggle", "instructions": "Add a header toggle.",
                 "acceptance_criteria": ["the toggle switches palettes"], "depends_on": ["tokens"]}]})
            .to_string(),
        )],
    );
    let app = TestApp::spawn_with_api_env(&models.env(&[Api::OpenAi])).await;
    let repo = origin(&app);
    let r = app
        .post(
            "/api/projects",
            &json!({"name": "ui", "repository": repo.to_str().unwrap()}),
        )
        .await;
    let project = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/api/stories/elaborate",
            &json!({"request": "dark mode", "project_id": project}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let draft: Value = r.json().await.unwrap();
    assert_eq!(draft["drafted_by"], "local");
    assert_eq!(draft["tasks"][1]["depends_on"], json!(["tokens"]));
    assert!(
        format!("{:?}", models.seen(Api::OpenAi)[0]).contains("dark mode"),
        "the request reached the model"
    );
    // The draft is what POST /api/stories takes.
    let mut body = draft.clone();
    let obj = body.as_object_mut().unwrap();
    obj.remove("drafted_by");
    let r = app.post("/api/stories", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let story: Value = r.json().await.unwrap();
    let toggle = work(&story, "toggle");
    let tokens = work(&story, "tokens");
    let t = app.task(toggle["task_id"].as_str().unwrap()).await;
    assert_eq!(t["depends_on"], json!([tokens["task_id"]]));
    assert_eq!(toggle["acceptance_criteria"], json!(["the toggle switches palettes"]));
}
