// Server-sent events over fetch. EventSource cannot send the Authorization header, so the
// streams are read with fetch and parsed here; reconnecting resumes with Last-Event-ID, as
// EventSource would.

export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

export type StreamState = "connecting" | "open" | "reconnecting" | "closed" | "failed";

/** Opens the stream; `lastEventId` is the id of the last message received, if any. */
export type Opener = (
  lastEventId: string | undefined,
  signal: AbortSignal,
) => Promise<{ data?: ReadableStream<Uint8Array> | null; error?: unknown; response: Response }>;

export interface FollowOptions {
  onMessage(msg: SseMessage): void;
  onState?(state: StreamState, detail?: string): void;
  /** True when this message is the last one (no reconnect after it). */
  isEnd?(msg: SseMessage): boolean;
  /** Forget the position before reconnecting from this id (e.g. a replayed archive). */
  restartFrom?(lastEventId: string): boolean;
}

/** Follows a stream until stopped (the returned function) or an end message. */
export function follow(open: Opener, opts: FollowOptions): () => void {
  const ctrl = new AbortController();
  let lastId: string | undefined;
  const state = (s: StreamState, detail?: string) => opts.onState?.(s, detail);

  (async () => {
    let delay = 250;
    state("connecting");
    while (!ctrl.signal.aborted) {
      try {
        if (lastId !== undefined && opts.restartFrom?.(lastId)) lastId = undefined;
        const res = await open(lastId, ctrl.signal);
        if (!res.response.ok || !res.data) {
          const status = res.response.status;
          if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
            state("failed", `HTTP ${status}`);
            return;
          }
          throw new Error(`HTTP ${status}`);
        }
        state("open");
        delay = 250;
        let ended = false;
        await read(res.data, (msg) => {
          if (msg.id !== undefined) lastId = msg.id;
          opts.onMessage(msg);
          if (opts.isEnd?.(msg)) ended = true;
          return ended;
        });
        if (ended) {
          state("closed");
          return;
        }
      } catch {
        if (ctrl.signal.aborted) return;
      }
      if (ctrl.signal.aborted) return;
      state("reconnecting");
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  })();

  return () => ctrl.abort();
}

/** Reads messages until the stream ends or `onMessage` returns true. */
async function read(body: ReadableStream<Uint8Array>, onMessage: (m: SseMessage) => boolean): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let id: string | undefined;
  let event = "";
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + (buf.startsWith("\r\n", nl) ? 2 : 1));
        if (line === "") {
          if (data.length || event) {
            const stop = onMessage({ id, event: event || "message", data: data.join("\n") });
            if (stop) return;
          }
          event = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") event = value;
        else if (field === "id") id = value;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
