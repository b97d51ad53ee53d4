//! `worker`: runs agent tasks.
//!
//! ```text
//! worker [run]      claim and run tasks of the agent types in WORKER_AGENTS
//! worker notify     send Web Push notifications for task events
//! ```

use std::io::Write as _;

use anyhow::bail;
use shared::config::{Env, NotifierSettings, WorkerSettings};

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        let _ = writeln!(std::io::stderr(), "error: {e:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] | ["run"] => {}
        ["notify"] => {
            let settings = NotifierSettings::from_env(&Env::process())?;
            shared::telemetry::init(settings.common.log_format);
            let notifier = worker::notifier::service::Notifier::build(settings).await?;
            return notifier.run_until_stopped(shutdown_signal()).await;
        }
        _ => bail!("usage: worker [run | notify]"),
    }
    let settings = WorkerSettings::from_env(&Env::process())?;
    shared::telemetry::init(settings.common.log_format);
    let worker = worker::startup::Worker::build(settings).await?;
    worker.run_until_stopped(shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
        let _ = ctrl_c.await;
        return;
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
}
