//! The real Claude Code CLI (npm `@anthropic-ai/claude-code`, pinned) against a scripted Messages
//! API on loopback: git sandboxes with pushed branches and changestats, cost/tokens/session,
//! questions resumed on another worker process, rate limits, budgets, timeouts and cancel.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tests::TestApp;
use tests::fake_anthropic::{FakeAnthropic, Turn};
use tests::wait::wait_until;

const T: Duration = Duration::from_secs(60);

pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@localhost")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@localhost")
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A bare repository whose default branch is `trunk` (not `main` or `master`) with one commit.
pub(crate) fn origin(app: &TestApp) -> PathBuf {
    let base = app.workspace_root().with_extension("repos");
    let _ = std::fs::remove_dir_all(&base);
    let seed = base.join("seed");
    std::fs::create_dir_all(&seed).unwrap();
    git(&seed, &["init", "-q", "-b", "trunk"]);
    std::fs::write(seed.join("README.md"), "hello\n").unwrap();
    git(&seed, &["add", "README.md"]);
    git(&seed, &["commit", "-q", "-m", "seed"]);
    let bare = base.join("origin.git");
    git(
        &base,
        &["clone", "-q", "--bare", seed.to_str().unwrap(), bare.to_str().unwrap()],
    );
    bare
}

pub(crate) async fn project(app: &TestApp, repo: &Path) -> String {
    let r = app
        .post(
            "/api/projects",
            &json!({"name": "sandboxed", "repository": repo.to_str().unwrap(), "default_branch": "trunk"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn claude_task(app: &TestApp, extra: Value) -> String {
    let mut body = json!({"title": "Write hello", "agent": "claude", "instructions": "Create hello.txt saying hello."});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let r = app.post("/api/tasks?run=true", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

fn overrides(fake: &FakeAnthropic, more: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut o = fake.worker_env();
    o.push(("WORKER_AGENTS", "claude".into()));
    o.extend(more.iter().map(|(k, v)| (*k, (*v).to_owned())));
    o
}

#[tokio::test]
async fn claude_edits_the_sandbox_and_its_branch_is_pushed() {
    let fake = FakeAnthropic::start(vec![
        Turn::Bash("printf 'hello\\n' > hello.txt".into()),
        Turn::Text("Created the file.\n\n## Summary\nWrote hello.txt.".into()),
    ])
    .await;
    let mut app = TestApp::spawn_without_worker().await;
    let w = app.start_worker(&overrides(&fake, &[])).await;
    app.keep(w);
    let repo = origin(&app);
    let project = project(&app, &repo).await;
    let id = claude_task(&app, json!({"project_id": project, "model": "sonnet"})).await;
    let t = app.wait_state(&id, "READY", T).await;
    assert_eq!(t["attempts_used"], 1);
    let ex = &app.executions(&id).await[0];
    assert_eq!(ex["outcome"], "succeeded");
    assert_eq!(ex["exit_code"], 0);
    assert_eq!(ex["summary"], "Wrote hello.txt.");
    assert!(ex["cost_usd"].as_f64().unwrap() > 0.0, "{ex}");
    assert_eq!(ex["tokens_in"], 200);
    assert!(ex["tokens_out"].as_i64().unwrap() > 0);
    let session = ex["session_id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(session).is_ok(), "{session}");
    let changes = &ex["changes"];
    let branch = format!("claudomator/{id}");
    assert_eq!(changes["branch"], branch.as_str());
    assert_eq!(changes["files_changed"], 1);
    assert_eq!(changes["insertions"], 1);
    assert_eq!(changes["deletions"], 0);
    assert_eq!(changes["pushed"], true);
    // The branch is in the project's repository, on top of its default branch.
    assert_eq!(git(&repo, &["show", &format!("{branch}:hello.txt")]), "hello");
    assert_eq!(git(&repo, &["rev-parse", &branch]), changes["commit"].as_str().unwrap());
    assert_eq!(git(&repo, &["rev-parse", "trunk"]), changes["base"].as_str().unwrap());
    // The CLI got the model, the preamble, and ran in the task's directory.
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    let first = seen[0].to_string();
    assert!(first.contains("CLAUDOMATOR_QUESTION_FILE"), "preamble missing");
    assert!(first.contains("Create hello.txt saying hello."));
    assert!(first.contains(&format!("{id}/work")), "working directory");
    assert!(seen[0]["model"].as_str().unwrap().contains("sonnet"));
    // The sandbox is gone.
    assert!(!app.workspace_root().join(&id).exists());
}

const ASK: &str = "printf 'draft\\n' > notes.txt && \
    printf '{\"text\": \"Which colour?\", \"options\": [\"red\", \"blue\"]}' > \"$CLAUDOMATOR_QUESTION_FILE\"";

#[tokio::test]
async fn a_question_resumes_the_same_session_and_workspace_on_another_worker_process() {
    let fake = FakeAnthropic::start(vec![Turn::Bash(ASK.into()), Turn::Text("I asked which colour.".into())]).await;
    let app = TestApp::spawn_without_worker().await;
    let repo = origin(&app);
    let project = project(&app, &repo).await;
    let mut asker = app.spawn_worker_process(&overrides(&fake, &[("WORKER_ID", "asker")]));
    let id = claude_task(&app, json!({"project_id": project})).await;
    let t = app.wait_state(&id, "BLOCKED", T).await;
    assert_eq!(t["question"]["text"], "Which colour?");
    let first = app.executions(&id).await[0].clone();
    assert_eq!(first["outcome"], "blocked");
    // Nothing of the task stays on the asking worker's disk: it is archived in Postgres.
    assert!(!app.workspace_root().join(&id).exists());
    kill(Pid::from_raw(asker.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    assert!(asker.wait().await.unwrap().success());

    let requests_before = fake.seen().len();
    fake.push([
        Turn::Bash("cat notes.txt && printf 'blue\\n' > colour.txt".into()),
        Turn::Text("Painted.\n\n## Summary\nPainted it blue.".into()),
    ]);
    let mut answerer = app.spawn_worker_process(&overrides(&fake, &[("WORKER_ID", "answerer")]));
    let r = app
        .post(&format!("/api/tasks/{id}/answer"), &json!({"answer": "blue"}))
        .await;
    assert_eq!(r.status(), 200);
    let t = app.wait_state(&id, "READY", T).await;
    let _ = kill(Pid::from_raw(answerer.id().unwrap() as i32), Signal::SIGTERM);
    let _ = answerer.wait().await;
    assert_eq!(t["question"]["answer"], "blue");
    let ex = app.executions(&id).await;
    assert_eq!(ex.len(), 2);
    assert_eq!(ex[0]["worker_id"], "asker");
    assert_eq!(ex[1]["worker_id"], "answerer");
    assert_eq!(ex[1]["summary"], "Painted it blue.");
    // The same session went on: the resumed request carries the whole earlier conversation.
    assert_eq!(ex[1]["session_id"], first["session_id"]);
    let resumed = fake.seen()[requests_before].to_string();
    assert!(resumed.contains("Which colour?"), "earlier conversation missing");
    assert!(resumed.contains("The human answered your question: blue"));
    // And the same workspace: the uncommitted draft of the first attempt reached the branch.
    let branch = format!("claudomator/{id}");
    assert_eq!(git(&repo, &["show", &format!("{branch}:notes.txt")]), "draft");
    assert_eq!(git(&repo, &["show", &format!("{branch}:colour.txt")]), "blue");
    assert_eq!(ex[1]["changes"]["files_changed"], 2);
    // The spent archive is gone.
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM task_workspaces")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
}

/// Waits for the task's first execution to end rate limited; the task is QUEUED again with no
/// attempt charged.
pub(crate) async fn rate_limited(app: &TestApp, id: &str) -> Value {
    wait_until(T, "a rate-limited execution", || async {
        app.executions(id)
            .await
            .first()
            .filter(|e| e["outcome"] == "rate_limited")
            .cloned()
    })
    .await;
    let t = app.task(id).await;
    assert_eq!(t["state"], "QUEUED");
    assert_eq!(t["attempts_used"], 0);
    t
}

/// Until when an agent type is paused, as `GET /api/agents` says.
pub(crate) async fn paused_until(app: &TestApp, agent: &str) -> chrono::DateTime<chrono::Utc> {
    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    let a = agents.iter().find(|a| a["agent"] == agent).unwrap();
    a["paused_until"].as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_429_pauses_claude_fleet_wide_without_charging_an_attempt() {
    let fake = FakeAnthropic::start(vec![Turn::Error(429, Some("37".into()))]).await;
    let mut app = TestApp::spawn_without_worker().await;
    let w = app.start_worker(&overrides(&fake, &[])).await;
    app.keep(w);
    let id = claude_task(&app, json!({})).await;
    let started = chrono::Utc::now();
    let t = rate_limited(&app, &id).await;
    // The CLI was stopped at its first retry instead of trying ten times.
    assert_eq!(fake.seen().len(), 1);
    let until = paused_until(&app, "claude").await;
    // retry-after 37 s, as the CLI's own retry delay (37 s and its jitter).
    let wait = (until - started).num_seconds();
    assert!((30..=60).contains(&wait), "paused for {wait} s");
    let run_at: chrono::DateTime<chrono::Utc> = t["run_at"].as_str().unwrap().parse().unwrap();
    assert!((run_at - started).num_seconds() >= 30);
}

#[tokio::test]
async fn a_budget_overrun_stops_the_run() {
    let fake = FakeAnthropic::start(
        (0..5)
            .map(|_| Turn::CostlyBash("echo working".into(), 1_000_000))
            .collect(),
    )
    .await;
    let mut app = TestApp::spawn_without_worker().await;
    let w = app.start_worker(&overrides(&fake, &[])).await;
    app.keep(w);
    let id = claude_task(&app, json!({"budget_usd": 0.5})).await;
    let t = app.wait_state(&id, "BUDGET_EXCEEDED", T).await;
    assert_eq!(t["state"], "BUDGET_EXCEEDED");
    let ex = &app.executions(&id).await[0];
    assert_eq!(ex["outcome"], "budget_exceeded");
    assert!(ex["cost_usd"].as_f64().unwrap() > 0.5, "{ex}");
    // Stopped after the first expensive turn, not after all five.
    assert!(fake.seen().len() < 5);
}

fn alive(pid: i32) -> bool {
    tests::process_running(pid)
}

/// A tool call that leaves a long-running process behind.
fn sleeper() -> Turn {
    Turn::Bash("tail -f /dev/null & wait".into())
}

/// The pid of the task's `tail`, found on the host by the task id all its processes carry.
async fn wait_tail(task: &str) -> i32 {
    wait_until(T, "the tool's process", || async {
        tests::processes_with_env("CLAUDOMATOR_TASK_ID", task)
            .into_iter()
            .find(|p| std::fs::read_to_string(format!("/proc/{p}/comm")).is_ok_and(|c| c.trim() == "tail"))
    })
    .await
}

#[tokio::test]
async fn timeout_and_cancel_kill_the_clis_whole_process_group() {
    let mut app = TestApp::spawn_without_worker().await;
    let fake = FakeAnthropic::start(vec![sleeper()]).await;
    let w = app.start_worker(&overrides(&fake, &[])).await;
    app.keep(w);

    let id = claude_task(&app, json!({"timeout": "4s"})).await;
    let pid = wait_tail(&id).await;
    assert!(alive(pid));
    app.wait_state(&id, "TIMED_OUT", T).await;
    wait_until(Duration::from_secs(10), "the tool's process killed", || async {
        (!alive(pid)).then_some(())
    })
    .await;
    assert_eq!(app.executions(&id).await[0]["outcome"], "timed_out");

    fake.push([sleeper()]);
    let id = claude_task(&app, json!({})).await;
    let pid = wait_tail(&id).await;
    let r = app.post(&format!("/api/tasks/{id}/cancel"), &json!({})).await;
    assert_eq!(r.status(), 200);
    wait_until(Duration::from_secs(10), "the tool's process killed", || async {
        (!alive(pid)).then_some(())
    })
    .await;
    assert_eq!(app.task(&id).await["state"], "CANCELLED");
}

#[tokio::test]
async fn processes_an_agent_leaves_in_sessions_of_their_own_are_killed() {
    let app = TestApp::spawn().await;
    // It leaves a session of its own behind, and ends once the test has seen it.
    let script = "setsid tail -f /dev/null > /dev/null 2>&1 & while [ ! -e go ]; do sleep 0.05; done";
    let id = app.run_exec(&["sh", "-c", script], json!({})).await;
    let pid = wait_tail(&id).await;
    std::fs::write(app.workspace_root().join(&id).join("work/go"), "").unwrap();
    app.wait_state(&id, "COMPLETED", T).await;
    wait_until(Duration::from_secs(10), "the escaped process killed", || async {
        (!alive(pid)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn without_a_summary_the_local_model_writes_one() {
    use tests::model_apis::{Api, ModelApis, Reply};
    let fake = FakeAnthropic::start(vec![
        Turn::Bash("echo fixed > fix.txt".into()),
        Turn::Text("Done.".into()),
    ])
    .await;
    let model = ModelApis::start().await;
    model.script(
        Api::OpenAi,
        [Reply::Text(r#"{"summary": "Wrote fix.txt with the fix."}"#.into())],
    );
    let mut app = TestApp::spawn_without_worker().await;
    let mut env = overrides(&fake, &[]);
    env.extend(model.env(&[Api::OpenAi]));
    let w = app.start_worker(&env).await;
    app.keep(w);
    let id = claude_task(&app, json!({})).await;
    app.wait_state(&id, "READY", T).await;
    assert_eq!(app.executions(&id).await[0]["summary"], "Wrote fix.txt with the fix.");
    // The model read the end of the agent's output.
    let seen = model.seen(Api::OpenAi);
    assert_eq!(seen.len(), 1);
    assert!(format!("{:?}", seen[0]).contains("fix.txt"));
}
