// The board: the newest tasks grouped by state, filtered by project, agent and label, kept
// current by the event feed.
import { useEffect, useState } from "preact/hooks";
import { AGENTS, api, describe, unwrap, type Project, type Task, type TaskState } from "../api";
import { ErrorNote, when } from "../format";
import { LiveBadge, useDebounced, useTaskEvents } from "../live";

const COLUMNS: { title: string; states: TaskState[] }[] = [
  { title: "Queued", states: ["PENDING", "QUEUED"] },
  { title: "Running", states: ["RUNNING"] },
  { title: "Blocked", states: ["BLOCKED"] },
  { title: "Ready", states: ["READY"] },
  { title: "Done", states: ["COMPLETED"] },
  { title: "Failed", states: ["FAILED", "TIMED_OUT", "BUDGET_EXCEEDED", "CANCELLED"] },
];

const LIMIT = 200;

export function Board() {
  const [projectId, setProjectId] = useState("");
  const [agent, setAgent] = useState("");
  const [label, setLabel] = useState("");
  const [labelInput, setLabelInput] = useState("");
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [projects, setProjects] = useState<Project[]>([]);
  const [error, setError] = useState<string | null>(null);

  async function load() {
    try {
      const page = unwrap(
        await api.GET("/api/tasks", {
          params: {
            query: { limit: LIMIT, project_id: projectId || undefined, agent: agent || undefined, label: label || undefined },
          },
        }),
      );
      setTasks(page.items);
      setError(null);
    } catch (err) {
      setError(describe(err));
    }
  }
  const reload = useDebounced(load, 150);

  useEffect(() => {
    load();
  }, [projectId, agent, label]);

  useEffect(() => {
    api.GET("/api/projects").then((res) => res.data && setProjects(res.data));
  }, []);

  const live = useTaskEvents({ project_id: projectId || undefined }, reload, reload);

  return (
    <section aria-labelledby="board-title">
      <div class="page-head">
        <h1 id="board-title">Tasks</h1>
        <LiveBadge state={live} />
      </div>
      <form class="filters" onSubmit={(e) => (e.preventDefault(), setLabel(labelInput.trim()))} role="search">
        <label>
          <span id="filter-project-label">Project</span>
          <select aria-labelledby="filter-project-label" value={projectId} onChange={(e) => setProjectId(e.currentTarget.value)}>
            <option value="">All projects</option>
            {projects.map((p) => (
              <option value={p.id} key={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span id="filter-agent-label">Agent</span>
          <select aria-labelledby="filter-agent-label" value={agent} onChange={(e) => setAgent(e.currentTarget.value)}>
            <option value="">All agents</option>
            {AGENTS.map((a) => (
              <option value={a} key={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span id="filter-label-label">Label</span>
          <input
            aria-labelledby="filter-label-label"
            value={labelInput}
            onInput={(e) => setLabelInput(e.currentTarget.value)}
            onBlur={() => setLabel(labelInput.trim())}
            placeholder="any"
          />
        </label>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      <ErrorNote error={error} />
      {tasks === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <div class="board">
          {COLUMNS.map((col) => {
            const items = tasks.filter((t) => col.states.includes(t.state));
            const id = `col-${col.title.toLowerCase()}`;
            return (
              <section class="column" aria-labelledby={id} data-column={col.title} key={col.title}>
                <h2 id={id}>
                  {col.title} <span class="count">{items.length}</span>
                </h2>
                <ul>
                  {items.map((t) => (
                    <li key={t.id} class="card" data-task={t.id} data-state={t.state}>
                      <a href={`#/tasks/${t.id}`}>{t.title}</a>
                      <div class="meta">
                        <span>{t.agent}</span>
                        {col.states.length > 1 && <span class="substate">{t.state.toLowerCase()}</span>}
                        {t.priority !== "normal" && <span>{t.priority}</span>}
                        {t.warnings.length > 0 && (
                          <span class="warning" role="note" title={t.warnings.join("\n")} data-testid="card-warning">
                            no live worker
                          </span>
                        )}
                        {t.labels.map((l) => (
                          <span class="label" key={l}>
                            {l}
                          </span>
                        ))}
                      </div>
                      <time dateTime={t.updated_at}>{when(t.updated_at)}</time>
                    </li>
                  ))}
                </ul>
              </section>
            );
          })}
        </div>
      )}
      {tasks && tasks.length >= LIMIT && <p class="hint">Showing the newest {LIMIT} tasks.</p>}
    </section>
  );
}
