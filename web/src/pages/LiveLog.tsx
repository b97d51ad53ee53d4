// The live log of one execution: `GET /api/executions/{id}/log/stream`, resumed after a
// reconnect from the last line received, auto-scrolled while the reader is at the bottom.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { LiveBadge } from "../live";
import { follow, type StreamState } from "../sse";

export function LiveLog({ executionId }: { executionId: string }) {
  const [lines, setLines] = useState<string[]>([]);
  const [state, setState] = useState<StreamState>("connecting");
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    setLines([]);
    return follow(
      (lastEventId, signal) =>
        api.GET("/api/executions/{id}/log/stream", {
          params: { path: { id: executionId }, header: lastEventId ? { "Last-Event-ID": lastEventId } : {} },
          parseAs: "stream",
          signal,
        }),
      {
        onMessage(msg) {
          if (msg.event === "line") setLines((l) => [...l, msg.data]);
        },
        onState: setState,
        isEnd: (msg) => msg.event === "end",
        // The archive (after the live log expired) cannot be resumed: it is sent again whole.
        restartFrom(lastId) {
          if (!lastId.startsWith("archive")) return false;
          setLines([]);
          return true;
        },
      },
    );
  }, [executionId]);

  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  return (
    <div class="livelog">
      <LiveBadge state={state} />
      <pre
        ref={box}
        class="log"
        tabIndex={0}
        aria-label="Live log"
        aria-live="off"
        data-testid="live-log"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.length ? lines.join("\n") : state === "closed" ? "(no output)" : ""}
      </pre>
    </div>
  );
}
