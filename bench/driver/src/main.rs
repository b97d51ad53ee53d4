//! Load driver for `bench/run.sh`: drives one claudomator deployment over HTTP, watches Postgres
//! (the truth) and Redis, and prints one `key=value` line per workload in the peers' format.
//!
//! ```text
//! driver w1     --variant batch|single --n 20000 [--chunk 1000] [--inflight 64]
//! driver w2     --rate 500 --duration-s 10
//! driver mem    --n 100000 [--chunk 1000]              (Redis bytes per queued task; no worker)
//! driver rss    --api-pid P --worker-pid P              (idle RSS)
//! driver kill   --pid-a P --id-a ID --pid-b P --id-b ID [--n 16] [--sleep-s 2]
//! driver flush  [--n 1000] [--blockers 64] [--grace-ms 5000]
//! common: --url http://127.0.0.1:PORT --token T --db postgres://... --redis redis://...
//!         --prefix bench --worker-concurrency 64 --timeout-s 300
//!         --api-pid P --worker-pid P --redis-pid P  (CPU and RSS accounting, optional)
//! ```
//!
//! Nothing is timed with fixed sleeps: completion is observed by polling Postgres (one
//! connection, every 10 ms for throughput, 20 ms for recovery); only W2's open-loop producer paces
//! itself on the clock.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _, Result};
use serde_json::{json, Value};
use sqlx::{Connection as _, PgConnection, Row as _};

// ---------------------------------------------------------------- arguments and /proc

struct Args(HashMap<String, String>);

impl Args {
    fn parse(raw: &[String]) -> Result<Args> {
        let mut m = HashMap::new();
        let mut it = raw.iter();
        while let Some(k) = it.next() {
            let Some(k) = k.strip_prefix("--") else {
                bail!("unexpected argument {k}");
            };
            let v = it.next().with_context(|| format!("--{k} needs a value"))?;
            m.insert(k.to_owned(), v.clone());
        }
        Ok(Args(m))
    }
    fn s(&self, k: &str, default: &str) -> String {
        self.0.get(k).cloned().unwrap_or_else(|| default.to_owned())
    }
    fn req(&self, k: &str) -> Result<String> {
        self.0.get(k).cloned().with_context(|| format!("--{k} is required"))
    }
    fn n<T: std::str::FromStr>(&self, k: &str, default: T) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.0.get(k) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e| anyhow::anyhow!("--{k} {v}: {e}")),
        }
    }
    fn pid(&self, k: &str) -> Option<i32> {
        self.0.get(k).and_then(|v| v.parse().ok()).filter(|p| *p > 0)
    }
}

fn load1() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "nan".into())
}

/// A `kB` field of /proc/<pid>/status, in MB.
fn status_mb(pid: i32, field: &str) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// utime + stime of a process, in seconds.
fn cpu_s(pid: &str) -> Option<f64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // SAFETY-free: sysconf is a plain libc call.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Some(ticks / hz)
}

fn fmt(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "nan".into()
    }
}

fn mb(x: Option<f64>) -> String {
    x.map_or_else(|| "nan".into(), |v| format!("{v:.1}"))
}

fn unix_s() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

// ---------------------------------------------------------------- CPU accounting

/// CPU seconds used by each part of the system between two snapshots.
struct CpuSnap {
    at: Instant,
    api: Option<f64>,
    worker: Option<f64>,
    redis: Option<f64>,
    me: Option<f64>,
    /// Backends of this database, by pid.
    pg: HashMap<i32, f64>,
    /// walwriter, checkpointer, background writer (shared with every database on the server).
    pg_aux: f64,
    /// The driver's own (polling) backend.
    poll: Option<f64>,
}

struct Pids {
    api: Option<i32>,
    worker: Option<i32>,
    redis: Option<i32>,
}

impl Pids {
    fn from_args(a: &Args) -> Pids {
        Pids {
            api: a.pid("api-pid"),
            worker: a.pid("worker-pid"),
            redis: a.pid("redis-pid"),
        }
    }
}

async fn pg_pids(pg: &mut PgConnection) -> Result<(Vec<i32>, Vec<i32>)> {
    let rows = sqlx::query(
        "SELECT pid, coalesce(datname = current_database(), false) AS mine FROM pg_stat_activity \
         WHERE datname = current_database() OR backend_type IN ('walwriter', 'checkpointer', 'background writer')",
    )
    .fetch_all(&mut *pg)
    .await?;
    let mut mine = Vec::new();
    let mut aux = Vec::new();
    for r in rows {
        let pid: i32 = r.get(0);
        if r.get::<bool, _>(1) {
            mine.push(pid);
        } else {
            aux.push(pid);
        }
    }
    Ok((mine, aux))
}

