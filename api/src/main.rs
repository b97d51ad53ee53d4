//! `api`: the API node and its admin commands.
//!
//! ```text
//! api [serve]                          run an API node
//! api migrate                          apply database migrations
//! api token create --name NAME         mint a token (printed once, on stdout)
//! api token list                       list tokens
//! api token revoke ID                  revoke a token
//! api openapi                          print the OpenAPI spec (YAML)
//! api vapid generate                   print a new VAPID key pair for Web Push
//! ```

use std::io::Write as _;

use anyhow::{Context as _, bail};
use shared::config::{ApiSettings, Env};
use shared::store::Store;

const USAGE: &str =
    "usage: api [serve | migrate | token create --name NAME | token list | token revoke ID | openapi | vapid generate]";

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
        ["token", "create", "--name", name] => {
            let (_, token) = store().await?.create_token(name, None, None).await?;
            out(&token)
        }
        ["token", "list"] => {
            for t in store().await?.list_tokens().await? {
                let revoked = t.revoked_at.map(|r| format!(" revoked {r}")).unwrap_or_default();
                out(&format!("{} {} created {}{revoked}", t.id, t.name, t.created_at))?;
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
