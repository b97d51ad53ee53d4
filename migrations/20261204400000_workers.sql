-- The worker registry: every `worker run` process upserts its row on each heartbeat with
-- `expires_at = now() + LEASE_TTL`, so a worker that died (kill -9, lost host) drops out of every
-- "live" read within one lease TTL without anyone deleting it. A clean shutdown deletes the row.
-- Rows long expired are pruned by workers at startup. Not task state: nothing is fenced on it.
CREATE TABLE workers (
    id text PRIMARY KEY,
    host text NOT NULL,
    version text NOT NULL,
    agents agent_kind[] NOT NULL,
    concurrency integer NOT NULL CHECK (concurrency > 0),
    running integer NOT NULL CHECK (running >= 0),
    sandbox text NOT NULL,
    started_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX workers_expires_at ON workers (expires_at);