async fn cpu_snap(pg: &mut PgConnection, p: &Pids) -> Result<CpuSnap> {
    let (mine, aux) = pg_pids(pg).await?;
    let me: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut *pg).await?;
    let c = |x: Option<i32>| x.and_then(|p| cpu_s(&p.to_string()));
    Ok(CpuSnap {
        at: Instant::now(),
        api: c(p.api),
        worker: c(p.worker),
        redis: c(p.redis),
        me: cpu_s("self"),
        pg: mine.into_iter().filter_map(|p| cpu_s(&p.to_string()).map(|c| (p, c))).collect(),
        pg_aux: aux.into_iter().filter_map(|p| cpu_s(&p.to_string())).sum(),
        poll: cpu_s(&me.to_string()),
    })
}

fn cpu_line(tag: &str, a: &CpuSnap, b: &CpuSnap) -> String {
    let d = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => fmt(y - x),
        _ => "nan".into(),
    };
    // Backends that appeared meanwhile count from zero; ones that left are lost (pools persist).
    let pg: f64 = b.pg.iter().map(|(pid, c)| c - a.pg.get(pid).copied().unwrap_or(0.0)).sum();
    format!(
        "profile {tag} wall_s={} api_cpu_s={} worker_cpu_s={} postgres_backends_cpu_s={} of_which_poll_backend_cpu_s={} postgres_aux_cpu_s={} redis_cpu_s={} driver_cpu_s={} load1={}",
        fmt(b.at.duration_since(a.at).as_secs_f64()),
        d(a.api, b.api),
        d(a.worker, b.worker),
        fmt(pg),
        d(a.poll, b.poll),
        fmt(b.pg_aux - a.pg_aux),
        d(a.redis, b.redis),
        d(a.me, b.me),
        load1()
    )
}

// ---------------------------------------------------------------- HTTP

#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    url: String,
    auth: String,
}

impl Api {
    fn new(a: &Args) -> Result<Api> {
        Ok(Api {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .pool_max_idle_per_host(256)
                .tcp_nodelay(true)
                .build()?,
            url: a.req("url")?,
            auth: format!("Bearer {}", a.req("token")?),
        })
    }

    async fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .header("authorization", &self.auth)
            .json(body)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = r.status();
        let text = r.text().await?;
        if !status.is_success() {
            bail!("POST {path}: {status}: {text}");
        }
        Ok(serde_json::from_str(&text)?)
    }

    /// Creates `tasks` with one batch request; returns their ids.
    async fn batch(&self, tasks: Vec<Value>) -> Result<Vec<String>> {
        let n = tasks.len();
        let v = self.post("/api/tasks/batch?run=true", &json!({ "tasks": tasks })).await?;
        let ids: Vec<String> = v["ids"]
            .as_array()
            .context("batch answer has no ids")?
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect();
        if ids.len() != n {
            bail!("batch of {n} answered {} ids", ids.len());
        }
        Ok(ids)
    }

    async fn one(&self, task: &Value) -> Result<String> {
        let v = self.post("/api/tasks?run=true", task).await?;
        v["id"].as_str().map(str::to_owned).context("answer has no id")
    }
}

fn noop() -> Value {
    json!({"title": "t", "agent": "noop"})
}

fn exec(argv: &[&str]) -> Value {
    json!({"title": "t", "agent": "exec", "exec": {"argv": argv}})
}

/// Sends `n` copies of `task` in sequential batches of `chunk`.
async fn send_batches(api: &Api, task: &Value, n: usize, chunk: usize) -> Result<Vec<String>> {
    let mut ids = Vec::with_capacity(n);
    let mut sent = 0;
    while sent < n {
        let k = chunk.min(n - sent);
        ids.extend(api.batch(vec![task.clone(); k]).await?);
        sent += k;
    }
    Ok(ids)
}

// ---------------------------------------------------------------- Postgres helpers

async fn count(pg: &mut PgConnection, sql: &'static str) -> Result<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut *pg).await?)
}

async fn completed(pg: &mut PgConnection) -> Result<i64> {
    count(pg, "SELECT count(*) FROM tasks WHERE state = 'COMPLETED'").await
}

