-- Git sandboxes and resumable workspaces.

-- What an attempt changed in its sandbox: branch, commit, base and changestats (domain::Changes).
ALTER TABLE executions ADD COLUMN changes jsonb;

-- The workspace of a task that asked a question: its working tree and the agent's HOME (which
-- holds the CLI's session), archived when the attempt blocked, so that whichever worker runs
-- the answered task restores it at the same path and resumes the session. One per task; only the
-- attempt that owns the task may write it (store::workspaces).
CREATE TABLE task_workspaces (
    task_id     uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    attempt     integer NOT NULL,
    session_id  text,
    archive     bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
