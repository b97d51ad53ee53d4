//! Test support: every test gets its own world — a fresh database, a Redis key prefix, an API
//! node on a random port, and workers (in-process or as real child processes) configured with
//! short timings. Tests wait only through [`wait::wait_until`].

pub mod contract;
pub mod db;
pub mod fake_anthropic;
pub mod fake_gemini;
pub mod fake_model;
pub mod github_examples;
pub mod loopback;
pub mod model_apis;
pub mod npm_tools;
pub mod proxy;
pub mod push_service;
pub mod redis;
pub mod redis_server;
pub mod sse;
pub mod wait;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

use serde_json::{Value, json};
use shared::config::{ApiSettings, Env, WorkerSettings};
use shared::queue::{Queue, RedisTarget};
use shared::store::Store;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use db::TestDb;
pub use redis::TestRedis;
pub use wait::wait_until;

static CRYPTO: Once = Once::new();

/// Whether a process still runs: it exists and is not a zombie. A killed process whose parent
/// died waits as a zombie until whoever adopted it reaps it, which is not the product's doing.
pub fn process_running(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state follows the command name, which is in parentheses and may hold spaces.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X")
    })
}

/// Timings short enough for tests, long enough for a loaded 2-core machine.
pub fn fast_timings() -> Vec<(&'static str, String)> {
    vec![
        ("LEASE_TTL_MS", "3000".into()),
        ("HEARTBEAT_INTERVAL_MS", "250".into()),
        ("RECLAIM_INTERVAL_MS", "300".into()),
        ("CLAIM_TIMEOUT_MS", "2000".into()),
        ("DISPATCH_GRACE_MS", "200".into()),
        ("SHUTDOWN_GRACE_MS", "3000".into()),
        ("BACKOFF_BASE_MS", "50".into()),
        ("BACKOFF_CAP_MS", "200".into()),
        ("WORKER_CONCURRENCY", "8".into()),
        ("DATABASE_MAX_CONNECTIONS", "6".into()),
        ("SSE_KEEP_ALIVE_MS", "300".into()),
    ]
}

/// A running API node. Every response it sends is checked against the OpenAPI document
/// ([`contract`]); stopping or dropping it fails the test if one did not match.
pub struct ApiNode {
    /// Base URL.
    pub url: String,
    stop: CancellationToken,
    handle: Option<JoinHandle<()>>,
    violations: contract::Violations,
}

impl ApiNode {
    /// Stops it and waits.
    pub async fn stop(mut self) {
        self.stop.cancel();
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        contract::assert_none(&self.violations);
    }
}

impl Drop for ApiNode {
    fn drop(&mut self) {
        self.stop.cancel();
        contract::assert_none(&self.violations);
    }
}

/// A worker running inside the test process.
pub struct WorkerHandle {
    /// Its id.
    pub id: String,
    stop: CancellationToken,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
}

impl WorkerHandle {
    /// Stops it without consuming the handle.
    pub async fn shutdown_in_place(&mut self) {
        self.stop.cancel();
        if let Some(h) = self.handle.take() {
            h.await.expect("worker task").expect("worker stopped cleanly");
        }
    }