/// How completion is observed.
#[derive(Clone, Copy, PartialEq)]
enum Poll {
    /// `SELECT count(*) FROM tasks WHERE state = 'COMPLETED'` every tick (the literal method; its
    /// cost grows with the table and is paid by the system under test).
    Count,
    /// Once every task is inserted: `SELECT EXISTS (a task not yet finished)` every tick, an
    /// index probe on `tasks_state_agent`; when it answers false, one `count(*)` confirms that
    /// all N are COMPLETED (not FAILED). Same answer, a fraction of the cost.
    Exists,
}

/// Polls until all `n` tasks are COMPLETED (on top of `history` COMPLETED tasks that were there
/// before); returns the instant it was seen. With [`Poll::Exists`], polling starts once
/// `inserted` is set (no task can finish before).
async fn wait_completed(
    pg: &mut PgConnection,
    history: i64,
    n: i64,
    every: Duration,
    deadline: Instant,
    poll: Poll,
    inserted: &std::sync::atomic::AtomicBool,
) -> Result<Instant> {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if Instant::now() > deadline {
            let c = completed(pg).await? - history;
            bail!("timeout: {c} of {n} tasks COMPLETED");
        }
        match poll {
            Poll::Count => {
                if completed(pg).await? - history >= n {
                    return Ok(Instant::now());
                }
            }
            Poll::Exists => {
                if !inserted.load(Ordering::Acquire) {
                    continue;
                }
                let busy: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM tasks WHERE state IN ('PENDING', 'QUEUED', 'RUNNING', 'BLOCKED', 'READY'))",
                )
                .fetch_one(&mut *pg)
                .await?;
                if !busy {
                    let t = Instant::now();
                    let c = completed(pg).await? - history;
                    if c != n {
                        bail!("all tasks finished but only {c} of {n} are COMPLETED");
                    }
                    return Ok(t);
                }
            }
        }
    }
}

fn poll_mode(a: &Args) -> Result<Poll> {
    match a.s("poll", "exists").as_str() {
        "count" => Ok(Poll::Count),
        "exists" => Ok(Poll::Exists),
        other => bail!("--poll {other}: use count or exists"),
    }
}

// ---------------------------------------------------------------- workloads

