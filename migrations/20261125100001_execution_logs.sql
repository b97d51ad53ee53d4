-- The whole log of an attempt, gzip-compressed, archived when the attempt ends (the live log in
-- Redis is capped and expires; `executions.output` keeps only the tail).
CREATE TABLE execution_logs (
    task_id     uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    attempt     integer NOT NULL,
    gz          bytea NOT NULL,
    bytes       bigint NOT NULL,   -- uncompressed size
    lines       bigint NOT NULL,
    truncated   boolean NOT NULL,  -- the attempt printed more than LOG_ARCHIVE_MAX_BYTES
    PRIMARY KEY (task_id, attempt)
);
