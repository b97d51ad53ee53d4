-- Projects as API resources, and CI webhooks.

ALTER TABLE projects
    ADD COLUMN github_repo    text UNIQUE,   -- owner/name, as in repository.full_name
    ADD COLUMN gitlab_project text UNIQUE,   -- group/name, as in project.path_with_namespace
    ADD COLUMN webhook_secret text,          -- GitHub HMAC secret / GitLab token; never returned
    ADD COLUMN default_agent  agent_kind NOT NULL DEFAULT 'claude',
    ADD COLUMN default_model  text,
    ADD COLUMN max_running    integer CHECK (max_running > 0);

-- Each delivery is acted on once: GitHub reuses X-GitHub-Delivery on redelivery, GitLab sends
-- X-Gitlab-Event-UUID.
CREATE TABLE webhook_deliveries (
    source       text NOT NULL,
    delivery_id  text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    task_id      uuid REFERENCES tasks (id) ON DELETE SET NULL,
    PRIMARY KEY (source, delivery_id)
);

-- One task per failing commit, however many events (check runs, suites, workflow runs,
-- pipelines) report it.
CREATE TABLE ci_failures (
    project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    commit_sha  text NOT NULL,
    task_id     uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, commit_sha)
);
