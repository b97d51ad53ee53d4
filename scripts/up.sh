#!/usr/bin/env bash
# scripts/up.sh — build and run the whole of claudomator locally, in one command.
#
# Starts Postgres and Redis if needed (scripts/services.sh), builds the release binaries and
# the web UI (scripts/web.sh),
# runs the migrations, mints an API token, starts `api serve` and `worker run` in the
# background (logs in .run/api.log and .run/worker.log), waits for GET /readyz and prints
# the URL, the docs URL, the token and a curl example. It then stays in the foreground:
# Ctrl-C (or SIGTERM) stops both processes; if either one exits, the other is stopped
# and the script exits non-zero. Running it again restarts a previous instance.
#
# Environment (all optional):
#   DATABASE_URL, REDIS_URL   as for the binaries (defaults: local claudomator db, local redis)
#   CLAUDOMATOR_BIND          API listen address (default 127.0.0.1:8080)
#   CLAUDOMATOR_PUBLIC_URL    URL printed for the API (default http://$CLAUDOMATOR_BIND)
#   CLAUDOMATOR_API_URL       URL agents call back (default: the local API URL)
#   CLAUDOMATOR_WEB_DIR       the built web UI the API serves at / (default ./web/dist,
#                             built by scripts/web.sh)
#   WORKSPACE_ROOT            where attempts work (default ./.run/tasks, absolute)
#   CLAUDOMATOR_REDIS_PREFIX, WORKER_CONCURRENCY, LOG_FORMAT, RUST_LOG
#                             passed through to the binaries
#   WORKER_AGENTS             agent types the worker runs (default: exec,noop, plus claude /
#                             gemini when their CLI is on PATH and a key is set, plus local
#                             with LOCAL_MODEL_URL); the script prints what runs
#   UP_DETACH=1               leave api and worker running and exit; PIDs go to
#                             .run/api.pid and .run/worker.pid; stop with scripts/down.sh
#   UP_READY_TIMEOUT          seconds to wait for /readyz (default 60)
#   UP_STOP_TIMEOUT           seconds to wait for a graceful stop before SIGKILL (default 60)
#   CARGO_TARGET_DIR          where cargo puts the binaries (default ./target)
# shellcheck disable=SC2016,SC2317  # bash -c snippets; functions run from traps
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

