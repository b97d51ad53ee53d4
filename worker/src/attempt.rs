//! One attempt: run the task with its runner, decide what the outcome means (pure domain
//! `decide`), and record it through the recorder, fenced on the attempt. A worker that lost its
//! lease writes nothing; a worker shutting down hands the task back without charging it.

use std::sync::Arc;

use chrono::Utc;
use shared::domain::budget;
use shared::domain::feedback::{self, FeedbackItem};
use shared::domain::outcome::AttemptFacts;
use shared::domain::{AttemptOutcome, Task, TaskEvent, TaskState, decide};
use shared::store::logs::LogArchive;
use shared::store::tasks::{Applied, ExecutionEnd, Transition};
use tokio::sync::OwnedSemaphorePermit;

use crate::agents::{RunOptions, RunReport};
use crate::context::Context;
use crate::running::StopReason;

fn outcome_name(o: &AttemptOutcome) -> &'static str {
    match o {
        AttemptOutcome::Succeeded => "succeeded",
        AttemptOutcome::Failed { .. } => "failed",
        AttemptOutcome::RateLimited { .. } => "rate_limited",
        AttemptOutcome::Blocked(_) => "blocked",
        AttemptOutcome::WaitingForSubtasks(_) => "succeeded",
        AttemptOutcome::TimedOut => "timed_out",
        AttemptOutcome::BudgetExceeded => "budget_exceeded",
    }
}

fn execution_end(outcome: &'static str, error: Option<String>, r: RunReport) -> ExecutionEnd {
    ExecutionEnd {
        outcome,
        exit_code: r.exit_code,
        error,
        output: r.output,
        summary: r.summary,
        cost_usd: r.cost_usd,
        tokens_in: r.tokens_in,
        tokens_out: r.tokens_out,
        session_id: r.session_id,
        changes: r.changes,
    }
}

/// The feedback on earlier attempts this attempt gets, recorded on its execution. Only a
/// re-run can have any, so first attempts cost no query. A failure to read it is logged and
/// the attempt runs without (feedback helps; it is not worth failing the attempt over).
async fn feedback(ctx: &Context, task: &Task) -> Vec<FeedbackItem> {
    if task.attempt.0 <= 1 || task.spec.agent == shared::domain::AgentKind::Noop {
        return Vec::new();
    }
    let report = match ctx.store.checker_fail_report(task.id).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(task.id = %task.id, error.message = %format!("{e:#}"), "checker report not read; running without it");
            None
        }
    };
    let items = feedback::gather(task.rejection_comment.as_deref(), report.as_deref());
    if !items.is_empty()
        && let Err(e) = ctx.store.record_feedback(task.id, task.attempt, &items).await
    {
        tracing::warn!(task.id = %task.id, error.message = %format!("{e:#}"), "feedback not recorded on the execution");
    }
    items
}

/// What the task's earlier attempts cost, when it has a budget (0 otherwise, and for a first
/// attempt, which costs no query). Unreadable counts as 0: the agent's own limit still applies.
async fn spent_before(ctx: &Context, task: &Task) -> f64 {
    if task.spec.budget_usd.is_none() || task.attempt.0 <= 1 {
        return 0.0;
    }
    match ctx.store.spent_before(task.id, task.attempt).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(task.id = %task.id, error.message = %format!("{e:#}"), "spending of earlier attempts not read");
            0.0
        }
    }
}

/// A claimed task with the resources it holds: the permit until its agent is done, the fleet
/// slot (when the agent has a fleet limit) until its result is recorded. It is registered in
/// `Running` before it is spawned, so shutdown and the heartbeat see it from the start.
pub struct Claimed {
    /// The task, RUNNING under our lease.
    pub task: Task,
    /// The fleet slot name.
    pub slot: String,
    /// Whether the slot is recorded in Redis (must be released).
    pub slot_tracked: bool,
    /// The local concurrency permit.
    pub permit: OwnedSemaphorePermit,
    /// Its stop token (from `Running::insert`).
    pub stop: tokio_util::sync::CancellationToken,
}

