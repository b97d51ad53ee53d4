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
    /// The models classification, elaborate and validate may ask.
    pub llm: LlmSettings,
    /// `CLASSIFY_AGENTS`: agent types a task without one may get.
    pub classify_agents: Vec<AgentKind>,
    /// `CLASSIFY_TIMEOUT_MS`: how long the local model may take to pick a model tier.
    pub classify_timeout: Duration,
    /// `ELABORATE_TIMEOUT_MS`: deadline of `POST /api/elaborate`.
    pub elaborate_timeout: Duration,
    /// `VALIDATE_TIMEOUT_MS`: deadline of `POST /api/validate`.
    pub validate_timeout: Duration,
    /// `ASSIST_RATE_LIMIT_PER_MIN`: elaborate or validate requests per token and minute (0: no limit).
    pub assist_rate_limit_per_min: u32,
    /// `CI_PLAN_TIMEOUT_MS`: how long a CI-fix task waits for the local model to write its plan.
    pub ci_plan_timeout: Duration,
    /// `EXEC_TASKS_ROLE` and `MEMBER_MAX_PERMISSION_MODE`: what a role may ask of an agent.
    pub agent_policy: crate::domain::access::AgentPolicy,
    /// `MAX_TASK_DEPTH`: most levels of subtasks below a task without a parent.
    pub max_task_depth: u32,
    /// `MAX_TREE_TASKS`: most tasks in one tree (a task without a parent and all its subtasks).
    pub max_tree_tasks: u32,
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
    /// `WORKSPACE_ROOT`: where attempts work, one `<root>/<task id>/` each. Must be the same
    /// absolute path on every worker: Claude Code finds a session by its working directory.
    pub workspace_root: std::path::PathBuf,
    /// `WORKSPACE_ARCHIVE_MAX_BYTES`: largest workspace archived when a task blocks on a
    /// question; a bigger one resumes in a fresh workspace with the question and answer.
    pub workspace_archive_max_bytes: usize,
    /// `CLAUDE_BIN`: the Claude Code CLI.
    pub claude_bin: String,
    /// `CLAUDE_PERMISSION_MODE`: `--permission-mode` of tasks that set none.
    pub claude_permission_mode: String,
    /// `CLAUDE_MODEL`: `--model` of tasks that set none (unset: the CLI's default).
    pub claude_model: Option<String>,
    /// The variables of [`CLAUDE_ENV_VARS`] that are set: credentials and endpoints the Claude
    /// Code CLI gets (nothing else of the worker's environment reaches an agent).
    pub claude_env: Vec<(String, String)>,
    /// `CLAIM_LINGER_MS`: with a backlog, how long a claim waits for more of this worker's
    /// attempts to finish so it claims a bigger batch (0: claim at once).
    pub claim_linger: Duration,
    /// `CLAIM_LOOPS`: claim loops per agent type. With two, one reads and claims while the
    /// other's claim statement is in Postgres.
    pub claim_loops: usize,
    /// `DEPLOY_TIMEOUT_MS`: how long a project's deploy command may run when a story ships.
    pub deploy_timeout: Duration,
    /// `LOG_ARCHIVE_MAX_BYTES`: most of an attempt's log archived (compressed) in Postgres.
    pub log_archive_max_bytes: usize,
    /// Retention of terminal tasks and their history (`RETENTION_*`).
    pub retention: RetentionSettings,
    /// `GEMINI_BIN`: the Gemini CLI.
    pub gemini_bin: String,
    /// `GEMINI_MODEL`: `--model` of tasks that set none.
    pub gemini_model: String,
    /// The variables of [`GEMINI_ENV_VARS`] that are set.
    pub gemini_env: Vec<(String, String)>,
    /// How agents are sandboxed, as the worker registry reports it (`AGENT_SANDBOX`, `none`).
    pub sandbox_label: String,
    /// `GEMINI_PRICES`: USD per million input:output tokens by model prefix, which turns the
    /// tokens the Gemini CLI reports into a cost (it reports none), so budgets hold for it too.
    pub gemini_prices: crate::domain::budget::PriceTable,
}

