//! HTTP shapes of `POST /api/elaborate` and `POST /api/validate`, and their conversions.

use poem_openapi::{Enum, Object};
use shared::domain::assist::{Assessment, DraftForReview, Proposal, ReviewQuestion, format_timeout};
use uuid::Uuid;

/// Body of `POST /api/elaborate`.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
#[oai(deny_unknown_fields)]
pub struct ElaborateBody {
    /// What should be done, in a line (1 to 2000 bytes).
    pub request: String,
    /// The project the task is for (its name, repository and branch are given to the model).
    pub project_id: Option<Uuid>,
}

/// A task draft written by a model: what `POST /api/tasks` takes (nothing is created).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TaskProposalView {
    /// At most 60 characters.
    pub title: String,
    /// For humans.
    pub description: String,
    /// For the agent; ends with the acceptance criteria.
    pub instructions: String,
    /// Checkable statements of done.
    pub acceptance_criteria: Vec<String>,
    /// Suggested agent type: `claude`, `gemini` or `local`.
    pub agent: String,
    /// Suggested model tier (absent for `local`: the worker's default).
    pub model: Option<String>,
    /// Suggested cost limit, 0.25 to 5.00 US dollars.
    pub budget_usd: f64,
    /// Suggested timeout, e.g. `15m` (5 minutes to 4 hours).
    pub timeout: String,
    /// `high`, `normal` or `low`.
    pub priority: String,
    /// Suggested labels.
    pub labels: Vec<String>,
    /// The project asked for.
    pub project_id: Option<Uuid>,
    /// Which model wrote it: `local`, `claude` or `gemini`.
    pub generated_by: String,
}

impl TaskProposalView {
    /// The view of a checked proposal.
    pub fn new(p: Proposal, project_id: Option<Uuid>, generated_by: &str) -> TaskProposalView {
        TaskProposalView {
            title: p.title,
            description: p.description,
            instructions: p.instructions,
            acceptance_criteria: p.acceptance_criteria,
            agent: p.agent.as_str().to_owned(),
            model: p.model,
            budget_usd: p.budget_usd,
            timeout: format_timeout(p.timeout),
            priority: p.priority.as_str().to_owned(),
            labels: p.labels,
            project_id,
            generated_by: generated_by.to_owned(),
        }
    }
}

/// Body of `POST /api/validate`: a task draft. Other task fields (and an elaborate answer's
/// `generated_by`) are accepted and ignored.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ValidateBody {
    /// Title (at most 200 characters).
    pub title: Option<String>,
    /// Description (at most 16 KiB).
    pub description: Option<String>,
    /// Instructions for the agent (at most 16 KiB).
    pub instructions: Option<String>,
    /// Acceptance criteria (at most 20 of 500 bytes).
    pub acceptance_criteria: Option<Vec<String>>,
    /// Agent type.
    pub agent: Option<String>,
}

impl From<ValidateBody> for DraftForReview {
    fn from(b: ValidateBody) -> DraftForReview {
        DraftForReview {
            title: b.title.unwrap_or_default(),
            description: b.description.unwrap_or_default(),
            instructions: b.instructions.unwrap_or_default(),
            acceptance_criteria: b.acceptance_criteria.unwrap_or_default(),
            agent: b.agent,
        }
    }
}

/// How clear a draft is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "shared::domain::assist::Clarity", rename_all = "lowercase")]
pub enum Clarity {
    /// Can run as it is.
    Clear,
    /// Can run, but something is vague.
    Warning,
    /// Needs an answer first.
    Blocking,
}

/// How much a question matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(remote = "shared::domain::assist::Severity", rename_all = "lowercase")]
pub enum Severity {
    /// Good to know.
    Info,
    /// The agent would have to guess.
    Warning,
    /// The task cannot be done without the answer.
    Blocking,
}

/// A question to answer before running the task.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct QuestionItem {
    /// The question.
    pub text: String,
    /// How much it matters.
    pub severity: Severity,
}

impl From<ReviewQuestion> for QuestionItem {
    fn from(q: ReviewQuestion) -> QuestionItem {
        QuestionItem {
            text: q.text,
            severity: q.severity.into(),
        }
    }
}

/// The rating of a draft.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AssessmentView {
    /// `clear`, `warning` or `blocking` (at least as severe as the worst question).
    pub clarity: Clarity,
    /// Whether it can run as it is (never with `blocking`).
    pub ready: bool,
    /// One sentence.
    pub summary: String,
    /// Open questions.
    pub questions: Vec<QuestionItem>,
    /// Improvements.
    pub suggestions: Vec<String>,
    /// Which model rated it: `local`, `claude` or `gemini`.
    pub generated_by: String,
}

impl AssessmentView {
    /// The view of a checked assessment.
    pub fn new(a: Assessment, generated_by: &str) -> AssessmentView {
        AssessmentView {
            clarity: a.clarity.into(),
            ready: a.ready,
            summary: a.summary,
            questions: a.questions.into_iter().map(Into::into).collect(),
            suggestions: a.suggestions,
            generated_by: generated_by.to_owned(),
        }
    }
}
