// End-to-end test of the web UI in Chromium (playwright-core driving the system's
// /usr/bin/chromium), against a running system. tests/it/ui.rs starts the system and runs
// this script; it can also be run by hand against scripts/up.sh:
//
//   CLAUDOMATOR_URL=http://127.0.0.1:8080 CLAUDOMATOR_TOKEN=$(cat .run/token) node web/e2e/ui.mjs
//
// Environment: CLAUDOMATOR_URL, CLAUDOMATOR_TOKEN (required); CHROMIUM (default
// /usr/bin/chromium); UI_ARTIFACTS (screenshots; default target/ui-artifacts).
// Every wait is on a condition with a deadline. Any console error or uncaught page error
// fails the run. Exits non-zero on the first failure.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import http from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const URL = process.env.CLAUDOMATOR_URL;
const TOKEN = process.env.CLAUDOMATOR_TOKEN;
if (!URL || !TOKEN) {
  console.error("set CLAUDOMATOR_URL and CLAUDOMATOR_TOKEN");
  process.exit(2);
}
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = resolve(process.env.UI_ARTIFACTS ?? join(ROOT, "target/ui-artifacts"));
mkdirSync(OUT, { recursive: true });
const T = Number(process.env.UI_TIMEOUT_MS ?? 30_000);
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

