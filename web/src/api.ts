// The API client: openapi-fetch over the types openapi-typescript generates from
// ../openapi/openapi.yaml on every build, so a route or field the spec does not have fails
// the type check. Same origin: every API node serves this UI.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Task = Schemas["TaskView"];
export type TaskState = Schemas["TaskState"];
export type Execution = Schemas["ExecutionView"];
export type TaskEvent = Schemas["EventView"];
export type FeedEvent = Schemas["TaskEventView"];
export type Agent = Schemas["AgentView"];
export type Project = Schemas["ProjectView"];
export type Problem = Schemas["Problem"];

const TOKEN_KEY = "claudomator.token";

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event("claudomator:auth"));
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token && !request.headers.has("Authorization")) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    // A token that stopped working (revoked, expired) logs the browser out.
    if (response.status === 401 && getToken()) setToken(null);
    return response;
  },
};

// Responses are `application/json; charset=utf-8`; naming that media type lets the success
// bodies type-check (errors fall back to their only content, problem+json).
export const api = createClient<paths, "application/json; charset=utf-8">({ baseUrl: location.origin });
api.use(auth);

/** A readable message from an error body (RFC 9457 problem) or a thrown error. */
export function describe(err: unknown): string {
  if (err && typeof err === "object") {
    const p = err as Partial<Problem> & { message?: string };
    if (p.errors && p.errors.length) return p.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    if (p.detail) return p.detail;
    if (p.title) return p.title;
    if (p.message) return p.message;
  }
  return String(err);
}

/** Throws the problem of a failed call; returns the data of a successful one. */
export function unwrap<T>(res: { data?: T; error?: unknown; response: Response }): T {
  if (res.error !== undefined || !res.response.ok) throw new ApiFailure(describe(res.error), res.response.status);
  return res.data as T;
}

export class ApiFailure extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export const STATES: TaskState[] = [
  "PENDING", "QUEUED", "RUNNING", "BLOCKED", "READY", "COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT", "BUDGET_EXCEEDED",
];

export const AGENTS = ["exec", "noop", "local", "claude", "gemini"];
