//! Settings from environment variables, validated at startup. Every variable is listed in the
//! README's configuration table; an invalid value stops the process with a message naming it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::domain::AgentKind;
use crate::queue::RedisTarget;

/// A bad or missing variable.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {var}={value:?} is invalid: {reason}")]
pub struct ConfigError {
    /// The variable.
    pub var: &'static str,
    /// What it held.
    pub value: String,
    /// Why it was refused.
    pub reason: String,
}

/// Where variables come from (the process environment, or a map in tests).
pub struct Env(Box<dyn Fn(&str) -> Option<String> + Send + Sync>);

impl Env {
    /// The process environment.
    pub fn process() -> Env {
        Env(Box::new(|k| std::env::var(k).ok()))
    }
    /// A fixed map.
    pub fn from_map(map: HashMap<String, String>) -> Env {
        Env(Box::new(move |k| map.get(k).cloned()))
    }
    fn raw(&self, var: &str) -> Option<String> {
        (self.0)(var).filter(|v| !v.trim().is_empty())
    }
    fn get<T: FromStr>(&self, var: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.raw(var) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|e: T::Err| ConfigError {
                var,
                value: v,
                reason: e.to_string(),
            }),
        }
    }
    fn string(&self, var: &'static str, default: &str) -> String {
        self.raw(var).unwrap_or_else(|| default.to_owned())
    }
    fn millis(&self, var: &'static str, default_ms: u64) -> Result<Duration, ConfigError> {
        let ms: u64 = self.get(var, default_ms)?;
        if ms == 0 {
            return Err(ConfigError {
                var,
                value: "0".into(),
                reason: "must be positive".into(),
            });
        }
        Ok(Duration::from_millis(ms))
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "human" | "text" | "pretty" => Ok(LogFormat::Human),
            "json" => Ok(LogFormat::Json),
            _ => Err("use human or json".into()),
        }
    }
}

/// Settings both processes share.
#[derive(Debug, Clone)]
pub struct CommonSettings {
    /// `DATABASE_URL`.
    pub database_url: String,
    /// `DATABASE_MAX_CONNECTIONS`.
    pub database_max_connections: u32,
    /// `REDIS_URL` (+ `REDIS_CLUSTER`).
    pub redis: RedisTarget,
    /// `CLAUDOMATOR_REDIS_PREFIX`.
    pub redis_prefix: String,
    /// `LOG_FORMAT`.
    pub log_format: LogFormat,
}

/// API node settings.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Shared settings.
    pub common: CommonSettings,
    /// `CLAUDOMATOR_BIND`.
    pub bind: SocketAddr,
    /// `CLAUDOMATOR_PUBLIC_URL` (defaults to `http://<bind>`).
    pub public_url: Option<String>,
    /// `CLAUDOMATOR_MAX_BODY_BYTES`.
    pub max_body_bytes: usize,
    /// `CLAUDOMATOR_MAX_BATCH`.
    pub max_batch: usize,
    /// `SSE_KEEP_ALIVE_MS`: heartbeat interval of event streams.
    pub sse_keep_alive: Duration,
    /// `VAPID_PRIVATE_KEY`: when set, push subscriptions are accepted.
    pub vapid_private_key: Option<String>,
}

/// Worker settings.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Shared settings.
    pub common: CommonSettings,
    /// `WORKER_ID` (default: host-pid-random; unique per process incarnation).
    pub worker_id: String,
    /// `WORKER_AGENTS`.
    pub agents: Vec<AgentKind>,
    /// `WORKER_CONCURRENCY`: attempts this process runs at once.
    pub concurrency: usize,
    /// `LEASE_TTL_MS`.
    pub lease_ttl: Duration,
    /// `HEARTBEAT_INTERVAL_MS`: lease renewal and cancellation check.
    pub heartbeat_interval: Duration,
    /// `RECLAIM_INTERVAL_MS`: reaper, reconciler and XAUTOCLAIM tick.
    pub reclaim_interval: Duration,
    /// `CLAIM_TIMEOUT_MS`: how long a read-but-unclaimed entry may sit before another worker takes it.
    pub claim_timeout: Duration,
    /// `DISPATCH_GRACE_MS`: how old an undispatched QUEUED task must be before the reconciler sends it.
    pub dispatch_grace: Duration,
    /// `SHUTDOWN_GRACE_MS`: how long running attempts may finish after SIGTERM.
    pub shutdown_grace: Duration,
    /// `DEFAULT_TASK_TIMEOUT_MS`: timeout of tasks that set none.
    pub default_task_timeout: Duration,
    /// `OUTPUT_LIMIT_BYTES`: output kept per execution.
    pub output_limit_bytes: usize,
    /// `BACKOFF_BASE_MS`.
    pub backoff_base: Duration,
    /// `BACKOFF_CAP_MS`.
    pub backoff_cap: Duration,
    /// `CLAUDOMATOR_API_URL`: the API agents call back (subtasks); unset = agents get no API.
    pub api_url: Option<String>,
    /// `LOCAL_MODEL_URL` (+ `LOCAL_MODEL`, `LOCAL_MODEL_API_KEY`): the OpenAI-compatible server of
    /// the `local` agent.
    pub local_model: Option<LocalModelSettings>,
}

