//! The question protocol: a task writes a question and exits (BLOCKED); a human answers over
//! the API; the next attempt, on another worker process, gets the answer.

use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::{Value, json};
use tests::TestApp;

const T: Duration = Duration::from_secs(30);

const SCRIPT: &str = r#"
if [ -z "$CLAUDOMATOR_ANSWER" ]; then
  printf '{"text": "Which colour?", "options": ["red", "blue"]}' > "$CLAUDOMATOR_QUESTION_FILE"
  exit 0
fi
echo "asked: $CLAUDOMATOR_QUESTION answered: $CLAUDOMATOR_ANSWER"
printf 'Painted it %s.' "$CLAUDOMATOR_ANSWER" > "$CLAUDOMATOR_SUMMARY_FILE"
"#;

#[tokio::test]
async fn a_blocked_task_resumes_with_the_answer_on_another_worker() {
    let mut app = TestApp::spawn_without_worker().await;
    let mut asker = app.spawn_worker_process(&[("WORKER_ID", "asker".into())]);
    let id = app.run_exec(&["sh", "-c", SCRIPT], json!({})).await;
    let t = app.wait_state(&id, "BLOCKED", T).await;
    assert_eq!(t["question"]["text"], "Which colour?");
    assert_eq!(t["question"]["options"], json!(["red", "blue"]));
    assert_eq!(app.executions(&id).await[0]["outcome"], "blocked");
    // The worker that asked goes away; another one takes the answer.
    kill(Pid::from_raw(asker.id().unwrap() as i32), Signal::SIGTERM).unwrap();
    assert!(asker.wait().await.unwrap().success());
    let w = app.start_worker(&[("WORKER_ID", "answerer".into())]).await;
    app.keep(w);
    let r = app
        .post(&format!("/api/tasks/{id}/answer"), &json!({"answer": "blue"}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["state"], "QUEUED");
    let t = app.wait_state(&id, "COMPLETED", T).await;
    assert_eq!(t["question"]["answer"], "blue");
    let ex = app.executions(&id).await;
    assert_eq!(ex.len(), 2);
    assert_eq!(ex[0]["worker_id"], "asker");
    assert_eq!(ex[1]["worker_id"], "answerer");
    assert_eq!(ex[1]["output"], "asked: Which colour? answered: blue\n");
    assert_eq!(ex[1]["summary"], "Painted it blue.");
    // Answering is only for BLOCKED tasks.
    let r = app
        .post(&format!("/api/tasks/{id}/answer"), &json!({"answer": "red"}))
        .await;
    assert_eq!(r.status(), 409);
    let events: Vec<String> = app
        .events(&id)
        .await
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["create", "start", "block", "answer", "start", "succeed"]);
}

#[tokio::test]
async fn a_malformed_question_fails_the_attempt() {
    let app = TestApp::spawn().await;
    let id = app
        .run_exec(
            &["sh", "-c", "echo 'no question mark' > \"$CLAUDOMATOR_QUESTION_FILE\""],
            json!({}),
        )
        .await;
    let t = app.wait_state(&id, "FAILED", T).await;
    assert!(t["last_error"].as_str().unwrap().contains("question"), "{t}");
}

// An agent's subtasks may not be `exec` (the access policy). They are created PENDING and run
// by the test once the parent waits, so the parent's wait is not a race with `noop`'s speed.
const PARENT: &str = r#"
for i in 1 2; do
  curl -sf -X POST "$CLAUDOMATOR_API_URL/api/tasks" -H "Authorization: Bearer $CLAUDOMATOR_TOKEN" \
    -H 'content-type: application/json' \
    -d "{\"title\": \"part $i\", \"agent\": \"noop\", \"parent_task_id\": \"$CLAUDOMATOR_TASK_ID\"}" \
    > /dev/null || exit 3
done
# The token is scoped to this task: anything but its own subtasks is refused.
echo "other: $(curl -s -o /dev/null -w '%{http_code}' -X POST "$CLAUDOMATOR_API_URL/api/tasks" \
  -H "Authorization: Bearer $CLAUDOMATOR_TOKEN" -H 'content-type: application/json' -d '{"title": "x", "agent": "noop"}')"
"#;

#[tokio::test]
async fn a_parent_waits_for_the_subtasks_it_created_then_is_ready() {
    let app = TestApp::spawn().await;
    let parent = app.run_exec(&["sh", "-c", PARENT], json!({})).await;
    let t = app.wait_state(&parent, "BLOCKED", T).await;
    assert!(t["question"].is_null(), "{t}");
    let ex = app.executions(&parent).await;
    assert_eq!(ex[0]["outcome"], "succeeded");
    assert_eq!(ex[0]["output"], "other: 403\n");
    let page: Value = app
        .get(&format!("/api/tasks?parent_task_id={parent}"))
        .await
        .json()
        .await
        .unwrap();
    let subs = page["items"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    let events = app.events(subs[0]["id"].as_str().unwrap()).await;
    assert_eq!(events[0]["actor"], format!("api:attempt:{parent}:1"));
    for s in subs {
        let r = app
            .post(&format!("/api/tasks/{}/run", s["id"].as_str().unwrap()), &json!({}))
            .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    }
    let t = app.wait_state(&parent, "READY", T).await;
    for s in subs {
        assert_eq!(app.task(s["id"].as_str().unwrap()).await["state"], "COMPLETED");
    }
    let events: Vec<String> = app
        .events(&parent)
        .await
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["create", "start", "block", "subtasks_done"]);
    assert_eq!(t["state"], "READY");
}
