//! CI-fix tasks whose plan the local model writes after the webhook answered, from the failure,
//! the failing commit's history and CLAUDE.md of a real (local, bare) repository; the fixed plan
//! when the model fails or is absent; never a rewrite of a task a worker claimed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use shared::domain::{AgentKind, Attempt, Dispatch, Priority, TaskId};
use tests::TestApp;
use tests::github_examples::find;
use tests::model_apis::{Api, ModelApis, Reply};
use tests::wait::wait_until;

use crate::claude::git;
use crate::webhooks::{github, project};

const T: Duration = Duration::from_secs(30);

/// A bare repository: 12 early commits, one adding CLAUDE.md, the failing one, and a later one.
struct Repo {
    base: PathBuf,
    bare: PathBuf,
    /// The failing commit and the one before it.
    failing: String,
    before: String,
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

fn commit(dir: &Path, file: &str, content: &str, message: &str) -> String {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
    git(dir, &["add", file]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn repo(app: &TestApp) -> Repo {
    let base = app.workspace_root().with_extension("ci-plan-repos");
    let _ = std::fs::remove_dir_all(&base);
    let seed = base.join("seed");
    std::fs::create_dir_all(&seed).unwrap();
    git(&seed, &["init", "-q", "-b", "main"]);
    for i in 1..=12 {
        commit(
            &seed,
            &format!("early/{i}.txt"),
            "x\n",
            &format!("Early work number {i}"),
        );
    }
    commit(
        &seed,
        "CLAUDE.md",
        "# Agents\nRun the whole suite with `make check-all` before committing.\n",
        "Add CLAUDE.md",
    );
    let before = commit(&seed, "src/lexer.rs", "fn lex() {}\n", "Split the lexer out");
    let failing = commit(&seed, "src/parse.rs", "fn parse() {}\n", "Make the parser strict");
    commit(&seed, "docs/later.md", "later\n", "Later work after the failure");
    let bare = base.join("origin.git");
    git(
        &base,
        &["clone", "-q", "--bare", seed.to_str().unwrap(), bare.to_str().unwrap()],
    );
    Repo {
        base,
        bare,
        failing,
        before,
    }
}

/// GitHub's failed check run example, about `sha` on `main`.
fn failed_check_run(sha: &str) -> Value {
    let mut run = find("check_run", |e| {
        e["action"] == "completed" && e["check_run"]["conclusion"] == "failure"
    });
    run["check_run"]["head_sha"] = json!(sha);
    run["check_run"]["check_suite"]["head_branch"] = json!("main");
    run
}

async fn ci_project(app: &TestApp, repository: Option<&Path>, agent: &str) {
    let mut body = json!({"github_repo": "Codertocat/Hello-World", "default_agent": agent});
    if let Some(r) = repository {
        body["repository"] = json!(r.to_str().unwrap());
    }
    project(app, "ci", body).await;
}

/// Posts the failure of `sha`; the new task's id.
async fn report(app: &TestApp, delivery: &str, sha: &str) -> String {
    let r = github(app, "check_run", delivery, &failed_check_run(sha), None).await;
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    r.json::<Value>().await.unwrap()["task_id"].as_str().unwrap().to_owned()
}

/// Waits for the task's `plan` event.
async fn plan_event(app: &TestApp, id: &str) -> Value {
    wait_until(T, "the plan event", || async {
        app.events(id).await.into_iter().find(|e| e["event"] == "plan")
    })
    .await
}

fn model_env(models: &ModelApis, timeout_ms: u64) -> Vec<(&'static str, String)> {
    let mut env = models.env(&[Api::OpenAi]);
    env.push(("CI_PLAN_TIMEOUT_MS", timeout_ms.to_string()));
    env
}

const FIXED: &str = "Investigate and fix the failure:\n1. Check out main at ";

#[tokio::test]
async fn the_local_model_writes_the_plan_from_the_commits_and_claude_md() {
    let models = ModelApis::start().await;
    models.script(
        Api::OpenAi,
        [Reply::Text(
            json!({"plan": [
                "1. Read src/parse.rs: `Make the parser strict` changed it",
                "2. Run `make check-all` to reproduce",
                "3. Fix the parser and commit"
            ]})
            .to_string(),
        )],
    );
    // Held for a minute at most: a start within `T` shows the plan released it early.
    let mut app = TestApp::spawn_with_api_env(&model_env(&models, 60_000)).await;
    let repo = repo(&app);
    ci_project(&app, Some(&repo.bare), "noop").await;
    let w = app.start_worker(&[("WORKER_AGENTS", "noop".into())]).await;
    app.keep(w);

    let id = report(&app, "plan-1", &repo.failing).await;
    let t = app.wait_state(&id, "COMPLETED", T).await;
    let header = t["description"].as_str().unwrap();
    assert!(header.starts_with("CI failure\n- provider: github\n"), "{header}");
    assert!(header.contains(&format!("- commit: {}\n", repo.failing)), "{header}");
    assert_eq!(
        t["instructions"].as_str().unwrap(),
        format!(
            "{header}\nInvestigate and fix the failure:\n1. Read src/parse.rs: `Make the parser strict` changed it\n\
             2. Run `make check-all` to reproduce\n3. Fix the parser and commit\n\
             4. End with a `## Summary` of the cause and the fix."
        )
    );
    assert!(t["run_at"].is_null());

    // What the model saw: the failure, the ten commits up to the failing one, and CLAUDE.md.
    let seen = models.seen(Api::OpenAi);
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].body["response_format"]["type"], "json_object");
    let prompt = seen[0].body["messages"][1]["content"].as_str().unwrap();
    assert!(prompt.contains(header), "{prompt}");
    for shown in [
        "Make the parser strict",
        "src/parse.rs",
        "Split the lexer out",
        "Add CLAUDE.md",
        "Early work number 6",
        "Run the whole suite with `make check-all` before committing.",
    ] {
        assert!(prompt.contains(shown), "{shown} missing from {prompt}");
    }
    for hidden in ["Later work after the failure", "Early work number 5\n", "AGENTS.md at"] {
        assert!(!prompt.contains(hidden), "{hidden} in {prompt}");
    }

    let events = app.events(&id).await;
    let names: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["create", "plan", "start", "succeed"]);
    let plan = &events[1];
    assert_eq!(
        (plan["from"].as_str(), plan["to"].as_str(), plan["actor"].as_str()),
        (Some("QUEUED"), Some("QUEUED"), Some("ci-plan"))
    );
    assert_eq!(
        plan["reason"],
        "plan written by the local model test-model from the failure, 10 recent commits and CLAUDE.md"
    );
}