/// Notifier settings.
#[derive(Debug, Clone)]
pub struct NotifierSettings {
    /// Shared settings.
    pub common: CommonSettings,
    /// `NOTIFIER_ID` (default: notifier-pid-random).
    pub notifier_id: String,
    /// `VAPID_PRIVATE_KEY`: base64url P-256 private key (`api vapid generate` makes one).
    pub vapid_private_key: String,
    /// `VAPID_SUBJECT`: contact URI sent to push services (`mailto:` or `https:`).
    pub vapid_subject: String,
    /// `CLAUDOMATOR_PUBLIC_URL`: base of the links in notifications.
    pub public_url: String,
    /// `PUSH_TTL_SECS`: how long push services keep a message for an offline browser.
    pub push_ttl_secs: u32,
    /// `PUSH_DELIVERY_LEASE_MS`: a delivery being sent is not taken by another sender for this long.
    pub delivery_lease: Duration,
    /// `NOTIFIER_CONCURRENCY`: deliveries sent at once.
    pub concurrency: usize,
    /// `NOTIFIER_CLAIM_TIMEOUT_MS`: events another notifier read but did not acknowledge for this
    /// long are taken over.
    pub claim_timeout: Duration,
}

impl NotifierSettings {
    /// Reads and validates.
    pub fn from_env(env: &Env) -> Result<NotifierSettings, ConfigError> {
        let vapid_private_key = env.raw("VAPID_PRIVATE_KEY").ok_or_else(|| ConfigError {
            var: "VAPID_PRIVATE_KEY",
            value: String::new(),
            reason: "is required; generate a key pair with `api vapid generate`".into(),
        })?;
        let vapid_subject = env.raw("VAPID_SUBJECT").unwrap_or_default();
        if !(vapid_subject.starts_with("mailto:") || vapid_subject.starts_with("https:")) {
            return Err(ConfigError {
                var: "VAPID_SUBJECT",
                value: vapid_subject,
                reason: "must be a mailto: or https: contact URI (push services reject others)".into(),
            });
        }
        if crate::push::VapidKeys::from_private_b64(&vapid_private_key).is_err() {
            return Err(ConfigError {
                var: "VAPID_PRIVATE_KEY",
                value: "(hidden)".into(),
                reason: "is not a base64url P-256 private key; generate one with `api vapid generate`".into(),
            });
        }
        let concurrency: usize = env.get("NOTIFIER_CONCURRENCY", 16)?;
        if !(1..=1024).contains(&concurrency) {
            return Err(ConfigError {
                var: "NOTIFIER_CONCURRENCY",
                value: concurrency.to_string(),
                reason: "must be between 1 and 1024".into(),
            });
        }
        let default_id = format!("notifier-{}-{:08x}", std::process::id(), rand::random::<u32>());
        Ok(NotifierSettings {
            common: common(env)?,
            notifier_id: env.string("NOTIFIER_ID", &default_id),
            vapid_private_key,
            vapid_subject,
            public_url: env
                .string("CLAUDOMATOR_PUBLIC_URL", "http://127.0.0.1:8080")
                .trim_end_matches('/')
                .to_owned(),
            push_ttl_secs: env.get("PUSH_TTL_SECS", 86_400)?,
            delivery_lease: env.millis("PUSH_DELIVERY_LEASE_MS", 60_000)?,
            concurrency,
            claim_timeout: env.millis("NOTIFIER_CLAIM_TIMEOUT_MS", 30_000)?,
        })
    }
}