/// Variables passed from the worker's environment to the Gemini CLI.
pub const GEMINI_ENV_VARS: &[&str] = &[
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "HTTPS_PROXY",
    "NO_PROXY",
];

/// Variables passed from the worker's environment to the Claude Code CLI.
pub const CLAUDE_ENV_VARS: &[&str] = &[
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_SMALL_FAST_MODEL",
    "CLAUDE_CODE_OAUTH_TOKEN",
    "CLAUDE_CODE_USE_BEDROCK",
    "CLAUDE_CODE_USE_VERTEX",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "CLOUD_ML_REGION",
    "ANTHROPIC_VERTEX_PROJECT_ID",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "HTTPS_PROXY",
    "NO_PROXY",
];

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

/// A hosted model API (Anthropic Messages or Gemini `generateContent`).
#[derive(Clone)]
pub struct ProviderSettings {
    /// Base URL, without the API path.
    pub base_url: String,
    /// The key.
    pub api_key: String,
    /// Model asked.
    pub model: String,
}

impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("base_url", &self.base_url)
            .field("api_key", &"(hidden)")
            .field("model", &self.model)
            .finish()
    }
}

/// The models an API node may ask, in the order it asks them.
#[derive(Debug, Clone, Default)]
pub struct LlmSettings {
    /// `LOCAL_MODEL_URL` (+ `LOCAL_MODEL`, `LOCAL_MODEL_API_KEY`).
    pub local: Option<LocalModelSettings>,
    /// `ANTHROPIC_API_KEY` (+ `ANTHROPIC_BASE_URL`, `ASSIST_CLAUDE_MODEL`).
    pub anthropic: Option<ProviderSettings>,
    /// `GEMINI_API_KEY` (+ `GOOGLE_GEMINI_BASE_URL`, `ASSIST_GEMINI_MODEL`).
    pub gemini: Option<ProviderSettings>,
}

fn http_url(env: &Env, var: &'static str, default: &str) -> Result<String, ConfigError> {
    let url = env.string(var, default);
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError {
            var,
            value: url,
            reason: "must be an http(s) URL".into(),
        });
    }
    Ok(url.trim_end_matches('/').to_owned())
}

fn local_model(env: &Env) -> Result<Option<LocalModelSettings>, ConfigError> {
    if env.raw("LOCAL_MODEL_URL").is_none() {
        return Ok(None);
    }
    Ok(Some(LocalModelSettings {
        base_url: http_url(env, "LOCAL_MODEL_URL", "")?,
        model: env.string("LOCAL_MODEL", "qwen2.5-coder"),
        api_key: env.raw("LOCAL_MODEL_API_KEY"),
    }))
}

fn provider(
    env: &Env,
    key_var: &'static str,
    url_var: &'static str,
    default_url: &str,
    model_var: &'static str,
    default_model: &str,
) -> Result<Option<ProviderSettings>, ConfigError> {
    let Some(api_key) = env.raw(key_var) else {
        return Ok(None);
    };
    Ok(Some(ProviderSettings {
        base_url: http_url(env, url_var, default_url)?,
        api_key: api_key.trim().to_owned(),
        model: env.string(model_var, default_model),
    }))
}

impl LlmSettings {
    /// Reads and validates.
    pub fn from_env(env: &Env) -> Result<LlmSettings, ConfigError> {
        Ok(LlmSettings {
            local: local_model(env)?,
            anthropic: provider(
                env,
                "ANTHROPIC_API_KEY",
                "ANTHROPIC_BASE_URL",
                "https://api.anthropic.com",
                "ASSIST_CLAUDE_MODEL",
                "claude-sonnet-4-5",
            )?,
            gemini: provider(
                env,
                "GEMINI_API_KEY",
                "GOOGLE_GEMINI_BASE_URL",
                "https://generativelanguage.googleapis.com",
                "ASSIST_GEMINI_MODEL",
                "gemini-2.5-flash",
            )?,
        })
    }
}

