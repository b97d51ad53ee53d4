//! The spec as served (`/api/openapi.json`, `/api/docs`) and checked in (`openapi/openapi.yaml`):
//! what poem-openapi derives from the routes, with the few corrections generated clients need,
//! applied here and nowhere else.
//!
//! The document is OpenAPI 3.0 (3.0.0, what poem-openapi emits). 3.1 would allow `$ref` siblings
//! and `type: [T, "null"]`, but nothing here needs them, and every tool the project checks the
//! contract with (openapi-python-client, openapi-typescript, schemathesis, the `jsonschema`
//! check in the tests) reads 3.0.
//!
//! Corrections:
//! 1. A described reference: poem-openapi writes `allOf: [{$ref}, {description}]`, which
//!    openapi-python-client rejects for enums ("Cannot take allOf a non-object"). The second
//!    element's keywords move up beside a one-element `allOf: [{$ref}]`, the form generators
//!    read as "this reference, with this description" (a bare `$ref` would lose the description,
//!    since 3.0 ignores a reference's siblings).
//! 2. Statuses answered before a handler runs: every operation with a request body documents
//!    413 (body over the limit) and 415 (a content type it does not take); operations without a
//!    body do not document 413.
//! 3. Server-sent event responses say how the events are framed.
//! 4. Request bodies that refuse unknown properties (`#[oai(deny_unknown_fields)]`, which
//!    poem-openapi does not state in the schema) say `additionalProperties: false`.
//! 5. poem-openapi reads `null` for an optional property as absent, so in every schema a
//!    request body reaches, optional properties are declared `nullable`.
//!
//! The document also answers which methods a path takes ([`allowed_methods`]), for the `Allow`
//! header of 405 answers.
//!
//! The convention for optional values is not a correction but a rule for the DTOs: every
//! `Object` carries `#[oai(skip_serializing_if_is_none)]`, so an absent value is omitted and
//! never `null`; request schemas declare their optional properties `nullable` (correction 5;
//! `null` is the same as absent there, except for `MaybeUndefined` fields, where it clears).

use serde_yaml::{Mapping, Value};

const PROBLEM_REF: &str = "#/components/schemas/Problem";

/// The `Object`s with `#[oai(deny_unknown_fields)]` (correction 4). The test
/// `contract::strict_request_bodies_are_declared_so` keeps this list equal to the source.
pub const STRICT_OBJECTS: &[&str] = &[
    "AgentPatchBody",
    "AnswerBody",
    "CreateProject",
    "CreateStory",
    "CreateStoryTask",
    "CreateTask",
    "CreateTaskBatch",
    "CreateToken",
    "ElaborateBody",
    "ElaborateStoryBody",
    "ExecOptions",
    "PatchProject",
    "RejectBody",
    "TaskYaml",
    "YamlAgent",
    "YamlRetry",
];
const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// The corrected document.
fn document() -> Result<Value, serde_yaml::Error> {
    let mut doc: Value = serde_yaml::from_str(&super::service().spec_yaml())?;
    hoist_described_refs(&mut doc);
    if let Some(schemas) = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_mapping_mut)
    {
        for name in STRICT_OBJECTS {
            if let Some(schema) = schemas.get_mut(*name).and_then(Value::as_mapping_mut) {
                schema.insert("additionalProperties".into(), Value::Bool(false));
            }
        }
    }
    nullable_request_optionals(&mut doc);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_mapping_mut) {
        for item in paths.values_mut() {
            for method in METHODS {
                if let Some(op) = item.get_mut(method).and_then(Value::as_mapping_mut) {
                    fix_statuses(op);
                    describe_event_streams(op);
                }
            }
        }
    }
    Ok(doc)
}

/// The spec as YAML (what `openapi/openapi.yaml` must equal).
pub fn spec_yaml() -> String {
    match document().and_then(|d| serde_yaml::to_string(&d)) {
        Ok(s) => s,
        Err(e) => {
            // Cannot happen for a document poem-openapi just wrote; the drift test would notice.
            tracing::error!(error.message = %format!("{e:#}"), "correcting the OpenAPI document");
            super::service().spec_yaml()
        }
    }
}

