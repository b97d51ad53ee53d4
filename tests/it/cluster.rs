//! The queue on a 3-node Redis Cluster: every agent's keys in one slot, scripts single-slot,
//! and data loss on every node recovered from Postgres. (The whole suite also runs against a
//! cluster when `TEST_REDIS_CLUSTER_NODES` is set; `scripts/test.sh` does that.)

use std::time::Duration;

use serde_json::{Value, json};
use tests::TestApp;
use tests::redis_server::RedisCluster;

const T: Duration = Duration::from_secs(40);

#[tokio::test]
async fn tasks_of_several_agents_run_on_a_cluster_and_survive_a_flush_of_every_node() {
    let cluster = RedisCluster::start().await;
    let mut app = TestApp::spawn_on(shared::queue::RedisTarget::Cluster(cluster.urls())).await;
    let w = app.start_worker(&[("WORKER_AGENTS", "exec,noop".into())]).await;
    app.keep(w);
    let exec = app
        .run_exec(&["echo", "on a cluster"], json!({"priority": "high"}))
        .await;
    let delayed = app.run_exec(&["true"], json!({"delay_secs": 1})).await;
    let tasks: Vec<Value> = (0..40)
        .map(|i| json!({"title": format!("n{i}"), "agent": "noop"}))
        .collect();
    assert_eq!(
        app.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks }))
            .await
            .status(),
        200
    );
    app.wait_state(&exec, "COMPLETED", T).await;
    app.wait_state(&delayed, "COMPLETED", T).await;
    assert_eq!(app.executions(&exec).await[0]["output"], "on a cluster\n");
    // Every node loses everything; queued work is re-dispatched from Postgres.
    let mut w = app.start_worker(&[("WORKER_AGENTS", "exec".into())]).await;
    app.set_paused("noop", true).await;
    let more: Vec<Value> = (0..20)
        .map(|i| json!({"title": format!("m{i}"), "agent": "noop"}))
        .collect();
    assert_eq!(
        app.post("/api/tasks/batch?run=true", &json!({ "tasks": more }))
            .await
            .status(),
        200
    );
    for n in &cluster.nodes {
        n.flushall().await;
    }
    app.set_paused("noop", false).await;
    app.wait_completed(62, T).await;
    w.shutdown_in_place().await;
}
