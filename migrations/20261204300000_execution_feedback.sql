-- The feedback an attempt was given (a rejection comment, a checker's FAIL report), as a JSON
-- list of {kind, text} (shared::domain::feedback). NULL: none.
ALTER TABLE executions ADD COLUMN feedback jsonb;