/// The spec as JSON (served at `/api/openapi.json`).
pub fn spec_json() -> String {
    let doc = document()
        .map_err(|e| format!("{e:#}"))
        .and_then(|d| serde_json::to_string(&d).map_err(|e| format!("{e:#}")));
    match doc {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error.message = %e, "correcting the OpenAPI document");
            super::service().spec()
        }
    }
}

/// The Swagger UI page, showing the corrected document.
pub fn swagger_ui_html() -> String {
    let service = super::service();
    // poem-openapi embeds its own document verbatim; swap in the corrected one.
    service.swagger_ui_html().replacen(&service.spec(), &spec_json(), 1)
}

/// Path templates of the document with the methods each takes, e.g. `GET, POST`.
fn method_table() -> &'static [(Vec<Option<String>>, String)] {
    static TABLE: std::sync::OnceLock<Vec<(Vec<Option<String>>, String)>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let Ok(doc) = document() else { return Vec::new() };
        let Some(paths) = doc.get("paths").and_then(Value::as_mapping) else {
            return Vec::new();
        };
        paths
            .iter()
            .filter_map(|(template, item)| {
                let segments = template
                    .as_str()?
                    .split('/')
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
                    .collect();
                let methods: Vec<String> = METHODS
                    .iter()
                    .filter(|m| item.get(**m).is_some())
                    .map(|m| m.to_uppercase())
                    .collect();
                Some((segments, methods.join(", ")))
            })
            .collect()
    })
}

/// The methods `path` takes (the `Allow` header of a 405), when it is a path of the API.
pub fn allowed_methods(path: &str) -> Option<&'static str> {
    let parts: Vec<&str> = path.split('/').collect();
    method_table()
        .iter()
        .filter(|(segments, _)| {
            segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(seg, part)| seg.as_deref().map_or(!part.is_empty(), |lit| lit == *part))
        })
        .max_by_key(|(segments, _)| segments.iter().filter(|s| s.is_some()).count())
        .map(|(_, methods)| methods.as_str())
}

/// Names of the component schemas `v` refers to.
fn refs_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Mapping(m) => {
            if let Some(name) = m
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_owned());
            }
            m.values().for_each(|c| refs_in(c, out));
        }
        Value::Sequence(s) => s.iter().for_each(|c| refs_in(c, out)),
        _ => {}
    }
}

/// Correction 5.
fn nullable_request_optionals(doc: &mut Value) {
    let mut todo = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_mapping) {
        for item in paths.values() {
            for method in METHODS {
                if let Some(body) = item.get(method).and_then(|op| op.get("requestBody")) {
                    refs_in(body, &mut todo);
                }
            }
        }
    }
    let Some(schemas) = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_mapping_mut)
    else {
        return;
    };
    let mut reached = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if reached.insert(name.clone())
            && let Some(schema) = schemas.get(name.as_str())
        {
            refs_in(schema, &mut todo);
        }
    }
    for name in reached {
        let Some(schema) = schemas.get_mut(name.as_str()).and_then(Value::as_mapping_mut) else {
            continue;
        };
        let required: Vec<Value> = schema
            .get("required")
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        let Some(props) = schema.get_mut("properties").and_then(Value::as_mapping_mut) else {
            continue;
        };
        for (key, prop) in props.iter_mut() {
            let Value::Mapping(p) = prop else { continue };
            if required.contains(key) {
                continue;
            }
            if let Some(reference) = p.remove("$ref") {
                // 3.0 ignores a reference's siblings: wrap it as for a described reference.
                let mut only = Mapping::new();
                only.insert("$ref".into(), reference);
                p.insert("allOf".into(), Value::Sequence(vec![Value::Mapping(only)]));
            }
            p.insert("nullable".into(), Value::Bool(true));
        }
    }
}

/// Correction 1, everywhere in the document.
fn hoist_described_refs(v: &mut Value) {
    match v {
        Value::Mapping(m) => {
            hoist_one(m);
            for child in m.values_mut() {
                hoist_described_refs(child);
            }
        }
        Value::Sequence(s) => s.iter_mut().for_each(hoist_described_refs),
        _ => {}
    }
}

