// Stories: the list, and one story with its tasks (dependencies, checker verdicts and reports),
// its history, and the Ship and Reopen actions (`/api/stories`).
import { useEffect, useState } from "preact/hooks";
import { api, describe, unwrap, type Project, type Schemas, type Task } from "../api";
import { ErrorNote, Head, StateBadge, when } from "../format";
import { LiveBadge, useDebounced, useTaskEvents } from "../live";

type Story = Schemas["StoryView"];

export function Stories() {
  const [stories, setStories] = useState<Story[] | null>(null);
  const [projects, setProjects] = useState<Project[]>([]);
  const [error, setError] = useState<string | null>(null);
  async function load() {
    try {
      setStories(unwrap(await api.GET("/api/stories")));
      setError(null);
    } catch (err) {
      setError(describe(err));
    }
  }
  useEffect(() => {
    load();
    api.GET("/api/projects").then((res) => res.data && setProjects(res.data));
  }, []);
  const reload = useDebounced(load, 300);
  const live = useTaskEvents({}, reload, reload);
  const project = (id: string) => projects.find((p) => p.id === id)?.name ?? id;
  return (
    <section aria-labelledby="stories-title">
      <div class="page-head">
        <h1 id="stories-title">Stories</h1>
        <LiveBadge state={live} />
      </div>
      <ErrorNote error={error} />
      {stories === null ? (
        <p aria-busy="true">Loading…</p>
      ) : stories.length === 0 ? (
        <p>No stories yet. Create them with <code>POST /api/stories</code>.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <Head cols={["Story", "State", "Project", "Branch", "Tasks", "Updated"]} />
            <tbody>
              {stories.map((s) => (
                <tr key={s.id} data-story={s.id}>
                  <td>
                    <a href={`#/stories/${s.id}`}>{s.title}</a>
                  </td>
                  <td>{s.state}</td>
                  <td>{project(s.project_id)}</td>
                  <td>
                    <code>{s.branch}</code>
                  </td>
                  <td>{s.tasks.filter((t) => t.role === "work").length}</td>
                  <td>{when(s.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function StoryPage({ id }: { id: string }) {
  const [story, setStory] = useState<Story | null>(null);
  const [tasks, setTasks] = useState<Record<string, Task>>({});
  const [history, setHistory] = useState<Schemas["StoryHistoryView"][]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      const path = { params: { path: { id } } };
      const [s, h] = await Promise.all([api.GET("/api/stories/{id}", path), api.GET("/api/stories/{id}/events", path)]);
      const st = unwrap(s);
      const loaded = await Promise.all(
        st.tasks.map((t) => api.GET("/api/tasks/{id}", { params: { path: { id: t.task_id } } }).then(unwrap)),
      );
      setStory(st);
      setHistory(unwrap(h));
      setTasks(Object.fromEntries(loaded.map((t) => [t.id, t])));
      setError(null);
    } catch (err) {
      setError(describe(err));
    }
  }
  useEffect(() => {
    load();
  }, [id]);
  const reload = useDebounced(load, 200);
  // Any transition may concern it: checker and validation tasks join the story as they are created.
  const live = useTaskEvents({ project_id: story?.project_id }, reload, reload);

  async function act(call: () => Promise<{ error?: unknown; response: Response }>) {
    setBusy(true);
    try {
      unwrap(await call());
      await load();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  if (!story) return error ? <ErrorNote error={error} /> : <p aria-busy="true">Loading…</p>;
  const keyOf = (taskId: string) => story.tasks.find((t) => t.task_id === taskId)?.key ?? tasks[taskId]?.title ?? taskId;
  const path = { params: { path: { id } } };
  const reopenable = ["NEEDS_FIX", "SHIPPABLE", "REVIEW_READY"].includes(story.state);
  return (
    <article aria-labelledby="story-title" data-story-state={story.state}>
      <p>
        <a href="#/stories">← Stories</a>
      </p>
      <div class="page-head">
        <h1 id="story-title">{story.title}</h1>
        <span class="state">{story.state.replace("_", " ").toLowerCase()}</span>
        <LiveBadge state={live} />
      </div>
      <fieldset class="buttons" disabled={busy}>
        <legend class="sr-only">Story actions</legend>
        {story.state === "SHIPPABLE" && (
          <button onClick={() => act(() => api.POST("/api/stories/{id}/ship", path))}>Ship</button>
        )}
        {reopenable && (
          <button class="secondary" onClick={() => act(() => api.POST("/api/stories/{id}/reopen", path))}>
            Reopen
          </button>
        )}
      </fieldset>
      <ErrorNote error={error} />
      {story.description && <p class="description">{story.description}</p>}
      <dl class="details">
        <div>
          <dt>Branch</dt>
          <dd>
            <code>{story.branch}</code>
          </dd>
        </div>
        {story.merge_commit && (
          <div>
            <dt>Merge commit</dt>
            <dd>
              <code>{story.merge_commit.slice(0, 12)}</code>
            </dd>
          </div>
        )}
        {story.last_error && (
          <div>
            <dt>Last error</dt>
            <dd>{story.last_error}</dd>
          </div>
        )}
      </dl>
      <h2>Tasks</h2>
      <ul class="story-tasks">
        {story.tasks.map((st) => {
          const t = tasks[st.task_id];
          return (
            <li key={st.task_id} class="card" data-task={st.task_id} data-role={st.role}>
              <div class="exec-head">
                <span class="hint">{st.role}</span>
                {st.key && <code>{st.key}</code>}
                <a href={`#/tasks/${st.task_id}`}>{t?.title ?? st.task_id}</a>
                {t && <StateBadge state={t.state} />}
                {st.verdict && <span class={`severity severity-${st.verdict === "pass" ? "info" : "blocking"}`}>{st.verdict}</span>}
              </div>
              {t && t.depends_on.length > 0 && (
                <p class="hint">Depends on {t.depends_on.map(keyOf).join(", ")}</p>
              )}
              {st.checks_task_id && <p class="hint">Checks {keyOf(st.checks_task_id)} (attempt {st.checks_attempt})</p>}
              {st.acceptance_criteria.length > 0 && (
                <ul>
                  {st.acceptance_criteria.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              )}
              {st.checker_report && (
                <details>
                  <summary>Checker report</summary>
                  <pre>{st.checker_report}</pre>
                </details>
              )}
            </li>
          );
        })}
      </ul>
      <h2>History</h2>
      <div class="table-wrap">
        <table>
          <Head cols={["When", "Event", "State", "Task", "By", "Why"]} />
          <tbody>
            {history.map((h, i) => (
              <tr key={i}>
                <td>{when(h.at)}</td>
                <td>{h.event}</td>
                <td>
                  {h.from ? `${h.from} → ` : ""}
                  {h.to}
                </td>
                <td>{h.task_id ? keyOf(h.task_id) : ""}</td>
                <td>{h.actor}</td>
                <td>{h.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </article>
  );
}
