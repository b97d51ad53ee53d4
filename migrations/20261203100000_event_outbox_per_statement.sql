-- One outbox row per statement instead of one per event (BENCHMARKS.md, finding 12).
--
-- The statement-level trigger already sees all of a statement's events at once; it now records
-- their ids as one array, so a claim of 40 tasks or an insert of 1,000 adds one row (and the
-- relay deletes one) instead of 40 or 1,000. The relay publishes and deletes whole rows, in id
-- order, exactly as it did single events.
--
-- Expand step: `event_outbox` stays (empty) so a relay of the previous release finds nothing
-- there instead of failing; the events it no longer sees wait here for a current relay. A later
-- migration drops it.
CREATE TABLE event_outbox_batches (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_ids bigint[] NOT NULL
);

WITH moved AS (DELETE FROM event_outbox RETURNING id)
INSERT INTO event_outbox_batches (event_ids)
SELECT array_agg(id ORDER BY id) FROM moved HAVING count(*) > 0;

CREATE OR REPLACE FUNCTION task_events_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_outbox_batches (event_ids)
    SELECT array_agg(id ORDER BY id) FROM new_events HAVING count(*) > 0;
    RETURN NULL;
END
$$;