async fn w1(a: &Args) -> Result<()> {
    let variant = a.s("variant", "batch");
    let n: usize = a.n("n", 20_000)?;
    let chunk: usize = a.n("chunk", 1000)?;
    let inflight: usize = a.n("inflight", 64)?;
    let conc = a.s("worker-concurrency", "64");
    let deadline = Instant::now() + Duration::from_secs(a.n("timeout-s", 300)?);
    // COMPLETED tasks already in the database (the history part), not counted as this run's.
    let history: i64 = a.n("history", 0)?;
    let pids = Pids::from_args(a);
    let api = Api::new(a)?;
    let mut pg = PgConnection::connect(&a.req("db")?).await?;
    let before = completed(&mut pg).await?;
    if before != history {
        bail!("database not fresh: {before} tasks COMPLETED already (history: {history})");
    }
    let load_start = load1();
    // RSS sampler.
    let rss_peak = Arc::new(std::sync::Mutex::new((0.0f64, 0.0f64)));
    let stop_rss = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (rss_peak.clone(), stop_rss.clone());
        let (ap, wp) = (pids.api, pids.worker);
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let x = ap.and_then(|p| status_mb(p, "VmRSS:")).unwrap_or(0.0);
                let y = wp.and_then(|p| status_mb(p, "VmRSS:")).unwrap_or(0.0);
                if let Ok(mut g) = peak.lock() {
                    g.0 = g.0.max(x);
                    g.1 = g.1.max(y);
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    let poll = poll_mode(a)?;
    let analyze_db = (a.s("experiment-analyze", "0") == "1").then(|| a.s("db", ""));
    let inserted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Tasks of this run are the ones created from now on (server clock); older ones are history.
    let since: f64 = sqlx::query_scalar("SELECT extract(epoch FROM now())::float8").fetch_one(&mut pg).await?;
    let cpu0 = cpu_snap(&mut pg, &pids).await?;
    let t0 = Instant::now();
    let sender: tokio::task::JoinHandle<Result<(Vec<String>, Instant)>> = {
        let api = api.clone();
        let variant = variant.clone();
        let inserted = inserted.clone();
        tokio::spawn(async move {
            let task = noop();
            let r = if variant == "batch" {
                if let Some(db) = analyze_db {
                    // Experiment only (--experiment-analyze 1): fresh planner statistics after the
                    // first batch, to show what the claim costs when its plan is not misled.
                    let mut ids = send_batches(&api, &task, chunk.min(n), chunk).await?;
                    let mut c = PgConnection::connect(&db).await?;
                    sqlx::query("ANALYZE tasks").execute(&mut c).await?;
                    ids.extend(send_batches(&api, &task, n - ids.len(), chunk).await?);
                    Ok((ids, Instant::now()))
                } else {
                    Ok((send_batches(&api, &task, n, chunk).await?, Instant::now()))
                }
            } else {
                let next = Arc::new(AtomicUsize::new(0));
                let mut lanes = Vec::new();
                for _ in 0..inflight {
                    let (api, next, task) = (api.clone(), next.clone(), task.clone());
                    lanes.push(tokio::spawn(async move {
                        let mut ids = Vec::new();
                        while next.fetch_add(1, Ordering::Relaxed) < n {
                            ids.push(api.one(&task).await?);
                        }
                        anyhow::Ok(ids)
                    }));
                }
                let mut ids = Vec::with_capacity(n);
                for l in lanes {
                    ids.extend(l.await??);
                }
                Ok((ids, Instant::now()))
            };
            inserted.store(true, Ordering::Release);
            r
        })
    };
    let waited = wait_completed(&mut pg, history, n as i64, Duration::from_millis(10), deadline, poll, &inserted).await;
    let t_end = match waited {
        Ok(t) => t,
        Err(e) => {
            if sender.is_finished() {
                if let Err(se) = sender.await? {
                    bail!("{e:#}; sender failed: {se:#}");
                }
            }
            return Err(e);
        }
    };
    let (ids, t_enq) = sender.await??;
    let enq_s = t_enq.duration_since(t0).as_secs_f64();
    let cpu1 = cpu_snap(&mut pg, &pids).await?;
    stop_rss.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let total_s = t_end.duration_since(t0).as_secs_f64();
    // Cross-checks in Postgres: one execution per task, all attempt 1, span on the server clock.
    let r = sqlx::query(
        "SELECT count(*)::bigint, coalesce(max(e.attempt), 0)::int, \
                extract(epoch FROM max(e.finished_at) - min(t.created_at))::float8, \
                extract(epoch FROM max(t.created_at) - min(t.created_at))::float8 \
         FROM tasks t JOIN executions e ON e.task_id = t.id WHERE t.created_at >= to_timestamp($1)",
    )
    .bind(since)
    .fetch_one(&mut pg)
    .await?;
    let (execs, max_attempt, pg_span, pg_enq_span): (i64, i32, f64, f64) = (r.get(0), r.get(1), r.get(2), r.get(3));
    let (api_peak, worker_peak) = rss_peak.lock().map(|g| *g).unwrap_or((0.0, 0.0));
    let extra = if variant == "batch" {
        format!("chunk={chunk}")
    } else {
        format!("inflight={inflight}")
    };
    let mut extra = format!("{extra} poll={}", a.s("poll", "exists"));
    if a.s("experiment-analyze", "0") == "1" {
        extra.push_str(" experiment=analyze_after_first_batch");
    }
    println!(
        "peer=claudomator workload=W1 variant={variant} n={n} concurrency={conc} {extra} ids={} executions={execs} max_attempt={max_attempt} \
         enqueue_s={} enqueue_per_s={:.0} pg_insert_span_s={} pg_span_s={} total_s={} jobs_per_s={:.0} \
         api_rss_peak_mb={} worker_rss_peak_mb={} api_hwm_mb={} worker_hwm_mb={} load_start={load_start} load_end={}",
        ids.len(),
        fmt(enq_s),
        n as f64 / enq_s,
        fmt(pg_enq_span),
        fmt(pg_span),
        fmt(total_s),
        n as f64 / total_s,
        mb(Some(api_peak)),
        mb(Some(worker_peak)),
        mb(pids.api.and_then(|p| status_mb(p, "VmHWM:"))),
        mb(pids.worker.and_then(|p| status_mb(p, "VmHWM:"))),
        load1()
    );
    println!("{}", cpu_line(&format!("workload=W1 variant={variant}"), &cpu0, &cpu1));
    Ok(())
}

async fn w2(a: &Args) -> Result<()> {
    let rate: f64 = a.n("rate", 500.0)?;
    let duration: f64 = a.n("duration-s", 10.0)?;
    let total = (rate * duration).round() as usize;
    let conc = a.s("worker-concurrency", "64");
    let deadline = Instant::now() + Duration::from_secs(a.n("timeout-s", 120)?);
    let api = Api::new(a)?;
    let mut pg = PgConnection::connect(&a.req("db")?).await?;
    let load_start = load1();
    let pids = Pids::from_args(a);
    // Warm the connection pool a little so the first requests do not pay the TCP setup.
    for _ in 0..2 {
        let _ = api.http.get(format!("{}/healthz", api.url)).send().await;
    }
    let cpu0 = cpu_snap(&mut pg, &pids).await?;
    let start = tokio::time::Instant::now() + Duration::from_millis(20);
    let step = Duration::from_secs_f64(1.0 / rate);
    let mut handles = Vec::with_capacity(total);
    let mut late_max = 0.0f64;
    for i in 0..total {
        let due = start + step * i as u32;
        tokio::time::sleep_until(due).await;
        late_max = late_max.max(tokio::time::Instant::now().duration_since(due).as_secs_f64() * 1000.0);
        let api = api.clone();
        handles.push(tokio::spawn(async move {
            let sent = unix_s();
            let t = Instant::now();
            let id = api.one(&noop()).await?;
            anyhow::Ok((id, sent, t.elapsed().as_secs_f64() * 1000.0))
        }));
    }
    let send_end = tokio::time::Instant::now();
    let mut ids = Vec::with_capacity(total);
    let mut sent = Vec::with_capacity(total);
    let mut rtt = Vec::with_capacity(total);
    for h in handles {
        let (id, s, r) = h.await??;
        ids.push(id);
        sent.push(s);
        rtt.push(r);
    }
    let all_in = std::sync::atomic::AtomicBool::new(true);
    wait_completed(&mut pg, 0, total as i64, Duration::from_millis(10), deadline, poll_mode(a)?, &all_in).await?;
    let cpu1 = cpu_snap(&mut pg, &pids).await?;
    let achieved = total as f64 / (send_end.duration_since(start) + step).as_secs_f64();
    rtt.sort_by(|x, y| x.total_cmp(y));
    let pct = |v: &[f64], p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    let r = sqlx::query(
        "WITH s AS (SELECT * FROM unnest($1::text[], $2::float8[]) AS s(id, sent)), \
         x AS (SELECT extract(epoch FROM e.started_at - t.created_at) * 1000 AS st, \
                      extract(epoch FROM e.finished_at - t.created_at) * 1000 AS fin, \
                      (extract(epoch FROM e.started_at) - s.sent) * 1000 AS cst, \
                      (extract(epoch FROM e.finished_at) - s.sent) * 1000 AS cfin \
               FROM s JOIN tasks t ON t.id = s.id::uuid JOIN executions e ON e.task_id = t.id AND e.attempt = 1) \
         SELECT count(*)::bigint, \
           (percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY st))::float8[], \
           (percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY fin))::float8[], \
           (percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY cst))::float8[], \
           (percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY cfin))::float8[], \
           max(fin)::float8 FROM x",
    )
    .bind(&ids)
    .bind(&sent)
    .fetch_one(&mut pg)
    .await?;
    let n: i64 = r.get(0);
    let st: Vec<f64> = r.get(1);
    let fin: Vec<f64> = r.get(2);
    let cst: Vec<f64> = r.get(3);
    let cfin: Vec<f64> = r.get(4);
    let max: f64 = r.get(5);
    println!(
        "peer=claudomator workload=W2 rate={rate} duration_s={duration} n={n} concurrency={conc} agents={} achieved_rate={achieved:.0} \
         start_p50_ms={} start_p95_ms={} start_p99_ms={} p50_ms={} p95_ms={} p99_ms={} max_ms={} \
         client_start_p50_ms={} client_start_p99_ms={} client_p50_ms={} client_p99_ms={} http_p50_ms={} http_p99_ms={} \
         producer_late_max_ms={} load_start={load_start} load_end={}",
        a.s("agents", "noop"),
        fmt(st[0]),
        fmt(st[1]),
        fmt(st[2]),
        fmt(fin[0]),
        fmt(fin[1]),
        fmt(fin[2]),
        fmt(max),
        fmt(cst[0]),
        fmt(cst[2]),
        fmt(cfin[0]),
        fmt(cfin[2]),
        fmt(pct(&rtt, 0.5)),
        fmt(pct(&rtt, 0.99)),
        fmt(late_max),
        load1()
    );
    println!("{}", cpu_line(&format!("workload=W2 agents={}", a.s("agents", "noop")), &cpu0, &cpu1));
    Ok(())
}

async fn redis_conn(a: &Args) -> Result<redis::aio::MultiplexedConnection> {
    let c = redis::Client::open(a.req("redis")?)?;
    Ok(c.get_multiplexed_async_connection().await?)
}

async fn used_memory(r: &mut redis::aio::MultiplexedConnection) -> Result<i64> {
    let info: String = redis::cmd("INFO").arg("memory").query_async(r).await?;
    info.lines()
        .find_map(|l| l.strip_prefix("used_memory:"))
        .and_then(|v| v.trim().parse().ok())
        .context("no used_memory in INFO")
}

async fn mem(a: &Args) -> Result<()> {
    let n: usize = a.n("n", 100_000)?;
    let chunk: usize = a.n("chunk", 1000)?;
    let prefix = a.s("prefix", "bench");
    let api = Api::new(a)?;
    let mut r = redis_conn(a).await?;
    let load_start = load1();
    let before = used_memory(&mut r).await?;
    let t0 = Instant::now();
    let ids = send_batches(&api, &noop(), n, chunk).await?;
    let enq_s = t0.elapsed().as_secs_f64();
    let after = used_memory(&mut r).await?;
    let stream = format!("{prefix}:{{noop}}:stream:normal");
    let xlen: i64 = redis::cmd("XLEN").arg(&stream).query_async(&mut r).await?;
    let key_bytes: Option<i64> = redis::cmd("MEMORY")
        .arg("USAGE")
        .arg(&stream)
        .arg("SAMPLES")
        .arg(0)
        .query_async(&mut r)
        .await
        .ok();
    println!(
        "peer=claudomator workload=MEM n={} stream_len={xlen} used_memory_before={before} used_memory_after={after} \
         bytes_per_task={:.1} stream_memory_usage_bytes={} enqueue_s={} enqueue_per_s={:.0} api_rss_mb={} load_start={load_start} load_end={}",
        ids.len(),
        (after - before) as f64 / ids.len() as f64,
        key_bytes.map_or_else(|| "nan".into(), |b| b.to_string()),
        fmt(enq_s),
        n as f64 / enq_s,
        mb(a.pid("api-pid").and_then(|p| status_mb(p, "VmRSS:"))),
        load1()
    );
    Ok(())
}

fn rss(a: &Args) {
    let api = a.pid("api-pid");
    let worker = a.pid("worker-pid");
    println!(
        "peer=claudomator workload=RSS state=idle api_rss_mb={} worker_rss_mb={} load1={}",
        mb(api.and_then(|p| status_mb(p, "VmRSS:"))),
        mb(worker.and_then(|p| status_mb(p, "VmRSS:"))),
        load1()
    );
}

async fn poll_until<F, Fut>(every: Duration, deadline: Instant, what: &str, mut f: F) -> Result<Instant>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if f().await? {
            return Ok(Instant::now());
        }
        if Instant::now() > deadline {
            bail!("timeout waiting for {what}");
        }
    }
}

