//! CI webhooks, without I/O: signature checks and turning GitHub and GitLab payloads into "this
//! commit failed CI" facts, and those into task drafts.
//!
//! GitHub signs the raw body with HMAC-SHA256 (`X-Hub-Signature-256: sha256=<hex>`); GitLab
//! sends the shared secret itself (`X-Gitlab-Token`). Both are compared in constant time. Only
//! failures act: `workflow_run`, `check_suite` and `check_run` completed with conclusion
//! `failure` or `timed_out`, and GitLab pipelines with status `failed`; everything else
//! (including unknown conclusions) is ignored.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::domain::TaskDraft;

/// Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`.
pub fn github_signature_ok(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(hex_sig) = header.and_then(|h| h.trim().strip_prefix("sha256=")) else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// Whether GitLab's `X-Gitlab-Token` equals the project's secret (constant time).
pub fn gitlab_token_ok(secret: &str, header: Option<&str>) -> bool {
    header.is_some_and(|h| !secret.is_empty() && bool::from(h.as_bytes().ct_eq(secret.as_bytes())))
}

/// A failed CI run, as any provider describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiFailure {
    /// `github` or `gitlab`.
    pub provider: &'static str,
    /// Repository (`owner/name` or `group/name`).
    pub repository: String,
    /// Branch, when known (forks' check suites have none).
    pub branch: Option<String>,
    /// The commit.
    pub commit: String,
    /// Workflow, check or pipeline name.
    pub check: String,
    /// Where to see the run.
    pub url: Option<String>,
    /// Failed jobs or the check's summary, when the payload has them.
    pub details: Option<String>,
}

/// What a webhook delivery asks of us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CiEvent {
    /// GitHub's `ping`: answer 2xx, create nothing.
    Ping,
    /// A failed run.
    Failure(CiFailure),
    /// Anything else: acknowledged, ignored.
    Ignored(String),
}

fn s(v: &Value) -> Option<String> {
    v.as_str().filter(|x| !x.is_empty()).map(str::to_owned)
}

fn failed(conclusion: &Value) -> bool {
    matches!(conclusion.as_str(), Some("failure" | "timed_out"))
}

/// The repository a GitHub payload is about (`repository.full_name`).
pub fn github_repository(payload: &Value) -> Option<String> {
    s(&payload["repository"]["full_name"])
}

/// Reads a GitHub delivery of event `event` (the `X-GitHub-Event` header).
pub fn github_event(event: &str, p: &Value) -> CiEvent {
    let repo = github_repository(p).unwrap_or_default();
    match event {
        "ping" => CiEvent::Ping,
        "workflow_run" => {
            let w = &p["workflow_run"];
            if p["action"] != "completed" || !failed(&w["conclusion"]) {
                return CiEvent::Ignored(format!("workflow_run {} {}", p["action"], w["conclusion"]));
            }
            CiEvent::Failure(CiFailure {
                provider: "github",
                repository: repo,
                branch: s(&w["head_branch"]),
                commit: s(&w["head_sha"]).unwrap_or_default(),
                check: s(&w["name"])
                    .or_else(|| s(&p["workflow"]["name"]))
                    .unwrap_or_else(|| "workflow".into()),
                url: s(&w["html_url"]),
                details: s(&w["display_title"]).map(|t| format!("run #{}: {t}", w["run_number"])),
            })
        }
        "check_suite" => {
            let c = &p["check_suite"];
            if p["action"] != "completed" || !failed(&c["conclusion"]) {
                return CiEvent::Ignored(format!("check_suite {} {}", p["action"], c["conclusion"]));
            }
            CiEvent::Failure(CiFailure {
                provider: "github",
                repository: repo,
                branch: s(&c["head_branch"]),
                commit: s(&c["head_sha"]).unwrap_or_default(),
                check: s(&c["app"]["name"])
                    .map(|a| format!("{a} check suite"))
                    .unwrap_or_else(|| "check suite".into()),
                url: s(&c["url"]),
                details: None,
            })
        }
        "check_run" => {
            let c = &p["check_run"];
            if p["action"] != "completed" || !failed(&c["conclusion"]) {
                return CiEvent::Ignored(format!("check_run {} {}", p["action"], c["conclusion"]));
            }
            let details = [s(&c["output"]["title"]), s(&c["output"]["summary"])]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            CiEvent::Failure(CiFailure {
                provider: "github",
                repository: repo,
                branch: s(&c["check_suite"]["head_branch"]),
                commit: s(&c["head_sha"]).unwrap_or_default(),
                check: s(&c["name"]).unwrap_or_else(|| "check run".into()),
                url: s(&c["html_url"]).or_else(|| s(&c["details_url"])),
                details: (!details.is_empty()).then(|| details.join(": ")),
            })
        }
        other => CiEvent::Ignored(format!("event {other}")),
    }
}

/// The project a GitLab payload is about (`project.path_with_namespace`).
pub fn gitlab_project(payload: &Value) -> Option<String> {
    s(&payload["project"]["path_with_namespace"])
}

