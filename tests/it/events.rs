//! The event feed: SSE from any API node, resumable with Last-Event-ID, heartbeats, and a relay
//! that never loses an event when Redis fails under it.

use std::time::Duration;

use serde_json::{Value, json};
use tests::sse::{Frame, SseClient};
use tests::{TestApp, wait_until};

const T: Duration = Duration::from_secs(20);

async fn events_of(client: &mut SseClient, task: &str, until: &str) -> Vec<Value> {
    let mut got = Vec::new();
    tokio::time::timeout(T, async {
        loop {
            let e = client.next_event().await;
            if e["task_id"] == task {
                let done = e["event"] == until;
                got.push(e);
                if done {
                    return;
                }
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no `{until}` event for {task}; got {got:?}"));
    got
}

#[tokio::test]
async fn a_client_on_one_node_sees_transitions_made_through_another_and_resumes() {
    let app = TestApp::spawn().await;
    let node_b = app.start_api(None).await;
    let url_a = format!("{}/api/events", app.api.url);
    let mut client = SseClient::connect(&app.http, &url_a, &app.token, None).await;
    let via_b = |body: Value| {
        app.http
            .post(format!("{}/api/tasks?run=true", node_b.url))
            .bearer_auth(&app.token)
            .json(&body)
            .send()
    };
    let r = via_b(json!({"title": "b1", "agent": "exec", "exec": {"argv": ["true"]}}))
        .await
        .unwrap();
    let id1 = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let seen = events_of(&mut client, &id1, "succeed").await;
    let names: Vec<&str> = seen.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["create", "start", "succeed"]);
    assert_eq!(seen[2]["to"], "COMPLETED");
    let last = seen[2]["id"].as_i64().unwrap().to_string();
    drop(client);

    // While disconnected: another task runs to completion.
    let r = via_b(json!({"title": "b2", "agent": "exec", "exec": {"argv": ["true"]}}))
        .await
        .unwrap();
    let id2 = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    app.wait_state(&id2, "COMPLETED", T).await;
    let mut resumed = SseClient::connect(&app.http, &url_a, &app.token, Some(&last)).await;
    let replayed = events_of(&mut resumed, &id2, "succeed").await;
    let names: Vec<&str> = replayed.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(names, ["create", "start", "succeed"]);
    assert!(
        replayed
            .iter()
            .all(|e| e["id"].as_i64().unwrap() > last.parse::<i64>().unwrap())
    );
    node_b.stop().await;
}

#[tokio::test]
async fn streams_filter_by_task_and_send_heartbeats() {
    let app = TestApp::spawn().await;
    let a = app.run_exec(&["true"], json!({})).await;
    let b = app.run_exec(&["true"], json!({})).await;
    app.wait_state(&a, "COMPLETED", T).await;
    app.wait_state(&b, "COMPLETED", T).await;
    let url = format!("{}/api/events?task_id={b}", app.api.url);
    let mut client = SseClient::connect(&app.http, &url, &app.token, Some("0")).await;
    let mut seen = Vec::new();
    let heartbeat = tokio::time::timeout(T, async {
        loop {
            match client.next().await {
                Frame::Event { data, kind, id } => {
                    let e: Value = serde_json::from_str(&data).unwrap();
                    assert_eq!(kind.as_deref(), Some("task"));
                    assert_eq!(id.unwrap(), e["id"].to_string());
                    seen.push(e);
                }
                Frame::Comment => return,
            }
        }
    })
    .await;
    assert!(heartbeat.is_ok(), "no heartbeat");
    assert_eq!(seen.len(), 3, "create (to QUEUED), start, succeed: {seen:?}");
    assert!(seen.iter().all(|e| e["task_id"] == b.as_str()));
}

#[tokio::test]
async fn the_relay_marks_events_only_once_redis_has_them() {
    let app = TestApp::spawn_without_worker().await;
    app.run_exec(&["true"], json!({})).await;
    let unpublished = || async {
        sqlx::query_scalar::<_, i64>("SELECT coalesce(sum(cardinality(event_ids)), 0) FROM event_outbox_batches")
            .fetch_one(&app.db.pool)
            .await
            .unwrap()
    };
    // One event: the task was created straight into the queue.
    assert_eq!(unpublished().await, 1);
    // Redis fails during the publish: nothing is marked.
    let failed = app
        .store
        .relay_events(100, |_| async { anyhow::bail!("redis went away") })
        .await;
    assert!(failed.is_err());
    assert_eq!(unpublished().await, 1);
    // A later relay round publishes it.
    assert_eq!(worker::relay::relay_once(&app.store, &app.queue).await.unwrap(), 1);
    assert_eq!(unpublished().await, 0);
    let len = wait_until(T, "the events stream to hold the event", || async {
        let mut c = app.redis_conn().await;
        let key = app.queue.keys().events().stream();
        let n: i64 = redis::cmd("XLEN").arg(&key).query_async(&mut c).await.unwrap();
        (n >= 1).then_some(n)
    })
    .await;
    assert_eq!(len, 1);
}

#[tokio::test]
async fn the_outbox_holds_one_row_per_statement_and_the_relay_takes_whole_rows() {
    let app = TestApp::spawn_without_worker().await;
    let tasks: Vec<Value> = (0..3)
        .map(|i| json!({"title": format!("b{i}"), "agent": "noop"}))
        .collect();
    let r = app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks })).await;
    assert_eq!(r.status(), 200);
    let tasks: Vec<Value> = (0..2)
        .map(|i| json!({"title": format!("c{i}"), "agent": "noop"}))
        .collect();
    let r = app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks })).await;
    assert_eq!(r.status(), 200);
    let sizes = || async {
        sqlx::query_scalar::<_, i32>("SELECT cardinality(event_ids) FROM event_outbox_batches ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap()
    };
    // Each create statement wrote one creation event per task, as one outbox row.
    assert_eq!(sizes().await, vec![3, 2]);
    // Whole rows only: the second row does not fit in what the first leaves of the limit...
    assert_eq!(app.store.relay_events(4, |_| async { Ok(()) }).await.unwrap(), 3);
    assert_eq!(sizes().await, vec![2]);
    // ...and a row larger than the limit still goes out whole.
    assert_eq!(app.store.relay_events(1, |_| async { Ok(()) }).await.unwrap(), 2);
    assert!(sizes().await.is_empty());
    assert_eq!(app.store.relay_events(1, |_| async { Ok(()) }).await.unwrap(), 0);
}

