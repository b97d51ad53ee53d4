//! Logging with `tracing`: human-readable or JSON lines on stderr, filtered by `RUST_LOG`
//! (default `info`). Log a message with fields, once, where an error is handled; never secrets
//! or request bodies.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. Safe to call more than once (later calls do nothing).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// For tests: quiet unless `RUST_LOG` is set.
pub fn init_for_test() {
    if std::env::var_os("RUST_LOG").is_some() {
        init(LogFormat::Human);
    }
}
