//! Moves stories along (DOMAIN.md A.8), in every worker, every `RECLAIM_INTERVAL_MS`:
//!
//! 1. a READY work task whose attempt has no checker gets one: a task for another agent type,
//!    on the story's branch, told to end with `VERDICT: PASS` or `VERDICT: FAIL`;
//! 2. an ended checker's verdict is applied once: a pass accepts the checked task (COMPLETED), a
//!    fail leaves it READY with the report;
//! 3. an OPEN story whose work tasks are all COMPLETED becomes SHIPPABLE;
//! 4. a SHIPPING story (after `POST /api/stories/{id}/ship`) is taken under a lease by one worker,
//!    which merges its branch into the default branch, pushes, runs the project's deploy command,
//!    and starts the validation task (VALIDATING), or records why it could not (NEEDS_FIX);
//! 5. a validation task's verdict makes the story REVIEW_READY or NEEDS_FIX.
//!
//! Every step is idempotent and fenced in the store, so any number of workers can run it.

use std::sync::Arc;

use chrono::Utc;
use shared::domain::story::{self, StoryEvent, StoryState, Verdict};
use shared::domain::{AgentKind, Task, TaskDraft, TaskId, TaskSpec, TaskState};
use shared::store::stories::{EndedChecker, PendingCheck, ShipJob, StoryChanges};
use shared::store::tasks::NewTask;

use crate::context::Context;

const BATCH: i64 = 50;

/// Runs [`advance`] every `RECLAIM_INTERVAL_MS` until `stop`.
pub async fn run(ctx: Arc<Context>, stop: tokio_util::sync::CancellationToken) {
    let mut tick = tokio::time::interval(ctx.settings.reclaim_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = advance(&ctx).await {
            tracing::warn!(error.message = %format!("{e:#}"), "advancing stories failed");
        }
    }
}

/// One round of every step.
pub async fn advance(ctx: &Context) -> anyhow::Result<()> {
    for p in ctx.store.pending_checks(BATCH).await? {
        spawn_checker(ctx, p).await?;
    }
    for c in ctx.store.ended_checkers(BATCH).await? {
        apply_checker(ctx, &c).await?;
    }
    for id in ctx.store.stories_done(BATCH).await? {
        ctx.store
            .apply_story_transition(
                id,
                StoryState::Open,
                StoryEvent::TasksDone,
                &ctx.actor(),
                Some("every task is COMPLETED"),
                &StoryChanges::default(),
            )
            .await?;
    }
    let lease = ctx.settings.deploy_timeout + std::time::Duration::from_secs(300);
    while let Some(job) = ctx.store.claim_shipping(&ctx.settings.worker_id, lease).await? {
        ship(ctx, job).await?;
    }
    for (id, state, summary) in ctx.store.validations_ended(BATCH).await? {
        let (event, reason) = match state {
            TaskState::Completed | TaskState::Ready => match story::parse_verdict(summary.as_deref()) {
                (Verdict::Pass, report) => (StoryEvent::Validated, report),
                (Verdict::Fail, report) => (StoryEvent::ValidationFailed, report),
            },
            other => (
                StoryEvent::ValidationFailed,
                format!("the validation task ended {other}"),
            ),
        };
        let changes = StoryChanges {
            last_error: Some((event == StoryEvent::ValidationFailed).then(|| reason.clone())),
            ..StoryChanges::default()
        };
        ctx.store
            .apply_story_transition(id, StoryState::Validating, event, &ctx.actor(), Some(&reason), &changes)
            .await?;
    }
    Ok(())
}

fn spec(draft: TaskDraft) -> anyhow::Result<TaskSpec> {
    TaskSpec::parse(draft, Utc::now()).map_err(|e| anyhow::anyhow!("{e:?}"))
}

async fn hand_over(ctx: &Context, task: &Task) {
    let orders = shared::outbox::immediate_orders(std::slice::from_ref(task));
    if let Err(e) = shared::outbox::hand_over(&ctx.store, &ctx.queue, &orders).await {
        tracing::warn!(error.message = %e, "story task not handed over; the reconciler will");
    }
}

