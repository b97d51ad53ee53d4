-- Events and executions no longer carry a foreign key to their task (BENCHMARKS.md, finding 11).
--
-- Every row of either table is written by a statement that writes its task row in the same
-- statement (the insert, claim and finish CTEs of shared::store) or names a task it has just read
-- (CI plans), and tasks are never deleted, so the per-row check only re-read and key-share-locked
-- a row the statement itself had written: 12-17 % of Postgres CPU per task in W1. Whoever adds
-- task deletion must delete a task's events and executions with it (ARCHITECTURE.md, invariants).
ALTER TABLE task_events DROP CONSTRAINT task_events_task_id_fkey;
ALTER TABLE executions DROP CONSTRAINT executions_task_id_fkey;
