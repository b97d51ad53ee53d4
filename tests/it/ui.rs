//! The web UI in a real browser: the system runs here (API node serving `web/dist`, an
//! in-process worker), and `web/e2e/ui.mjs` drives Debian's Chromium through playwright-core:
//! login, a live log, a question answered, a cancel, a review, Elaborate and Validate (against a
//! scripted local model), YAML import, filters, projects and stories, an agent paused and
//! limited, the push opt-in, and screenshots in `target/ui-artifacts`. Any console error in the
//! browser fails it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use tests::TestApp;
use tests::model_apis::{Api, ModelApis, Reply};

/// Generous: the script waits on conditions with its own 30 s deadlines, on a busy machine.
const WHOLE_RUN: Duration = Duration::from_secs(300);

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../web")
}

/// `npm ci` and `npm run build` when the UI or its test driver is missing (scripts/test.sh
/// builds both first; this keeps `cargo test` alone sufficient).
fn ensure_built(web: &Path) {
    let npm = |args: &[&str]| {
        let status = std::process::Command::new("npm")
            .args(args)
            .current_dir(web)
            .status()
            .expect("run npm (install nodejs and npm, or run scripts/test.sh)");
        assert!(status.success(), "npm {args:?} failed");
    };
    if !web.join("node_modules/playwright-core/package.json").is_file() {
        npm(&["ci", "--no-audit", "--no-fund"]);
    }
    if !web.join("dist/index.html").is_file() {
        npm(&["run", "build"]);
    }
}

/// Built or not, the UI's pages carry the headers that keep it from being framed or from loading
/// anything from elsewhere; the API's answers are not the UI's and do not need them.
#[tokio::test]
async fn the_ui_is_served_with_a_strict_content_security_policy() {
    let app = TestApp::spawn_without_worker().await;
    let index = app.http.get(format!("{}/", app.api.url)).send().await.expect("GET /");
    let h = index.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-content-type-options"], "nosniff");
}

/// Run alone (`scripts/test.sh` does, after the suite): Chromium's load on a small machine would
/// stretch the suite's timing-bound tests.
/// `cargo test -p tests --test it the_web_ui -- --ignored` runs it.
#[tokio::test]
#[ignore = "runs alone after the suite: cargo test -p tests --test it the_web_ui -- --ignored"]
async fn the_web_ui_works_in_chromium() {
    let models = ModelApis::start().await;
    let mut app = TestApp::spawn_with_api_env(&models.env(&[Api::OpenAi])).await;
    if app.on_cluster() {
        // The browser sees only HTTP; the single-server pass covers it.
        return;
    }
    let worker = app.start_worker(&[]).await;
    app.keep(worker);
    // What the local model answers to the form's Elaborate, then Validate.
    let draft = json!({
        "title": "Add a health endpoint", "description": "Load balancers need a liveness check.",
        "instructions": "Add GET /healthz answering 200.", "acceptance_criteria": ["a test covers it"],
        "agent": "local", "budget_usd": 1.5, "timeout": "20m", "priority": "normal", "labels": ["api"]
    });
    let rating = json!({
        "clarity": "warning", "ready": false, "summary": "Mostly clear.",
        "questions": [{"text": "Which port should it listen on?", "severity": "blocking"}],
        "suggestions": ["Name the response body."]
    });
    models.script(
        Api::OpenAi,
        [Reply::Text(draft.to_string()), Reply::Text(rating.to_string())],
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: apt-get install chromium (scripts/test.sh does)"
    );
    let web = web_dir();
    tokio::task::spawn_blocking({
        let web = web.clone();
        move || ensure_built(&web)
    })
    .await
    .expect("build the web UI");

    // The API node serves the UI at `/` and still answers the API and its 404s.
    let index = app.http.get(format!("{}/", app.api.url)).send().await.expect("GET /");
    assert_eq!(index.status(), 200);
    assert!(index.text().await.unwrap().contains(r#"<div id="app">"#));
    let missing = app
        .http
        .get(format!("{}/no/such/page", app.api.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    assert_eq!(app.get("/api/agents").await.status(), 200);

    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ui-artifacts");
    let run = tokio::process::Command::new("node")
        .arg(web.join("e2e/ui.mjs"))
        .env("CLAUDOMATOR_URL", &app.api.url)
        .env("CLAUDOMATOR_TOKEN", &app.token)
        .env("CHROMIUM", &chromium)
        .env("UI_ARTIFACTS", &artifacts)
        .env("E2E_ASSIST", "1")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(WHOLE_RUN, run)
        .await
        .expect("the browser test finished in time")
        .expect("run node web/e2e/ui.mjs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "web/e2e/ui.mjs failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    eprintln!("{stdout}");

    // The push opt-in stored the browser's subscription.
    let endpoints: Vec<String> = sqlx::query_scalar("SELECT endpoint FROM push_subscriptions")
        .fetch_all(&app.db.pool)
        .await
        .expect("push subscriptions");
    assert_eq!(endpoints.len(), 1, "{endpoints:?}");
    assert!(
        endpoints[0].starts_with(&format!("{}/e2e-push/", app.api.url)),
        "{endpoints:?}"
    );
    for shot in ["board-desktop", "board-phone", "task-desktop", "task-phone"] {
        assert!(artifacts.join(format!("{shot}.png")).is_file(), "{shot}.png missing");
    }
}
