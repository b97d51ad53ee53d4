import type { TaskState } from "./api";

export function when(iso?: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

export function duration(from?: string | null, to?: string | null): string {
  if (!from) return "";
  const ms = (to ? new Date(to).getTime() : Date.now()) - new Date(from).getTime();
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function StateBadge({ state }: { state: TaskState }) {
  return <span class={`state state-${state.toLowerCase()}`}>{state.replace("_", " ").toLowerCase()}</span>;
}

/** An error message, announced to screen readers; nothing when there is none. */
export function ErrorNote({ error }: { error: string | null }) {
  return error ? (
    <p role="alert" class="error">
      {error}
    </p>
  ) : null;
}

/** The server's warnings about a task (e.g. no live worker serves its agent type). */
export function Warnings({ warnings }: { warnings?: string[] | null }) {
  return warnings && warnings.length ? (
    <ul class="warnings" role="alert" data-testid="warnings">
      {warnings.map((w) => (
        <li key={w}>{w}</li>
      ))}
    </ul>
  ) : null;
}

/** A table head: one column header per name. */
export function Head({ cols }: { cols: string[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