fn hoist_one(m: &mut Mapping) {
    let Some(Value::Sequence(all_of)) = m.get("allOf") else {
        return;
    };
    let [Value::Mapping(reference), Value::Mapping(extra)] = all_of.as_slice() else {
        return;
    };
    let only_ref = reference.len() == 1 && reference.contains_key("$ref");
    // Only annotations may move up; a second element that constrains is a real composition.
    let annotations_only = extra.keys().all(|k| {
        matches!(
            k.as_str(),
            Some(
                "description" | "title" | "default" | "example" | "deprecated" | "readOnly" | "writeOnly" | "nullable"
            )
        )
    });
    if !(only_ref && annotations_only) {
        return;
    }
    let (reference, extra) = (reference.clone(), extra.clone());
    for (k, val) in extra {
        if !m.contains_key(&k) {
            m.insert(k, val);
        }
    }
    m.insert("allOf".into(), Value::Sequence(vec![Value::Mapping(reference)]));
}

fn problem_response(description: &str) -> Value {
    let mut schema = Mapping::new();
    schema.insert("$ref".into(), PROBLEM_REF.into());
    let mut media = Mapping::new();
    media.insert("schema".into(), Value::Mapping(schema));
    let mut content = Mapping::new();
    content.insert("application/problem+json".into(), Value::Mapping(media));
    let mut response = Mapping::new();
    response.insert("description".into(), description.into());
    response.insert("content".into(), Value::Mapping(content));
    Value::Mapping(response)
}

/// Correction 2 for one operation (only operations that answer problems, i.e. not the health
/// checks).
fn fix_statuses(op: &mut Mapping) {
    let has_body = op.contains_key("requestBody");
    let Some(responses) = op.get_mut("responses").and_then(Value::as_mapping_mut) else {
        return;
    };
    if !responses.contains_key("400") {
        return;
    }
    if has_body {
        if !responses.contains_key("415") {
            responses.insert(
                "415".into(),
                problem_response("The body's content type is not one this operation takes."),
            );
        }
    } else {
        responses.remove("413");
    }
    sort_statuses(responses);
}

/// Statuses in numeric order, as readers expect.
fn sort_statuses(responses: &mut Mapping) {
    let mut entries: Vec<(Value, Value)> = std::mem::take(responses).into_iter().collect();
    entries.sort_by_key(|(k, _)| k.as_str().and_then(|s| s.parse::<u16>().ok()).unwrap_or(u16::MAX));
    responses.extend(entries);
}

/// Correction 3 for one operation.
fn describe_event_streams(op: &mut Mapping) {
    let Some(ok) = op
        .get_mut("responses")
        .and_then(|r| r.get_mut("200"))
        .and_then(Value::as_mapping_mut)
    else {
        return;
    };
    let Some(items) = ok
        .get("content")
        .and_then(|c| c.get("text/event-stream"))
        .and_then(|m| m.get("schema"))
        .and_then(|s| s.get("items"))
        .and_then(|i| i.get("$ref"))
        .and_then(Value::as_str)
    else {
        return;
    };
    let name = items.rsplit('/').next().unwrap_or(items).to_owned();
    let empty = ok.get("description").and_then(Value::as_str).is_none_or(str::is_empty);
    if empty {
        let text = format!(
            "A `text/event-stream` (server-sent events) that stays open; `schema.items` ({name}) \
             describes one event (how its fields map to `id:`, `event:` and `data:` is in the \
             operation's description). Comment lines are heartbeats."
        );
        ok.insert("description".into(), text.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_reference_keeps_one_ref_and_its_description() {
        let mut v: Value =
            serde_yaml::from_str("allOf:\n- $ref: '#/components/schemas/TaskState'\n- description: State after.\n")
                .unwrap();
        hoist_described_refs(&mut v);
        let want: Value =
            serde_yaml::from_str("allOf:\n- $ref: '#/components/schemas/TaskState'\ndescription: State after.\n")
                .unwrap();
        assert_eq!(v, want);
    }

    #[test]
    fn a_real_composition_stays() {
        let src =
            "allOf:\n- $ref: '#/components/schemas/A'\n- type: object\n  properties:\n    x:\n      type: string\n";
        let mut v: Value = serde_yaml::from_str(src).unwrap();
        hoist_described_refs(&mut v);
        assert_eq!(v, serde_yaml::from_str::<Value>(src).unwrap());
    }
}