/// Runs and records one attempt.
pub async fn run(ctx: Arc<Context>, claimed: Claimed) {
    let Claimed {
        task,
        slot,
        slot_tracked,
        permit,
        stop,
    } = claimed;
    let agent = task.spec.agent;
    let key = (task.id, task.attempt);
    let timeout = task.spec.timeout.unwrap_or(ctx.settings.default_task_timeout);
    let api = agent_api(&ctx, &task, timeout).await;
    let (log_tx, log_task) = live_log(&ctx, &task);
    let sandbox = sandbox(&ctx, &task).await;
    let feedback = feedback(&ctx, &task).await;
    let spent = spent_before(&ctx, &task).await;
    let report = match &sandbox {
        Err(error) => RunReport::of(Some(AttemptOutcome::Failed {
            transient: true,
            error: error.clone(),
        })),
        // Earlier attempts spent the whole budget (e.g. a re-run after a costly success).
        Ok(_) if budget::exhausted(task.spec.budget_usd, spent) => RunReport::of(Some(AttemptOutcome::BudgetExceeded)),
        Ok(sb) => {
            let limits = RunOptions {
                timeout,
                output_limit_bytes: ctx.settings.output_limit_bytes,
                api: api.as_ref().map(|(_, a)| a.clone()),
                log: log_tx,
                workspace: sb.workspace.clone(),
                jail: ctx.sandbox.jail(
                    sb.workspace.dir.parent().unwrap_or(&sb.workspace.dir),
                    &sb.workspace.home,
                    agent == shared::domain::AgentKind::Exec,
                ),
                feedback: feedback::plain_text(&feedback),
            };
            // The runner runs in a task of its own: a panic in it becomes a transient failure
            // instead of unwinding past the bookkeeping below (which would strand the task RUNNING).
            let runners = ctx.runners.clone();
            let mut owned = task.clone();
            // Model agents read feedback where they read their task: in the prompt.
            if agent.is_model() {
                owned.spec.instructions = feedback::prompt_section(&owned.spec.instructions, &feedback);
            }
            if agent.is_model() && resumes_after_timeout(&task) {
                owned.spec.instructions = format!("{TIMED_OUT_NOTE}\n\nThe task:\n{}", owned.spec.instructions);
            }
            // The attempt may spend what the earlier ones left.
            owned.spec.budget_usd = budget::remaining(task.spec.budget_usd, spent);
            match tokio::spawn(async move { runners.run(&owned, limits, stop).await }).await {
                Ok(r) => r,
                Err(e) => RunReport::of(Some(AttemptOutcome::Failed {
                    transient: true,
                    error: format!("runner crashed: {e}"),
                })),
            }
        }
    };
    if let Some((t, archive)) = log_task {
        // The runner dropped its senders: the forwarder flushes, closes the log and ends.
        if tokio::time::timeout(std::time::Duration::from_secs(5), t)
            .await
            .is_err()
        {
            tracing::debug!(task.id = %task.id, "live log forwarder did not finish");
        }
        let archive = std::mem::replace(
            &mut *archive.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            LogArchive::new(0),
        );
        if !archive.is_empty()
            && let Err(e) = ctx.store.save_log(task.id, task.attempt, archive).await
        {
            tracing::warn!(error.message = %e, "execution log not archived; its tail stays in the output");
        }
    }
    if let Some((token_id, _)) = api
        && let Err(e) = ctx.store.revoke_token(token_id).await
    {
        tracing::warn!(error.message = %e, "attempt token not revoked; it expires on its own");
    }
    let mut report = report;
    if agent == shared::domain::AgentKind::Gemini && report.cost_usd.is_none() {
        let model = task.spec.model.as_deref().unwrap_or(&ctx.settings.gemini_model);
        report.cost_usd = ctx
            .settings
            .gemini_prices
            .cost(model, report.tokens_in, report.tokens_out);
    }
    if let Ok(sb) = &sandbox {
        settle_workspace(&ctx, &task, sb, &mut report).await;
    }
    report.outcome = budget::charge(report.outcome, task.spec.budget_usd, spent, report.cost_usd);
    // Only for the CLI agents: the `local` agent is the local model, and `exec` output is not an
    // agent's account of its work.
    if report.outcome == Some(AttemptOutcome::Succeeded)
        && matches!(
            task.spec.agent,
            shared::domain::AgentKind::Claude | shared::domain::AgentKind::Gemini
        )
        && report.summary.is_none()
        && let (Some(llm), Some(output)) = (&ctx.llm, &report.output)
    {
        report.summary = crate::summary::synthesize(llm, &task.spec.title, output).await;
    }
    if report.outcome == Some(AttemptOutcome::Succeeded) && task.spec.agent != shared::domain::AgentKind::Noop {
        // Subtasks the agent created must complete before the parent is done.
        match ctx.store.unfinished_subtasks(task.id).await {
            Ok(0) => {}
            Ok(n) => report.outcome = Some(AttemptOutcome::WaitingForSubtasks(u32::try_from(n).unwrap_or(u32::MAX))),
            Err(e) => {
                report.outcome = Some(AttemptOutcome::Failed {
                    transient: true,
                    error: format!("checking subtasks: {e:#}"),
                })
            }
        }
    }
    // The agent is done: its permit goes to the next attempt now, so claims overlap with the
    // (batched) commit below instead of waiting for it. The lease stays renewed until the commit
    // (the attempt is still in `Running`), so a crash before it reruns the task as before. A
    // fleet slot is kept until then: under a fleet limit, RUNNING never exceeds the limit.
    drop(permit);
    let mut slot = Some(slot);
    if !slot_tracked && let Some(s) = slot.take() {
        ctx.put_slots(agent, [s]);
    }
    let reason = ctx.running.reason(key);
    let record = match (reason, report.outcome.clone()) {
        (Some(StopReason::LeaseLost), _) | (None, None) => {
            tracing::info!(task.id = %task.id, attempt = %task.attempt, "attempt stopped: lease lost or task cancelled; nothing recorded");
            None
        }
        (Some(StopReason::HandBack), None) => {
            let mut t = Transition::new(task.id, TaskState::Running, TaskEvent::Requeue, task.attempt);
            t.refund = 1;
            t.run_at = Some(None);
            t.reason = Some("handed back by a worker shutting down".into());
            t.execution = Some(execution_end("handed_back", None, report));
            Some((t, None))
        }
        // A run that ended on its own is recorded as it ended, even if shutdown asked it to stop
        // in the same instant.
        (None | Some(StopReason::HandBack), Some(outcome)) => {
            let facts = AttemptFacts {
                attempts_charged: u32::try_from(task.attempts_charged).unwrap_or(u32::MAX),
                max_attempts: task.spec.max_attempts,
                review: task.spec.review,
            };
            let d = decide(&outcome, facts, &ctx.policy, rand::random::<f64>());
            let now = Utc::now();
            let mut t = Transition::new(task.id, TaskState::Running, d.event, task.attempt);
            t.refund = i32::from(d.refund);
            t.run_at = Some(
                d.retry_in
                    .and_then(|r| chrono::TimeDelta::from_std(r).ok())
                    .map(|r| now + r),
            );
            t.last_error = Some(d.error.clone());
            t.reason = d.error.clone();
            match &outcome {
                AttemptOutcome::Blocked(q) => t.question = Some(Some(q.clone())),
                AttemptOutcome::WaitingForSubtasks(n) => {
                    t.question = Some(None);
                    t.reason = Some(format!("waiting for {n} subtasks"));
                }
                _ => {}
            }
            let pause = d
                .pause_agent_for
                .and_then(|p| chrono::TimeDelta::from_std(p).ok())
                .map(|p| (agent, now + p, d.error.clone().unwrap_or_default()));
            t.execution = Some(execution_end(outcome_name(&outcome), d.error, report));
            Some((t, pause))
        }
    };
    if let Some((transition, pause)) = record {
        let has_pause = pause.is_some();
        match record_with_retries(&ctx, key, transition, pause).await {
            Ok(Applied::Done(t)) => {
                tracing::debug!(task.id = %t.id, state = %t.state, "attempt recorded");
                // The archive this attempt resumed from is spent unless it blocked or timed out
                // again (then it wrote a newer one).
                if let Ok(Sandbox {
                    restored_from: Some(from),
                    ..
                }) = &sandbox
                    && !matches!(t.state, TaskState::Blocked | TaskState::TimedOut)
                    && let Err(e) = ctx.store.delete_workspace(task.id, *from).await
                {
                    tracing::warn!(error.message = %e, "spent workspace archive not deleted; pruned later");
                }
            }
            Ok(Applied::Stale) => {
                tracing::info!(task.id = %task.id, attempt = %task.attempt, "result refused: a newer attempt owns the task")
            }
            Ok(Applied::Illegal(e)) => {
                tracing::error!(task.id = %task.id, error.message = %e, "result refused")
            }
            Err(e) => {
                tracing::error!(task.id = %task.id, error.message = %e, "result not recorded; the lease will expire and the task rerun")
            }
        }
        if has_pause {
            mirror_settings(&ctx, agent).await;
        }
    }
    ctx.running.remove(key);
    if let Some(slot) = slot {
        if let Err(e) = ctx.queue.release_slots(agent, std::slice::from_ref(&slot)).await {
            tracing::warn!(error.message = %e, "slot not released; it expires on its own");
        }
        ctx.put_slots(agent, [slot]);
    }
}

