// Hooks over the SSE streams of the API.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type FeedEvent } from "./api";
import { follow, type StreamState } from "./sse";

/**
 * Follows `GET /api/events` (optionally one task's or one project's) and calls `onEvent` for
 * each transition, and `onOpen` each time the stream (re)connects, which is when a page should
 * reload what it shows: the feed sends only events after the moment it opened.
 */
export function useTaskEvents(
  filter: { task_id?: string; project_id?: string },
  onEvent: (e: FeedEvent) => void,
  onOpen: () => void,
): StreamState {
  const [state, setState] = useState<StreamState>("connecting");
  const handlers = useRef({ onEvent, onOpen });
  handlers.current = { onEvent, onOpen };
  useEffect(() => {
    const query = { task_id: filter.task_id, project_id: filter.project_id };
    return follow(
      (lastEventId, signal) =>
        api.GET("/api/events", {
          params: { query, header: lastEventId ? { "Last-Event-ID": lastEventId } : {} },
          parseAs: "stream",
          signal,
        }),
      {
        onMessage(msg) {
          if (msg.event !== "task") return;
          try {
            handlers.current.onEvent(JSON.parse(msg.data) as FeedEvent);
          } catch {
            // Not an event this UI knows; ignore it.
          }
        },
        onState(s) {
          setState(s);
          if (s === "open") handlers.current.onOpen();
        },
      },
    );
  }, [filter.task_id, filter.project_id]);
  return state;
}

/** Calls `fn` at most once per `ms`, after the last call. */
export function useDebounced(fn: () => void, ms: number): () => void {
  const timer = useRef<number | undefined>(undefined);
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => () => clearTimeout(timer.current), []);
  return () => {
    clearTimeout(timer.current);
    timer.current = window.setTimeout(() => latest.current(), ms);
  };
}

export function LiveBadge({ state }: { state: StreamState }) {
  const text: Record<StreamState, string> = {
    connecting: "Connecting…",
    open: "Live",
    reconnecting: "Reconnecting…",
    closed: "Ended",
    failed: "Live updates unavailable",
  };
  return (
    <span class={`live live-${state}`} role="status" data-testid="live">
      {text[state]}
    </span>
  );
}
