#!/usr/bin/env bash
# scripts/down.sh — stop the api and worker that `UP_DETACH=1 scripts/up.sh` left running.
#
# Sends SIGTERM to exactly the PIDs in .run/api.pid and .run/worker.pid (after checking
# that each PID still runs the api/worker binary), waits for them to exit, and removes
# the PID files. Postgres and Redis are left alone. Idempotent: nothing to stop is fine.
#
# Environment:
#   DOWN_TIMEOUT   seconds to wait for a graceful stop before SIGKILL (default 60)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.run"
DOWN_TIMEOUT="${DOWN_TIMEOUT:-60}"

log() { printf '==> %s\n' "$*" >&2; }

alive() {   # alive PID: running and not a zombie
  local state
  [[ -r "/proc/$1/stat" ]] || { kill -0 "$1" 2>/dev/null; return; }
  state="$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

stopping=()
for name in api worker; do
  pidfile="$RUN_DIR/$name.pid"
  [[ -f "$pidfile" ]] || { log "$name: no $pidfile, nothing to stop"; continue; }
  pid="$(tr -dc '0-9' <"$pidfile")"
  if [[ -z "$pid" ]] || ! alive "$pid"; then
    log "$name: pid ${pid:-?} is not running; removing stale $pidfile"
    rm -f "$pidfile"; continue
  fi
  argv0=""
  [[ -r "/proc/$pid/cmdline" ]] && argv0="$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -n 1)"
  if [[ -n "$argv0" && "$(basename "$argv0")" != "$name" ]]; then
    log "$name: pid $pid now runs '$argv0', not $name; leaving it alone and removing $pidfile"
    rm -f "$pidfile"; continue
  fi
  log "$name: sending SIGTERM to pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  stopping+=("$name:$pid")
done

deadline=$((SECONDS + DOWN_TIMEOUT))
for entry in "${stopping[@]}"; do
  name="${entry%%:*}" pid="${entry#*:}"
  while alive "$pid"; do
    if (( SECONDS >= deadline )); then
      log "$name: pid $pid still running after ${DOWN_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  log "$name: stopped"
  rm -f "$RUN_DIR/$name.pid"
done
