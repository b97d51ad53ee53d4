-- Stories: tasks of one project on one branch, gated by checkers, shipped and validated.

CREATE TYPE story_state AS ENUM ('OPEN', 'SHIPPABLE', 'SHIPPING', 'VALIDATING', 'REVIEW_READY', 'NEEDS_FIX');

-- The argv run (in a clone of the default branch) after a story is merged.
ALTER TABLE projects ADD COLUMN deploy_command text[];

CREATE TABLE stories (
    id                 uuid PRIMARY KEY,
    project_id         uuid NOT NULL REFERENCES projects (id),
    title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description        text NOT NULL DEFAULT '',
    branch             text NOT NULL,
    checker_agent      agent_kind,
    state              story_state NOT NULL DEFAULT 'OPEN',
    -- The worker merging and deploying a SHIPPING story, and until when it holds it.
    ship_owner         text,
    ship_lease_until   timestamptz,
    validation_task_id uuid REFERENCES tasks (id),
    merge_commit       text,
    last_error         text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- The tasks of a story: its work, the checker of each READY attempt of a work task, and the
-- validation after shipping. One checker per checked attempt.
CREATE TABLE story_tasks (
    task_id             uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    story_id            uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    role                text NOT NULL CHECK (role IN ('work', 'checker', 'validation')),
    key                 text,
    acceptance_criteria text[] NOT NULL DEFAULT '{}',
    checks_task_id      uuid REFERENCES tasks (id) ON DELETE CASCADE,
    checks_attempt      integer,
    -- A work task: the last checker's verdict and report. A checker: whether its verdict was
    -- applied to the task it checked.
    verdict             text CHECK (verdict IN ('pass', 'fail')),
    report              text,
    applied             boolean NOT NULL DEFAULT false,
    UNIQUE (checks_task_id, checks_attempt)
);
CREATE INDEX story_tasks_story ON story_tasks (story_id);

-- A story's own transitions (its tasks' transitions are in task_events).
CREATE TABLE story_events (
    id          bigserial PRIMARY KEY,
    story_id    uuid NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    from_state  story_state,
    to_state    story_state NOT NULL,
    event       text NOT NULL,
    task_id     uuid,
    actor       text NOT NULL,
    reason      text,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX story_events_story ON story_events (story_id, id);