/// The live log of an attempt: a sink the runner writes lines to, feeding the archive and a
/// bounded channel, and a task that appends the channel's lines to Redis in batches and closes
/// the log when the runner is done. Not for `noop` (it prints nothing).
#[allow(clippy::type_complexity)]
fn live_log(
    ctx: &Arc<Context>,
    task: &Task,
) -> (
    Option<crate::agents::LogSink>,
    Option<(tokio::task::JoinHandle<()>, Arc<std::sync::Mutex<LogArchive>>)>,
) {
    if task.spec.agent == shared::domain::AgentKind::Noop {
        return (None, None);
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<String>(4096);
    let archive = Arc::new(std::sync::Mutex::new(LogArchive::new(
        ctx.settings.log_archive_max_bytes,
    )));
    let queue = ctx.queue.clone();
    let (id, attempt) = (task.id, task.attempt);
    let handle = tokio::spawn(async move {
        let mut batch = Vec::new();
        let mut budget = LiveLogBudget::default();
        loop {
            let more = rx.recv_many(&mut batch, 500).await > 0;
            budget.apply(&mut batch);
            if let Err(e) = queue.append_log(id, attempt, &batch, !more).await {
                tracing::debug!(error.message = %e, "live log lines dropped");
            }
            batch.clear();
            if !more {
                return;
            }
            // Let lines gather a little: one round trip per burst, not per line.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
    let sink = crate::agents::LogSink {
        live: tx,
        archive: archive.clone(),
    };
    (Some(sink), Some((handle, archive)))
}

/// Most bytes of one attempt's live log in Redis; the archive keeps the whole log.
pub const LIVE_LOG_MAX_BYTES: usize = 8 * 1024 * 1024;
/// Longest line in the live log (the archive and the output tail keep longer ones).
pub const LIVE_LOG_LINE_BYTES: usize = 16 * 1024;

/// What is left of an attempt's live-log budget: long lines are cut, and once the budget is
/// spent one notice replaces everything that follows.
#[derive(Debug, Default)]
struct LiveLogBudget {
    used: usize,
    spent: bool,
}

impl LiveLogBudget {
    fn apply(&mut self, batch: &mut Vec<String>) {
        if self.spent {
            batch.clear();
            return;
        }
        let mut keep = batch.len();
        for (i, line) in batch.iter_mut().enumerate() {
            if line.len() > LIVE_LOG_LINE_BYTES {
                let mut cut = LIVE_LOG_LINE_BYTES;
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                line.truncate(cut);
                line.push_str(" [line cut]");
            }
            self.used += line.len();
            if self.used > LIVE_LOG_MAX_BYTES {
                keep = i;
                break;
            }
        }
        if keep < batch.len() {
            batch.truncate(keep);
            batch.push(format!(
                "[live log stopped at {LIVE_LOG_MAX_BYTES} bytes; the execution's archived log has the rest]"
            ));
            self.spent = true;
        }
    }
}

/// A token scoped to this task for the agent to call the API with, when an API URL is
/// configured (not for `noop`). It expires shortly after the attempt could last, and is revoked
/// when the attempt ends.
async fn agent_api(
    ctx: &Context,
    task: &Task,
    timeout: std::time::Duration,
) -> Option<(uuid::Uuid, crate::agents::AgentApi)> {
    let url = ctx.settings.api_url.clone()?;
    if task.spec.agent == shared::domain::AgentKind::Noop {
        return None;
    }
    let expires = Utc::now() + chrono::TimeDelta::from_std(timeout).ok()? + chrono::TimeDelta::minutes(10);
    let name = format!("attempt:{}:{}", task.id, task.attempt);
    match ctx.store.create_token(&name, Some(task.id), Some(expires)).await {
        Ok((id, token)) => Some((id, crate::agents::AgentApi { url, token })),
        Err(e) => {
            tracing::warn!(error.message = %e, "no API token for this attempt");
            None
        }
    }
}

/// Records a result, retrying while the attempt still holds its lease (the heartbeat keeps
/// renewing it meanwhile): a database outage shorter than that loses no finished work.
async fn record_with_retries(
    ctx: &Context,
    key: (shared::domain::TaskId, shared::domain::Attempt),
    transition: Transition,
    pause: Option<(shared::domain::AgentKind, chrono::DateTime<Utc>, String)>,
) -> anyhow::Result<Applied> {
    let mut delay = std::time::Duration::from_millis(200);
    let mut last = None;
    let give_up = tokio::time::Instant::now() + ctx.settings.lease_ttl * 4;
    while tokio::time::Instant::now() < give_up && ctx.running.reason(key) != Some(StopReason::LeaseLost) {
        match ctx.recorder.record(transition.clone(), pause.clone()).await {
            Ok(a) => return Ok(a),
            Err(e) => {
                tracing::warn!(error.message = %e, "recording failed; retrying");
                last = Some(e);
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(ctx.settings.heartbeat_interval);
            }
        }
    }
    Err(last.unwrap_or_else(|| anyhow::anyhow!("recording failed")))
}

/// Copies an agent's settings from Postgres to Redis at once (a rate-limit pause must reach
/// every worker's claim path now, not at the next reconcile).
pub async fn mirror_settings(ctx: &Context, agent: shared::domain::AgentKind) {
    let r = async {
        let all = ctx.store.agent_settings().await?;
        if let Some(s) = all.iter().find(|s| s.agent == agent) {
            ctx.queue.sync_settings(s).await?;
        }
        anyhow::Ok(())
    };
    if let Err(e) = r.await {
        tracing::warn!(error.message = %e, "agent settings not mirrored to Redis; the reconciler will");
    }
}

/// An attempt's prepared workspace.
struct Sandbox {
    workspace: crate::agents::Workspace,
    repo: Option<crate::workspace::Repo>,
    /// The task's branch, or its story's.
    branch: String,
    /// The attempt whose archived workspace this one resumed from.
    restored_from: Option<shared::domain::Attempt>,
}

/// Whether this attempt continues a TIMED_OUT one (`POST /resume`): it restores the archived
/// workspace and session, and model agents are told why they are resumed.
fn resumes_after_timeout(task: &Task) -> bool {
    task.attempt.0 > 1 && task.last_error.as_deref() == Some(shared::domain::outcome::TIMED_OUT_ERROR)
}

/// What a model agent resumed after a timeout is told before its instructions.
const TIMED_OUT_NOTE: &str = "Your previous attempt at this task ran out of time and was stopped. \
    Your work so far is still in the working directory (and this session, when it could be \
    restored). Continue where you left off instead of starting over; finish sooner this time.";

/// Prepares the workspace of agents that work in one (not `noop` or `local`): the archived one
/// when the task resumes from an answered question, else fresh (a clone of the project's
/// repository when it has one). An error is a transient failure of the attempt.
async fn sandbox(ctx: &Context, task: &Task) -> Result<Sandbox, String> {
    use shared::domain::AgentKind;
    let root = ctx.settings.workspace_root.join(task.id.to_string());
    let bare = crate::agents::Workspace {
        dir: root.join("work"),
        home: root.join("home"),
        protocol_dir: root.join("protocol"),
        git: false,
        resume_session: None,
    };
    if matches!(task.spec.agent, AgentKind::Noop | AgentKind::Local) {
        return Ok(Sandbox {
            workspace: bare,
            repo: None,
            branch: crate::workspace::branch_of(task.id),
            restored_from: None,
        });
    }
    let r = async {
        let repo = match task.spec.project_id {
            Some(p) => ctx
                .store
                .get_project(p)
                .await?
                .as_ref()
                .and_then(crate::workspace::Repo::of),
            None => None,
        };
        // A story's tasks (and their checkers) share its branch; without a repository there is
        // no branch to look up.
        // A subtask works on its parent's branch (the parent pushed it before waiting), so its
        // commits are on the branch the parent delivers.
        let owner = task.spec.parent_task_id.unwrap_or(task.id);
        let story_branch = match &repo {
            Some(_) => ctx.store.story_branch_of(owner).await?,
            None => None,
        };
        let branch = story_branch.unwrap_or_else(|| crate::workspace::branch_of(owner));
        let answered = task.question.as_ref().is_some_and(|q| q.answer.is_some());
        let archive = if answered || resumes_after_timeout(task) {
            ctx.store.load_workspace(task.id).await?
        } else {
            None
        };
        let workspace = ctx
            .sandboxes
            .prepare(
                task,
                repo.as_ref(),
                &branch,
                archive.as_ref().map(|a| (a.archive.as_slice(), a.session_id.clone())),
            )
            .await?;
        anyhow::Ok(Sandbox {
            workspace,
            repo,
            branch,
            restored_from: archive.map(|a| a.attempt),
        })
    };
    r.await.map_err(|e| format!("preparing the workspace: {e:#}"))
}

/// What became of an attempt's workspace when it was kept for a later attempt.
enum Kept {
    Saved,
    /// The attempt no longer owns the task (the save is fenced on it).
    NotOwner,
    /// Larger than WORKSPACE_ARCHIVE_MAX_BYTES.
    TooLarge,
    ArchiveFailed(anyhow::Error),
    SaveFailed(anyhow::Error),
}

/// Archives the workspace and saves it with the agent's session, fenced on the attempt, for
/// whichever worker runs the next attempt (a BLOCKED task's answer, a TIMED_OUT task's resume).
async fn keep_workspace(ctx: &Context, task: &Task, report: &RunReport) -> Kept {
    let bytes = match ctx.sandboxes.archive(task.id).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Kept::TooLarge,
        Err(e) => return Kept::ArchiveFailed(e),
    };
    match ctx
        .store
        .save_workspace(task.id, task.attempt, report.session_id.as_deref(), &bytes)
        .await
    {
        Ok(true) => Kept::Saved,
        Ok(false) => Kept::NotOwner,
        Err(e) => Kept::SaveFailed(e),
    }
}

/// After the run: a blocked workspace is archived for whichever worker resumes it; a successful
/// run on a project has its work committed and pushed; then the directory goes.
async fn settle_workspace(ctx: &Context, task: &Task, sb: &Sandbox, report: &mut RunReport) {
    use shared::domain::AgentKind;
    if matches!(task.spec.agent, AgentKind::Noop | AgentKind::Local) {
        return;
    }
    match &report.outcome {
        // A timed-out attempt keeps its work for `resume` like a blocked one keeps it for the
        // answer (same size limit, same fencing); without the archive the resume starts fresh.
        Some(AttemptOutcome::TimedOut) => match keep_workspace(ctx, task, report).await {
            Kept::Saved => {}
            Kept::NotOwner => {
                tracing::info!(task.id = %task.id, "workspace not archived: the attempt no longer owns the task")
            }
            Kept::TooLarge => tracing::warn!(
                task.id = %task.id,
                limit = ctx.settings.workspace_archive_max_bytes,
                "workspace larger than WORKSPACE_ARCHIVE_MAX_BYTES: a resume starts fresh"
            ),
            Kept::ArchiveFailed(e) | Kept::SaveFailed(e) => {
                tracing::warn!(task.id = %task.id, error.message = %format!("{e:#}"), "timed-out workspace not archived: a resume starts fresh")
            }
        },
        Some(AttemptOutcome::Blocked(_)) => match keep_workspace(ctx, task, report).await {
            Kept::Saved => {}
            Kept::NotOwner => {
                tracing::info!(task.id = %task.id, "workspace not archived: the attempt no longer owns the task")
            }
            Kept::TooLarge => tracing::warn!(
                task.id = %task.id,
                limit = ctx.settings.workspace_archive_max_bytes,
                "workspace larger than WORKSPACE_ARCHIVE_MAX_BYTES: the answer resumes in a fresh workspace"
            ),
            Kept::ArchiveFailed(e) => {
                tracing::warn!(task.id = %task.id, error.message = %format!("{e:#}"), "workspace not archived: the answer resumes in a fresh workspace")
            }
            Kept::SaveFailed(e) => {
                // Without the archive the answer would resume in an empty workspace:
                // retry the attempt instead of blocking on a lost session.
                report.outcome = Some(AttemptOutcome::Failed {
                    transient: true,
                    error: format!("archiving the blocked workspace: {e:#}"),
                });
            }
        },
        Some(AttemptOutcome::Succeeded) => {
            if let Some(repo) = &sb.repo {
                match ctx.sandboxes.finish_git(task, repo, &sb.workspace, &sb.branch).await {
                    Ok(c) => report.changes = Some(c),
                    Err(e) => {
                        report.outcome = Some(AttemptOutcome::Failed {
                            transient: true,
                            error: format!("publishing the work to the task's branch: {e:#}"),
                        })
                    }
                }
            }
        }
        _ => {}
    }
    ctx.sandboxes.remove(task.id).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_live_log_budget_cuts_long_lines_and_stops_once_spent() {
        let mut b = LiveLogBudget::default();
        let mut batch = vec!["x".repeat(LIVE_LOG_LINE_BYTES * 2), "short".into()];
        b.apply(&mut batch);
        assert_eq!(batch.len(), 2);
        assert!(batch[0].len() < LIVE_LOG_LINE_BYTES + 20 && batch[0].ends_with("[line cut]"));
        let mut big: Vec<String> = (0..LIVE_LOG_MAX_BYTES / LIVE_LOG_LINE_BYTES + 10)
            .map(|_| "y".repeat(LIVE_LOG_LINE_BYTES))
            .collect();
        b.apply(&mut big);
        assert!(big.last().is_some_and(|l| l.starts_with("[live log stopped")));
        assert!(big.iter().map(String::len).sum::<usize>() <= LIVE_LOG_MAX_BYTES + 200);
        let mut after = vec!["more".to_owned()];
        b.apply(&mut after);
        assert!(after.is_empty());
    }
}
