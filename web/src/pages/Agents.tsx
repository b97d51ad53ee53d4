// Agent types: queue statistics, pause and resume, fleet-wide limit (`GET/PATCH /api/agents`).
import { useEffect, useState } from "preact/hooks";
import { api, describe, unwrap, type Agent, type Schemas } from "../api";
import { ErrorNote, Head, when } from "../format";
import { useDebounced, useTaskEvents } from "../live";

export function Agents() {
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function load() {
    try {
      setAgents(unwrap(await api.GET("/api/agents")));
      setError(null);
    } catch (err) {
      setError(describe(err));
    }
  }
  useEffect(() => {
    load();
  }, []);
  // Counts move with task transitions.
  const reload = useDebounced(load, 300);
  useTaskEvents({}, reload, reload);

  async function patch(agent: string, body: Schemas["AgentPatchBody"]) {
    try {
      unwrap(await api.PATCH("/api/agents/{agent}", { params: { path: { agent } }, body }));
      await load();
    } catch (err) {
      setError(describe(err));
    }
  }

  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <ErrorNote error={error} />
      {agents === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <div class="table-wrap">
          <table class="agents">
            <Head cols={["Agent", "Queued", "Delayed", "Running", "Dead", "Oldest waiting", "Status", "Fleet limit"]} />
            <tbody>
              {agents.map((a) => (
                <AgentRow key={a.agent} a={a} patch={patch} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AgentRow({ a, patch }: { a: Agent; patch(agent: string, body: Schemas["AgentPatchBody"]): Promise<void> }) {
  const [limit, setLimit] = useState(a.concurrency_limit?.toString() ?? "");
  useEffect(() => setLimit(a.concurrency_limit?.toString() ?? ""), [a.concurrency_limit]);
  const limitId = `limit-${a.agent}`;
  const rateLimited = a.paused_until && new Date(a.paused_until) > new Date();
  return (
    <tr data-agent={a.agent} data-paused={String(a.paused)}>
      <th scope="row">{a.agent}</th>
      <td>{a.queued}</td>
      <td>{a.delayed}</td>
      <td>{a.running}</td>
      <td>{a.dead}</td>
      <td>{a.oldest_waiting_secs != null ? `${Math.round(a.oldest_waiting_secs)} s` : "—"}</td>
      <td>
        <span class="status" data-testid="agent-status">
          {a.paused ? "paused" : rateLimited ? `rate-limited until ${when(a.paused_until)}` : "active"}
        </span>
        {a.pause_reason && <span class="hint"> ({a.pause_reason})</span>}{" "}
        <button
          type="button"
          class="secondary"
          aria-label={`${a.paused || rateLimited ? "Resume" : "Pause"} ${a.agent}`}
          onClick={() => patch(a.agent, { paused: !(a.paused || rateLimited) })}
        >
          {a.paused || rateLimited ? "Resume" : "Pause"}
        </button>
      </td>
      <td>
        <span data-testid="agent-limit">{a.concurrency_limit ?? "none"}</span>
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            // `null` removes the limit (the spec types it as a number).
            patch(a.agent, { concurrency_limit: (limit.trim() === "" ? null : Number(limit)) as number });
          }}
        >
          <label for={limitId} class="sr-only">
            Fleet limit of {a.agent}
          </label>
          <input
            id={limitId}
            type="number"
            min="0"
            max="10000"
            inputMode="numeric"
            placeholder="none"
            value={limit}
            onInput={(e) => setLimit(e.currentTarget.value)}
          />
          <button type="submit" class="secondary" aria-label={`Set the limit of ${a.agent}`}>
            Set
          </button>
        </form>
      </td>
    </tr>
  );
}
