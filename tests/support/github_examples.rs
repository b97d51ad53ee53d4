//! GitHub's own webhook payload examples, from the `@octokit/webhooks-examples` npm package
//! (pinned). `scripts/test.sh` installs it; a test run without it installs it here on first use.

use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::Value;

/// The pinned package version.
pub const VERSION: &str = "7.6.1";
static INSTALL: Mutex<()> = Mutex::new(());

fn dir() -> PathBuf {
    std::env::var_os("WEBHOOK_EXAMPLES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/npm-fixtures"))
}

fn index() -> PathBuf {
    dir().join("node_modules/@octokit/webhooks-examples/api.github.com/index.json")
}

/// Every example of every event, installing the package when missing.
pub fn all() -> Vec<(String, Vec<Value>)> {
    let _guard = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !index().exists() {
        std::fs::create_dir_all(dir()).expect("fixture dir");
        let status = std::process::Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(dir())
            .arg(format!("@octokit/webhooks-examples@{VERSION}"))
            .status()
            .expect("run npm (needed for GitHub's webhook examples)");
        assert!(status.success(), "npm install @octokit/webhooks-examples failed");
    }
    let text = std::fs::read_to_string(index()).expect("read webhook examples");
    let list: Vec<Value> = serde_json::from_str(&text).expect("examples JSON");
    list.into_iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or_default().to_owned(),
                e["examples"].as_array().cloned().unwrap_or_default(),
            )
        })
        .collect()
}

/// The first example of `event` matching `pred`.
pub fn find(event: &str, pred: impl Fn(&Value) -> bool) -> Value {
    all()
        .into_iter()
        .find(|(n, _)| n == event)
        .and_then(|(_, ex)| ex.into_iter().find(|e| pred(e)))
        .unwrap_or_else(|| panic!("no matching {event} example"))
}

/// `X-Hub-Signature-256` of `body` under `secret`, computed here independently of the server.
pub fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}
