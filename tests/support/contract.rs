//! The API contract, checked on every response the integration tests receive.
//!
//! Each API node a test starts runs with [`observe`] around its whole HTTP surface: for a
//! request to an operation of the served OpenAPI document, the response's status must be
//! documented for that operation, its content type must be one the document gives for that
//! status, and a JSON body must validate against that schema (with the `jsonschema` crate). The
//! schemas are read strictly: a property the document does not declare is a violation too, so a
//! new field cannot drift from the spec. Event streams are checked event by event where they
//! are read ([`crate::sse`]).
//!
//! A violation is printed when it happens and fails the test when its API node stops (or is
//! dropped at the end of the test), so every existing test enforces the contract.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use poem::endpoint::BoxEndpoint;
use poem::{Endpoint, EndpointExt as _, IntoResponse as _};
use serde_json::{Map, Value, json};

/// Violations seen by one API node.
pub type Violations = Arc<Mutex<Vec<String>>>;

/// The document and the validators compiled from it.
pub struct Contract {
    ops: Vec<Operation>,
    /// The document's `components.schemas`, converted to JSON Schema.
    defs: Value,
    compiled: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

struct Operation {
    method: String,
    template: String,
    segments: Vec<Option<String>>,
    responses: Map<String, Value>,
}

/// The contract of the served document (`api::routes::spec_json`, which the drift test ties to
/// `openapi/openapi.yaml`).
pub fn contract() -> &'static Contract {
    static C: OnceLock<Contract> = OnceLock::new();
    C.get_or_init(|| Contract::new(serde_json::from_str(&api::routes::spec_json()).expect("spec is JSON")))
}

