-- Retention (worker maintenance, shared/src/store/retention.rs): terminal tasks past the
-- retention settings are deleted with their history; what the statistics need of them first
-- goes into a daily rollup, and one worker at a time prunes, under a lease.

-- Totals of pruned tasks per day they finished (UTC), agent, project, final state and
-- dead-letter flag. `project_key` is the project id, or the nil uuid for tasks without one (a
-- key column cannot be NULL). Live tasks are not in here: statistics add the two.
CREATE TABLE task_daily_stats (
    day          date NOT NULL,
    agent        agent_kind NOT NULL,
    project_key  uuid NOT NULL,
    state        task_state NOT NULL,
    dead_letter  boolean NOT NULL,
    tasks        bigint NOT NULL,
    attempts     bigint NOT NULL,
    executions   bigint NOT NULL,
    cost_usd     double precision NOT NULL,
    tokens_in    bigint NOT NULL,
    tokens_out   bigint NOT NULL,
    PRIMARY KEY (day, agent, project_key, state, dead_letter)
);

-- Leases of fleet-wide maintenance jobs (one holder at a time, Postgres clock). A holder
-- renews its lease while it works; another worker may take it once it expired.
CREATE TABLE maintenance_leases (
    name        text PRIMARY KEY,
    holder      text NOT NULL,
    expires_at  timestamptz NOT NULL
);

-- Webhook deliveries are pruned by their own age (they only guard against redeliveries).
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);
