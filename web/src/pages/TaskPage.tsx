// One task: its fields, the actions its state allows, the question of a BLOCKED task, the live
// log of the running attempt, every execution and the state history.
import { useEffect, useState } from "preact/hooks";
import { api, describe, unwrap, type Execution, type Task, type TaskEvent } from "../api";
import { duration, ErrorNote, Head, StateBadge, Warnings, when } from "../format";
import { LiveBadge, useDebounced, useTaskEvents } from "../live";
import { LiveLog } from "./LiveLog";

export function TaskPage({ id }: { id: string }) {
  const [task, setTask] = useState<Task | null>(null);
  const [executions, setExecutions] = useState<Execution[]>([]);
  const [events, setEvents] = useState<TaskEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function load() {
    try {
      const path = { params: { path: { id } } };
      const [t, x, e] = await Promise.all([
        api.GET("/api/tasks/{id}", path),
        api.GET("/api/tasks/{id}/executions", path),
        api.GET("/api/tasks/{id}/events", path),
      ]);
      setTask(unwrap(t));
      setExecutions(unwrap(x));
      setEvents(unwrap(e));
      setError(null);
    } catch (err) {
      setError(describe(err));
    }
  }
  const reload = useDebounced(load, 100);
  useEffect(() => {
    setTask(null);
    load();
  }, [id]);
  const live = useTaskEvents({ task_id: id }, reload, reload);

  if (!task) {
    return error ? <ErrorNote error={error} /> : <p aria-busy="true">Loading…</p>;
  }

  const latest = executions.reduce<Execution | undefined>((a, x) => (!a || x.attempt > a.attempt ? x : a), undefined);

  return (
    <article aria-labelledby="task-title" data-state={task.state}>
      <p>
        <a href="#/">← Board</a>
      </p>
      <div class="page-head">
        <h1 id="task-title">{task.title}</h1>
        <StateBadge state={task.state} />
        <LiveBadge state={live} />
      </div>
      <p class="sr-only" role="status" aria-live="polite" data-testid="task-state">
        State: {task.state}
      </p>
      <Warnings warnings={task.warnings} />
      <Actions task={task} onDone={(msg) => (setNotice(msg), load())} onError={setError} />
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      <ErrorNote error={error} />
      {task.state === "BLOCKED" && task.question && (
        <Question task={task} onDone={() => (setNotice("Answer sent."), load())} onError={setError} />
      )}
      <Details task={task} />
      {latest && (
        <section aria-labelledby="log-title">
          <h2 id="log-title">
            Log of attempt {latest.attempt}
            {latest.finished_at ? "" : " (running)"}
          </h2>
          <LiveLog executionId={latest.id} key={latest.id} />
        </section>
      )}
      <Executions executions={executions} />
      <History events={events} />
    </article>
  );
}