export DATABASE_URL="${DATABASE_URL:-postgres://claudomator:claudomator@127.0.0.1:5432/claudomator}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export CLAUDOMATOR_BIND="${CLAUDOMATOR_BIND:-127.0.0.1:8080}"
UP_DETACH="${UP_DETACH:-0}"
UP_READY_TIMEOUT="${UP_READY_TIMEOUT:-60}"
UP_STOP_TIMEOUT="${UP_STOP_TIMEOUT:-60}"
RUN_DIR="$ROOT/.run"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release"
[[ "$BIN" == /* ]] || BIN="$ROOT/$BIN"

# --- where the API listens, and the URL to reach it from here -----------------
bind_host="${CLAUDOMATOR_BIND%:*}"
bind_port="${CLAUDOMATOR_BIND##*:}"
bind_host="${bind_host#[}"; bind_host="${bind_host%]}"
case "$bind_host" in
  ""|0.0.0.0|"*") probe_host=127.0.0.1 ;;
  ::)             probe_host=::1 ;;
  *)              probe_host="$bind_host" ;;
esac
if [[ "$probe_host" == *:* ]]; then LOCAL_URL="http://[$probe_host]:$bind_port"; else LOCAL_URL="http://$probe_host:$bind_port"; fi
# Agents call the API back (subtasks) at this address.
export CLAUDOMATOR_API_URL="${CLAUDOMATOR_API_URL:-$LOCAL_URL}"
PUBLIC_URL="${CLAUDOMATOR_PUBLIC_URL:-$LOCAL_URL}"
PUBLIC_URL="${PUBLIC_URL%/}"

tcp_connect() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1; }

# http_ok URL-PATH: true when GET returns 2xx (curl if present, else bash /dev/tcp).
http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 3 "$LOCAL_URL$1" 2>/dev/null
  else
    timeout 4 bash -c '
      exec 3<>"/dev/tcp/$1/$2" || exit 1
      printf "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$1" >&3
      IFS=" " read -r _ code _ <&3 && [[ "$code" == 2?? ]]
    ' _ "$probe_host" "$bind_port" "$1" 2>/dev/null
  fi
}

# --- 1. toolchain ---------------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1 && [[ -f "$HOME/.cargo/env" ]]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
if ! command -v cargo >/dev/null 2>&1; then
  cat >&2 <<'MSG'
==> ERROR: cargo (the Rust toolchain) is not installed.
    Install it with rustup, then open a new shell (or `. "$HOME/.cargo/env"`) and re-run:
      curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y
      . "$HOME/.cargo/env"
      scripts/up.sh
    On Debian you also need a C compiler: apt-get install -y build-essential
MSG
  exit 1
fi

# --- 2. a previous instance -----------------------------------------------------
if [[ -f "$RUN_DIR/api.pid" || -f "$RUN_DIR/worker.pid" ]]; then
  log "stopping the instance a previous scripts/up.sh left running"
  "$ROOT/scripts/down.sh"
fi

if tcp_connect "$probe_host" "$bind_port"; then
  die "something already listens on $CLAUDOMATOR_BIND; stop it or choose another address, e.g. CLAUDOMATOR_BIND=127.0.0.1:8081 scripts/up.sh"
fi

# --- 3. services, build, migrate, token -----------------------------------------
"$ROOT/scripts/services.sh"

log "building release binaries (cargo build --release --workspace --locked --bins)"
cargo build --release --workspace --locked --bins
for b in api worker; do [[ -x "$BIN/$b" ]] || die "build finished but $BIN/$b is missing"; done

# The web UI, served by the API at / (CLAUDOMATOR_WEB_DIR; see scripts/web.sh).
"$ROOT/scripts/web.sh"
export CLAUDOMATOR_WEB_DIR="${CLAUDOMATOR_WEB_DIR:-$ROOT/web/dist}"
# Attempts' sandboxes: under .run/ here (the service default /var/lib/claudomator/tasks needs
# root); an absolute path, as resumed sessions are found by path.
export WORKSPACE_ROOT="${WORKSPACE_ROOT:-$ROOT/.run/tasks}"

log "running database migrations (api migrate)"
"$BIN/api" migrate

log "minting an API token (api token create)"
token_out="$("$BIN/api" token create --name "quickstart-$(date +%s)" --role admin)" || die "'api token create' failed"
TOKEN="$(printf '%s\n' "$token_out" | awk 'NF { line = $0 } END { gsub(/^[ \t\r]+|[ \t\r]+$/, "", line); print line }')"
[[ -n "$TOKEN" ]] || die "'api token create' printed no token"

# --- 4. start api and worker ------------------------------------------------------
mkdir -p "$RUN_DIR"
( umask 077; printf '%s\n' "$TOKEN" >"$RUN_DIR/token" )

PIDS=()
STOP_FORCE=0
stop_children() {
  local pid
  (( ${#PIDS[@]} )) || return 0
  trap 'STOP_FORCE=1' INT TERM   # a second Ctrl-C skips the grace period
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  log "stopping api and worker (pids ${PIDS[*]}; up to ${UP_STOP_TIMEOUT}s, Ctrl-C again to kill)"
  local deadline=$((SECONDS + UP_STOP_TIMEOUT))
  for pid in "${PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if (( STOP_FORCE || SECONDS >= deadline )); then
        log "pid $pid did not stop in time; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.2
    done
    wait "$pid" 2>/dev/null || true
  done
  for f in "$RUN_DIR/api.pid" "$RUN_DIR/worker.pid"; do   # only our own pid files
    for pid in "${PIDS[@]}"; do [[ "$(cat "$f" 2>/dev/null)" == "$pid" ]] && rm -f "$f"; done
  done
  PIDS=()
}
on_exit() {
  local rc=$?
  trap - EXIT
  stop_children
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_bg() {   # start_bg NAME CMD...: sets LAST_PID
  local name="$1"; shift
  if [[ "$UP_DETACH" == 1 ]]; then
    nohup "$@" </dev/null >"$RUN_DIR/$name.log" 2>&1 &
  else
    "$@" </dev/null >"$RUN_DIR/$name.log" 2>&1 &
  fi
  LAST_PID=$!
  printf '%s\n' "$LAST_PID" >"$RUN_DIR/$name.pid"
}

# --- agent types the worker runs -------------------------------------------------
# Unless WORKER_AGENTS is set, run every agent type this machine can: exec and noop always,
# claude and gemini when their CLI is on PATH and a key is set, local with LOCAL_MODEL_URL.
# A task for a type no worker runs waits (its answer carries a warning), so say what runs.
AGENT_HINTS=()
if [[ -z "${WORKER_AGENTS:-}" ]]; then
  agents="exec,noop"
  if command -v "${CLAUDE_BIN:-claude}" >/dev/null 2>&1 \
    && [[ -n "${ANTHROPIC_API_KEY:-}${ANTHROPIC_AUTH_TOKEN:-}${CLAUDE_CODE_OAUTH_TOKEN:-}${CLAUDE_CODE_USE_BEDROCK:-}${CLAUDE_CODE_USE_VERTEX:-}" ]]; then
    agents+=",claude"
  else
    AGENT_HINTS+=("claude: install the Claude Code CLI (npm install -g @anthropic-ai/claude-code, or set CLAUDE_BIN) and set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN)")
  fi
  if command -v "${GEMINI_BIN:-gemini}" >/dev/null 2>&1 \
    && [[ -n "${GEMINI_API_KEY:-}${GOOGLE_API_KEY:-}${GOOGLE_GENAI_USE_VERTEXAI:-}" ]]; then
    agents+=",gemini"
  else
    AGENT_HINTS+=("gemini: install the Gemini CLI (npm install -g @google/gemini-cli, or set GEMINI_BIN) and set GEMINI_API_KEY")
  fi
  if [[ -n "${LOCAL_MODEL_URL:-}" ]]; then
    agents+=",local"
  else
    AGENT_HINTS+=("local: set LOCAL_MODEL_URL to an OpenAI-compatible server (e.g. http://127.0.0.1:11434/v1)")
  fi
  export WORKER_AGENTS="$agents"
fi
log "the worker runs agent types: $WORKER_AGENTS"

log "starting api serve on $CLAUDOMATOR_BIND (log: .run/api.log)"
start_bg api "$BIN/api" serve;   API_PID=$LAST_PID;    PIDS+=("$API_PID")
log "starting worker run (log: .run/worker.log)"
start_bg worker "$BIN/worker" run; WORKER_PID=$LAST_PID; PIDS+=("$WORKER_PID")

log "waiting up to ${UP_READY_TIMEOUT}s for $LOCAL_URL/readyz"
deadline=$((SECONDS + UP_READY_TIMEOUT))
until http_ok /readyz; do
  for name in api worker; do
    pid=$API_PID; [[ "$name" == worker ]] && pid=$WORKER_PID
    if ! kill -0 "$pid" 2>/dev/null; then
      printf '==> last lines of .run/%s.log:\n' "$name" >&2; tail -n 20 "$RUN_DIR/$name.log" >&2 || true
      die "$name exited during startup"
    fi
  done
  if (( SECONDS >= deadline )); then
    printf '==> last lines of .run/api.log:\n' >&2; tail -n 20 "$RUN_DIR/api.log" >&2 || true
    die "$LOCAL_URL/readyz did not answer 200 within ${UP_READY_TIMEOUT}s"
  fi
  sleep 0.5
done

# --- 5. tell the user -------------------------------------------------------------
cat <<MSG

claudomator is up.
  Web UI:  $PUBLIC_URL/   (log in with the token)
  API:     $PUBLIC_URL
  Docs:    $PUBLIC_URL/api/docs
  Token:   $TOKEN   (also saved in .run/token)
  Logs:    .run/api.log  .run/worker.log   (pids: api $API_PID, worker $WORKER_PID)

Agents:  the worker runs $WORKER_AGENTS   (GET /api/workers lists live workers)

Try it:
  export CLAUDOMATOR_URL=$PUBLIC_URL
  export CLAUDOMATOR_TOKEN=$TOKEN
  curl -sS -X POST "\$CLAUDOMATOR_URL/api/tasks?run=true" -H "Authorization: Bearer \$CLAUDOMATOR_TOKEN" -H 'content-type: application/json' -d '{"title":"hello","agent":"exec","exec":{"argv":["echo","hello"]}}'

MSG
if (( ${#AGENT_HINTS[@]} )); then
  echo "To enable the other agent types, restart scripts/up.sh after this (or set WORKER_AGENTS):"
  for hint in "${AGENT_HINTS[@]}"; do echo "  $hint"; done
  echo
fi

if [[ "$UP_DETACH" == 1 ]]; then
  PIDS=()            # leave them running
  trap - EXIT INT TERM
  echo "Running in the background; stop with: scripts/down.sh"
  exit 0
fi

echo "Press Ctrl-C to stop."
wait -n -p exited "$API_PID" "$WORKER_PID" && rc=0 || rc=$?
name=api; [[ "${exited:-}" == "$WORKER_PID" ]] && name=worker
log "$name (pid ${exited:-?}) exited with status $rc; stopping the rest (see .run/$name.log)"
exit $(( rc == 0 ? 1 : rc ))
