import { useState } from "preact/hooks";
import { api, setToken } from "../api";
import { ErrorNote } from "../format";

/** Paste a token (from `api token create`); it is checked against the API before it is kept. */
export function Login() {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const token = value.trim();
    if (!/^cm_[0-9a-f]{64}$/.test(token)) {
      setError("A token is cm_ followed by 64 hex digits (from `api token create --name NAME`).");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { response } = await api.GET("/api/tasks", {
        params: { query: { limit: 1 } },
        headers: { Authorization: `Bearer ${token}` },
      });
      if (response.ok) setToken(token);
      else setError(response.status === 401 ? "The API does not accept this token." : `The API answered ${response.status}.`);
    } catch (err) {
      setError(`Cannot reach the API: ${String(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="login" tabIndex={-1}>
      <h1>claudomator</h1>
      <form onSubmit={submit} aria-describedby="login-help">
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
          required
        />
        <p id="login-help" class="hint">
          Mint one with <code>api token create --name NAME</code> (<code>scripts/up.sh</code> prints one). It is kept in
          this browser only.
        </p>
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