function Actions({ task, onDone, onError }: { task: Task; onDone(msg: string): void; onError(msg: string): void }) {
  const [busy, setBusy] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState("");
  const path = { params: { path: { id: task.id } } };

  async function act(label: string, call: () => Promise<{ error?: unknown; response: Response }>) {
    setBusy(true);
    try {
      const res = await call();
      if (res.error !== undefined || !res.response.ok) onError(describe(res.error));
      else onDone(`${label}: done.`);
    } catch (err) {
      onError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  const s = task.state;
  const buttons: preact.JSX.Element[] = [];
  if (s === "PENDING") buttons.push(<button onClick={() => act("Run", () => api.POST("/api/tasks/{id}/run", path))}>Run</button>);
  if (s === "FAILED" || s === "CANCELLED" || s === "BUDGET_EXCEEDED")
    buttons.push(<button onClick={() => act("Retry", () => api.POST("/api/tasks/{id}/run", path))}>Retry</button>);
  if (s === "TIMED_OUT")
    buttons.push(<button onClick={() => act("Resume", () => api.POST("/api/tasks/{id}/resume", path))}>Resume</button>);
  if (s === "READY") {
    buttons.push(<button onClick={() => act("Accept", () => api.POST("/api/tasks/{id}/accept", path))}>Accept</button>);
    buttons.push(
      <button class="secondary" aria-expanded={rejecting} onClick={() => setRejecting(!rejecting)}>
        Reject…
      </button>,
    );
  }
  if (s === "PENDING" || s === "QUEUED" || s === "RUNNING" || s === "BLOCKED")
    buttons.push(
      <button class="danger" onClick={() => act("Cancel", () => api.POST("/api/tasks/{id}/cancel", path))}>
        Cancel
      </button>,
    );

  return (
    <div class="actions">
      <fieldset disabled={busy} class="buttons">
        <legend class="sr-only">Actions</legend>
        {buttons}
      </fieldset>
      {rejecting && s === "READY" && (
        <form
          class="reject"
          onSubmit={(e) => {
            e.preventDefault();
            act("Reject", () => api.POST("/api/tasks/{id}/reject", { ...path, body: { comment: comment || undefined } }));
          }}
        >
          <label for="reject-comment">What should change?</label>
          <textarea id="reject-comment" rows={3} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          <button type="submit" disabled={busy}>
            Reject with comment
          </button>
        </form>
      )}
    </div>
  );
}

function Question({ task, onDone, onError }: { task: Task; onDone(): void; onError(msg: string): void }) {
  const q = task.question!;
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  async function answer(value: string) {
    setBusy(true);
    try {
      unwrap(await api.POST("/api/tasks/{id}/answer", { params: { path: { id: task.id } }, body: { answer: value } }));
      onDone();
    } catch (err) {
      onError(describe(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="question" aria-labelledby="question-title">
      <h2 id="question-title">The agent asks</h2>
      <p class="question-text">{q.text}</p>
      {q.options.length > 0 && (
        <div class="buttons" role="group" aria-label="Answers">
          {q.options.map((o) => (
            <button key={o} disabled={busy} onClick={() => answer(o)}>
              {o}
            </button>
          ))}
        </div>
      )}
      <form onSubmit={(e) => (e.preventDefault(), text.trim() && answer(text.trim()))}>
        <label for="answer-text">{q.options.length ? "Or answer in your own words" : "Your answer"}</label>
        <textarea id="answer-text" rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" disabled={busy || !text.trim()}>
          Send answer
        </button>
      </form>
    </section>
  );
}

function Details({ task }: { task: Task }) {
  const rows: [string, string | number | undefined | null][] = [
    ["Agent", task.agent],
    ["Model", task.model],
    ["Priority", task.priority],
    ["Attempt", `${task.attempt} (${task.attempts_used} of ${task.max_attempts} used)`],
    ["Timeout", task.timeout_secs ? `${task.timeout_secs} s` : undefined],
    ["Budget", task.budget_usd != null ? `$${task.budget_usd}` : undefined],
    ["Labels", task.labels.join(", ")],
    ["Project", task.project_id],
    ["Command", task.exec ? JSON.stringify(task.exec.argv) : undefined],
    ["Last error", task.last_error],
    ["Rejection comment", task.rejection_comment],
    ["Created", when(task.created_at)],
    ["Updated", when(task.updated_at)],
  ];
  return (
    <section aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      <dl class="details">
        {rows
          .filter(([, v]) => v !== undefined && v !== null && v !== "")
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      {task.description && <p class="description">{task.description}</p>}
      {task.instructions && (
        <details>
          <summary>Instructions</summary>
          <pre>{task.instructions}</pre>
        </details>
      )}
    </section>
  );
}

function Executions({ executions }: { executions: Execution[] }) {
  if (!executions.length) return null;
  return (
    <section aria-labelledby="executions-title">
      <h2 id="executions-title">Executions</h2>
      <ul class="executions">
        {[...executions].reverse().map((x) => (
          <li key={x.id} data-execution={x.id}>
            <div class="exec-head">
              <strong>Attempt {x.attempt}</strong> <span>{x.outcome ?? "running"}</span>
              {x.exit_code != null && <span>exit {x.exit_code}</span>}
              <span>{duration(x.started_at, x.finished_at)}</span>
              {x.cost_usd != null && <span>${x.cost_usd.toFixed(4)}</span>}
              {(x.tokens_in != null || x.tokens_out != null) && (
                <span>
                  {x.tokens_in ?? 0} in / {x.tokens_out ?? 0} out tokens
                </span>
              )}
              <span class="hint">{x.worker_id}</span>
            </div>
            {x.changes && (
              <p class="changes">
                Branch <code>{x.changes.branch}</code> at <code>{x.changes.commit.slice(0, 10)}</code>:{" "}
                {x.changes.files_changed} files, +{x.changes.insertions} −{x.changes.deletions}
                {x.changes.pushed ? ", pushed" : ""}
              </p>
            )}
            {x.error && <p class="error">{x.error}</p>}
            {x.summary && (
              <div class="summary">
                <h3>Summary</h3>
                <pre>{x.summary}</pre>
              </div>
            )}
            {x.output && (
              <details>
                <summary>Output</summary>
                <pre class="log">{x.output}</pre>
              </details>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function History({ events }: { events: TaskEvent[] }) {
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <div class="table-wrap">
        <table class="history">
          <Head cols={["When", "Event", "State", "Attempt", "By", "Why"]} />
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{when(e.at)}</td>
                <td>{e.event}</td>
                <td>
                  {e.from ? `${e.from} → ` : ""}
                  {e.to}
                </td>
                <td>{e.attempt}</td>
                <td>{e.actor}</td>
                <td>{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