#[tokio::test]
async fn a_failing_slow_or_absent_model_keeps_the_fixed_plan() {
    let models = ModelApis::start().await;
    models.script(
        Api::OpenAi,
        [Reply::Status(500), Reply::Text(r#"{"answer": "no plan here"}"#.into())],
    );
    let mut app = TestApp::spawn_with_api_env(&model_env(&models, 20_000)).await;
    let repo = repo(&app);
    ci_project(&app, Some(&repo.bare), "claude").await;

    let check = |t: &Value| {
        let instr = t["instructions"].as_str().unwrap();
        assert!(instr.contains(FIXED), "{instr}");
        assert!(instr.ends_with("5. End with a `## Summary` of the cause and the fix."));
        // The hold is lifted all the same; no worker here, so it waits QUEUED.
        assert_eq!((t["state"].as_str(), t["run_at"].is_null()), (Some("QUEUED"), true));
    };
    let failed = report(&app, "fail-1", &repo.failing).await;
    let e = plan_event(&app, &failed).await;
    assert_eq!(e["reason"], "fixed plan kept: the local model failed: HTTP 500");
    check(&app.task(&failed).await);

    let unusable = report(&app, "fail-2", &repo.before).await;
    let e = plan_event(&app, &unusable).await;
    let reason = e["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("fixed plan kept: the local model failed: unusable answer: the answer has no plan"),
        "{reason}"
    );
    check(&app.task(&unusable).await);

    // A model that does not answer within CI_PLAN_TIMEOUT_MS.
    models.script(
        Api::OpenAi,
        [Reply::Delayed(
            Duration::from_secs(20),
            Box::new(Reply::Text("{}".into())),
        )],
    );
    app.replace_api(&model_env(&models, 1_500)).await;
    let sha = git(&repo.bare, &["rev-parse", "main"]);
    let slow = report(&app, "fail-3", &sha).await;
    let e = plan_event(&app, &slow).await;
    assert_eq!(e["reason"], "fixed plan kept: the local model failed: timed out");
    check(&app.task(&slow).await);

    // Without a local model the fixed plan is final: no hold, nothing written later.
    app.replace_api(&[]).await;
    let plain = report(&app, "fail-4", &git(&repo.bare, &["rev-parse", "main~3"])).await;
    let t = app.task(&plain).await;
    assert!(t["instructions"].as_str().unwrap().contains(FIXED));
    assert!(t["run_at"].is_null());
    assert!(app.events(&plain).await.iter().all(|e| e["event"] != "plan"));
    assert_eq!(models.seen(Api::OpenAi).len(), 3);
}

#[tokio::test]
async fn a_task_a_worker_claimed_is_not_rewritten() {
    let models = ModelApis::start().await;
    models.script(
        Api::OpenAi,
        [Reply::Delayed(
            Duration::from_secs(3),
            Box::new(Reply::Text(r#"{"plan": ["too late"]}"#.into())),
        )],
    );
    let app = TestApp::spawn_with_api_env(&model_env(&models, 20_000)).await;
    ci_project(&app, None, "claude").await;
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let id = report(&app, "late-1", sha).await;
    // The model is writing; a worker claims the task meanwhile (as when the hold ran out).
    wait_until(T, "the model to be asked", || async {
        (!models.seen(Api::OpenAi).is_empty()).then_some(())
    })
    .await;
    let prompt = models.seen(Api::OpenAi)[0].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(prompt.contains("The project names no repository."), "{prompt}");
    let order = Dispatch {
        task: TaskId::from_uuid(id.parse().unwrap()),
        attempt: Attempt(0),
        agent: AgentKind::Claude,
        priority: Priority::Normal,
        not_before: None,
    };
    let claimed = app
        .store
        .claim("test-worker", &[order], Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(claimed.claimed.len(), 1);

    let e = plan_event(&app, &id).await;
    assert_eq!(
        e["reason"],
        "plan written by the local model test-model from the failure; not applied: the task was already \
         RUNNING at attempt 1"
    );
    assert_eq!((e["from"].as_str(), e["attempt"].as_i64()), (Some("RUNNING"), Some(1)));
    let t = app.task(&id).await;
    assert_eq!(t["state"], "RUNNING");
    assert!(t["instructions"].as_str().unwrap().contains(FIXED));
    assert!(!t["instructions"].as_str().unwrap().contains("too late"));
}
