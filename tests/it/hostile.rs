//! Requests meant to hurt the API node: endless bodies without a length (HTTP/2 prior knowledge
//! and HTTP/1.1 chunked), YAML alias bombs, a story with a dependency chain far too long. The API
//! runs as its own process here, so its peak resident memory (`VmHWM`) can be read.

use std::time::{Duration, Instant};

use futures::StreamExt as _;
use serde_json::{Value, json};
use tests::{TestApp, wait_until};

const T: Duration = Duration::from_secs(30);

/// The real `api` binary, serving this test's database and Redis on a free port.
struct ApiProcess {
    child: tokio::process::Child,
    url: String,
}

impl ApiProcess {
    async fn start(app: &TestApp) -> ApiProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let bin = tests::worker_binary().with_file_name("api");
        let mut env = app.env(&[("CLAUDOMATOR_BIND", format!("127.0.0.1:{port}"))]);
        env.insert("RUST_LOG".into(), "warn".into());
        let child = tokio::process::Command::new(bin)
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn the api binary");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        wait_until(T, "the api process to answer /healthz", || async {
            http.get(format!("{url}/healthz"))
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success())
                .map(|_| ())
        })
        .await;
        ApiProcess { child, url }
    }

    /// Peak resident set size so far, in bytes.
    fn peak_rss(&self) -> u64 {
        let pid = self.child.id().expect("api pid");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM");
        kb * 1024
    }
}

/// A body that never ends: 64 KiB chunks for as long as the server reads.
fn endless() -> reqwest::Body {
    let chunk = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
    reqwest::Body::wrap_stream(futures::stream::repeat(chunk).map(Ok::<_, std::io::Error>))
}

#[tokio::test]
async fn endless_bodies_without_a_length_get_413_over_h2c_and_chunked_with_memory_bounded() {
    let app = TestApp::spawn_without_worker().await;
    let api = ApiProcess::start(&app).await;
    let h2c = reqwest::Client::builder()
        .http2_prior_knowledge()
        .timeout(T)
        .build()
        .expect("h2c client");
    let h1 = reqwest::Client::builder()
        .http1_only()
        .timeout(T)
        .build()
        .expect("http/1.1 client");
    for (client, proto) in [(&h2c, "h2c"), (&h1, "http/1.1 chunked")] {
        for path in ["/api/webhooks/github", "/api/tasks"] {
            let started = Instant::now();
            let r = client
                .post(format!("{}{path}", api.url))
                .bearer_auth(&app.token)
                .header("content-type", "application/json")
                .header("x-github-event", "workflow_run")
                .body(endless())
                .send()
                .await;
            let r = match r {
                Ok(r) => r,
                // HTTP/1.1 has no way to refuse the rest of a body but to close the connection
                // after the 413; a reset can then reach the client before the answer does.
                // That is still a refusal, as long as it came fast and was not a timeout.
                Err(e) if proto != "h2c" && !e.is_timeout() && started.elapsed() < T => continue,
                Err(e) => panic!("{proto} {path}: no answer: {e:#}"),
            };
            assert_eq!(r.status(), 413, "{proto} {path}");
            if proto == "h2c" {
                assert_eq!(r.version(), reqwest::Version::HTTP_2);
            }
            assert!(started.elapsed() < T, "{proto} {path} took {:?}", started.elapsed());
        }
    }
    let peak = api.peak_rss();
    assert!(peak < 100 * 1024 * 1024, "peak RSS {} MiB", peak / (1024 * 1024));
    // And the node still serves.
    let r = app
        .http
        .get(format!("{}/api/tasks", api.url))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// `depth` levels of aliases, each naming the previous level `width` times.
fn nested_bomb(depth: usize, width: usize) -> String {
    let mut y = String::from("name: bomb\nagent:\n  type: exec\n  argv: [\"true\"]\na0: &a0 [\"lol\"]\n");
    for i in 1..depth {
        let refs: Vec<String> = (0..width).map(|_| format!("*a{}", i - 1)).collect();
        y.push_str(&format!("a{i}: &a{i} [{}]\n", refs.join(", ")));
    }
    y.push_str(&format!("tags: *a{}\n", depth - 1));
    y
}

/// ~20 KB: one anchor of 1,000 values referenced 10,000 times (10^7 values when expanded).
fn wide_bomb() -> String {
    let values: Vec<String> = (0..1000).map(|i| format!("v{i}")).collect();
    let refs = vec!["*w"; 10_000].join(",");
    format!(
        "name: wide\nagent:\n  type: exec\n  argv: [\"true\"]\nw: &w [{}]\ntags: [{refs}]\n",
        values.join(",")
    )
}

#[tokio::test]
async fn yaml_alias_bombs_are_refused_fast_with_memory_bounded() {
    let app = TestApp::spawn_without_worker().await;
    let api = ApiProcess::start(&app).await;
    let before = api.peak_rss();
    for (what, body) in [
        ("nested", nested_bomb(9, 9)),
        ("wide", wide_bomb()),
        (
            "an anchor alone",
            "name: a\nagent: &x\n  type: exec\n  argv: [\"true\"]\n".to_owned(),
        ),
        (
            "deep nesting",
            format!("name: d\nagent: {}{}\n", "[".repeat(5000), "]".repeat(5000)),
        ),
    ] {
        assert!(body.len() < 64 * 1024, "{what}: {} bytes", body.len());
        let started = Instant::now();
        let r = app
            .http
            .post(format!("{}/api/tasks", api.url))
            .bearer_auth(&app.token)
            .header("content-type", "application/yaml")
            .body(body)
            .send()
            .await
            .expect("an answer");
        let elapsed = started.elapsed();
        let status = r.status();
        let p: Value = r.json().await.expect("problem json");
        assert_eq!(status, 400, "{what}: {p}");
        assert!(elapsed < Duration::from_secs(1), "{what} took {elapsed:?}");
    }
    let grown = api.peak_rss().saturating_sub(before);
    assert!(
        grown < 50 * 1024 * 1024,
        "peak RSS grew by {} MiB",
        grown / (1024 * 1024)
    );
    // A plain YAML task still works.
    let r = app
        .http
        .post(format!("{}/api/tasks", api.url))
        .bearer_auth(&app.token)
        .header("content-type", "application/yaml")
        .body("name: plain\nagent:\n  type: exec\n  argv: [\"true\"]\ntags: [a, b]\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn a_story_with_a_50000_task_dependency_chain_is_422_and_the_node_stays_up() {
    let app = TestApp::spawn_without_worker().await;
    let api = ApiProcess::start(&app).await;
    let project = app
        .post(
            "/api/projects",
            &json!({"name": "chain", "repository": "https://example.com/chain.git"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .clone();
    let tasks: Vec<Value> = (0..50_000)
        .map(|i| {
            let deps = if i == 0 {
                json!([])
            } else {
                json!([format!("k{}", i - 1)])
            };
            json!({"key": format!("k{i}"), "title": "t", "depends_on": deps})
        })
        .collect();
    let body = serde_json::to_vec(&json!({"project_id": project, "title": "long", "tasks": tasks})).unwrap();
    assert!(body.len() < 4 * 1024 * 1024, "{} bytes", body.len());
    let r = app
        .http
        .post(format!("{}/api/stories", api.url))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status(), 422);
    let h = app.http.get(format!("{}/healthz", api.url)).send().await.unwrap();
    assert_eq!(h.status(), 200);
}
