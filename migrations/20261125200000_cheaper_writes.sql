-- Cheaper writes on the hot path (BENCHMARKS.md, finding 8).
--
-- An execution row is inserted small at claim and filled in at the end of its attempt; with room
-- left on each page that second write is a HOT update (no new index entries).
ALTER TABLE executions SET (fillfactor = 70);

-- Most tasks carry no label, yet every (non-HOT) write of a task row added an empty-array entry
-- to the labels index. Only labelled tasks are indexed now; the label filter states
-- `labels <> '{}'` so the planner can use this partial index.
-- Listing by agent type walks the primary key newest first and counting by agent type uses
-- tasks_state_agent; an index on (agent, id) only added an entry to every write of a task row.
DROP INDEX tasks_agent_id;

DROP INDEX tasks_labels;
CREATE INDEX tasks_labels ON tasks USING gin (labels) WHERE labels <> '{}';

-- Events waiting for the relay. Marking each published event with an UPDATE rewrote the whole
-- row and its index entries (the flag sat in a partial index predicate, so the update could
-- never be HOT); a tiny queue row per event, deleted by the relay, costs a fraction of that.
-- A statement-level trigger fills it, so every statement that writes events is covered. No
-- foreign key: an entry lives for milliseconds, and one whose event is gone is simply dropped.
CREATE TABLE event_outbox (id bigint PRIMARY KEY);
INSERT INTO event_outbox (id) SELECT id FROM task_events WHERE NOT published;

CREATE FUNCTION task_events_to_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_outbox (id) SELECT id FROM new_events;
    RETURN NULL;
END
$$;

CREATE TRIGGER task_events_outbox AFTER INSERT ON task_events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION task_events_to_outbox();

DROP INDEX task_events_unpublished;
ALTER TABLE task_events DROP COLUMN published;
