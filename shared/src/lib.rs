//! Code shared by the API nodes and the workers.
//!
//! - [`domain`] — pure types and rules (ids, task specs, the state machine, retry policy). No I/O.
//! - [`store`] — Postgres, the source of truth. The only module with SQL.
//! - [`queue`] — Redis, the dispatch transport. The only module that names a key or runs a script.
//! - [`llm`] — clients of chat model APIs (local OpenAI-compatible, Anthropic, Gemini) for the
//!   API's classification, elaborate and validate.
//! - [`outbox`] — hands committed QUEUED tasks to Redis and records the generation.
//! - [`push`] — Web Push cryptography (RFC 8291 encryption, RFC 8292 VAPID).
//! - [`webhooks`] — CI webhook signatures and payloads (pure).
//! - [`ci_plan`] — the prompt and answer check of a CI-fix task's model-written plan (pure).
//! - [`config`] — settings from the environment, validated at startup.
//! - [`telemetry`] — logging.
//!
//! Rules between them: `domain` depends on nothing else here; `store` and `queue` speak domain
//! types at their boundaries and keep their own row/entry shapes private; nothing here serves
//! HTTP (the API crate owns its DTOs); `llm` is a client only and depends on `domain` and `config`; `ci_plan` depends on `domain` and
//! `webhooks`.

pub mod ci_plan;
pub mod config;
pub mod domain;
pub mod llm;
pub mod outbox;
pub mod push;
pub mod queue;
pub mod store;
pub mod telemetry;
pub mod webhooks;
