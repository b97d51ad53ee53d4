//! The original task YAML as a request payload: strict where poem's `Yaml<T>` is not.
//!
//! Original task files carry keys this service has no meaning for (`context_files`,
//! `skip_planning`, `container_image`, …). Dropping them silently runs a different task than the
//! file describes, so every unknown key, at any level, is a 422 naming all of them at once (poem's
//! own check stops at the first and answers 400). The old top-level `claude:` key is read as
//! `agent:`. The known keys come from the schemas of [`TaskYaml`], [`YamlAgent`] and
//! [`YamlRetry`], so the check cannot drift from the documented shape.
//!
//! Anchors and aliases are refused (400) before anything is built: an alias is a reference that
//! a deserializer expands, so a few kilobytes of nested aliases become gigabytes (a "billion
//! laughs" body took 4.5 s and 1.3 GB before its error). A pass over yaml-rust2's parser events,
//! which never expands anything and costs time linear in the body, refuses them and nesting
//! deeper than [`MAX_DEPTH`]; only then does the body reach the deserializer.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use poem::{IntoResponse, Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload, Yaml};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromYAML, Type};
use serde_json::Value;

use super::dto::{TaskYaml, YamlAgent, YamlRetry};
use crate::problem::{ApiError, FieldProblem};

/// Most bytes of a YAML task (the body limit applies too; this bounds the parse).
const MAX_YAML_BYTES: usize = 512 * 1024;

/// Deepest nesting of mappings and sequences a YAML task may have (its shape needs 3).
pub const MAX_DEPTH: usize = 32;

/// Refuses anchors, aliases and deep nesting, reading parser events only (nothing is built).
fn check_events(text: &str) -> Result<(), ApiError> {
    use yaml_rust2::parser::{Event, Parser};
    let refused = |what: &str| ApiError::bad_request(format!("YAML {what} are not accepted in a task"));
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    loop {
        let (event, _) = parser
            .next_token()
            .map_err(|e| ApiError::bad_request(format!("the body is not YAML: {e}")))?;
        match event {
            Event::StreamEnd => return Ok(()),
            Event::Alias(_) => return Err(refused("aliases (`*name`)")),
            Event::Scalar(_, _, anchor, _) if anchor > 0 => return Err(refused("anchors (`&name`)")),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if anchor > 0 {
                    return Err(refused("anchors (`&name`)"));
                }
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(ApiError::bad_request(format!(
                        "YAML nested deeper than {MAX_DEPTH} levels is not accepted in a task"
                    )));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
}

/// A task in the original YAML shape, checked for unknown keys.
#[derive(Debug, Clone)]
pub struct OriginalYaml(pub TaskYaml);

impl Payload for OriginalYaml {
    const CONTENT_TYPE: &'static str = <Yaml<TaskYaml> as Payload>::CONTENT_TYPE;

    fn check_content_type(content_type: &str) -> bool {
        <Yaml<TaskYaml> as Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        <Yaml<TaskYaml> as Payload>::schema_ref()
    }

    fn register(registry: &mut Registry) {
        <Yaml<TaskYaml> as Payload>::register(registry);
    }
}

impl ParsePayload for OriginalYaml {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = <Vec<u8> as poem::FromRequest>::from_request(request, body).await?;
        parse(&data)
            .map(OriginalYaml)
            .map_err(|e| poem::Error::from_response(e.into_response()))
    }
}

/// Parses a YAML task: 400 for YAML that does not parse, 422 for unknown keys or wrong types.
pub fn parse(data: &[u8]) -> Result<TaskYaml, ApiError> {
    if data.len() > MAX_YAML_BYTES {
        return Err(ApiError::unprocessable(
            "validation",
            format!("a YAML task is at most {MAX_YAML_BYTES} bytes"),
        ));
    }
    let text = std::str::from_utf8(data).map_err(|_| ApiError::bad_request("the body is not UTF-8 YAML".into()))?;
    check_events(text)?;
    let mut value: Value =
        serde_yaml::from_str(text).map_err(|e| ApiError::bad_request(format!("the body is not YAML: {e}")))?;
    let Some(top) = value.as_object_mut() else {
        return Err(ApiError::unprocessable(
            "validation",
            "a YAML task is a mapping with at least `name` and `agent`".into(),
        ));
    };
    if let Some(old) = top.remove("claude") {
        if top.contains_key("agent") {
            return Err(ApiError::validation(vec![FieldProblem {
                field: "claude".into(),
                message: "is the old name of `agent:`; give one of them, not both".into(),
            }]));
        }
        top.insert("agent".into(), old);
    }
    let unknown = unknown_keys(&value);
    if !unknown.is_empty() {
        return Err(ApiError::unprocessable_fields(
            "unknown-keys",
            unknown
                .into_iter()
                .map(|field| FieldProblem {
                    field,
                    message: "unknown key (it would be ignored, so the task is refused)".into(),
                })
                .collect(),
        ));
    }
    TaskYaml::parse_from_yaml(Some(value))
        .map_err(|e| ApiError::unprocessable("validation", format!("invalid YAML task: {}", e.into_message())))
}

/// Property names of each object schema of the YAML shape.
struct KnownKeys {
    top: BTreeSet<&'static str>,
    agent: BTreeSet<&'static str>,
    retry: BTreeSet<&'static str>,
}

static KNOWN: LazyLock<KnownKeys> = LazyLock::new(|| {
    let mut registry = Registry::new();
    <TaskYaml as Type>::register(&mut registry);
    let props = |name: &str| -> BTreeSet<&'static str> {
        registry
            .schemas
            .get(name)
            .map(|s| s.properties.iter().map(|(k, _)| *k).collect())
            .unwrap_or_default()
    };
    KnownKeys {
        top: props(&TaskYaml::name()),
        agent: props(&YamlAgent::name()),
        retry: props(&YamlRetry::name()),
    }
});

