-- Event relay outbox and Web Push subscriptions.

-- Events not yet appended to the Redis events stream. The relay appends them (inside its
-- transaction, before marking them), so a crash between Postgres and Redis loses none.
ALTER TABLE task_events ADD COLUMN published boolean NOT NULL DEFAULT false;
CREATE INDEX task_events_unpublished ON task_events (id) WHERE NOT published;

CREATE TABLE push_subscriptions (
    id             uuid PRIMARY KEY,
    endpoint       text NOT NULL UNIQUE CHECK (length(endpoint) BETWEEN 1 AND 2048),
    p256dh         text NOT NULL,
    auth           text NOT NULL,
    -- Which task states notify (COMPLETED, FAILED, BLOCKED, READY, ...).
    notify_on      task_state[] NOT NULL DEFAULT '{COMPLETED,FAILED,BLOCKED,READY}',
    -- The VAPID public key the browser subscribed with; a key rotation strands the others.
    vapid_key      text NOT NULL,
    token_id       uuid REFERENCES api_tokens (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per (event, subscription) the notifier must deliver. Written when the event is read
-- from the stream (ON CONFLICT DO NOTHING makes redelivered events harmless), sent by a
-- delivery loop, marked delivered; rescheduled on 429/5xx.
CREATE TABLE push_deliveries (
    event_id        bigint NOT NULL REFERENCES task_events (id) ON DELETE CASCADE,
    subscription_id uuid NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    payload         jsonb NOT NULL,
    topic           text,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    last_error      text,
    PRIMARY KEY (event_id, subscription_id)
);
CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at) WHERE delivered_at IS NULL;