/// kill -9 of a worker holding running tasks; time until each of them runs again elsewhere.
async fn kill(a: &Args) -> Result<()> {
    let n: usize = a.n("n", 16)?;
    let sleep_s = a.s("sleep-s", "2");
    let lease_ms: f64 = a.n("lease-ttl-ms", 30_000.0)?;
    let reclaim_ms: f64 = a.n("reclaim-interval-ms", 5_000.0)?;
    let workers = [
        (a.pid("pid-a").context("--pid-a")?, a.req("id-a")?),
        (a.pid("pid-b").context("--pid-b")?, a.req("id-b")?),
    ];
    let api = Api::new(a)?;
    let pg = Arc::new(tokio::sync::Mutex::new(PgConnection::connect(&a.req("db")?).await?));
    let load_start = load1();
    let t_submit = unix_s();
    let ids = api.batch(vec![exec(&["sleep", &sleep_s]); n]).await?;
    // Wait until every task has been claimed once (attempt >= 1); the ones still RUNNING then are
    // what the killed worker holds. (All n RUNNING at once is not guaranteed: a task may finish
    // before the last one is claimed.)
    let deadline = Instant::now() + Duration::from_secs(30);
    {
        let (pg, ids) = (pg.clone(), ids.clone());
        poll_until(Duration::from_millis(5), deadline, "every task claimed", move || {
            let (pg, ids) = (pg.clone(), ids.clone());
            async move {
                let mut c = pg.lock().await;
                let k: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM tasks WHERE id = ANY($1::text[]::uuid[]) AND attempt >= 1",
                )
                .bind(&ids)
                .fetch_one(&mut *c)
                .await?;
                Ok(k as usize == n)
            }
        })
        .await?;
    }
    let spread: f64 = {
        let mut c = pg.lock().await;
        sqlx::query_scalar(
            "SELECT coalesce(max(extract(epoch FROM e.started_at)), 0)::float8 - $2 FROM executions e \
             WHERE e.task_id = ANY($1::text[]::uuid[]) AND e.attempt = 1",
        )
        .bind(&ids)
        .bind(t_submit)
        .fetch_one(&mut *c)
        .await?
    };
    let held: Vec<(String, i32, String)> = {
        let mut c = pg.lock().await;
        sqlx::query_as(
            "SELECT id::text, attempt, lease_owner FROM tasks WHERE id = ANY($1::text[]::uuid[]) AND state = 'RUNNING'",
        )
        .bind(&ids)
        .fetch_all(&mut *c)
        .await?
    };
    if held.is_empty() {
        bail!("no task RUNNING when all were claimed ({spread:.3} s from submit to the last first claim)");
    }
    let per = |w: &str| held.iter().filter(|h| h.2 == w).count();
    let (victim, survivor) = if per(&workers[0].1) >= per(&workers[1].1) {
        (&workers[0], &workers[1])
    } else {
        (&workers[1], &workers[0])
    };
    let vids: Vec<String> = held.iter().filter(|h| h.2 == victim.1).map(|h| h.0.clone()).collect();
    let vatt: Vec<i32> = held.iter().filter(|h| h.2 == victim.1).map(|h| h.1).collect();
    let k = vids.len();
    // The kill.
    let kill_unix = unix_s();
    let t_kill = Instant::now();
    if unsafe { libc::kill(victim.0, libc::SIGKILL) } != 0 {
        bail!("kill -9 {} failed", victim.0);
    }
    let deadline = t_kill + Duration::from_secs_f64((lease_ms + reclaim_ms) / 1000.0 + 30.0);
    let t_done = {
        let (pg, vids, vatt, sid) = (pg.clone(), vids.clone(), vatt.clone(), survivor.1.clone());
        poll_until(Duration::from_millis(20), deadline, "victim's tasks running again", move || {
            let (pg, vids, vatt, sid) = (pg.clone(), vids.clone(), vatt.clone(), sid.clone());
            async move {
                let mut c = pg.lock().await;
                let got: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM unnest($1::text[]::uuid[], $2::int[]) AS v(id, att) WHERE EXISTS \
                     (SELECT 1 FROM executions e WHERE e.task_id = v.id AND e.attempt > v.att AND e.worker_id = $3)",
                )
                .bind(&vids)
                .bind(&vatt)
                .bind(&sid)
                .fetch_one(&mut *c)
                .await?;
                Ok(got as usize == vids.len())
            }
        })
        .await?
    };
    let r = {
        let mut c = pg.lock().await;
        sqlx::query(
            "SELECT max(extract(epoch FROM o.finished_at))::float8 - $4, max(extract(epoch FROM e.started_at))::float8 - $4 \
             FROM unnest($1::text[]::uuid[], $2::int[]) AS v(id, att) \
             JOIN executions o ON o.task_id = v.id AND o.attempt = v.att \
             JOIN executions e ON e.task_id = v.id AND e.attempt > v.att AND e.worker_id = $3",
        )
        .bind(&vids)
        .bind(&vatt)
        .bind(&survivor.1)
        .bind(kill_unix)
        .fetch_one(&mut *c)
        .await?
    };
    let reaped: Option<f64> = r.get(0);
    let rerun: Option<f64> = r.get(1);
    let observed = t_done.duration_since(t_kill).as_secs_f64();
    let target = lease_ms / 1000.0 + 1.0;
    println!(
        "peer=claudomator workload=RECOVERY_KILL tasks_total={n} victim_tasks={k} exec=sleep_{sleep_s} lease_ttl_ms={lease_ms} \
         reclaim_interval_ms={reclaim_ms} submit_to_last_claim_s={spread:.3} reaped_after_kill_s={} running_again_pg_s={} kill_to_running_s={} target_s={} met={} load_start={load_start} load_end={}",
        fmt(reaped.unwrap_or(f64::NAN)),
        fmt(rerun.unwrap_or(f64::NAN)),
        fmt(observed),
        fmt(target),
        if observed <= target { "yes" } else { "no" },
        load1()
    );
    Ok(())
}