    /// Asks it to stop (as SIGTERM would) and waits for a clean exit.
    pub async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(h) = self.handle.take() {
            h.await.expect("worker task").expect("worker stopped cleanly");
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// One test's system.
pub struct TestApp {
    /// Database.
    pub db: TestDb,
    /// Redis key space.
    pub redis: TestRedis,
    /// Store on the test database.
    pub store: Store,
    /// Queue on the test prefix.
    pub queue: Queue,
    /// The first API node.
    pub api: ApiNode,
    /// A full-access token.
    pub token: String,
    /// HTTP client.
    pub http: reqwest::Client,
    /// The Redis every process of this test uses.
    pub target: RedisTarget,
    /// This test's VAPID private key (API nodes and notifiers get it).
    pub vapid_private_key: String,
    workers: Vec<WorkerHandle>,
}

impl TestApp {
    /// Database, prefix, API node and one in-process worker.
    pub async fn spawn() -> TestApp {
        let mut app = Self::spawn_without_worker().await;
        let w = app.start_worker(&[]).await;
        app.workers.push(w);
        app
    }

    /// Database, prefix and API node; no worker.
    pub async fn spawn_without_worker() -> TestApp {
        Self::spawn_on(redis::redis_target()).await
    }

    /// Like [`TestApp::spawn_without_worker`], on a given Redis.
    pub async fn spawn_on(target: RedisTarget) -> TestApp {
        CRYPTO.call_once(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        shared::telemetry::init_for_test();
        let db = TestDb::create().await;
        let redis = TestRedis::new();
        let store = Store::from_pool(db.pool.clone());
        let queue = Queue::connect(target.clone(), &redis.prefix).await.expect("redis");
        let (_, token) = store.create_token("test", None, None).await.expect("token");
        let mut app = TestApp {
            api: ApiNode {
                url: String::new(),
                stop: CancellationToken::new(),
                handle: None,
                violations: Default::default(),
            },
            db,
            redis,
            store,
            queue,
            token,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("http client"),
            target,
            vapid_private_key: shared::push::VapidKeys::generate().private_b64(),
            workers: Vec::new(),
        };
        app.api = app.start_api(None).await;
        app
    }

    /// The environment every process of this test shares.
    pub fn env(&self, overrides: &[(&str, String)]) -> HashMap<String, String> {
        let mut m: HashMap<String, String> = HashMap::new();
        m.insert("DATABASE_URL".into(), self.db.url.clone());
        match &self.target {
            RedisTarget::Single(u) => {
                m.insert("REDIS_URL".into(), u.clone());
            }
            RedisTarget::Cluster(nodes) => {
                m.insert("REDIS_URL".into(), nodes.join(","));
                m.insert("REDIS_CLUSTER".into(), "true".into());
            }
        }
        m.insert("CLAUDOMATOR_REDIS_PREFIX".into(), self.redis.prefix.clone());
        m.insert("CLAUDOMATOR_BIND".into(), "127.0.0.1:0".into());
        for (k, v) in fast_timings() {
            m.insert(k.into(), v);
        }
        m.insert("VAPID_PRIVATE_KEY".into(), self.vapid_private_key.clone());
        m.insert("VAPID_SUBJECT".into(), "mailto:ops@claudomator.test".into());
        m.insert("CLAUDOMATOR_PUBLIC_URL".into(), self.api.url.clone());
        m.insert("CLAUDOMATOR_API_URL".into(), self.api.url.clone());
        m.insert("PUSH_DELIVERY_LEASE_MS".into(), "3000".into());
        m.insert("NOTIFIER_CLAIM_TIMEOUT_MS".into(), "2000".into());
        m.insert("WORKSPACE_ROOT".into(), self.workspace_root().display().to_string());
        for (k, v) in overrides {
            m.insert((*k).into(), v.clone());
        }
        m
    }

    /// This test's `WORKSPACE_ROOT` (every worker of the test shares it, as a fleet would).
    pub fn workspace_root(&self) -> PathBuf {
        let name: String = self.redis.prefix.chars().filter(char::is_ascii_alphanumeric).collect();
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/test-workspaces")
            .join(name)
    }

    /// Starts another API node (optionally against another Redis URL, e.g. a dead one).
    pub async fn start_api(&self, redis_url: Option<&str>) -> ApiNode {
        self.start_api_with(redis_url, &[]).await
    }

    /// Like [`TestApp::spawn_without_worker`], its API node started with these overrides.
    pub async fn spawn_with_api_env(overrides: &[(&str, String)]) -> TestApp {
        let mut app = Self::spawn_without_worker().await;
        app.replace_api(overrides).await;
        app
    }

    /// Replaces the first API node with one started with these environment overrides.
    pub async fn replace_api(&mut self, overrides: &[(&str, String)]) {
        let node = self.start_api_with(None, overrides).await;
        std::mem::replace(&mut self.api, node).stop().await;
    }

    /// POSTs a task in the original YAML shape (`?run=true`).
    pub async fn post_yaml(&self, yaml: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/api/tasks?run=true", self.api.url))
            .header("authorization", self.bearer())
            .header("content-type", "application/yaml")
            .body(yaml.to_owned())
            .send()
            .await
            .expect("POST yaml")
    }

    /// Pauses (or resumes) an agent type through `PATCH /api/agents/{agent}`.
    pub async fn set_paused(&self, agent: &str, paused: bool) {
        let r = self
            .http
            .patch(format!("{}/api/agents/{agent}", self.api.url))
            .header("authorization", self.bearer())
            .json(&json!({"paused": paused}))
            .send()
            .await
            .expect("PATCH agent");
        assert_eq!(r.status(), 200, "pause {agent}: {}", r.text().await.unwrap_or_default());
    }

    /// Starts another API node with these environment overrides.
    pub async fn start_api_with(&self, redis_url: Option<&str>, overrides: &[(&str, String)]) -> ApiNode {
        let mut env = self.env(&[("CLAUDOMATOR_MAX_BODY_BYTES", "65536".into())]);
        for (k, v) in overrides {
            env.insert((*k).into(), v.clone());
        }
        if let Some(u) = redis_url {
            env.insert("REDIS_URL".into(), u.into());
            env.remove("REDIS_CLUSTER");
        }
        let settings = ApiSettings::from_env(&Env::from_map(env)).expect("api settings");
        let store = Store::connect(&self.db.url, 4).await.expect("api store");
        let queue = match redis_url {
            None => self.queue.clone(),
            Some(u) => Queue::connect(RedisTarget::Single(u.into()), &self.redis.prefix)
                .await
                .expect("api redis"),
        };
        let app = api::startup::Application::build_with(settings, store, queue)
            .await
            .expect("api build");
        let url = format!("http://127.0.0.1:{}", app.port());
        let stop = CancellationToken::new();
        let s = stop.clone();
        let violations = contract::Violations::default();
        let observe = contract::observe(violations.clone());
        let handle = tokio::spawn(async move {
            let _ = app
                .run_wrapped_until_stopped(observe, async move { s.cancelled().await })
                .await;
        });
        ApiNode {
            url,
            stop,
            handle: Some(handle),
            violations,
        }
    }

    /// Worker settings for this test with overrides.
    pub fn worker_settings(&self, overrides: &[(&str, String)]) -> WorkerSettings {
        WorkerSettings::from_env(&Env::from_map(self.env(overrides))).expect("worker settings")
    }

    /// Starts a worker inside the test process.
    pub async fn start_worker(&self, overrides: &[(&str, String)]) -> WorkerHandle {
        let settings = self.worker_settings(overrides);
        let id = settings.worker_id.clone();
        let store = Store::connect(&self.db.url, 6).await.expect("worker store");
        let w = worker::startup::Worker::build_with(settings, store, self.queue.clone());
        let stop = CancellationToken::new();
        let s = stop.clone();
        let handle = tokio::spawn(async move { w.run_until_stopped(async move { s.cancelled().await }).await });
        WorkerHandle {
            id,
            stop,
            handle: Some(handle),
        }
    }

    /// Starts a notifier inside the test process.
    pub async fn start_notifier(&self, overrides: &[(&str, String)]) -> WorkerHandle {
        let settings =
            shared::config::NotifierSettings::from_env(&Env::from_map(self.env(overrides))).expect("notifier settings");
        let id = settings.notifier_id.clone();
        let store = Store::connect(&self.db.url, 4).await.expect("notifier store");
        let n = worker::notifier::service::Notifier::build_with(settings, store, self.queue.clone()).expect("notifier");
        let stop = CancellationToken::new();
        let s = stop.clone();
        let handle = tokio::spawn(async move { n.run_until_stopped(async move { s.cancelled().await }).await });
        WorkerHandle {
            id,
            stop,
            handle: Some(handle),
        }
    }

    /// Starts the real notifier (`worker notify`) as a child process.
    pub fn spawn_notifier_process(&self, overrides: &[(&str, String)]) -> tokio::process::Child {
        self.spawn_binary("notify", overrides)
    }

    /// Keeps a worker alive for the test's lifetime.
    pub fn keep(&mut self, w: WorkerHandle) {
        self.workers.push(w);
    }

    /// Stops the in-process workers started by `spawn`/`keep`.
    pub async fn stop_workers(&mut self) {
        for w in self.workers.drain(..) {
            w.shutdown().await;
        }
    }

    /// Starts the real `worker` binary as a child process (for kill -9 and SIGSTOP tests).
    pub fn spawn_worker_process(&self, overrides: &[(&str, String)]) -> tokio::process::Child {
        self.spawn_binary("run", overrides)
    }

    /// `worker <subcommand>` with this test's environment only.
    fn spawn_binary(&self, subcommand: &str, overrides: &[(&str, String)]) -> tokio::process::Child {
        let mut env = self.env(overrides);
        env.entry("RUST_LOG".into()).or_insert_with(|| "warn".into());
        tokio::process::Command::new(worker_binary())
            .arg(subcommand)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn the worker binary")
    }

    /// A raw connection to this test's Redis (single server or cluster), for assertions and
    /// fault injection.
    pub async fn redis_conn(&self) -> shared::queue::RedisConn {
        shared::queue::RedisConn::connect(&self.target, Duration::from_secs(5))
            .await
            .expect("connect to Redis")
    }

    /// Whether this test's Redis is a cluster.
    pub fn on_cluster(&self) -> bool {
        matches!(self.target, RedisTarget::Cluster(_))
    }

    /// `Authorization` header value.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// POST JSON with the token.
    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.api.url))
            .header("authorization", self.bearer())
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// GET with the token.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.api.url))
            .header("authorization", self.bearer())
            .send()
            .await
            .expect("GET")
    }

