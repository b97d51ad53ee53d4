//! Loops that must close: a rejection comment reaches the next attempt (in `exec`'s
//! `CLAUDOMATOR_FEEDBACK`, in the prompt of the real Claude Code and Gemini CLIs against scripted
//! APIs), and the execution records which feedback it was given; a budget bounds the sum of a
//! task's attempts.

use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;

const T: Duration = Duration::from_secs(60);
const HEADING: &str = "## Feedback on the previous attempt";

async fn create(app: &TestApp, body: Value) -> String {
    let r = app.post("/api/tasks?run=true", &body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

/// Rejects a READY task with `comment` and runs it again.
async fn reject_and_rerun(app: &TestApp, id: &str, comment: &str) {
    let r = app
        .post(&format!("/api/tasks/{id}/reject"), &json!({"comment": comment}))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = app.post(&format!("/api/tasks/{id}/run"), &json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

fn recorded_rejection(ex: &Value, comment: &str) {
    assert_eq!(ex["feedback"], json!([{"kind": "rejection", "text": comment}]), "{ex}");
}

#[tokio::test]
async fn an_exec_task_rerun_after_a_rejection_gets_the_comment_in_its_environment() {
    let app = TestApp::spawn().await;
    let id = create(
        &app,
        json!({"title": "feedback", "agent": "exec", "review": true,
               "exec": {"argv": ["sh", "-c", "printf 'feedback=[%s]' \"$CLAUDOMATOR_FEEDBACK\""]}}),
    )
    .await;
    app.wait_state(&id, "READY", T).await;
    reject_and_rerun(&app, &id, "Print the totals too.").await;
    tests::wait_until(T, "the second attempt to be READY", || async {
        let t = app.task(&id).await;
        (t["state"] == "READY" && t["attempt"] == 2).then_some(())
    })
    .await;
    let ex = app.executions(&id).await;
    assert_eq!(
        ex[0]["output"].as_str().unwrap().trim(),
        "feedback=[]",
        "the first attempt has none"
    );
    assert_eq!(ex[0]["feedback"], json!([]));
    let out = ex[1]["output"].as_str().unwrap();
    assert!(
        out.contains("A human reviewer rejected the previous attempt:\nPrint the totals too."),
        "{out}"
    );
    recorded_rejection(&ex[1], "Print the totals too.");
}

#[tokio::test]
async fn a_claude_task_rerun_after_a_rejection_gets_the_comment_in_a_marked_prompt_section() {
    use tests::fake_anthropic::{FakeAnthropic, Turn};
    let done = || Turn::Text("Done.\n\n## Summary\nWrote it.".into());
    let fake = FakeAnthropic::start(vec![done()]).await;
    let mut app = TestApp::spawn_without_worker().await;
    let mut env = fake.worker_env();
    env.push(("WORKER_AGENTS", "claude".into()));
    let w = app.start_worker(&env).await;
    app.keep(w);
    let id = create(
        &app,
        json!({"title": "Write a poem", "agent": "claude", "model": "sonnet", "instructions": "Write a poem about rust."}),
    )
    .await;
    app.wait_state(&id, "READY", T).await;
    let first = fake.seen().len();
    assert!(
        !fake.seen()[0].to_string().contains(HEADING),
        "no feedback on a first attempt"
    );
    fake.push([done()]);
    reject_and_rerun(&app, &id, "Make it rhyme.").await;
    tests::wait_until(T, "the second attempt to be READY", || async {
        let t = app.task(&id).await;
        (t["state"] == "READY" && t["attempt"] == 2).then_some(())
    })
    .await;
    let prompt = fake.seen()[first].to_string();
    assert!(prompt.contains("Write a poem about rust."), "{prompt}");
    assert!(prompt.contains(HEADING), "{prompt}");
    assert!(prompt.contains("Make it rhyme."), "{prompt}");
    recorded_rejection(&app.executions(&id).await[1], "Make it rhyme.");
}

#[tokio::test]
async fn a_gemini_task_rerun_after_a_rejection_gets_the_comment_in_a_marked_prompt_section() {
    use tests::fake_gemini::{FakeGemini, Turn};
    let done = || Turn::Text("Done.\n\n## Summary\nWrote it.".into());
    let fake = FakeGemini::start(vec![done()]).await;
    let mut app = TestApp::spawn_without_worker().await;
    let mut env = fake.worker_env();
    env.push(("WORKER_AGENTS", "gemini".into()));
    let w = app.start_worker(&env).await;
    app.keep(w);
    let id = create(
        &app,
        json!({"title": "Write a poem", "agent": "gemini", "instructions": "Write a poem about rust."}),
    )
    .await;
    app.wait_state(&id, "READY", T).await;
    let first = fake.seen().len();
    fake.push([done()]);
    reject_and_rerun(&app, &id, "Make it rhyme.").await;
    tests::wait_until(T, "the second attempt to be READY", || async {
        let t = app.task(&id).await;
        (t["state"] == "READY" && t["attempt"] == 2).then_some(())
    })
    .await;
    let later: String = fake.seen()[first..].iter().map(Value::to_string).collect();
    assert!(later.contains(HEADING), "{later}");
    assert!(later.contains("Make it rhyme."), "{later}");
    recorded_rejection(&app.executions(&id).await[1], "Make it rhyme.");
}

#[tokio::test]
async fn a_budget_bounds_the_sum_of_the_attempts() {
    use tests::fake_anthropic::{FakeAnthropic, Turn};
    // Each attempt runs up about 0.60 USD (300k input tokens at the price the CLI applies).
    let costly = || {
        [
            Turn::CostlyBash("echo working".into(), 300_000),
            Turn::Text("Done.\n\n## Summary\nWorked.".into()),
        ]
    };
    let fake = FakeAnthropic::start(costly().into()).await;
    let mut app = TestApp::spawn_without_worker().await;
    let mut env = fake.worker_env();
    env.push(("WORKER_AGENTS", "claude".into()));
    let w = app.start_worker(&env).await;
    app.keep(w);
    let id = create(
        &app,
        json!({"title": "Spend", "agent": "claude", "model": "sonnet", "instructions": "Work.", "budget_usd": 1.0}),
    )
    .await;
    app.wait_state(&id, "READY", T).await;
    let first = app.executions(&id).await[0]["cost_usd"].as_f64().unwrap();
    assert!(first > 0.5 && first < 1.0, "first attempt cost {first}");
    fake.push(costly());
    reject_and_rerun(&app, &id, "Again.").await;
    let t = app.wait_state(&id, "BUDGET_EXCEEDED", T).await;
    assert_eq!(t["attempt"], 2, "{t}");
    let ex = app.executions(&id).await;
    assert_eq!(ex.len(), 2);
    assert_eq!(ex[1]["outcome"], "budget_exceeded", "{}", ex[1]);
    let total: f64 = ex.iter().map(|e| e["cost_usd"].as_f64().unwrap_or(0.0)).sum();
    assert!(total > 1.0, "stopped once the sum passed the budget: {total}");
    // A third run has nothing left to spend: it ends at once, without calling the model.
    let calls = fake.seen().len();
    let r = app.post(&format!("/api/tasks/{id}/run"), &json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    tests::wait_until(T, "the third attempt to end", || async {
        let t = app.task(&id).await;
        (t["state"] == "BUDGET_EXCEEDED" && t["attempt"] == 3).then_some(())
    })
    .await;
    assert_eq!(fake.seen().len(), calls, "no model call without budget");
}

#[tokio::test]
async fn a_claude_task_that_times_out_mid_edit_resumes_its_session_and_keeps_the_edit() {
    use tests::fake_anthropic::{FakeAnthropic, Turn};
    let fake = FakeAnthropic::start(vec![
        Turn::Bash("printf 'half\\n' > part.txt".into()),
        // The attempt runs out of time here, with part.txt written and not committed.
        Turn::Bash("tail -f /dev/null".into()),
    ])
    .await;
    let mut app = TestApp::spawn_without_worker().await;
    let mut env = fake.worker_env();
    env.push(("WORKER_AGENTS", "claude".into()));
    env.push(("WORKER_ID", "first".into()));
    let mut first = app.start_worker(&env).await;
    let repo = crate::claude::origin(&app);
    let project = crate::claude::project(&app, &repo).await;
    let id = create(
        &app,
        json!({"title": "Long edit", "agent": "claude", "model": "sonnet", "project_id": project,
               "instructions": "Write part.txt in two steps.", "timeout_secs": 20}),
    )
    .await;
    tests::wait_until(Duration::from_secs(90), "the first attempt to time out", || async {
        let t = app.task(&id).await;
        assert!(
            matches!(t["state"].as_str(), Some("QUEUED" | "RUNNING" | "TIMED_OUT")),
            "{t}"
        );
        (t["state"] == "TIMED_OUT").then_some(())
    })
    .await;
    let timed_out = app.executions(&id).await[0].clone();
    assert_eq!(timed_out["outcome"], "timed_out", "{timed_out}");
    let session = timed_out["session_id"].as_str().unwrap().to_owned();
    first.shutdown_in_place().await;

    // Another worker resumes it: same session, the edit still there, told why.
    let before = fake.seen().len();
    fake.push([
        Turn::Bash("test \"$(cat part.txt)\" = half && printf 'whole\\n' >> part.txt".into()),
        Turn::Text("Finished.\n\n## Summary\nFinished part.txt.".into()),
    ]);
    let mut env = fake.worker_env();
    env.push(("WORKER_AGENTS", "claude".into()));
    env.push(("WORKER_ID", "second".into()));
    let w = app.start_worker(&env).await;
    app.keep(w);
    let r = app.post(&format!("/api/tasks/{id}/resume"), &json!({})).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.wait_state(&id, "READY", T).await;
    let ex = app.executions(&id).await;
    assert_eq!(ex[1]["worker_id"], "second");
    assert_eq!(ex[1]["outcome"], "succeeded", "{}", ex[1]);
    assert_eq!(ex[1]["session_id"], session.as_str(), "the session continued");
    let resumed = fake.seen()[before].to_string();
    assert!(
        resumed.contains("printf 'half"),
        "the earlier conversation is in the resumed session"
    );
    assert!(resumed.contains("ran out of time"), "the note says why: {resumed}");
    let branch = format!("claudomator/{id}");
    assert_eq!(
        crate::claude::git(&repo, &["show", &format!("{branch}:part.txt")]),
        "half\nwhole",
        "the edit of the timed-out attempt is on the pushed branch"
    );
}

/// What the parent agent runs: writes and commits its file, creates one subtask naming neither
/// project nor agent.
const SPLIT: &str = r#"printf 'parent\n' > parent.txt && git add parent.txt && git commit -qm parent && curl -sf -X POST "$CLAUDOMATOR_API_URL/api/tasks?run=true" -H "Authorization: Bearer $CLAUDOMATOR_TOKEN" -H 'content-type: application/json' -d "{\"title\": \"part\", \"instructions\": \"CHILD-TASK: write sub.txt\", \"parent_task_id\": \"$CLAUDOMATOR_TASK_ID\"}" > /dev/null"#;

#[tokio::test]
async fn a_subtask_inherits_the_project_and_commits_on_the_parents_branch() {
    use tests::fake_anthropic::{FakeAnthropic, Turn};
    let fake = FakeAnthropic::start(vec![]).await;
    fake.on(
        "PARENT-TASK",
        [
            Turn::Bash(SPLIT.into()),
            Turn::Text("Split.\n\n## Summary\nSplit it.".into()),
        ],
    );
    fake.on(
        "CHILD-TASK",
        [
            Turn::Bash("printf 'sub\\n' > sub.txt".into()),
            Turn::Text("Wrote it.\n\n## Summary\nWrote sub.txt.".into()),
        ],
    );
    let mut app = TestApp::spawn_without_worker().await;
    let mut env = fake.worker_env();
    env.push(("WORKER_AGENTS", "claude".into()));
    let w = app.start_worker(&env).await;
    app.keep(w);
    let repo = crate::claude::origin(&app);
    let project = crate::claude::project(&app, &repo).await;
    let parent = create(
        &app,
        json!({"title": "split", "agent": "claude", "model": "sonnet", "project_id": project, "budget_usd": 2.0,
               "instructions": "PARENT-TASK: split the work."}),
    )
    .await;
    app.wait_state(&parent, "READY", Duration::from_secs(120)).await;
    let page: Value = app
        .get(&format!("/api/tasks?parent_task_id={parent}"))
        .await
        .json()
        .await
        .unwrap();
    let sub = &page["items"][0];
    assert_eq!(sub["project_id"], project.as_str(), "inherited project: {sub}");
    assert_eq!(sub["agent"], "claude", "inherited agent type: {sub}");
    let left = sub["budget_usd"].as_f64().unwrap();
    assert!(left > 0.0 && left <= 2.0, "inherited what is left of the budget: {sub}");
    assert_eq!(sub["state"], "COMPLETED");
    // Both commits are on the branch the parent pushes; the subtask has no branch of its own.
    let branch = format!("claudomator/{parent}");
    assert_eq!(
        crate::claude::git(&repo, &["show", &format!("{branch}:sub.txt")]),
        "sub"
    );
    assert_eq!(
        crate::claude::git(&repo, &["show", &format!("{branch}:parent.txt")]),
        "parent"
    );
    let sub_id = sub["id"].as_str().unwrap();
    let own = crate::claude::git(&repo, &["branch", "--list", &format!("claudomator/{sub_id}")]);
    assert!(own.is_empty(), "no branch of its own: {own}");
}