/// Reads a GitLab delivery.
pub fn gitlab_event(p: &Value) -> CiEvent {
    if p["object_kind"] != "pipeline" {
        return CiEvent::Ignored(format!("object_kind {}", p["object_kind"]));
    }
    let a = &p["object_attributes"];
    if a["status"] != "failed" {
        return CiEvent::Ignored(format!("pipeline {}", a["status"]));
    }
    let failed_jobs: Vec<String> = p["builds"]
        .as_array()
        .map(|b| {
            b.iter()
                .filter(|j| j["status"] == "failed")
                .map(|j| {
                    format!(
                        "{} ({})",
                        j["name"].as_str().unwrap_or("job"),
                        j["stage"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    CiEvent::Failure(CiFailure {
        provider: "gitlab",
        repository: gitlab_project(p).unwrap_or_default(),
        branch: s(&a["ref"]),
        commit: s(&a["sha"]).unwrap_or_default(),
        check: format!("pipeline {}", a["id"]),
        url: s(&a["url"]),
        details: (!failed_jobs.is_empty()).then(|| format!("failed jobs: {}", failed_jobs.join(", "))),
    })
}

/// The metadata header of a failure's task (provider, repository, branch, commit, check, run URL,
/// details): its description, and the first lines of its instructions whatever plan follows.
pub fn ci_header(f: &CiFailure) -> String {
    let branch = f.branch.as_deref().unwrap_or("(detached)");
    let mut header = format!(
        "CI failure\n- provider: {}\n- repository: {}\n- branch: {branch}\n- commit: {}\n- check: {}\n",
        f.provider, f.repository, f.commit, f.check
    );
    if let Some(u) = &f.url {
        header.push_str(&format!("- run: {u}\n"));
    }
    if let Some(d) = &f.details {
        header.push_str(&format!("- details: {}\n", d.chars().take(2000).collect::<String>()));
    }
    header
}

/// A failure task's instructions: the header, then `plan` (one a model wrote, see
/// `crate::ci_plan`) or the fixed five-step plan.
pub fn ci_instructions(f: &CiFailure, plan: Option<&str>) -> String {
    let header = ci_header(f);
    match plan {
        Some(p) => format!("{header}\n{p}"),
        None => {
            let short: String = f.commit.chars().take(10).collect();
            let branch = f.branch.as_deref().unwrap_or("(detached)");
            format!(
                "{header}\nInvestigate and fix the failure:\n1. Check out {branch} at {short} and read the failing check's log at the run URL.\n\
                 2. Reproduce the failure locally with the project's own test command.\n\
                 3. Find the cause (recent commits first: `git log -5 --stat`).\n\
                 4. Fix it with the smallest change, run the check again, and commit.\n\
                 5. End with a `## Summary` of the cause and the fix."
            )
        }
    }
}

/// The task a failure becomes: the metadata header as description, the header and the fixed plan
/// as instructions (a model may replace the plan later, see `crate::ci_plan`).
pub fn ci_task_draft(f: &CiFailure, agent: &str, model: Option<&str>, project: uuid::Uuid) -> TaskDraft {
    let short: String = f.commit.chars().take(10).collect();
    let branch = f.branch.as_deref().unwrap_or("(detached)");
    TaskDraft {
        title: Some(
            format!("CI failure: {} on {branch} ({short})", f.check)
                .chars()
                .take(200)
                .collect(),
        ),
        description: Some(ci_header(f)),
        instructions: Some(ci_instructions(f, None)),
        agent: Some(agent.to_owned()),
        model: model.map(str::to_owned),
        project_id: Some(project),
        labels: vec!["ci-failure".into(), format!("ci:{}", f.provider)],
        ..TaskDraft::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn githubs_published_signature_vector_verifies() {
        // From GitHub's "Validating webhook deliveries".
        let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(github_signature_ok(
            "It's a Secret to Everybody",
            b"Hello, World!",
            Some(sig)
        ));
        assert!(!github_signature_ok(
            "It's a Secret to Everybody",
            b"Hello, World?",
            Some(sig)
        ));
        assert!(!github_signature_ok("another secret", b"Hello, World!", Some(sig)));
        assert!(!github_signature_ok(
            "It's a Secret to Everybody",
            b"Hello, World!",
            None
        ));
        assert!(!github_signature_ok(
            "It's a Secret to Everybody",
            b"Hello, World!",
            Some("sha1=757107")
        ));
    }

    #[test]
    fn gitlab_tokens_compare_exactly() {
        assert!(gitlab_token_ok("s3cret", Some("s3cret")));
        assert!(!gitlab_token_ok("s3cret", Some("s3cret ")));
        assert!(!gitlab_token_ok("s3cret", None));
        assert!(!gitlab_token_ok("", Some("")));
    }

    #[test]
    fn only_completed_failures_act() {
        let p = serde_json::json!({"action": "completed", "repository": {"full_name": "o/r"},
            "check_run": {"conclusion": "success", "head_sha": "abc", "name": "lint"}});
        assert!(matches!(github_event("check_run", &p), CiEvent::Ignored(_)));
        let p = serde_json::json!({"action": "completed", "repository": {"full_name": "o/r"},
            "check_run": {"conclusion": "timed_out", "head_sha": "abc", "name": "lint", "check_suite": {"head_branch": "main"}}});
        let CiEvent::Failure(f) = github_event("check_run", &p) else {
            panic!()
        };
        assert_eq!(
            (f.repository.as_str(), f.commit.as_str(), f.check.as_str()),
            ("o/r", "abc", "lint")
        );
        let d = ci_task_draft(&f, "claude", None, uuid::Uuid::nil());
        let instr = d.instructions.unwrap();
        assert!(instr.starts_with(
            "CI failure\n- provider: github\n- repository: o/r\n- branch: main\n- commit: abc\n- check: lint\n"
        ));
        assert!(matches!(github_event("ping", &serde_json::json!({})), CiEvent::Ping));
        assert!(matches!(
            github_event("push", &serde_json::json!({})),
            CiEvent::Ignored(_)
        ));
    }
}