/// Every key of `value` the YAML shape does not have, as dotted paths, sorted.
fn unknown_keys(value: &Value) -> Vec<String> {
    let known = &*KNOWN;
    let mut out = Vec::new();
    let Some(top) = value.as_object() else {
        return out;
    };
    for (k, v) in top {
        if !known.top.contains(k.as_str()) {
            out.push(k.clone());
            continue;
        }
        let nested = match k.as_str() {
            "agent" => &known.agent,
            "retry" => &known.retry,
            _ => continue,
        };
        if let Some(obj) = v.as_object() {
            out.extend(
                obj.keys()
                    .filter(|n| !nested.contains(n.as_str()))
                    .map(|n| format!("{k}.{n}")),
            );
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: ApiError) -> Vec<String> {
        match e {
            ApiError::Unprocessable(p) => p.0.errors.unwrap_or_default().into_iter().map(|f| f.field).collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn the_known_keys_are_the_schema_properties() {
        assert!(KNOWN.top.contains("name") && KNOWN.top.contains("acceptance_criteria"));
        assert!(KNOWN.agent.contains("type") && KNOWN.agent.contains("project_dir"));
        assert!(KNOWN.retry.contains("max_attempts"));
    }

    #[test]
    fn every_unknown_key_is_named_at_every_level() {
        let y = b"name: t\ncontext_files: [a]\nagent:\n  type: exec\n  skip_planning: true\n  argv: [true]\nretry:\n  backoff: 2s\ncontainer_image: x\n";
        assert_eq!(
            fields(parse(y).unwrap_err()),
            vec![
                "agent.skip_planning",
                "container_image",
                "context_files",
                "retry.backoff"
            ]
        );
    }

    #[test]
    fn the_old_claude_key_is_the_agent_block() {
        let t = parse(b"name: t\nclaude:\n  instructions: do it\n  model: sonnet\n").unwrap();
        assert_eq!(t.agent.instructions.as_deref(), Some("do it"));
        assert_eq!(
            fields(parse(b"name: t\nclaude: {}\nagent: {}\n").unwrap_err()),
            vec!["claude"]
        );
    }

    #[test]
    fn not_yaml_is_a_bad_request_and_wrong_types_are_422() {
        assert!(matches!(parse(b"name: [unclosed"), Err(ApiError::BadRequest(_))));
        assert!(matches!(
            parse(b"name: t\nagent: {max_turns: many}\n"),
            Err(ApiError::Unprocessable(_))
        ));
        assert!(matches!(parse(b"- a list\n"), Err(ApiError::Unprocessable(_))));
    }
}