/// An OpenAI-compatible model server.
#[derive(Debug, Clone)]
pub struct LocalModelSettings {
    /// `LOCAL_MODEL_URL`: base URL including `/v1`.
    pub base_url: String,
    /// `LOCAL_MODEL`: model used when a task names none.
    pub model: String,
    /// `LOCAL_MODEL_API_KEY`.
    pub api_key: Option<String>,
}

fn common(env: &Env) -> Result<CommonSettings, ConfigError> {
    let url = env.string("REDIS_URL", "redis://127.0.0.1:6379");
    let cluster: bool = env.get("REDIS_CLUSTER", false)?;
    let redis = if cluster {
        let nodes: Vec<String> = url
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if nodes.is_empty() {
            return Err(ConfigError {
                var: "REDIS_URL",
                value: url,
                reason: "list at least one cluster node".into(),
            });
        }
        RedisTarget::Cluster(nodes)
    } else {
        if !url.starts_with("redis://") && !url.starts_with("rediss://") && !url.starts_with("unix://") {
            return Err(ConfigError {
                var: "REDIS_URL",
                value: url,
                reason: "must start with redis://".into(),
            });
        }
        RedisTarget::Single(url)
    };
    let database_url = env.string(
        "DATABASE_URL",
        "postgres://claudomator:claudomator@127.0.0.1:5432/claudomator",
    );
    if !database_url.starts_with("postgres://") && !database_url.starts_with("postgresql://") {
        return Err(ConfigError {
            var: "DATABASE_URL",
            value: database_url,
            reason: "must start with postgres://".into(),
        });
    }
    let redis_prefix = env.string("CLAUDOMATOR_REDIS_PREFIX", "cm");
    if crate::queue::KeySpace::new(&redis_prefix).is_err() {
        return Err(ConfigError {
            var: "CLAUDOMATOR_REDIS_PREFIX",
            value: redis_prefix,
            reason: "must be non-empty without braces or spaces".into(),
        });
    }
    Ok(CommonSettings {
        database_url,
        database_max_connections: env.get("DATABASE_MAX_CONNECTIONS", 16)?,
        redis,
        redis_prefix,
        log_format: env.get("LOG_FORMAT", LogFormat::Human)?,
    })
}

