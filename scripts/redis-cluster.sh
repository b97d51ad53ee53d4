#!/usr/bin/env bash
# scripts/redis-cluster.sh — a local 3-master Redis Cluster on loopback, from Debian's
# redis-server, for running the test suite against a cluster.
#
#   scripts/redis-cluster.sh start   start (or reuse) the nodes, create the cluster, print the
#                                    comma-separated node URLs on stdout
#   scripts/redis-cluster.sh stop    stop the nodes this script started (by their PIDs)
#
# Environment:
#   CLUSTER_BASE_PORT  first port (default 7101; nodes use BASE, BASE+1, BASE+2)
#   CLUSTER_DIR        where node files and PID files live (default .run/redis-cluster)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="${CLUSTER_BASE_PORT:-7101}"
DIR="${CLUSTER_DIR:-$ROOT/.run/redis-cluster}"
PORTS=("$BASE" "$((BASE + 1))" "$((BASE + 2))")

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

ping() { redis-cli -p "$1" ping 2>/dev/null | grep -q PONG; }

stop() {
  for p in "${PORTS[@]}"; do
    local pidfile="$DIR/$p/redis.pid"
    if [[ -f "$pidfile" ]]; then
      local pid; pid="$(cat "$pidfile")"
      if kill -0 "$pid" 2>/dev/null && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
        kill "$pid"
      fi
      rm -f "$pidfile"
    fi
  done
  rm -rf "$DIR"
}

start() {
  command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed (scripts/services.sh installs it)"
  stop
  for p in "${PORTS[@]}"; do
    mkdir -p "$DIR/$p"
    ! ping "$p" || die "port $p is already serving Redis; set CLUSTER_BASE_PORT"
    redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --cluster-enabled yes \
      --cluster-config-file "$DIR/$p/nodes.conf" --cluster-node-timeout 2000 --dir "$DIR/$p" \
      --daemonize yes --pidfile "$DIR/$p/redis.pid" --logfile "$DIR/$p/redis.log"
  done
  local deadline=$((SECONDS + 20))
  for p in "${PORTS[@]}"; do
    until ping "$p"; do (( SECONDS < deadline )) || die "node $p did not start"; sleep 0.1; done
  done
  redis-cli --cluster create "${PORTS[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >/dev/null
  for p in "${PORTS[@]}"; do
    until redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok'; do
      (( SECONDS < deadline )) || die "cluster did not become ok"; sleep 0.1
    done
  done
  log "Redis Cluster up on ports ${PORTS[*]}"
  local urls=()
  for p in "${PORTS[@]}"; do urls+=("redis://127.0.0.1:$p"); done
  (IFS=,; echo "${urls[*]}")
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: scripts/redis-cluster.sh start|stop" ;;
esac