/// A comma-separated list of agent types (at least one, no duplicates).
fn agent_list(env: &Env, var: &'static str, default: &str) -> Result<Vec<AgentKind>, ConfigError> {
    let raw = env.string(var, default);
    let mut agents = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let a: AgentKind = name.parse().map_err(|e: crate::domain::ids::UnknownName| ConfigError {
            var,
            value: raw.clone(),
            reason: e.to_string(),
        })?;
        if !agents.contains(&a) {
            agents.push(a);
        }
    }
    if agents.is_empty() {
        return Err(ConfigError {
            var,
            value: raw,
            reason: "name at least one agent type".into(),
        });
    }
    Ok(agents)
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
        let ci_plan_timeout = env.millis("CI_PLAN_TIMEOUT_MS", 20_000)?;
        if ci_plan_timeout > Duration::from_secs(600) {
            return Err(ConfigError {
                var: "CI_PLAN_TIMEOUT_MS",
                value: ci_plan_timeout.as_millis().to_string(),
                reason: "must be at most 600000 (CI-fix tasks wait this long for their plan)".into(),
            });
        }
        let classify_agents = agent_list(env, "CLASSIFY_AGENTS", "claude,gemini")?;
        if classify_agents.contains(&AgentKind::Exec) {
            return Err(ConfigError {
                var: "CLASSIFY_AGENTS",
                value: env.string("CLASSIFY_AGENTS", ""),
                reason: "exec tasks need a command, so exec cannot be chosen for a task".into(),
            });
        }
        let exec_role: crate::domain::Role = env.get("EXEC_TASKS_ROLE", crate::domain::Role::Admin)?;
        if exec_role == crate::domain::Role::Viewer {
            return Err(ConfigError {
                var: "EXEC_TASKS_ROLE",
                value: exec_role.to_string(),
                reason: "must be admin or member (viewers create nothing)".into(),
            });
        }
        let agent_policy = crate::domain::access::AgentPolicy {
            exec_role,
            member_max_permission_mode: env.get(
                "MEMBER_MAX_PERMISSION_MODE",
                crate::domain::PermissionMode::BypassPermissions,
            )?,
        };
        let max_task_depth: u32 = env.get("MAX_TASK_DEPTH", 5)?;
        let max_tree_tasks: u32 = env.get("MAX_TREE_TASKS", 500)?;
        for (var, v) in [("MAX_TASK_DEPTH", max_task_depth), ("MAX_TREE_TASKS", max_tree_tasks)] {
            if !(1..=100_000).contains(&v) {
                return Err(ConfigError {
                    var,
                    value: v.to_string(),
                    reason: "must be between 1 and 100000".into(),
                });
            }
        }
        Ok(ApiSettings {
            agent_policy,
            max_task_depth,
            max_tree_tasks,
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
            llm: LlmSettings::from_env(env)?,
            classify_agents,
            classify_timeout: env.millis("CLASSIFY_TIMEOUT_MS", 5_000)?,
            elaborate_timeout: env.millis("ELABORATE_TIMEOUT_MS", 30_000)?,
            validate_timeout: env.millis("VALIDATE_TIMEOUT_MS", 20_000)?,
            assist_rate_limit_per_min: env.get("ASSIST_RATE_LIMIT_PER_MIN", 20)?,
            ci_plan_timeout,
        })
    }
}

/// How long terminal tasks and their history are kept; one worker of the fleet at a time prunes
/// (store::retention).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionSettings {
    /// `RETENTION_MS`: terminal tasks last changed longer ago are pruned (`0`: no age limit).
    pub max_age: Option<Duration>,
    /// `RETENTION_KEEP_PER_PROJECT`: at most this many terminal tasks per project (tasks without
    /// a project count as one more project); older ones are pruned whatever their age (`0`: no
    /// count limit).
    pub keep_per_project: Option<u32>,
    /// `RETENTION_BATCH`: tasks per prune statement.
    pub batch: u32,
    /// `RETENTION_INTERVAL_MS`: pause between prune rounds once nothing is left to prune.
    pub interval: Duration,
}