const problems = [];
const t0 = Date.now();
function step(name) {
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${name}`);
}

async function api(path, init = {}) {
  const res = await fetch(URL + path, {
    ...init,
    headers: { Authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  assert.ok(res.ok, `${init.method ?? "GET"} ${path}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** Fills the New task form for an exec task and creates it; returns the new task's id. */
async function createExec(page, title, argv, { labels, review } = {}) {
  await page.getByRole("link", { name: "New task" }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Agent", { exact: true }).selectOption("exec");
  if (labels) await page.getByLabel("Labels").fill(labels);
  await page.getByLabel("Command (argv)").fill(argv);
  if (review) await page.getByLabel("Wait for review").check();
  await page.getByRole("button", { name: "Create task" }).click();
  await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop();
}

/**
 * A loopback HTTP proxy in front of the API whose connections can be dropped and refused, to
 * cut the browser's streams the way a flaky network or a restarted load balancer would.
 */
async function cuttableProxy(target) {
  const up = new globalThis.URL(target);
  const sockets = new Set();
  let refusing = false;
  const server = http.createServer((req, res) => {
    const fwd = http.request(
      { host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      },
    );
    fwd.on("error", () => res.destroy());
    // A stream the browser lost must not stay open upstream.
    res.on("close", () => fwd.destroy());
    req.pipe(fwd);
  });
  server.on("connection", (s) => {
    if (refusing) return s.destroy();
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** Drops every open connection and refuses new ones until `restore`. */
    cut() {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      refusing = false;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

function watch(page, name, expected = () => false) {
  page.on("console", (m) => {
    if (m.type() === "error" && !expected(m.text()))
      problems.push(`${name} console error: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => problems.push(`${name} page error: ${e.message}`));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  // Playwright gives every launch a fresh temporary profile.
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});

try {
  const context = await browser.newContext({ viewport: DESKTOP });
  context.setDefaultTimeout(T);
  await context.grantPermissions(["notifications"], { origin: URL });
  // Chromium's push service is on the internet, which is unreachable here: replace only
  // PushManager.subscribe with a subscription carrying real P-256 keys and a loopback
  // endpoint, and remember the applicationServerKey the UI passed.
  await context.addInitScript(() => {
    if (!("PushManager" in self)) return;
    const b64url = (buf) =>
      btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    PushManager.prototype.subscribe = async function (options) {
      const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
      const p256dh = b64url(await crypto.subtle.exportKey("raw", pair.publicKey));
      const auth = b64url(crypto.getRandomValues(new Uint8Array(16)));
      const endpoint = `${location.origin}/e2e-push/${auth}`;
      const key = b64url(options.applicationServerKey);
      localStorage.setItem("e2e.applicationServerKey", key);
      return {
        endpoint,
        options,
        toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
        unsubscribe: async () => true,
      };
    };
    PushManager.prototype.getSubscription = async () => null;
  });

  const page = await context.newPage();
  watch(page, "main page");

  step("the token login");
  await page.goto(URL + "/");
  await page.getByLabel("API token").fill(TOKEN);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Tasks" }).waitFor();
  await page.getByTestId("live").filter({ hasText: "Live" }).waitFor();

  // A second tab stays on the board: it must follow every change without a reload.
  const board = await context.newPage();
  watch(board, "board page");
  await board.goto(URL + "/#/");
  await board.getByTestId("live").filter({ hasText: "Live" }).waitFor();

  step("an exec task created with the form runs, its log appears live, it ends COMPLETED");
  const helloId = await createExec(page, "hello from the UI", '["sh", "-c", "echo hello; sleep 2; echo done"]', {
    labels: "e2e, ui",
  });
  const log = page.getByTestId("live-log");
  // "hello" must show while the attempt is still running: the log is live, not the archive.
  await page.waitForFunction(
    () =>
      document.querySelector("article")?.dataset.state === "RUNNING" &&
      document.querySelector("[data-testid=live-log]")?.textContent.includes("hello"),
    null,
    { timeout: T, polling: 50 },
  );
  assert.ok(!(await log.textContent()).includes("done"), "the second line is not printed yet");
  await page.locator('article[data-state="COMPLETED"]').waitFor();
  await log.filter({ hasText: /hello\ndone/ }).waitFor();
  const history = await page.locator("table.history").textContent();
  // Created straight into the queue: one create event into QUEUED, no PENDING step.
  assert.ok(!history.includes("PENDING"), `history has no PENDING: ${history}`);
  for (const t of ["QUEUED", "QUEUED → RUNNING", "RUNNING → COMPLETED"]) assert.ok(history.includes(t), `history has ${t}: ${history}`);
  await page.locator(".executions").getByText("succeeded").waitFor();
  // The board tab moved the card to Done by itself.
  await board.locator(`[data-column="Done"] [data-task="${helloId}"]`).waitFor();

  step("a BLOCKED task's question is answered with an option button and the task resumes");
  const SCRIPT = [
    'if [ -z "$CLAUDOMATOR_ANSWER" ]; then',
    '  printf \'{"text": "Which colour?", "options": ["red", "blue"]}\' > "$CLAUDOMATOR_QUESTION_FILE"',
    "  exit 0",
    "fi",
    'echo "answered: $CLAUDOMATOR_ANSWER"',
    'printf "Painted it %s." "$CLAUDOMATOR_ANSWER" > "$CLAUDOMATOR_SUMMARY_FILE"',
  ].join("\n");
  const blockedId = await createExec(page, "a task with a question", JSON.stringify(["sh", "-c", SCRIPT]));
  await page.locator('article[data-state="BLOCKED"]').waitFor();
  await page.locator(".question-text", { hasText: "Which colour?" }).waitFor();
  await board.locator(`[data-column="Blocked"] [data-task="${blockedId}"]`).waitFor();
  for (const [name, size] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(OUT, `task-blocked-${name}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
  await page.getByRole("group", { name: "Answers" }).getByRole("button", { name: "blue" }).click();
  await page.locator('article[data-state="COMPLETED"]').waitFor();
  await page.getByText("Painted it blue.").waitFor();
  await log.filter({ hasText: "answered: blue" }).waitFor();
  assert.equal((await api(`/api/tasks/${blockedId}`)).question.answer, "blue");

  step("a free-text answer");
  await createExec(page, "a free-text question", JSON.stringify(["sh", "-c", SCRIPT]));
  await page.locator('article[data-state="BLOCKED"]').waitFor();
  await page.getByLabel("Or answer in your own words").fill("green, please");
  await page.getByRole("button", { name: "Send answer" }).click();
  await page.locator('article[data-state="COMPLETED"]').waitFor();
  await page.getByText("Painted it green, please.").waitFor();

  step("a running task is cancelled");
  const longId = await createExec(page, "a long task", "sh\n-c\necho started; sleep 120");
  await page.locator('article[data-state="RUNNING"]').waitFor();
  await log.filter({ hasText: "started" }).waitFor();
  await board.locator(`[data-column="Running"] [data-task="${longId}"]`).waitFor();
  for (const [name, size] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(OUT, `task-running-${name}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.locator('article[data-state="CANCELLED"]').waitFor();
  await page.getByRole("button", { name: "Retry" }).waitFor();
  await board.locator(`[data-column="Failed"] [data-task="${longId}"]`).waitFor();

  step("a reviewed task is rejected with a comment, run again and accepted");
  await createExec(page, "a task to review", '["echo", "work done"]', { review: true });
  await page.locator('article[data-state="READY"]').waitFor();
  await page.getByRole("button", { name: "Reject…" }).click();
  await page.getByLabel("What should change?").fill("say more");
  await page.getByRole("button", { name: "Reject with comment" }).click();
  await page.locator('article[data-state="PENDING"]').waitFor();
  await page.locator(".details dd", { hasText: "say more" }).waitFor();
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await page.locator('article[data-state="READY"]').waitFor();
  await page.getByRole("button", { name: "Accept" }).click();
  await page.locator('article[data-state="COMPLETED"]').waitFor();

  if (process.env.E2E_ASSIST === "1") {
    // tests/it/ui.rs scripts the local model: one draft, then one rating.
    step("Elaborate drafts the form from one line; Validate shows the model's questions");
    await page.getByRole("link", { name: "New task" }).click();
    await page.getByLabel("Describe the task in a line").fill("add a health endpoint");
    await page.getByRole("button", { name: "Elaborate" }).click();
    await page.getByText("Drafted by the local model").waitFor();
    assert.equal(await page.getByLabel("Title").inputValue(), "Add a health endpoint");
    assert.equal(await page.getByLabel("Agent", { exact: true }).inputValue(), "local");
    assert.equal(await page.getByLabel("Timeout").inputValue(), "20m");
    assert.match(await page.getByLabel("Instructions").inputValue(), /a test covers it/);
    await page.getByRole("button", { name: "Validate" }).click();
    const rating = page.getByTestId("assessment");
    await rating.getByText("Which port should it listen on?").waitFor();
    await rating.getByRole("heading", { name: /Clarity: blocking/ }).waitFor();
    await page.screenshot({ path: join(OUT, "create-assist-desktop.png"), fullPage: true });
  }

  step("the live log and the task's state resume after the connection drops");
  {
    const proxy = await cuttableProxy(URL);
    const flaky = await browser.newContext({ viewport: DESKTOP });
    flaky.setDefaultTimeout(T);
    await flaky.addInitScript((token) => localStorage.setItem("claudomator.token", token), TOKEN);
    const p = await flaky.newPage();
    // Only while the proxy refuses: the browser reports the failed reconnects.
    let outage = false;
    watch(p, "flaky page", (text) => outage && /net::ERR_/.test(text));
    // The gate is a loopback URL, not a file: the task runs in a sandbox with a private /tmp.
    let open = false;
    const gate = http.createServer((_req, res) => res.writeHead(open ? 200 : 404).end());
    await new Promise((r) => gate.listen(0, "127.0.0.1", r));
    const gateUrl = `http://127.0.0.1:${gate.address().port}/go`;
    const script = `echo line 1; echo line 2; until curl -sf '${gateUrl}' >/dev/null; do sleep 0.05; done; echo line 3; echo line 4`;
    const task = await api("/api/tasks?run=true", {
      method: "POST",
      body: JSON.stringify({ title: "a log across a dropped connection", agent: "exec", exec: { argv: ["sh", "-c", script] } }),
    });
    await p.goto(`${proxy.url}/#/tasks/${task.id}`);
    const flakyLog = p.getByTestId("live-log");
    await flakyLog.filter({ hasText: "line 2" }).waitFor();
    outage = true;
    proxy.cut();
    await p.locator(".livelog [data-testid=live]").filter({ hasText: "Reconnecting" }).waitFor();
    // The rest is printed and the task ends while the browser cannot reach the API.
    open = true;
    for (const deadline = Date.now() + T; (await api(`/api/tasks/${task.id}`)).state !== "COMPLETED"; ) {
      assert.ok(Date.now() < deadline, "the task did not complete");
      await new Promise((r) => setTimeout(r, 50));
    }
    proxy.restore();
    await p.locator(".livelog [data-testid=live]").filter({ hasText: "Ended" }).waitFor();
    outage = false;
    assert.equal(await flakyLog.textContent(), "line 1\nline 2\nline 3\nline 4", "every line once, in order");
    await p.locator('article[data-state="COMPLETED"]').waitFor();
    await flaky.close();
    await proxy.close();
    gate.close();
  }

  step("a task imported as YAML");
  await page.getByRole("link", { name: "New task" }).click();
  await page.getByLabel("YAML", { exact: true }).fill("name: imported from YAML\nagent:\n  type: noop\ntags: [yaml]\npriority: high\n");
  await page.getByRole("button", { name: "Import" }).click();
  await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
  await page.getByRole("heading", { name: "imported from YAML" }).waitFor();
  const yamlId = page.url().split("/").pop();
  await page.locator('article[data-state="COMPLETED"]').waitFor();

  step("a task for an agent type no live worker serves warns on the form, its page and the board");
  await page.getByRole("link", { name: "New task" }).click();
  await page.getByLabel("Title").fill("waits for a claude worker");
  await page.getByLabel("Agent", { exact: true }).selectOption("claude");
  await page.getByTestId("form-warning").filter({ hasText: "No live worker serves claude" }).waitFor();
  await page.getByLabel("Agent", { exact: true }).selectOption("exec");
  await page.getByTestId("form-warning").waitFor({ state: "detached" });
  await page.getByLabel("Agent", { exact: true }).selectOption("claude");
  await page.getByLabel("Instructions").fill("Fix the typo in the README.");
  await page.getByRole("button", { name: "Create task" }).click();
  await page.waitForURL(/#\/tasks\/[0-9a-f-]{36}$/);
  const strandedId = page.url().split("/").pop();
  await page.getByTestId("warnings").filter({ hasText: "no live worker serves agent type `claude`" }).waitFor();
  await page.getByRole("link", { name: "Board", exact: true }).click();
  await page.locator(`[data-task="${strandedId}"] [data-testid=card-warning]`).waitFor();
  await api(`/api/tasks/${strandedId}/cancel`, { method: "POST" });
  await page.locator(`[data-task="${strandedId}"][data-state="CANCELLED"]`).waitFor();
  assert.equal(await page.locator(`[data-task="${strandedId}"] [data-testid=card-warning]`).count(), 0);

  step("the board filters by agent and label");
  await page.getByRole("link", { name: "Board", exact: true }).click();
  await page.locator(`[data-task="${helloId}"]`).waitFor();
  await page.getByLabel("Agent", { exact: true }).selectOption("noop");
  await page.locator(`[data-task="${helloId}"]`).waitFor({ state: "detached" });
  await page.locator(`[data-task="${yamlId}"]`).waitFor();
  await page.getByLabel("Agent", { exact: true }).selectOption("");
  await page.getByLabel("Label").fill("e2e");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.locator(`[data-task="${yamlId}"]`).waitFor({ state: "detached" });
  await page.locator(`[data-task="${helloId}"]`).waitFor();
  await page.getByLabel("Label").fill("");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.locator(`[data-task="${yamlId}"]`).waitFor();

  for (const [name, size] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(OUT, `board-${name}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
  await page.goto(`${URL}/#/tasks/${helloId}`);
  await page.locator('article[data-state="COMPLETED"]').waitFor();
  await log.filter({ hasText: /hello\ndone/ }).waitFor();
  for (const [name, size] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(OUT, `task-${name}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);

  step("projects: one created with the form; a story's tasks with their dependencies and checker");
  await page.getByRole("link", { name: "Projects" }).click();
  const projectName = `ui-${Date.now()}`;
  await page.getByLabel("Name").fill(projectName);
  await page.getByLabel("Default branch").fill("trunk");
  await page.getByRole("button", { name: "Create project" }).click();
  await page.getByRole("rowheader", { name: projectName }).waitFor();
  const project = (await api("/api/projects")).find((p) => p.name === projectName);
  assert.equal(project.default_branch, "trunk");
  // No worker runs gemini: the checker of task a waits in QUEUED, and b waits for a.
  const story = await api("/api/stories", {
    method: "POST",
    body: JSON.stringify({
      project_id: project.id,
      title: "a story from the test",
      checker_agent: "gemini",
      tasks: [
        { key: "a", title: "first part", agent: "exec", argv: ["echo", "a"], acceptance_criteria: ["prints a"] },
        { key: "b", title: "second part", agent: "exec", argv: ["echo", "b"], depends_on: ["a"] },
      ],
    }),
  });
  await page.getByRole("link", { name: "Stories" }).click();
  await page.locator(`[data-story="${story.id}"]`).getByRole("link", { name: "a story from the test" }).click();
  await page.waitForURL(new RegExp(`#/stories/${story.id}$`));
  await page.locator('[data-role="work"]', { hasText: "second part" }).getByText("Depends on a").waitFor();
  await page.locator('[data-role="checker"]').getByText("Checks a").waitFor();
  await page.locator('[data-role="work"]', { hasText: "first part" }).locator(".state-ready").waitFor();
  await page.screenshot({ path: join(OUT, "story-desktop.png"), fullPage: true });

  step("an agent type is paused and resumed, and its limit set");
  await page.getByRole("link", { name: "Agents" }).click();
  const exec = page.locator('tr[data-agent="exec"]');
  await exec.getByTestId("agent-status").filter({ hasText: "active" }).waitFor();
  await exec.getByRole("button", { name: "Pause exec" }).click();
  await page.locator('tr[data-agent="exec"][data-paused="true"]').getByTestId("agent-status").filter({ hasText: "paused" }).waitFor();
  assert.equal((await api("/api/agents")).find((a) => a.agent === "exec").paused, true);
  await exec.getByRole("button", { name: "Resume exec" }).click();
  await page.locator('tr[data-agent="exec"][data-paused="false"]').waitFor();
  assert.equal((await api("/api/agents")).find((a) => a.agent === "exec").paused, false);
  await exec.getByLabel("Fleet limit of exec").fill("4");
  await exec.getByRole("button", { name: "Set the limit of exec" }).click();
  await exec.getByTestId("agent-limit").filter({ hasText: /^4$/ }).waitFor();
  assert.equal((await api("/api/agents")).find((a) => a.agent === "exec").concurrency_limit, 4);
  await page.screenshot({ path: join(OUT, "agents-desktop.png"), fullPage: true });

  step("push opt-in: VAPID key, service worker, subscription stored");
  await page.getByRole("button", { name: "Enable notifications" }).click();
  await page.getByRole("button", { name: "Notifications on" }).waitFor();
  const { public_key } = await api("/api/push/vapid-public-key");
  assert.equal(await page.evaluate(() => localStorage.getItem("e2e.applicationServerKey")), public_key);
  assert.ok(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.active), "service worker active");
  const manifest = await (await fetch(URL + "/manifest.webmanifest")).json();
  assert.equal(manifest.start_url, "/");

  step("log out");
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByLabel("API token").waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem("claudomator.token")), null);

  await context.close();
} catch (err) {
  problems.push(`failed: ${err.stack ?? err}`);
  for (const p of browser.contexts().flatMap((c) => c.pages())) {
    const i = browser.contexts().flatMap((c) => c.pages()).indexOf(p);
    await p.screenshot({ path: join(OUT, `failure-${i}.png`), fullPage: true }).catch(() => {});
    problems.push(`page ${i} at ${p.url()}:\n${await p.locator("body").innerText().catch(() => "?")}`);
  }
} finally {
  await browser.close();
}

if (problems.length) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
step(`all passed; screenshots in ${OUT}`);
process.exit(0);