/// FLUSHALL of the (own) Redis with tasks queued behind busy permits; time until every QUEUED
/// task is handed to the new generation.
async fn flush(a: &Args) -> Result<()> {
    let n: usize = a.n("n", 1000)?;
    let blockers: usize = a.n("blockers", 64)?;
    let grace_ms: u64 = a.n("grace-ms", 5000)?;
    let prefix = a.s("prefix", "bench");
    let api = Api::new(a)?;
    let mut r = redis_conn(a).await?;
    let pg = Arc::new(tokio::sync::Mutex::new(PgConnection::connect(&a.req("db")?).await?));
    let load_start = load1();
    // Occupy every permit of the worker with long exec tasks.
    let b = api.batch(vec![exec(&["sleep", "120"]); blockers]).await?;
    {
        let (pg, b) = (pg.clone(), b.clone());
        poll_until(Duration::from_millis(10), Instant::now() + Duration::from_secs(30), "blockers RUNNING", move || {
            let (pg, b) = (pg.clone(), b.clone());
            async move {
                let mut c = pg.lock().await;
                let k: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM tasks WHERE id = ANY($1::text[]::uuid[]) AND state = 'RUNNING'",
                )
                .bind(&b)
                .fetch_one(&mut *c)
                .await?;
                Ok(k as usize == blockers)
            }
        })
        .await?;
    }
    let ids = send_batches(&api, &noop(), n, 1000).await?;
    let gen_key = format!("{prefix}:{{noop}}:generation");
    let stream = format!("{prefix}:{{noop}}:stream:normal");
    // Setup only: let the tasks be older than DISPATCH_GRACE_MS, as tasks waiting in a real queue are.
    tokio::time::sleep(Duration::from_millis(grace_ms + 1000)).await;
    let (queued, dispatched): (i64, i64) = {
        let mut c = pg.lock().await;
        sqlx::query_as(
            "SELECT count(*), count(dispatched_gen) FROM tasks WHERE id = ANY($1::text[]::uuid[]) AND state = 'QUEUED'",
        )
        .bind(&ids)
        .fetch_one(&mut *c)
        .await?
    };
    if queued as usize != n || dispatched != queued {
        bail!("setup: {queued} of {n} QUEUED, {dispatched} dispatched (are the blockers holding every permit?)");
    }
    let old_gen: Option<String> = redis::cmd("GET").arg(&gen_key).query_async(&mut r).await?;
    let xlen_before: i64 = redis::cmd("XLEN").arg(&stream).query_async(&mut r).await?;
    let t_flush = Instant::now();
    let _: () = redis::cmd("FLUSHALL").query_async(&mut r).await?;
    let deadline = t_flush + Duration::from_secs(60);
    let mut gen_seen: Option<Instant> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let (t_done, xlen_after, still_queued) = loop {
        tick.tick().await;
        let g: Option<String> = redis::cmd("GET").arg(&gen_key).query_async(&mut r).await?;
        if let Some(g) = g.filter(|g| Some(g) != old_gen.as_ref()) {
            gen_seen.get_or_insert_with(Instant::now);
            let mut c = pg.lock().await;
            let (q, behind): (i64, i64) = sqlx::query_as(
                "SELECT count(*), count(*) FILTER (WHERE dispatched_gen IS DISTINCT FROM $1) FROM tasks \
                 WHERE state = 'QUEUED' AND agent = 'noop'",
            )
            .bind(&g)
            .fetch_one(&mut *c)
            .await?;
            drop(c);
            if behind == 0 {
                let x: i64 = redis::cmd("XLEN").arg(&stream).query_async(&mut r).await?;
                if x >= q {
                    break (Instant::now(), x, q);
                }
            }
        }
        if Instant::now() > deadline {
            bail!("timeout: QUEUED tasks not re-dispatched 60 s after FLUSHALL");
        }
    };
    let s = t_done.duration_since(t_flush).as_secs_f64();
    println!(
        "peer=claudomator workload=RECOVERY_FLUSH queued={n} blockers={blockers} stream_len_before={xlen_before} \
         new_generation_s={} flush_to_redispatched_s={s:.3} stream_len_after={xlen_after} queued_after={still_queued} target_s=5 met={} load_start={load_start} load_end={}",
        gen_seen.map_or_else(|| "nan".into(), |t| fmt(t.duration_since(t_flush).as_secs_f64())),
        if s <= 5.0 { "yes" } else { "no" },
        load1()
    );
    Ok(())
}

#[tokio::main]
async fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let r = async {
        let (cmd, rest) = argv.split_first().context("usage: driver <w1|w2|mem|rss|kill|flush> --key value ...")?;
        let a = Args::parse(rest)?;
        match cmd.as_str() {
            "w1" => w1(&a).await,
            "w2" => w2(&a).await,
            "mem" => mem(&a).await,
            "rss" => {
                rss(&a);
                Ok(())
            }
            "kill" => kill(&a).await,
            "flush" => flush(&a).await,
            other => bail!("unknown command {other}"),
        }
    };
    if let Err(e) = r.await {
        eprintln!("driver error: {e:#}");
        std::process::exit(1);
    }
}