    /// Creates an exec task and runs it at once; returns its id.
    pub async fn run_exec(&self, argv: &[&str], extra: Value) -> String {
        let mut body = json!({"title": "t", "agent": "exec", "exec": {"argv": argv}});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        let r = self.post("/api/tasks?run=true", &body).await;
        assert_eq!(r.status(), 201, "create: {}", r.text().await.unwrap_or_default());
        let v: Value = r.json().await.expect("json");
        v["id"].as_str().expect("id").to_owned()
    }

    /// A task as JSON.
    pub async fn task(&self, id: &str) -> Value {
        let r = self.get(&format!("/api/tasks/{id}")).await;
        assert_eq!(r.status(), 200);
        r.json().await.expect("json")
    }

    /// Waits until the task is in `state`.
    pub async fn wait_state(&self, id: &str, state: &str, deadline: Duration) -> Value {
        wait_until(deadline, &format!("task {id} to be {state}"), || async {
            let t = self.task(id).await;
            (t["state"] == state).then_some(t)
        })
        .await
    }

    /// How many tasks are COMPLETED.
    pub async fn completed(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM tasks WHERE state = 'COMPLETED'")
            .fetch_one(&self.db.pool)
            .await
            .expect("count completed tasks")
    }

    /// Waits until at least `n` tasks are COMPLETED.
    pub async fn wait_completed(&self, n: i64, deadline: Duration) {
        wait_until(deadline, &format!("{n} tasks to complete"), || async {
            (self.completed().await >= n).then_some(())
        })
        .await;
    }

    /// A task's executions as JSON.
    pub async fn executions(&self, id: &str) -> Vec<Value> {
        self.get(&format!("/api/tasks/{id}/executions"))
            .await
            .json()
            .await
            .expect("json")
    }

    /// A task's events as JSON.
    pub async fn events(&self, id: &str) -> Vec<Value> {
        self.get(&format!("/api/tasks/{id}/events"))
            .await
            .json()
            .await
            .expect("json")
    }
}

/// The `worker` binary next to this test binary, built (or brought up to date) once per test
/// run: `cargo test` builds libraries and test harnesses, not the binaries tests spawn.
pub fn worker_binary() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("current exe");
            // target/<profile>/deps/it-<hash> -> target/<profile>/worker
            let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let status = std::process::Command::new(cargo)
                .args(["build", "--workspace", "--bins", "--quiet"])
                .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
                .status()
                .expect("run cargo build for the worker binary");
            assert!(status.success(), "building the worker binary failed");
            let bin = dir.join("worker");
            assert!(bin.exists(), "{} missing after cargo build", bin.display());
            bin
        })
        .clone()
}
