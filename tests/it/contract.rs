//! The API contract: the checker every API node of the tests runs (`support::contract`) catches
//! what it must, and the conventions it enforces hold end to end.

use serde_json::{Value, json};
use tests::TestApp;
use tests::contract::contract;
use tests::sse::SseClient;

fn nulls(v: &Value, at: &str, found: &mut Vec<String>) {
    match v {
        Value::Null => found.push(at.to_owned()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| nulls(x, &format!("{at}/{i}"), found)),
        Value::Object(m) => m.iter().for_each(|(k, x)| nulls(x, &format!("{at}/{k}"), found)),
        _ => {}
    }
}

#[test]
fn the_checker_refuses_nulls_unknown_fields_and_undocumented_statuses() {
    let c = contract();
    assert!(c.check_component("Health", &json!({"status": "ok"})).is_ok());
    assert!(
        c.check_component("Health", &json!({"status": "ok", "postgres": null}))
            .is_err()
    );
    assert!(
        c.check_component("Health", &json!({"status": "ok", "surprise": 1}))
            .is_err()
    );
    assert!(c.check_component("Health", &json!({})).is_err());
    let json_ct = "application/json; charset=utf-8";
    assert!(
        c.check("GET", "/healthz", 200, json_ct, Some(br#"{"status":"ok"}"#))
            .is_ok()
    );
    assert!(c.check("GET", "/healthz", 418, json_ct, Some(b"{}")).is_err());
    assert!(c.check("GET", "/healthz", 200, "text/plain", Some(b"ok")).is_err());
    // The most literal template wins: `/api/tasks/batch` is not `/api/tasks/{id}`.
    let bad_batch = br#"{"ids": "not a list"}"#;
    assert!(
        c.check("POST", "/api/tasks/batch", 201, json_ct, Some(bad_batch))
            .is_err()
    );
    // Paths outside the API (the web UI) are not checked.
    assert!(c.check("GET", "/index.html", 200, "text/html", Some(b"<html>")).is_ok());
}

#[test]
fn the_document_wraps_no_reference_in_a_two_element_all_of() {
    fn walk(v: &Value, bad: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(a)) = m.get("allOf")
                    && (a.len() != 1 || a[0].get("$ref").is_none())
                {
                    bad.push(Value::Object(m.clone()).to_string());
                }
                m.values().for_each(|c| walk(c, bad));
            }
            Value::Array(a) => a.iter().for_each(|c| walk(c, bad)),
            _ => {}
        }
    }
    let doc: Value = serde_json::from_str(&api::routes::spec_json()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0."));
    let mut bad = Vec::new();
    walk(&doc, &mut bad);
    assert!(bad.is_empty(), "{bad:?}");
    // Body routes document 415; routes without a body do not document 413.
    let create = &doc["paths"]["/api/tasks"]["post"]["responses"];
    assert!(create.get("415").is_some() && create.get("413").is_some());
    let list = &doc["paths"]["/api/tasks"]["get"]["responses"];
    assert!(list.get("413").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absent_values_are_omitted_in_responses_and_events() {
    let app = TestApp::spawn().await;
    let mut sse = SseClient::connect(&app.http, &format!("{}/api/events", app.api.url), &app.token, None).await;
    let id = app.run_exec(&["true"], json!({})).await;
    let task = app
        .wait_state(&id, "COMPLETED", std::time::Duration::from_secs(60))
        .await;
    let page: Value = app.get("/api/tasks?limit=1").await.json().await.unwrap();
    let events = app.events(&id).await;
    let executions = app.executions(&id).await;
    let first_event = sse.next_event().await;
    let mut found = Vec::new();
    nulls(&task, "task", &mut found);
    nulls(&page, "page", &mut found);
    nulls(&Value::Array(events), "events", &mut found);
    nulls(&Value::Array(executions), "executions", &mut found);
    nulls(&first_event, "sse", &mut found);
    assert!(found.is_empty(), "nulls in responses: {found:?}");
    // A task without a project has no `project_id` at all; a creation event has no `from`.
    assert!(task.get("project_id").is_none(), "{task}");
    assert!(
        first_event.get("from").is_none(),
        "creation event has no from: {first_event}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_answered_before_a_handler_are_documented_problems() {
    let app = TestApp::spawn_without_worker().await;
    // Wrong content type: 415, as the spec says for a body route.
    let r = app
        .http
        .post(format!("{}/api/tasks", app.api.url))
        .header("authorization", app.bearer())
        .header("content-type", "text/csv")
        .body("a,b")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    // Malformed JSON: 400.
    let r = app
        .http
        .post(format!("{}/api/tasks", app.api.url))
        .header("authorization", app.bearer())
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // No token: 401.
    let r = app.http.get(format!("{}/api/tasks", app.api.url)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // The API node's checker saw all of these; it fails the test on drop if one was undocumented.
    app.api.stop().await;
}

#[tokio::test]
async fn the_observer_records_a_response_that_breaks_the_contract() {
    use poem::{Endpoint as _, EndpointExt as _};
    let violations = tests::contract::Violations::default();
    let bogus = poem::endpoint::make_sync(|_| {
        poem::Response::builder()
            .content_type("application/json; charset=utf-8")
            .body(r#"{"status":null}"#)
    })
    .map_to_response()
    .boxed();
    let served = tests::contract::observe(violations.clone())(bogus);
    let req = poem::Request::builder()
        .uri(poem::http::Uri::from_static("/healthz"))
        .finish();
    let resp = served.call(req).await.unwrap();
    // The response passes through unchanged; the violation is recorded for the node's stop.
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.into_body().into_string().await.unwrap(), r#"{"status":null}"#);
    let seen = violations.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(seen[0].contains("/healthz"), "{seen:?}");
}

#[test]
fn strict_request_bodies_are_declared_so() {
    // Every `#[oai(deny_unknown_fields)]` struct of the api crate, from the source.
    fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                scan(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (i, _) in text.match_indices("\n#[oai(deny_unknown_fields)]\n") {
                    let rest = &text[i..];
                    let at = rest.find("pub struct ").unwrap() + "pub struct ".len();
                    let name: String = rest[at..].chars().take_while(|c| c.is_alphanumeric()).collect();
                    found.push(name);
                }
            }
        }
    }
    let mut in_source = Vec::new();
    scan(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/src"),
        &mut in_source,
    );
    in_source.sort();
    let mut listed: Vec<String> = api::routes::spec::STRICT_OBJECTS
        .iter()
        .map(|s| s.to_string())
        .collect();
    listed.sort();
    assert_eq!(in_source, listed, "update STRICT_OBJECTS in api/src/routes/spec.rs");
    let doc: Value = serde_json::from_str(&api::routes::spec_json()).unwrap();
    for name in &listed {
        assert_eq!(
            doc["components"]["schemas"][name]["additionalProperties"], false,
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_a_path_does_not_take_is_405_with_allow() {
    let app = TestApp::spawn_without_worker().await;
    let r = app
        .http
        .request(reqwest::Method::PUT, format!("{}/api/tasks/batch", app.api.url))
        .header("authorization", app.bearer())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let r = app
        .http
        .request(reqwest::Method::DELETE, format!("{}/api/tasks", app.api.url))
        .header("authorization", app.bearer())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, POST");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_label_filter_with_a_nul_byte_is_a_422_not_a_500() {
    let app = TestApp::spawn_without_worker().await;
    let r = app.get("/api/tasks?label=a%00b").await;
    assert_eq!(r.status(), 422);
}

/// A NUL byte in any stored text is the client's error, answered 422 in one place
/// (`From<anyhow::Error> for ApiError`), whichever route let it reach Postgres.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_byte_in_a_project_name_is_a_422_not_a_500() {
    let app = TestApp::spawn_without_worker().await;
    let r = app.post("/api/projects", &json!({"name": "p\u{0}q"})).await;
    assert_eq!(r.status(), 422, "{}", r.text().await.unwrap_or_default());
    let r = app.post("/api/projects", &json!({"name": "nul-check"})).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let r = app
        .http
        .patch(format!("{}/api/projects/{id}", app.api.url))
        .header("authorization", app.bearer())
        .json(&json!({"name": "a\u{0}b"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "{}", r.text().await.unwrap_or_default());
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["status"], 422);
}
