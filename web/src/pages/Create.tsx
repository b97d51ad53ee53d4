// New task: a form for the common fields (JSON `CreateTask`), or a task in the original YAML
// shape posted as `application/yaml`.
import { useEffect, useState } from "preact/hooks";
import { AGENTS, api, describe, unwrap, type Agent, type Project, type Schemas } from "../api";
import { ErrorNote } from "../format";

type CreateTask = Schemas["CreateTask"];
type Assessment = Schemas["AssessmentView"];

/** argv from the form: a JSON array, or one argument per line. */
export function parseArgv(text: string): string[] {
  const t = text.trim();
  if (!t) return [];
  if (t.startsWith("[")) {
    const v: unknown = JSON.parse(t);
    if (!Array.isArray(v) || !v.every((a) => typeof a === "string")) throw new Error("argv must be an array of strings");
    return v;
  }
  return t.split("\n").map((l) => l.trim()).filter(Boolean);
}

export function Create() {
  const [projects, setProjects] = useState<Project[]>([]);
  const [f, setF] = useState({
    title: "",
    agent: "auto",
    project_id: "",
    model: "",
    priority: "normal",
    budget_usd: "",
    timeout: "",
    max_attempts: "",
    labels: "",
    description: "",
    instructions: "",
    argv: "",
    review: false,
    run: true,
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [request, setRequest] = useState("");
  const [assist, setAssist] = useState<string | null>(null);
  const [assessment, setAssessment] = useState<Assessment | null>(null);
  const [yaml, setYaml] = useState("");
  const [yamlRun, setYamlRun] = useState(true);

  const [agents, setAgents] = useState<Agent[]>([]);
  useEffect(() => {
    api.GET("/api/projects").then((res) => res.data && setProjects(res.data));
    api.GET("/api/agents").then((res) => res.data && setAgents(res.data));
  }, []);

  const set = (k: keyof typeof f) => (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    setF({ ...f, [k]: el.type === "checkbox" ? el.checked : el.value });
  };

  /** Said before submitting: a task for an agent type no live worker serves waits for one. */
  function unservedWarning(agent: string): string | null {
    if (!agents.length) return null;
    const live = (a: string) => (agents.find((x) => x.agent === a)?.live_workers ?? 0) > 0;
    if (agent === "auto") {
      return live("claude") || live("gemini")
        ? null
        : "No live worker serves claude or gemini: a classified task will wait until one starts.";
    }
    return live(agent) ? null : `No live worker serves ${agent}: the task will wait until one starts (WORKER_AGENTS).`;
  }
  const formWarning = unservedWarning(f.agent);

  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    let body: CreateTask;
    try {
      body = {
        title: f.title.trim(),
        agent: f.agent === "auto" ? undefined : f.agent,
        project_id: f.project_id || undefined,
        model: f.model.trim() || undefined,
        priority: f.priority,
        budget_usd: f.budget_usd ? Number(f.budget_usd) : undefined,
        timeout: f.timeout.trim() || undefined,
        max_attempts: f.max_attempts ? Number(f.max_attempts) : undefined,
        labels: f.labels.split(",").map((l) => l.trim()).filter(Boolean),
        description: f.description.trim() || undefined,
        instructions: f.instructions.trim() || undefined,
        exec: f.agent === "exec" ? { argv: parseArgv(f.argv) } : undefined,
        review: f.review || undefined,
      };
    } catch (err) {
      setError(`Command: ${describe(err)}`);
      return;
    }
    setBusy(true);
    try {
      const task = unwrap(await api.POST("/api/tasks", { params: { query: { run: f.run } }, body }));
      location.hash = `#/tasks/${task.id}`;
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  /** `POST /api/elaborate`: a model drafts the task from one line; the draft fills the form. */
  async function elaborate() {
    setError(null);
    setAssessment(null);
    setAssist("Drafting…");
    try {
      const d = unwrap(
        await api.POST("/api/elaborate", { body: { request: request.trim(), project_id: f.project_id || undefined } }),
      );
      setF({
        ...f,
        title: d.title,
        description: d.description,
        instructions: d.instructions,
        agent: d.agent,
        model: d.model ?? "",
        budget_usd: String(d.budget_usd),
        timeout: d.timeout,
        priority: d.priority,
        labels: d.labels.join(", "),
        project_id: d.project_id ?? f.project_id,
      });
      setAssist(`Drafted by the ${d.generated_by} model: check it, then create it.`);
    } catch (err) {
      setAssist(null);
      setError(`Elaborate: ${describe(err)}`);
    }
  }

  /** `POST /api/validate`: a model rates the draft and asks what is unclear. */
  async function validate() {
    setError(null);
    setAssist("Validating…");
    try {
      const body = {
        title: f.title.trim() || undefined,
        description: f.description.trim() || undefined,
        instructions: f.instructions.trim() || undefined,
        agent: f.agent === "auto" ? undefined : f.agent,
      };
      setAssessment(unwrap(await api.POST("/api/validate", { body })));
      setAssist(null);
    } catch (err) {
      setAssist(null);
      setError(`Validate: ${describe(err)}`);
    }
  }

  async function importYaml(e: Event) {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const res = await api.POST("/api/tasks", {
        params: { query: { run: yamlRun } },
        // The YAML goes as it is; the server parses it (`TaskYaml`).
        body: yaml as unknown as Schemas["TaskYaml"],
        bodySerializer: (b) => b as unknown as string,
        headers: { "Content-Type": "application/yaml" },
      });
      const task = unwrap(res);
      location.hash = `#/tasks/${task.id}`;
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="create-title">
      <h1 id="create-title">New task</h1>
      <ErrorNote error={error} />
      <form class="assist" onSubmit={(e) => (e.preventDefault(), request.trim() && elaborate())}>
        <label for="f-request">Describe the task in a line</label>
        <div class="inline">
          <input id="f-request" value={request} onInput={(e) => setRequest(e.currentTarget.value)} maxLength={2000} />
          <button type="submit" class="secondary" disabled={!request.trim()}>
            Elaborate
          </button>
        </div>
        <p class="hint">A model drafts title, instructions, agent, budget and timeout from it; nothing is created yet.</p>
      </form>
      {assist && (
        <p role="status" class="notice">
          {assist}
        </p>
      )}
      <form class="create" onSubmit={submit}>
        <div class="field wide">
          <label for="f-title">Title</label>
          <input id="f-title" required maxLength={200} value={f.title} onInput={set("title")} />
        </div>
        <div class="field">
          <label for="f-agent">Agent</label>
          <select id="f-agent" value={f.agent} onChange={set("agent")}>
            <option value="auto">auto (classified)</option>
            {AGENTS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          {formWarning && (
            <p class="warning" role="note" data-testid="form-warning">
              {formWarning}
            </p>
          )}
        </div>
        <div class="field">
          <label for="f-project">Project</label>
          <select id="f-project" value={f.project_id} onChange={set("project_id")}>
            <option value="">None</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-model">Model</label>
          <input id="f-model" value={f.model} onInput={set("model")} placeholder="agent default" />
        </div>
        <div class="field">
          <label for="f-priority">Priority</label>
          <select id="f-priority" value={f.priority} onChange={set("priority")}>
            <option value="high">high</option>
            <option value="normal">normal</option>
            <option value="low">low</option>
          </select>
        </div>
        <div class="field">
          <label for="f-budget">Budget (USD)</label>
          <input id="f-budget" type="number" min="0" step="0.01" inputMode="decimal" value={f.budget_usd} onInput={set("budget_usd")} />
        </div>
        <div class="field">
          <label for="f-timeout">Timeout</label>
          <input id="f-timeout" value={f.timeout} onInput={set("timeout")} placeholder="e.g. 30m" />
        </div>
        <div class="field">
          <label for="f-attempts">Max attempts</label>
          <input id="f-attempts" type="number" min="1" max="50" value={f.max_attempts} onInput={set("max_attempts")} placeholder="3" />
        </div>
        <div class="field">
          <label for="f-labels">Labels</label>
          <input id="f-labels" value={f.labels} onInput={set("labels")} placeholder="comma, separated" />
        </div>
        {f.agent === "exec" && (
          <div class="field wide">
            <label for="f-argv">Command (argv)</label>
            <textarea
              id="f-argv"
              rows={3}
              required
              value={f.argv}
              onInput={set("argv")}
              aria-describedby="argv-help"
              spellcheck={false}
            />
            <p id="argv-help" class="hint">
              A JSON array such as <code>["sh", "-c", "make test"]</code>, or one argument per line. It runs without a
              shell.
            </p>
          </div>
        )}
        <div class="field wide">
          <label for="f-instructions">Instructions</label>
          <textarea id="f-instructions" rows={6} value={f.instructions} onInput={set("instructions")} aria-describedby="instr-help" />
          <p id="instr-help" class="hint">
            Required for model agents (local, claude, gemini).
          </p>
        </div>
        <div class="field wide">
          <label for="f-description">Description</label>
          <textarea id="f-description" rows={2} value={f.description} onInput={set("description")} />
        </div>
        <div class="field wide check">
          <input id="f-review" type="checkbox" checked={f.review} onChange={set("review")} />
          <label for="f-review">Wait for review: a success goes to READY for accept or reject (model agents do by default)</label>
        </div>
        <div class="field wide check">
          <input id="f-run" type="checkbox" checked={f.run} onChange={set("run")} />
          <label for="f-run">Queue it now (otherwise it waits in PENDING)</label>
        </div>
        {assessment && <AssessmentPanel a={assessment} />}
        <div class="field wide buttons">
          <button type="submit" disabled={busy}>
            {busy ? "Creating…" : "Create task"}
          </button>
          <button type="button" class="secondary" onClick={validate} disabled={!f.title.trim() && !f.instructions.trim()}>
            Validate
          </button>
        </div>
      </form>

      <form class="yaml" onSubmit={importYaml} aria-labelledby="yaml-title">
        <h2 id="yaml-title">Import YAML</h2>
        <p class="hint">A task in the original claudomator YAML shape (name, agent.type, agent.argv, timeout, tags…).</p>
        <label for="yaml-file">YAML file</label>
        <input
          id="yaml-file"
          type="file"
          accept=".yaml,.yml,application/yaml,text/yaml"
          onChange={async (e) => {
            const file = e.currentTarget.files?.[0];
            if (file) setYaml(await file.text());
          }}
        />
        <label for="yaml-text">YAML</label>
        <textarea id="yaml-text" rows={8} value={yaml} onInput={(e) => setYaml(e.currentTarget.value)} spellcheck={false} />
        <div class="check">
          <input id="yaml-run" type="checkbox" checked={yamlRun} onChange={(e) => setYamlRun(e.currentTarget.checked)} />
          <label for="yaml-run">Queue it now</label>
        </div>
        <button type="submit" disabled={busy || !yaml.trim()}>
          Import
        </button>
      </form>
    </section>
  );
}

function AssessmentPanel({ a }: { a: Assessment }) {
  return (
    <section class={`assessment field wide clarity-${a.clarity}`} aria-labelledby="assessment-title" data-testid="assessment">
      <h2 id="assessment-title">
        Clarity: {a.clarity}
        {a.ready ? " (ready to run)" : " (not ready)"}
      </h2>
      <p>{a.summary}</p>
      {a.questions.length > 0 && (
        <>
          <h3>Questions</h3>
          <ul>
            {a.questions.map((q) => (
              <li key={q.text}>
                <span class={`severity severity-${q.severity}`}>{q.severity}</span> {q.text}
              </li>
            ))}
          </ul>
        </>
      )}
      {a.suggestions.length > 0 && (
        <>
          <h3>Suggestions</h3>
          <ul>
            {a.suggestions.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </>
      )}
      <p class="hint">Rated by the {a.generated_by} model.</p>
    </section>
  );
}