async fn spawn_checker(ctx: &Context, p: PendingCheck) -> anyhow::Result<()> {
    let agent = story::checker_agent(p.checker_agent, p.task.spec.agent);
    let draft = TaskDraft {
        title: Some(format!("Check: {}", p.task.spec.title).chars().take(200).collect()),
        instructions: Some(story::checker_instructions(
            &p.task.spec.title,
            &p.task.spec.instructions,
            &p.acceptance_criteria,
            &p.branch,
        )),
        agent: Some(agent.as_str().to_owned()),
        project_id: Some(p.project_id),
        review: Some(false),
        labels: vec!["checker".into()],
        ..TaskDraft::default()
    };
    let new = NewTask {
        id: TaskId::new(),
        spec: spec(draft)?,
        idempotency: None,
        creation_reason: Some(format!("checker of task {} attempt {}", p.task.id, p.task.attempt)),
        dispatch_generation: None,
    };
    if let Some(t) = ctx
        .store
        .insert_checker(p.task.id, p.task.attempt, p.story_id, new, &ctx.actor())
        .await?
    {
        tracing::info!(task.id = %p.task.id, checker = %t.id, agent = %agent, "checker created");
        hand_over(ctx, &t).await;
    }
    Ok(())
}

async fn apply_checker(ctx: &Context, c: &EndedChecker) -> anyhow::Result<()> {
    let (verdict, report) = match c.state {
        TaskState::Completed => story::parse_verdict(c.summary.as_deref()),
        other => (
            Verdict::Fail,
            format!(
                "the checker ended {other}: {}",
                c.last_error.as_deref().unwrap_or("no error recorded")
            ),
        ),
    };
    if ctx.store.apply_verdict(c, verdict, &report, &ctx.actor()).await? {
        tracing::info!(task.id = %c.checked, verdict = verdict.as_str(), "checker verdict applied");
    }
    Ok(())
}

/// SHIPPING → NEEDS_FIX with the reason, while this worker holds the ship lease.
async fn ship_failed(ctx: &Context, story: uuid::Uuid, owner: &str, why: String) -> anyhow::Result<()> {
    let changes = StoryChanges {
        last_error: Some(Some(why.clone())),
        ship_owner: Some(owner.to_owned()),
        ..StoryChanges::default()
    };
    ctx.store
        .apply_story_transition(
            story,
            StoryState::Shipping,
            StoryEvent::ShipFailed,
            &ctx.actor(),
            Some(&why),
            &changes,
        )
        .await?;
    Ok(())
}

async fn ship(ctx: &Context, job: ShipJob) -> anyhow::Result<()> {
    let s = &job.story;
    let owner = ctx.settings.worker_id.clone();
    let Some(url) = job.repository.clone().filter(|r| !r.trim().is_empty()) else {
        let why = "the project has no repository to merge into".to_owned();
        return ship_failed(ctx, s.id, &owner, why).await;
    };
    let repo = crate::workspace::Repo {
        url,
        default_branch: job.default_branch.clone(),
    };
    let shipped = ctx
        .sandboxes
        .ship(
            s.id,
            &s.title,
            &repo,
            &s.branch,
            crate::workspace::Deploy {
                command: job.deploy_command.as_deref(),
                timeout: ctx.settings.deploy_timeout,
                sandbox: &ctx.sandbox,
            },
        )
        .await;
    let (commit, deploy_output) = match shipped {
        Ok(r) => r,
        Err(e) => {
            let why = format!("{e:#}");
            tracing::warn!(story = %s.id, error.message = %why, "shipping failed");
            return ship_failed(ctx, s.id, &owner, why).await;
        }
    };
    let criteria: Vec<String> = s
        .tasks
        .iter()
        .filter(|t| t.role == "work")
        .flat_map(|t| t.acceptance_criteria.clone())
        .collect();
    let agent = s.checker_agent.unwrap_or(match job.default_agent {
        AgentKind::Exec | AgentKind::Noop => AgentKind::Claude,
        a => a,
    });
    let mut description = s.description.clone();
    if !deploy_output.trim().is_empty() {
        description.push_str(&format!("\n\nThe deploy command printed:\n{}", deploy_output.trim()));
    }
    let draft = TaskDraft {
        title: Some(format!("Validate: {}", s.title).chars().take(200).collect()),
        instructions: Some(story::validation_instructions(
            &s.title,
            &description,
            &job.default_branch,
            &criteria,
        )),
        agent: Some(agent.as_str().to_owned()),
        project_id: Some(s.project_id),
        review: Some(false),
        labels: vec!["validation".into()],
        ..TaskDraft::default()
    };
    let new = NewTask {
        id: TaskId::new(),
        spec: spec(draft)?,
        idempotency: None,
        creation_reason: Some(format!("validation of story {}", s.id)),
        dispatch_generation: None,
    };
    let id = new.id;
    if ctx
        .store
        .start_validation(s.id, &owner, new, &commit, &ctx.actor())
        .await?
    {
        if let Some(t) = ctx.store.get_task(id).await? {
            hand_over(ctx, &t).await;
        }
    } else {
        tracing::info!(story = %s.id, "ship lease lost before validation started; the next holder merges again (a no-op)");
    }
    Ok(())
}
