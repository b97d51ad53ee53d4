//! `api`: the API node and its admin commands.
//!
//! ```text
//! api [serve]                          run an API node
//! api migrate                          apply database migrations
//! api token create --name NAME [--role admin|member|viewer] [--project ID]... [--expires 30d|RFC3339]
//!                                      mint a token (printed once, on stdout; default role admin)
//! api token list                       list tokens
//! api token revoke ID                  revoke a token
//! api openapi                          print the OpenAPI spec (YAML)
//! api vapid generate                   print a new VAPID key pair for Web Push
//! ```

use std::io::Write as _;

use anyhow::{Context as _, bail};
use shared::config::{ApiSettings, Env};
use shared::store::Store;

const USAGE: &str = "usage: api [serve | migrate | token create --name NAME [--role admin|member|viewer] [--project ID]... \
     [--expires 30d|2027-01-01T00:00:00Z] | token list | token revoke ID | openapi | vapid generate]";

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        let _ = writeln!(std::io::stderr(), "error: {e:#}");
        std::process::exit(1);
    }
}

fn out(line: &str) -> anyhow::Result<()> {
    writeln!(std::io::stdout(), "{line}").context("writing to stdout")
}

async fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    if words.first() == Some(&"openapi") {
        return write!(std::io::stdout(), "{}", api::routes::spec_yaml()).context("writing to stdout");
    }
    if words.as_slice() == ["vapid", "generate"] {
        let keys = shared::push::VapidKeys::generate();
        out(&format!("VAPID_PRIVATE_KEY={}", keys.private_b64()))?;
        return out(&format!("VAPID_PUBLIC_KEY={}", keys.public_b64()));
    }
    if matches!(words.first(), Some(&"-h" | &"--help" | &"help")) {
        return out(USAGE);
    }
    let settings = ApiSettings::from_env(&Env::process())?;
    shared::telemetry::init(settings.common.log_format);
    let store = || Store::connect(&settings.common.database_url, 2);
    match words.as_slice() {
        [] | ["serve"] => serve(settings).await,
        ["migrate"] => {
            store().await?.migrate().await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        ["token", "create", rest @ ..] => {
            let new = parse_token_args(rest)?;
            let store = store().await?;
            if let Some(ps) = &new.projects {
                for p in ps {
                    if store.get_project(*p).await?.is_none() {
                        bail!("no project {p}");
                    }
                }
            }
            let (_, token) = store.create_full_token(&new).await?;
            out(&token)
        }
        ["token", "list"] => {
            for t in store().await?.list_tokens(false).await? {
                let revoked = t.revoked_at.map(|r| format!(" revoked {r}")).unwrap_or_default();
                let scope = match (&t.projects, t.task_scope) {
                    (_, Some(task)) => format!(" task {task}"),
                    (Some(ps), None) => format!(
                        " projects {}",
                        ps.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
                    ),
                    (None, None) => String::new(),
                };
                out(&format!(
                    "{} {} {}{scope} created {}{revoked}",
                    t.id, t.name, t.role, t.created_at
                ))?;
            }
            Ok(())
        }
        ["token", "revoke", id] => {
            let id = id.parse().context("token id must be a UUID")?;
            if !store().await?.revoke_token(id).await? {
                bail!("no live token {id}");
            }
            out(&format!("revoked {id}"))
        }
        _ => bail!("{USAGE}"),
    }
}

/// `--name NAME [--role R] [--project ID]... [--expires WHEN]`.
fn parse_token_args(args: &[&str]) -> anyhow::Result<shared::store::tokens::NewToken> {
    let mut name = None;
    let mut role = shared::domain::Role::Admin;
    let mut projects: Vec<uuid::Uuid> = Vec::new();
    let mut expires_at = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value; {USAGE}"))?;
        match *flag {
            "--name" => name = Some((*value).to_owned()),
            "--role" => role = value.parse().map_err(|e| anyhow::anyhow!("--role: {e}"))?,
            "--project" => projects.push(value.parse().context("--project must be a project id (UUID)")?),
            "--expires" => {
                let at = match chrono::DateTime::parse_from_rfc3339(value) {
                    Ok(at) => at.with_timezone(&chrono::Utc),
                    Err(_) => {
                        let d = humantime::parse_duration(value)
                            .context("--expires must be a duration like 30d or an RFC 3339 time")?;
                        chrono::Utc::now() + chrono::TimeDelta::from_std(d).context("--expires is too far off")?
                    }
                };
                if at <= chrono::Utc::now() {
                    bail!("--expires must be in the future");
                }
                expires_at = Some(at);
            }
            other => bail!("unknown option {other}; {USAGE}"),
        }
    }
    let name = name
        .filter(|n| !n.trim().is_empty())
        .with_context(|| format!("--name is required; {USAGE}"))?;
    projects.sort();
    projects.dedup();
    Ok(shared::store::tokens::NewToken {
        name,
        role,
        projects: (!projects.is_empty()).then_some(projects),
        expires_at,
    })
}

async fn serve(settings: ApiSettings) -> anyhow::Result<()> {
    let app = api::startup::Application::build(settings.clone()).await?;
    tracing::info!(bind = %settings.bind, port = app.port(), "API node listening");
    app.run_until_stopped(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}
