-- Schema v1: projects, tasks, executions, task events, API tokens, agent settings.
-- Task state is a Postgres enum whose labels are exactly shared::domain::TaskState::as_str().

CREATE TYPE task_state AS ENUM (
    'PENDING', 'QUEUED', 'RUNNING', 'BLOCKED', 'READY',
    'COMPLETED', 'FAILED', 'CANCELLED', 'TIMED_OUT', 'BUDGET_EXCEEDED'
);
CREATE TYPE task_priority AS ENUM ('high', 'normal', 'low');
CREATE TYPE agent_kind AS ENUM ('exec', 'noop', 'claude', 'gemini', 'local');

CREATE TABLE projects (
    id             uuid PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    repository     text,
    default_branch text NOT NULL DEFAULT 'main',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tasks (
    id                uuid PRIMARY KEY,
    project_id        uuid REFERENCES projects (id),
    parent_task_id    uuid REFERENCES tasks (id),
    story_id          uuid,
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description       text NOT NULL DEFAULT '',
    instructions      text NOT NULL DEFAULT '',
    agent             agent_kind NOT NULL,
    model             text,
    priority          task_priority NOT NULL DEFAULT 'normal',
    state             task_state NOT NULL DEFAULT 'PENDING',
    -- Claims so far: the fencing token. Every claim bumps it; every result write is
    -- conditional on it (store::tasks).
    attempt           integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    -- Attempts counted against max_attempts; rate limits and hand-backs refund theirs.
    attempts_charged  integer NOT NULL DEFAULT 0 CHECK (attempts_charged >= 0),
    max_attempts      integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 50),
    timeout_ms        bigint CHECK (timeout_ms > 0),
    budget_usd        double precision CHECK (budget_usd > 0),
    review            boolean NOT NULL DEFAULT false,
    labels            text[] NOT NULL DEFAULT '{}',
    depends_on        uuid[] NOT NULL DEFAULT '{}',
    -- Runner options (argv, working_dir, permission_mode, ...): store::rows::SpecOptions.
    options           jsonb NOT NULL DEFAULT '{}',
    run_at            timestamptz,
    -- Lease of the running attempt (Postgres clock). Renewed by the worker; a reaper requeues
    -- RUNNING tasks whose lease has expired.
    lease_owner       text,
    lease_expires_at  timestamptz,
    -- Dispatch outbox: the Redis dispatch generation this QUEUED state was handed to. NULL or a
    -- stale generation means "not (or no longer) in Redis": the reconciler re-dispatches.
    dispatched_gen    text,
    queued_at         timestamptz,
    last_error        text,
    -- Set when the task failed because its attempts ran out on expired leases (dead letter).
    dead_letter       boolean NOT NULL DEFAULT false,
    question          jsonb,
    rejection_comment text,
    idempotency_key   text,
    request_hash      text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tasks_state_agent ON tasks (state, agent);
CREATE INDEX tasks_agent_id ON tasks (agent, id);
CREATE INDEX tasks_project ON tasks (project_id, id) WHERE project_id IS NOT NULL;
CREATE INDEX tasks_parent ON tasks (parent_task_id) WHERE parent_task_id IS NOT NULL;
CREATE INDEX tasks_labels ON tasks USING gin (labels);
CREATE INDEX tasks_undispatched ON tasks (agent, id) WHERE state = 'QUEUED';
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE state = 'RUNNING';
CREATE UNIQUE INDEX tasks_idempotency_key ON tasks (idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE executions (
    id           uuid PRIMARY KEY,
    task_id      uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    attempt      integer NOT NULL CHECK (attempt >= 1),
    worker_id    text NOT NULL,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    exit_code    integer,
    -- NULL while running; then how the attempt ended (worker::attempt, store::tasks).
    outcome      text CHECK (outcome IN ('succeeded', 'failed', 'rate_limited', 'blocked',
                                         'timed_out', 'budget_exceeded', 'cancelled',
                                         'lease_expired', 'handed_back')),
    error        text,
    cost_usd     double precision,
    tokens_in    bigint,
    tokens_out   bigint,
    summary      text,
    output       text,
    session_id   text,
    UNIQUE (task_id, attempt)
);

-- Append-only history of every transition. `id` orders events globally (SSE cursors).
CREATE TABLE task_events (
    id          bigserial PRIMARY KEY,
    task_id     uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    from_state  task_state,
    to_state    task_state NOT NULL,
    event       text NOT NULL,
    attempt     integer NOT NULL,
    actor       text NOT NULL,
    reason      text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_events_task ON task_events (task_id, id);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    -- SHA-256 of the token; the token itself is shown once and never stored.
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    -- NULL: full access. Set: the token may only act on this task and create its subtasks.
    task_id      uuid REFERENCES tasks (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz
);

-- Per agent type settings; Postgres is the truth, Redis holds a mirror the claim path reads.
CREATE TABLE agent_settings (
    agent              agent_kind PRIMARY KEY,
    concurrency_limit  integer CHECK (concurrency_limit >= 0),
    paused             boolean NOT NULL DEFAULT false,
    paused_until       timestamptz,
    pause_reason       text,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