impl RetentionSettings {
    /// Reads and validates.
    pub fn from_env(env: &Env) -> Result<RetentionSettings, ConfigError> {
        let age_ms: u64 = env.get("RETENTION_MS", 30 * 24 * 3_600_000)?;
        // Below an hour a task could vanish while its client still polls it; idempotency keys
        // (24 h) then also last only as long as their task.
        if age_ms != 0 && age_ms < 3_600_000 {
            return Err(ConfigError {
                var: "RETENTION_MS",
                value: age_ms.to_string(),
                reason: "must be 0 (no age limit) or at least 3600000 (one hour)".into(),
            });
        }
        let keep: u32 = env.get("RETENTION_KEEP_PER_PROJECT", 0)?;
        let batch: u32 = env.get("RETENTION_BATCH", 500)?;
        if !(1..=10_000).contains(&batch) {
            return Err(ConfigError {
                var: "RETENTION_BATCH",
                value: batch.to_string(),
                reason: "must be between 1 and 10000".into(),
            });
        }
        Ok(RetentionSettings {
            max_age: (age_ms > 0).then(|| Duration::from_millis(age_ms)),
            keep_per_project: (keep > 0).then_some(keep),
            batch,
            interval: env.millis("RETENTION_INTERVAL_MS", 60_000)?,
        })
    }

    /// Whether anything is ever pruned.
    pub fn enabled(&self) -> bool {
        self.max_age.is_some() || self.keep_per_project.is_some()
    }
}

