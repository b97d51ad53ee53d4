// Smoke test of the TypeScript client against a live server with a worker:
//   CLAUDOMATOR_URL=http://127.0.0.1:8080 CLAUDOMATOR_TOKEN=... npm run smoke
// Creates an exec task, follows it to COMPLETED, lists it, and reads a 404 as a Problem. The
// integration test `clients::the_typescript_client_drives_a_live_server` runs it.
import { claudomator, type Problem, type Task } from "./index.js";

function check(cond: boolean, what: string): asserts cond {
  if (!cond) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
}

declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

const api = claudomator(process.env.CLAUDOMATOR_URL ?? "", process.env.CLAUDOMATOR_TOKEN ?? "");

const created = await api.POST("/api/tasks", {
  params: { query: { run: true } },
  body: { title: "ts smoke", agent: "exec", exec: { argv: ["sh", "-c", "echo from ts"] } },
});
check(created.response.status === 201 && created.data !== undefined, `create: ${created.response.status}`);
const id = created.data.id;

const deadline = Date.now() + 60_000;
let task: Task | undefined;
for (;;) {
  const got = await api.GET("/api/tasks/{id}", { params: { path: { id } } });
  check(got.data !== undefined, `get: ${got.response.status}`);
  task = got.data;
  if (task.state === "COMPLETED") break;
  check(Date.now() < deadline, `task to complete (is ${task.state})`);
  await new Promise((r) => setTimeout(r, 100)); // polling interval, with the deadline above
}
check(task.project_id === undefined, "absent values are omitted");

const page = await api.GET("/api/tasks", { params: { query: { limit: 10 } } });
check(page.data?.items.some((t) => t.id === id) === true, "the task is listed");

const execs = await api.GET("/api/tasks/{id}/executions", { params: { path: { id } } });
check(execs.data?.[0]?.output === "from ts\n", `output: ${JSON.stringify(execs.data)}`);

const missing = await api.GET("/api/tasks/{id}", { params: { path: { id: "00000000-0000-0000-0000-000000000000" } } });
const problem: Problem | undefined = missing.error;
check(missing.response.status === 404 && problem?.status === 404, `404: ${JSON.stringify(problem)}`);

console.log("typescript client smoke test: ok");
