-- Token roles and project scopes.
--
-- role: what a token may do (admin: everything; member: tasks and stories; viewer: read).
-- Tokens minted before roles existed were all administrators, so the default keeps them so.
-- project_ids: NULL sees every project; a list sees and acts only on those projects' tasks,
-- stories and events (tasks without a project are outside every scope).
-- Task-scoped (agent) tokens keep task_id; their project is the task's, read at authentication.
CREATE TYPE token_role AS ENUM ('admin', 'member', 'viewer');
ALTER TABLE api_tokens
    ADD COLUMN role        token_role NOT NULL DEFAULT 'admin',
    ADD COLUMN project_ids uuid[];