impl WorkerSettings {
    /// Reads and validates.
    pub fn from_env(env: &Env) -> Result<WorkerSettings, ConfigError> {
        let agents = agent_list(env, "WORKER_AGENTS", "exec,noop")?;
        let concurrency: usize = env.get("WORKER_CONCURRENCY", 8)?;
        if !(1..=1024).contains(&concurrency) {
            return Err(ConfigError {
                var: "WORKER_CONCURRENCY",
                value: concurrency.to_string(),
                reason: "must be between 1 and 1024".into(),
            });
        }
        let claim_loops: usize = env.get("CLAIM_LOOPS", 2)?;
        if !(1..=16).contains(&claim_loops) {
            return Err(ConfigError {
                var: "CLAIM_LOOPS",
                value: claim_loops.to_string(),
                reason: "must be between 1 and 16".into(),
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
            local_model: local_model(env)?,
            workspace_root: {
                let root = env.string("WORKSPACE_ROOT", "/var/lib/claudomator/tasks");
                if !root.starts_with('/') {
                    return Err(ConfigError {
                        var: "WORKSPACE_ROOT",
                        value: root,
                        reason: "must be an absolute path (the same on every worker)".into(),
                    });
                }
                std::path::PathBuf::from(root)
            },
            workspace_archive_max_bytes: env.get("WORKSPACE_ARCHIVE_MAX_BYTES", 64 * 1024 * 1024)?,
            claude_bin: env.string("CLAUDE_BIN", "claude"),
            claude_permission_mode: env.string("CLAUDE_PERMISSION_MODE", "bypassPermissions"),
            claude_model: env.raw("CLAUDE_MODEL").filter(|m| !m.is_empty()),
            claude_env: CLAUDE_ENV_VARS
                .iter()
                .filter_map(|k| env.raw(k).map(|v| ((*k).to_owned(), v)))
                .collect(),
            log_archive_max_bytes: env.get("LOG_ARCHIVE_MAX_BYTES", 16 * 1024 * 1024)?,
            deploy_timeout: env.millis("DEPLOY_TIMEOUT_MS", 600_000)?,
            claim_linger: Duration::from_millis(env.get("CLAIM_LINGER_MS", 2u64)?),
            claim_loops,
            retention: RetentionSettings::from_env(env)?,
            gemini_bin: env.string("GEMINI_BIN", "gemini"),
            gemini_model: env.string("GEMINI_MODEL", "gemini-2.5-pro"),
            gemini_env: GEMINI_ENV_VARS
                .iter()
                .filter_map(|k| env.raw(k).map(|v| ((*k).to_owned(), v)))
                .collect(),
            sandbox_label: env
                .raw("AGENT_SANDBOX")
                .filter(|s| !s.trim().is_empty())
                .map_or_else(|| "none".to_owned(), |s| s.trim().chars().take(64).collect()),
            gemini_prices: {
                let v = env.string("GEMINI_PRICES", crate::domain::budget::DEFAULT_GEMINI_PRICES);
                crate::domain::budget::PriceTable::parse(&v).map_err(|reason| ConfigError {
                    var: "GEMINI_PRICES",
                    value: v,
                    reason,
                })?
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
        assert_eq!(w.claim_loops, 2);
        assert_eq!(w.retention.max_age, Some(Duration::from_secs(30 * 24 * 3600)));
        assert_eq!(w.retention.keep_per_project, None);
        assert!(w.retention.enabled());
    }

    #[test]
    fn retention_can_be_off_and_refuses_ages_below_an_hour() {
        let w = WorkerSettings::from_env(&env(&[("RETENTION_MS", "0")])).unwrap();
        assert!(!w.retention.enabled());
        let w = WorkerSettings::from_env(&env(&[("RETENTION_MS", "0"), ("RETENTION_KEEP_PER_PROJECT", "5")])).unwrap();
        assert_eq!(w.retention.keep_per_project, Some(5));
        let e = WorkerSettings::from_env(&env(&[("RETENTION_MS", "60000")])).unwrap_err();
        assert_eq!(e.var, "RETENTION_MS");
        let e = WorkerSettings::from_env(&env(&[("RETENTION_BATCH", "0")])).unwrap_err();
        assert_eq!(e.var, "RETENTION_BATCH");
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
        let e = ApiSettings::from_env(&env(&[("CLASSIFY_AGENTS", "claude,exec")])).unwrap_err();
        assert_eq!(e.var, "CLASSIFY_AGENTS");
        let e =
            ApiSettings::from_env(&env(&[("GEMINI_API_KEY", "k"), ("GOOGLE_GEMINI_BASE_URL", "ftp://x")])).unwrap_err();
        assert_eq!(e.var, "GOOGLE_GEMINI_BASE_URL");
        let e = ApiSettings::from_env(&env(&[("CI_PLAN_TIMEOUT_MS", "600001")])).unwrap_err();
        assert_eq!(e.var, "CI_PLAN_TIMEOUT_MS");
        let e = WorkerSettings::from_env(&env(&[("CLAIM_LOOPS", "0")])).unwrap_err();
        assert_eq!(e.var, "CLAIM_LOOPS");
    }

    #[test]
    fn model_providers_are_configured_by_their_keys() {
        let api = ApiSettings::from_env(&env(&[])).unwrap();
        assert_eq!(api.classify_agents, [AgentKind::Claude, AgentKind::Gemini]);
        assert!(api.llm.local.is_none() && api.llm.anthropic.is_none() && api.llm.gemini.is_none());
        let api = ApiSettings::from_env(&env(&[
            ("LOCAL_MODEL_URL", "http://127.0.0.1:11434/v1/"),
            ("ANTHROPIC_API_KEY", "sk-ant-secret"),
        ]))
        .unwrap();
        assert_eq!(api.llm.local.unwrap().base_url, "http://127.0.0.1:11434/v1");
        let anthropic = api.llm.anthropic.unwrap();
        assert_eq!(anthropic.base_url, "https://api.anthropic.com");
        assert!(!format!("{anthropic:?}").contains("secret"));
    }
}
