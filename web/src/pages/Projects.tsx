// Projects: the repositories claudomator works on (`/api/projects`), and a form for a new one.
import { useEffect, useState } from "preact/hooks";
import { api, describe, unwrap, type Project } from "../api";
import { ErrorNote, Head } from "../format";

export function Projects() {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [f, setF] = useState({ name: "", repository: "", default_branch: "", default_agent: "" });

  async function load() {
    try {
      setProjects(unwrap(await api.GET("/api/projects")));
    } catch (err) {
      setError(describe(err));
    }
  }
  useEffect(() => {
    load();
  }, []);

  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      unwrap(
        await api.POST("/api/projects", {
          body: {
            name: f.name.trim(),
            repository: f.repository.trim() || undefined,
            default_branch: f.default_branch.trim() || undefined,
            default_agent: f.default_agent.trim() || undefined,
          },
        }),
      );
      setF({ name: "", repository: "", default_branch: "", default_agent: "" });
      await load();
    } catch (err) {
      setError(describe(err));
    }
  }
  const field = (k: keyof typeof f, label: string, required = false) => (
    <div class="field">
      <label for={`p-${k}`}>{label}</label>
      <input id={`p-${k}`} required={required} value={f[k]} onInput={(e) => setF({ ...f, [k]: e.currentTarget.value })} />
    </div>
  );

  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      <ErrorNote error={error} />
      {projects === null ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <div class="table-wrap">
          <table>
            <Head cols={["Name", "Repository", "Branch", "GitHub / GitLab", "Default agent", "Webhook secret"]} />
            <tbody>
              {projects.map((p) => (
                <tr key={p.id} data-project={p.id}>
                  <th scope="row">{p.name}</th>
                  <td>{p.repository}</td>
                  <td>{p.default_branch}</td>
                  <td>{[p.github_repo, p.gitlab_project].filter(Boolean).join(" / ")}</td>
                  <td>
                    {p.default_agent}
                    {p.default_model ? ` (${p.default_model})` : ""}
                  </td>
                  <td>{p.has_webhook_secret ? "set" : "none"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="create" onSubmit={create} aria-labelledby="new-project-title">
        <h2 id="new-project-title" class="field wide">
          New project
        </h2>
        {field("name", "Name", true)}
        {field("repository", "Repository (clone URL or path)")}
        {field("default_branch", "Default branch")}
        {field("default_agent", "Default agent")}
        <div class="field wide buttons">
          <button type="submit">Create project</button>
        </div>
      </form>
    </section>
  );
}