impl ApiSettings {
    /// Reads and validates.
    pub fn from_env(env: &Env) -> Result<ApiSettings, ConfigError> {
        let max_body_bytes: usize = env.get("CLAUDOMATOR_MAX_BODY_BYTES", 4 * 1024 * 1024)?;
        if max_body_bytes < 1024 {
            return Err(ConfigError {
                var: "CLAUDOMATOR_MAX_BODY_BYTES",
                value: max_body_bytes.to_string(),
                reason: "must be at least 1024".into(),
            });
        }
        let max_batch: usize = env.get("CLAUDOMATOR_MAX_BATCH", 1000)?;
        if !(1..=10_000).contains(&max_batch) {
            return Err(ConfigError {
                var: "CLAUDOMATOR_MAX_BATCH",
                value: max_batch.to_string(),
                reason: "must be between 1 and 10000".into(),
            });
        }
        Ok(ApiSettings {
            common: common(env)?,
            bind: env.get("CLAUDOMATOR_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?,
            public_url: env
                .raw("CLAUDOMATOR_PUBLIC_URL")
                .map(|u| u.trim_end_matches('/').to_owned()),
            max_body_bytes,
            max_batch,
            sse_keep_alive: env.millis("SSE_KEEP_ALIVE_MS", 15_000)?,
            vapid_private_key: match env.raw("VAPID_PRIVATE_KEY") {
                Some(k) if crate::push::VapidKeys::from_private_b64(&k).is_err() => {
                    return Err(ConfigError {
                        var: "VAPID_PRIVATE_KEY",
                        value: "(hidden)".into(),
                        reason: "is not a base64url P-256 private key; generate one with `api vapid generate`".into(),
                    });
                }
                other => other,
            },
        })
    }
}

impl WorkerSettings {
    /// Reads and validates.
    pub fn from_env(env: &Env) -> Result<WorkerSettings, ConfigError> {
        let agents_raw = env.string("WORKER_AGENTS", "exec,noop");
        let mut agents = Vec::new();
        for name in agents_raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let a: AgentKind = name.parse().map_err(|e: crate::domain::ids::UnknownName| ConfigError {
                var: "WORKER_AGENTS",
                value: agents_raw.clone(),
                reason: e.to_string(),
            })?;
            if !agents.contains(&a) {
                agents.push(a);
            }
        }
        if agents.is_empty() {
            return Err(ConfigError {
                var: "WORKER_AGENTS",
                value: agents_raw,
                reason: "name at least one agent type".into(),
            });
        }
        let concurrency: usize = env.get("WORKER_CONCURRENCY", 8)?;
        if !(1..=1024).contains(&concurrency) {
            return Err(ConfigError {
                var: "WORKER_CONCURRENCY",
                value: concurrency.to_string(),
                reason: "must be between 1 and 1024".into(),
            });
        }
        let lease_ttl = env.millis("LEASE_TTL_MS", 30_000)?;
        let heartbeat_interval = env.millis("HEARTBEAT_INTERVAL_MS", 1_000)?;
        if heartbeat_interval * 2 > lease_ttl {
            return Err(ConfigError {
                var: "HEARTBEAT_INTERVAL_MS",
                value: heartbeat_interval.as_millis().to_string(),
                reason: "must be at most half of LEASE_TTL_MS so a lease is renewed before it expires".into(),
            });
        }
        let default_id = format!(
            "{}-{}-{:08x}",
            std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into()),
            std::process::id(),
            rand::random::<u32>()
        );
        Ok(WorkerSettings {
            common: common(env)?,
            worker_id: env.string("WORKER_ID", &default_id),
            agents,
            concurrency,
            lease_ttl,
            heartbeat_interval,
            reclaim_interval: env.millis("RECLAIM_INTERVAL_MS", 5_000)?,
            claim_timeout: env.millis("CLAIM_TIMEOUT_MS", 30_000)?,
            dispatch_grace: env.millis("DISPATCH_GRACE_MS", 5_000)?,
            shutdown_grace: env.millis("SHUTDOWN_GRACE_MS", 30_000)?,
            default_task_timeout: env.millis("DEFAULT_TASK_TIMEOUT_MS", 3_600_000)?,
            output_limit_bytes: env.get("OUTPUT_LIMIT_BYTES", 1024 * 1024)?,
            backoff_base: env.millis("BACKOFF_BASE_MS", 2_000)?,
            backoff_cap: env.millis("BACKOFF_CAP_MS", 300_000)?,
            api_url: env
                .raw("CLAUDOMATOR_API_URL")
                .map(|u| u.trim_end_matches('/').to_owned()),
            local_model: match env.raw("LOCAL_MODEL_URL") {
                None => None,
                Some(url) if url.starts_with("http://") || url.starts_with("https://") => Some(LocalModelSettings {
                    base_url: url.trim_end_matches('/').to_owned(),
                    model: env.string("LOCAL_MODEL", "qwen2.5-coder"),
                    api_key: env.raw("LOCAL_MODEL_API_KEY"),
                }),
                Some(url) => {
                    return Err(ConfigError {
                        var: "LOCAL_MODEL_URL",
                        value: url,
                        reason: "must be an http(s) URL".into(),
                    });
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_map(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn defaults_are_valid() {
        let api = ApiSettings::from_env(&env(&[])).unwrap();
        assert_eq!(api.bind.port(), 8080);
        let w = WorkerSettings::from_env(&env(&[])).unwrap();
        assert_eq!(w.agents, vec![AgentKind::Exec, AgentKind::Noop]);
    }

    #[test]
    fn errors_name_the_variable() {
        let e = WorkerSettings::from_env(&env(&[("WORKER_CONCURRENCY", "lots")])).unwrap_err();
        assert_eq!(e.var, "WORKER_CONCURRENCY");
        let e = WorkerSettings::from_env(&env(&[("WORKER_AGENTS", "exec,cobol")])).unwrap_err();
        assert!(e.to_string().contains("WORKER_AGENTS") && e.to_string().contains("cobol"));
        let e = ApiSettings::from_env(&env(&[("REDIS_URL", "http://x")])).unwrap_err();
        assert_eq!(e.var, "REDIS_URL");
        let e =
            WorkerSettings::from_env(&env(&[("LEASE_TTL_MS", "1000"), ("HEARTBEAT_INTERVAL_MS", "900")])).unwrap_err();
        assert_eq!(e.var, "HEARTBEAT_INTERVAL_MS");
    }
}