impl Contract {
    fn new(doc: Value) -> Contract {
        let mut ops = Vec::new();
        for (template, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let segments = template
                    .split('/')
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                    .collect();
                ops.push(Operation {
                    method: method.to_uppercase(),
                    template: template.clone(),
                    segments,
                    responses: op["responses"].as_object().cloned().unwrap_or_default(),
                });
            }
        }
        let mut defs = doc["components"]["schemas"].clone();
        to_json_schema(&mut defs, false);
        if let Some(m) = defs.as_object_mut() {
            for schema in m.values_mut() {
                to_json_schema(schema, true);
            }
        }
        Contract {
            ops,
            defs,
            compiled: Mutex::new(HashMap::new()),
        }
    }

    /// The operation a request reaches: the path picks the template with the most literal
    /// segments (as the router does), then the method picks the operation (none: a 405, which
    /// is not an operation's answer).
    fn operation(&self, method: &str, path: &str) -> Option<&Operation> {
        let parts: Vec<&str> = path.split('/').collect();
        let template = self
            .ops
            .iter()
            .filter(|op| op.segments.len() == parts.len())
            .filter(|op| {
                op.segments
                    .iter()
                    .zip(&parts)
                    .all(|(seg, part)| seg.as_deref().map_or(!part.is_empty(), |lit| lit == *part))
            })
            .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count())?
            .template
            .clone();
        self.ops
            .iter()
            .find(|op| op.template == template && op.method == method)
    }

    /// A validator for a schema of the document (its `$ref`s resolve into the components).
    pub fn validator(&self, key: &str, schema: &Value) -> Arc<jsonschema::Validator> {
        let mut compiled = self.compiled.lock().expect("validator cache");
        if let Some(v) = compiled.get(key) {
            return v.clone();
        }
        let mut root = schema.clone();
        to_json_schema(&mut root, true);
        let mut root = match root {
            Value::Object(m) => m,
            other => Map::from_iter([("allOf".to_owned(), json!([other]))]),
        };
        root.insert("$defs".into(), self.defs.clone());
        let v = Arc::new(
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&Value::Object(root))
                .unwrap_or_else(|e| panic!("schema for {key} does not compile: {e}")),
        );
        compiled.insert(key.to_owned(), v.clone());
        v
    }

    /// Checks one response; `body` is `None` for streams (checked where they are read).
    pub fn check(
        &self,
        method: &str,
        path: &str,
        status: u16,
        content_type: &str,
        body: Option<&[u8]>,
    ) -> Result<(), String> {
        let Some(op) = self.operation(method, path) else {
            return Ok(()); // not an operation of the API (web UI, docs, an unknown path)
        };
        let what = format!("{method} {path} ({}) answered {status}", op.template);
        let response = op
            .responses
            .get(&status.to_string())
            .or_else(|| op.responses.get("default"))
            .ok_or_else(|| format!("{what}: status not in the spec"))?;
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return if body.is_some_and(|b| !b.is_empty()) {
                Err(format!(
                    "{what}: the spec gives no body, the server sent one ({content_type})"
                ))
            } else {
                Ok(())
            };
        };
        let media = content.get(content_type).ok_or_else(|| {
            format!(
                "{what}: content type {content_type:?} not in the spec ({:?})",
                content.keys().collect::<Vec<_>>()
            )
        })?;
        let Some(body) = body else { return Ok(()) };
        if !is_json(content_type) {
            return Ok(());
        }
        let instance: Value = serde_json::from_slice(body)
            .map_err(|e| format!("{what}: body is not JSON ({e}): {}", String::from_utf8_lossy(body)))?;
        let key = format!("{} {} {status} {content_type}", op.method, op.template);
        let validator = self.validator(&key, &media["schema"]);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{what}: body does not match its schema: {}\n  body: {instance}",
                errors.join("; ")
            ))
        }
    }

    /// Checks a JSON value against the component schema `name`.
    pub fn check_component(&self, name: &str, instance: &Value) -> Result<(), String> {
        let validator = self.validator(
            &format!("component {name}"),
            &json!({"$ref": format!("#/$defs/{name}")}),
        );
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{name} does not match its schema: {}\n  value: {instance}",
                errors.join("; ")
            ))
        }
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// OpenAPI 3.0 schema → JSON Schema 2020-12: `#/components/schemas/X` → `#/$defs/X`, `nullable`
/// → a union with null, and (when `strict`) objects with declared properties take no others.
fn to_json_schema(v: &mut Value, strict: bool) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                *r = format!("#/$defs/{name}");
            }
            if strict && m.contains_key("properties") && !m.contains_key("additionalProperties") {
                m.insert("additionalProperties".into(), Value::Bool(false));
            }
            for child in m.values_mut() {
                to_json_schema(child, strict);
            }
            if m.remove("nullable") == Some(Value::Bool(true)) {
                let inner = Value::Object(std::mem::take(m));
                m.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|c| to_json_schema(c, strict)),
        _ => {}
    }
}

/// Wraps an API node's HTTP surface: every response is checked, violations are recorded.
pub fn observe(violations: Violations) -> impl FnOnce(BoxEndpoint<'static>) -> BoxEndpoint<'static> {
    move |ep| {
        ep.around(move |ep, req| {
            let violations = violations.clone();
            async move {
                let method = req.method().as_str().to_owned();
                let path = req.uri().path().to_owned();
                let resp = ep.get_response(req).await;
                let status = resp.status().as_u16();
                let ct = resp
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                let c = contract();
                if ct.starts_with("text/event-stream") {
                    if let Err(e) = c.check(&method, &path, status, &ct, None) {
                        record(&violations, e);
                    }
                    return Ok(resp);
                }
                let (parts, body) = resp.into_parts();
                let bytes = body.into_bytes().await.unwrap_or_default();
                if let Err(e) = c.check(&method, &path, status, &ct, Some(&bytes)) {
                    record(&violations, e);
                }
                Ok(poem::Response::from_parts(parts, poem::Body::from(bytes)).into_response())
            }
        })
        .boxed()
    }
}

fn record(violations: &Violations, e: String) {
    eprintln!("API contract violation: {e}");
    violations.lock().expect("violations").push(e);
}

/// Fails the test if the node saw violations (unless it is failing already).
pub fn assert_none(violations: &Violations) {
    let seen = std::mem::take(&mut *violations.lock().expect("violations"));
    if !seen.is_empty() && !std::thread::panicking() {
        panic!(
            "{} response(s) did not match the OpenAPI document:\n{}",
            seen.len(),
            seen.join("\n")
        );
    }
}