#[tokio::test]
async fn a_running_attempts_log_streams_live_from_another_node_and_matches_the_archive() {
    let app = TestApp::spawn().await;
    let node_b = app.start_api(None).await;
    let id = app
        .run_exec(
            &["sh", "-c", "for i in 1 2 3 4 5; do echo \"line $i\"; sleep 0.3; done"],
            json!({}),
        )
        .await;
    let task_id = id.clone();
    app.wait_state(&id, "RUNNING", T).await;
    let exec_id = wait_until(T, "the execution row", || async {
        app.executions(&id)
            .await
            .first()
            .and_then(|e| e["id"].as_str().map(str::to_owned))
    })
    .await;
    let url = format!("{}/api/executions/{exec_id}/log/stream", node_b.url);
    let mut client = SseClient::connect(&app.http, &url, &app.token, None).await;
    let mut lines: Vec<(String, String)> = Vec::new();
    let mut state_at_first_line = None;
    tokio::time::timeout(T, async {
        loop {
            if let Frame::Event { id, kind, data } = client.next().await {
                if kind.as_deref() == Some("end") {
                    return;
                }
                if state_at_first_line.is_none() {
                    state_at_first_line = Some(app.task(&task_id).await["state"].clone());
                }
                lines.push((id.unwrap_or_default(), data));
            }
        }
    })
    .await
    .expect("the log ends");
    assert_eq!(
        state_at_first_line,
        Some(json!("RUNNING")),
        "lines arrive while the agent runs"
    );
    let texts: Vec<&str> = lines.iter().map(|l| l.1.as_str()).collect();
    assert_eq!(texts, ["line 1", "line 2", "line 3", "line 4", "line 5"]);
    app.wait_state(&id, "COMPLETED", T).await;
    let archived = app
        .http
        .get(format!("{}/api/executions/{exec_id}/log", app.api.url))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(archived.text().await.unwrap(), format!("{}\n", texts.join("\n")));
    // Resuming after line 2 gets the rest.
    let mut resumed = SseClient::connect(&app.http, &url, &app.token, Some(&lines[1].0)).await;
    let mut rest = Vec::new();
    tokio::time::timeout(T, async {
        loop {
            if let Frame::Event { kind, data, .. } = resumed.next().await {
                if kind.as_deref() == Some("end") {
                    return;
                }
                rest.push(data);
            }
        }
    })
    .await
    .expect("the resumed log ends");
    assert_eq!(rest, ["line 3", "line 4", "line 5"]);
    node_b.stop().await;
}

#[tokio::test]
async fn the_whole_log_is_archived_compressed_while_the_output_keeps_its_tail() {
    let mut app = TestApp::spawn_without_worker().await;
    let w = app.start_worker(&[("OUTPUT_LIMIT_BYTES", "1000".into())]).await;
    app.keep(w);
    let id = app.run_exec(&["seq", "1", "20000"], json!({})).await;
    app.wait_state(&id, "COMPLETED", T).await;
    let ex = &app.executions(&id).await[0];
    let output = ex["output"].as_str().unwrap();
    assert!(
        output.starts_with("[output truncated to the last 1000 bytes]"),
        "{output}"
    );
    assert!(output.ends_with("19999\n20000\n"));
    let log = app
        .http
        .get(format!(
            "{}/api/executions/{}/log",
            app.api.url,
            ex["id"].as_str().unwrap()
        ))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let expected: String = (1..=20000).map(|i| format!("{i}\n")).collect();
    assert!(
        log == expected,
        "archived log of {} bytes, {} lines differs",
        log.len(),
        log.lines().count()
    );
    let (gz, bytes): (i64, i64) =
        sqlx::query_as("SELECT octet_length(gz)::bigint, bytes FROM execution_logs WHERE task_id = $1::uuid")
            .bind(&id)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(bytes, expected.len() as i64);
    assert!(gz * 2 < bytes, "compressed {gz} of {bytes} bytes");
}
