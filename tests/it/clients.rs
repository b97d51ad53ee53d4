//! The generated clients in `clients/` drive a live server unmodified: each one's smoke script
//! runs against this test's API node and worker (exec tasks only, no model). The generators and
//! their runtimes are installed by `scripts/clients.sh --tools` (scripts/test.sh runs it).

use std::path::{Path, PathBuf};
use std::process::Command;

use tests::TestApp;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(mut cmd: Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e} (install the tools with scripts/clients.sh --tools)"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("smoke test: ok"),
        "{what} did not finish:\n{stdout}\n{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_client_drives_a_live_server() {
    let app = TestApp::spawn().await;
    let root = root();
    let mut cmd = Command::new(root.join("target/py-tools/bin/python"));
    cmd.arg(root.join("clients/python/smoke.py"))
        .env("PYTHONPATH", root.join("clients/python"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("CLAUDOMATOR_URL", &app.api.url)
        .env("CLAUDOMATOR_TOKEN", &app.token);
    let url = app.api.url.clone();
    tokio::task::spawn_blocking(move || run(cmd, &format!("clients/python/smoke.py against {url}")))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_typescript_client_drives_a_live_server() {
    let app = TestApp::spawn().await;
    let ts = root().join("clients/typescript");
    let mut tsc = Command::new(ts.join("node_modules/.bin/tsc"));
    tsc.args(["-p", "."]).current_dir(&ts);
    let mut node = Command::new("node");
    node.arg("dist/smoke.js")
        .current_dir(&ts)
        .env("CLAUDOMATOR_URL", &app.api.url)
        .env("CLAUDOMATOR_TOKEN", &app.token);
    tokio::task::spawn_blocking(move || {
        let out = tsc
            .output()
            .expect("run tsc (install the tools with scripts/clients.sh --tools)");
        assert!(out.status.success(), "tsc: {}", String::from_utf8_lossy(&out.stdout));
        run(node, "clients/typescript/dist/smoke.js");
    })
    .await
    .unwrap();
}
