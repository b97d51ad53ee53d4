#!/usr/bin/env bash
# bench/run.sh — the claudomator benchmark, in one command.
#
# Builds the release binaries and the load driver (bench/driver), starts a private redis-server
# on a spare loopback port (never the shared 6379), and for every workload creates a fresh
# Postgres database `cm_bench`, migrates it, mints a token, flushes the private Redis and starts
# one API node + one worker (WORKER_CONCURRENCY=64, WORKER_AGENTS=noop unless the part needs
# exec). The peers (BullMQ, apalis; arq on request) run against the same private Redis.
#
# Side by side: the compared workloads (W1 batch, W1 one request per task, W2) run claudomator
# and each selected peer alternately, A B A B …, PAIRS rounds (every line carries `round=`), so
# a machine that speeds up or slows down meanwhile moves both sides. The parts that have no
# peer run (mem, kill, flush) once, first. It prints one key=value line per run, then
# bench/report.py's median, ratio-of-medians (with the spread) and target lines, and stops
# everything it started (by PID) on exit.
#
# Env knobs:
#   PARTS       which parts (default "mem w1 w2 w2mixed kill flush bullmq bullmq-pg apalis");
#               also available: arq. w2mixed = W2 with WORKER_AGENTS=exec,noop (the default
#               agent list; noop tasks only). The peer parts join the alternation of the
#               workloads they have (bullmq: W1 batch, W1 single, W2; bullmq-pg and apalis: W1
#               batch, W2; arq: W1 single).
#   PAIRS       rounds of each compared workload (3; the medians need at least 3)
#   HISTORY_N   tasks of history for the `history` part (1000000; not in the default PARTS):
#               W1 batch on an empty database, then on HISTORY_N COMPLETED tasks (with their
#               events and executions) made with SQL; ratio to empty, bytes per task by table
#   N           W1 task count (20000)            W1_VARIANTS  "batch single"
#   RATE        W2 tasks/s (500)                 DURATION_S   W2 seconds (10)
#   MEM_N       tasks enqueued for the Redis memory figure (100000)
#   POLL        how W1 sees completion: exists (default: an EXISTS probe for unfinished tasks every
#               10 ms once all are inserted, then one count(*) = N check) or count (count(*) of
#               COMPLETED every 10 ms from the first request; costs Postgres CPU in the system
#               under test)
#   CONCURRENCY worker concurrency (64)
#   REDIS_PORT  private redis-server port (6399)  API_PORT  (18480)
#   PEERS_DIR   the peers' directory (default ../shared/bench/peers relative to the project root)
#   SKIP_BUILD=1  use the binaries as they are
#   BIN_DIR     where the api and worker binaries are (target/release; e.g. target/debug with
#               SKIP_BUILD=1 to check quickly that every part runs, never for figures)
#   PG_SSLMODE  sslmode of every claudomator Postgres connection (disable: loopback, like the
#               peers' plaintext connections; prefer = the library default, TLS when the server
#               offers it, as Debian's Postgres does)
#   W1_EXTRA    extra driver arguments for W1 (experiments, e.g. "--experiment-analyze 1": ANALYZE
#               tasks after the first batch, to show the claim with a correct plan; not a result)
#   EXPERIMENT_SQL  SQL run against every fresh cm_bench after its migrations (experiments only,
#               e.g. dropping a constraint to price it; printed on the machine line; not a result)
#   KEEP_DB=1   leave the last part's cm_bench in place for inspection (it is dropped by default)
#   QUIET_MAX   seconds to wait (at most) for a quiet machine before each measured part (20)
#   PROFILE=1   during W1: `perf record -a -g` the machine (needs perf) and log every statement of
#               cm_bench (log_min_duration_statement=0), summarised by bench/sqlprofile.py
# Output: stdout, and bench/results/run-<time>.txt (+ logs-<time>/ with process logs).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
PARTS="${PARTS:-mem w1 w2 w2mixed kill flush bullmq bullmq-pg apalis}"
N="${N:-20000}"
W1_VARIANTS="${W1_VARIANTS:-batch single}"
RATE="${RATE:-500}"
DURATION_S="${DURATION_S:-10}"
MEM_N="${MEM_N:-100000}"
POLL="${POLL:-exists}"
CONCURRENCY="${CONCURRENCY:-64}"
REDIS_PORT="${REDIS_PORT:-6399}"
API_PORT="${API_PORT:-18480}"
PAIRS="${PAIRS:-3}"
ROUND=1
PEERS_DIR="${PEERS_DIR:-$ROOT/../shared/bench/peers}"
PEER_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/peer-bench"
DB=cm_bench
PG_SSLMODE="${PG_SSLMODE:-disable}"
DB_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=$PG_SSLMODE"
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
PREFIX=bench
API_URL="http://127.0.0.1:$API_PORT"
BIN="${BIN_DIR:-$ROOT/target/release}"
DRIVER="$HERE/driver/target/release/claudomator-bench-driver"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$HERE/results"
OUT="$RESULTS/run-$STAMP.txt"
LOGS="$RESULTS/logs-$STAMP"
mkdir -p "$LOGS"
: >"$OUT"

PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt)
RCLI=(redis-cli -h 127.0.0.1 -p "$REDIS_PORT")

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
emit() { printf '%s\n' "$*" | tee -a "$OUT"; }

# ------------------------------------------------------------------ process bookkeeping
REDIS_PID=""
API_PID=""
WORKER_PIDS=()

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# Stops one process we started: SIGTERM, then SIGKILL after $2 seconds (default 15).
stop_pid() {
  local pid="$1" grace="${2:-15}" i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_services() {
  local p
  for p in "${WORKER_PIDS[@]:-}"; do [ -n "$p" ] && stop_pid "$p" 15; done
  WORKER_PIDS=()
  [ -n "$API_PID" ] && stop_pid "$API_PID" 15
  API_PID=""
}

cleanup() {
  local rc=$?
  set +e
  stop_services
  [ -n "$REDIS_PID" ] && stop_pid "$REDIS_PID" 5
  [ -n "${KEEP_DB:-}" ] || "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  log "cleaned up (exit $rc); results in $OUT"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ build
BUILD=skipped
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building release binaries (cargo build --release --workspace --locked --bins)"
  if (cd "$ROOT" && cargo build --release --workspace --locked --bins) >"$LOGS/build.log" 2>&1; then
    BUILD=fresh
  elif [ -x "$BIN/api" ] && [ -x "$BIN/worker" ]; then
    # Others edit the tree concurrently: a tree that does not compile right now must not stop
    # the benchmark; the previous binaries are used and the result says so.
    tail -15 "$LOGS/build.log" >&2
    log "build failed: using the existing binaries in $BIN (marked build=stale)"
    BUILD=stale
  else
    tail -30 "$LOGS/build.log" >&2; exit 1
  fi
  log "building the load driver"
  cargo build --release --locked --manifest-path "$HERE/driver/Cargo.toml" >"$LOGS/driver-build.log" 2>&1 ||
    { tail -30 "$LOGS/driver-build.log" >&2; exit 1; }
fi
[ -x "$BIN/api" ] && [ -x "$BIN/worker" ] && [ -x "$DRIVER" ] || { log "binaries missing"; exit 1; }

# ------------------------------------------------------------------ private Redis
if "${RCLI[@]}" ping >/dev/null 2>&1; then
  log "something already answers on port $REDIS_PORT: not ours, refusing to flush it (set REDIS_PORT)"
  exit 1
fi
if curl -s -o /dev/null --max-time 1 "$API_URL/" 2>/dev/null; then
  log "something already listens on $API_URL (set API_PORT)"
  exit 1
fi
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
  --logfile "$LOGS/redis.log" &
REDIS_PID=$!
for _ in $(seq 100); do "${RCLI[@]}" ping >/dev/null 2>&1 && break; sleep 0.05; done
"${RCLI[@]}" ping >/dev/null || { log "redis-server did not start"; exit 1; }

export DATABASE_URL="$DB_URL" REDIS_URL CLAUDOMATOR_REDIS_PREFIX="$PREFIX" RUST_LOG="${RUST_LOG:-warn}" \
  LOG_FORMAT=human CLAUDOMATOR_BIND="127.0.0.1:$API_PORT"

# ------------------------------------------------------------------ machine
emit "machine nproc=$(nproc) mem_mb=$(free -m | awk '/^Mem:/{print $2}') kernel=$(uname -r) \
redis=$(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/') \
postgres=$("${PSQL[@]}" -c 'SHOW server_version' | cut -d' ' -f1) \
synchronous_commit=$("${PSQL[@]}" -c 'SHOW synchronous_commit') \
git=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo +dirty) \
build=$BUILD binaries=$(date -r "$BIN/worker" +%Y-%m-%dT%H:%M:%S) \
load1=$(cut -d' ' -f1 /proc/loadavg)${EXPERIMENT_SQL:+ experiment_sql=\"$EXPERIMENT_SQL\"}"

# ------------------------------------------------------------------ one world per workload
TOKEN=""
fresh_world() {
  stop_services
  "${RCLI[@]}" FLUSHALL >/dev/null
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  "${PSQL[@]}" -c "CREATE DATABASE $DB" >/dev/null
  "$BIN/api" migrate >>"$LOGS/admin.log" 2>&1
  if [ -n "${EXPERIMENT_SQL:-}" ]; then "${PSQL[@]}" -d "$DB" -c "$EXPERIMENT_SQL" >/dev/null; fi
  TOKEN="$("$BIN/api" token create --name bench 2>>"$LOGS/admin.log")"
}

start_api() {
  "$BIN/api" serve >>"$LOGS/api.log" 2>&1 &
  API_PID=$!
  for _ in $(seq 200); do
    curl -sf "$API_URL/readyz" >/dev/null 2>&1 && return 0
    alive "$API_PID" || break
    sleep 0.05
  done
  log "API did not become ready"; tail -20 "$LOGS/api.log" >&2; return 1
}

# start_worker ID [VAR=value ...]: a worker process. Ready when one more Redis client than before
# has issued XREADGROUP (its claim loop is reading).
LAST_WORKER_PID=""
readers() { "${RCLI[@]}" CLIENT LIST 2>/dev/null | grep -c 'cmd=xreadgroup' || true; }
start_worker() {
  local id="$1"; shift
  local before
  before="$(readers)"
  env WORKER_ID="$id" WORKER_CONCURRENCY="$CONCURRENCY" WORKER_AGENTS=noop "$@" \
    "$BIN/worker" run >>"$LOGS/worker-$id.log" 2>&1 &
  LAST_WORKER_PID=$!
  WORKER_PIDS+=("$LAST_WORKER_PID")
  for _ in $(seq 200); do
    [ "$(readers)" -gt "$before" ] && return 0
    alive "$LAST_WORKER_PID" || break
    sleep 0.05
  done
  log "worker $id did not start reading"; tail -20 "$LOGS/worker-$id.log" >&2; return 1
}

DRIVEN=""
run_driver() { # run_driver SECONDS args...: the driver, bounded in time; its lines in DRIVEN
  local t="$1"; shift
  wait_quiet
  DRIVEN="$(timeout --signal=TERM "$t" "$DRIVER" "$@" --url "$API_URL" --token "$TOKEN" --db "$DB_URL" \
    --redis "$REDIS_URL" --prefix "$PREFIX" --worker-concurrency "$CONCURRENCY" --redis-pid "$REDIS_PID" \
    2>>"$LOGS/driver.log")" || { log "driver $1 failed or timed out (see $LOGS/driver.log)"; tail -5 "$LOGS/driver.log" >&2; return 1; }
}

drive() { # drive SECONDS args...: the driver, bounded in time, output to the results
  local line l
  run_driver "$@" || return 1
  line="$DRIVEN"
  # Every line of the driver (the result and its profile line) gets the round and the quiet check.
  while IFS= read -r l; do
    [ -n "$l" ] && emit "$l round=$ROUND $QUIET"
  done <<<"$line"
}

# Bounded wait for a quiet machine (load1 < 1, or >= 90 % CPU idle over one second) before a
# measured part; prints what it saw, appended to the result lines.
cpu_idle_pct() {
  local a b
  read -r _ u1 n1 s1 i1 w1 q1 sq1 st1 _ </proc/stat
  sleep 1
  read -r _ u2 n2 s2 i2 w2 q2 sq2 st2 _ </proc/stat
  local busy=$(((u2 - u1) + (n2 - n1) + (s2 - s1) + (q2 - q1) + (sq2 - sq1) + (st2 - st1)))
  local idle=$(((i2 - i1) + (w2 - w1)))
  echo $((100 * idle / (busy + idle)))
}
QUIET=""
wait_quiet() {
  local max="${QUIET_MAX:-20}" waited=0 load idle
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    idle=$(cpu_idle_pct)
    waited=$((waited + 1))
    if awk -v l="$load" 'BEGIN{exit !(l < 1.0)}' || [ "$idle" -ge 90 ]; then break; fi
    [ "$waited" -ge "$max" ] && break
    sleep 2; waited=$((waited + 2))
  done
  QUIET="pre_idle_pct=$idle pre_waited_s=$waited"
}

part_failed() { log "part $1 failed; continuing"; emit "failed part=$1"; }

run_mem() {
  log "MEM: $MEM_N tasks via the batch endpoint, no worker"
  fresh_world || return 1
  start_api || return 1
  drive 300 mem --n "$MEM_N" --api-pid "$API_PID" || return 1
  stop_services
  if [ -d "$PEER_CACHE/bullmq/node_modules" ] || WORKLOADS=none "$PEERS_DIR/bullmq/run.sh" >>"$LOGS/peers.log" 2>&1; then
    log "MEM: BullMQ, $MEM_N jobs via addBulk, no worker"
    cp "$HERE/bullmq-mem.mjs" "$PEER_CACHE/bullmq/"
    emit "$(cd "$PEER_CACHE/bullmq" && REDIS_URL="$REDIS_URL" N="$MEM_N" timeout 300 node bullmq-mem.mjs 2>>"$LOGS/peers.log")"
  fi
}

run_w1() { # run_w1 VARIANT: one W1 run of that variant (batch or single)
  local v="$1"
  log "W1 $v: $N noop tasks (round $ROUND)"
  fresh_world || return 1
  local pglog="" pgoff=0
  if [ "${PROFILE:-0}" = 1 ]; then
    # Statement durations of this database only, into the server log (read back below).
    "${PSQL[@]}" -c "ALTER DATABASE $DB SET log_min_duration_statement = 0" >/dev/null
    pglog="${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}"
    pgoff="$(stat -c %s "$pglog" 2>/dev/null || echo 0)"
  fi
  start_api || return 1
  start_worker bench-w1 || return 1
  local wpid="$LAST_WORKER_PID"
  if [ "$v" = batch ] && [ "$ROUND" = 1 ]; then
    sleep 2 # settle before reading idle RSS (not part of any timing)
    drive 30 rss --api-pid "$API_PID" --worker-pid "$wpid" || return 1
  fi
  local perf_pid="" tag="w1-$v-r$ROUND"
  if [ "${PROFILE:-0}" = 1 ] && command -v perf >/dev/null; then
    # System-wide, so the Postgres backends, Redis and the driver are in the profile too.
    perf record -a -g -F 499 -o "$LOGS/perf-$tag.data" >>"$LOGS/perf.log" 2>&1 &
    perf_pid=$!
    sleep 0.5
  fi
  # shellcheck disable=SC2086
  drive 300 w1 --variant "$v" --n "$N" --poll "$POLL" ${W1_EXTRA:-} --api-pid "$API_PID" --worker-pid "$wpid" || part_failed "w1-$v"
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    perf report -i "$LOGS/perf-$tag.data" --no-children --sort comm --stdio 2>/dev/null |
      grep -v '^#' | grep -v '^$' | head -12 >"$LOGS/perf-$tag-comm.txt" || true
    perf report -i "$LOGS/perf-$tag.data" --no-children --comm postgres --sort sym --stdio -g none 2>/dev/null |
      grep -v '^#' | grep -v '^$' | head -40 >"$LOGS/perf-$tag-postgres.txt" || true
    log "perf profile: $LOGS/perf-$tag.data (summaries $LOGS/perf-$tag-comm.txt, $LOGS/perf-$tag-postgres.txt)"
  fi
  if [ -n "$pglog" ] && [ -r "$pglog" ]; then
    python3 "$HERE/sqlprofile.py" "$pglog" "$pgoff" "$DB" | tee "$LOGS/sqlprofile-$tag.txt" >&2 || true
  fi
}

# sizes: every table of cm_bench with its size (indexes and TOAST included), one `name bytes` a line.
sizes() {
  "${PSQL[@]}" -d "$DB" -F ' ' -c "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c \
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
}

# table_bytes DIVISOR BASELINE_FILE: `bytes_<table>=…` per task of what each table grew by since
# the baseline (tables that grew by at least one byte per task) and `bytes_per_task=…` in all.
table_bytes() {
  sizes | awk -v n="$1" 'NR == FNR { base[$1] = $2; next }
    { d = $2 - base[$1]; t += d; if (d / n >= 1) printf "bytes_%s=%.0f ", $1, d / n }
    END { printf "bytes_per_task=%.0f", t / n }' "$2" -
}

# make_history H: H COMPLETED noop tasks created over the ten days before the last hour (inside
# the default retention, so nothing is pruned meanwhile), each with the rows a real one has: its
# three events (create to QUEUED, start, succeed) and one execution, written with SQL. Their
# events count as published (the outbox row is dropped). VACUUM ANALYZE then leaves the tables
# as an installation past its first autovacuum would have them.
make_history() {
  local h="$1"
  "${PSQL[@]}" -d "$DB" <<SQL
WITH g AS (
  SELECT i, (extract(epoch FROM now()) * 1000)::bigint - 3600000 - (i::bigint * 864000000 / $h) AS ms,
         uuid_send(gen_random_uuid()) AS r
  FROM generate_series(1, $h) AS i
)
INSERT INTO tasks (id, title, agent, state, attempt, attempts_charged, queued_at, created_at, updated_at)
SELECT encode(set_byte(overlay(r PLACING substring(int8send(ms) FROM 3) FROM 1 FOR 6), 6,
                       (get_byte(r, 6) & 15) | 112), 'hex')::uuid,
       'history', 'noop', 'COMPLETED', 1, 1, to_timestamp(ms / 1000.0), to_timestamp(ms / 1000.0),
       to_timestamp(ms / 1000.0) + interval '5 milliseconds'
FROM g;
INSERT INTO task_events (task_id, from_state, to_state, event, attempt, actor, created_at)
SELECT t.id, e.f::task_state, e.t::task_state, e.ev, e.a, e.actor, t.created_at + e.d * interval '1 millisecond'
FROM tasks t CROSS JOIN (VALUES (NULL, 'QUEUED', 'create', 0, 'api:bench', 0),
                                ('QUEUED', 'RUNNING', 'start', 1, 'bench-w1', 2),
                                ('RUNNING', 'COMPLETED', 'succeed', 1, 'bench-w1', 5)) AS e(f, t, ev, a, actor, d)
ORDER BY t.id, e.d;
DELETE FROM event_outbox_batches;
INSERT INTO executions (id, task_id, attempt, worker_id, started_at, finished_at, exit_code, outcome)
SELECT gen_random_uuid(), t.id, 1, 'bench-w1', t.created_at + interval '2 milliseconds', t.updated_at, 0, 'succeeded'
FROM tasks t;
SQL
  "${PSQL[@]}" -d "$DB" -c "VACUUM ANALYZE" >/dev/null
}

# HISTORY: W1 batch on an empty database, then W1 batch on HISTORY_N tasks of history; reports
# the ratio, and the bytes per task of each (by table): of the run's tasks, made through the API,
# and of the history. The two W1 lines are kept with the prefix `history_w1` (not W1 results).
run_history() {
  local h="${HISTORY_N:-1000000}" empty hist fill0 fill_s api_bytes hist_bytes
  log "HISTORY: W1 batch of $N tasks on an empty database, then on $h tasks of history (round $ROUND)"
  fresh_world || return 1
  sizes >"$LOGS/sizes-empty.txt"
  start_api || return 1
  start_worker bench-h1 || return 1
  run_driver 300 w1 --variant batch --n "$N" --poll "$POLL" --api-pid "$API_PID" --worker-pid "$LAST_WORKER_PID" || return 1
  emit "history_w1 $(head -1 <<<"$DRIVEN") round=$ROUND $QUIET"
  empty="$(head -1 <<<"$DRIVEN" | tr ' ' '\n' | sed -n 's/^jobs_per_s=//p')"
  stop_services
  api_bytes="$(table_bytes "$N" "$LOGS/sizes-empty.txt")"
  fresh_world || return 1
  fill0=$(date +%s.%N)
  make_history "$h" || return 1
  fill_s=$(awk -v a="$fill0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')
  hist_bytes="$(table_bytes "$h" "$LOGS/sizes-empty.txt" | sed 's/bytes_/history_bytes_/g')"
  start_api || return 1
  start_worker bench-h2 || return 1
  run_driver 600 w1 --variant batch --n "$N" --poll "$POLL" --history "$h" --api-pid "$API_PID" \
    --worker-pid "$LAST_WORKER_PID" || return 1
  emit "history_w1 $(head -1 <<<"$DRIVEN") history=$h round=$ROUND $QUIET"
  hist="$(head -1 <<<"$DRIVEN" | tr ' ' '\n' | sed -n 's/^jobs_per_s=//p')"
  stop_services
  emit "peer=claudomator workload=W1_HISTORY history=$h n=$N jobs_per_s=$hist empty_jobs_per_s=$empty \
ratio_to_empty=$(awk -v a="$hist" -v b="$empty" 'BEGIN{ if (b > 0) printf "%.3f", a / b; else print "nan" }') \
history_fill_s=$fill_s $api_bytes $hist_bytes round=$ROUND"
}

run_w2() { # run_w2 [AGENTS]
  local agents="${1:-noop}"
  log "W2: open loop $RATE tasks/s for $DURATION_S s (worker agents: $agents, round $ROUND)"
  fresh_world || return 1
  start_api || return 1
  start_worker bench-w2 WORKER_AGENTS="$agents" || return 1
  drive 180 w2 --rate "$RATE" --duration-s "$DURATION_S" --agents "$agents" --api-pid "$API_PID" \
    --worker-pid "$LAST_WORKER_PID" || return 1
}

run_kill() {
  log "RECOVERY kill -9: two workers (exec,noop), exec tasks 'sleep 2', LEASE_TTL_MS=30000 RECLAIM_INTERVAL_MS=5000"
  fresh_world || return 1
  start_api || return 1
  start_worker bench-a WORKER_AGENTS=exec,noop LEASE_TTL_MS=30000 RECLAIM_INTERVAL_MS=5000 || return 1
  local a="$LAST_WORKER_PID"
  start_worker bench-b WORKER_AGENTS=exec,noop LEASE_TTL_MS=30000 RECLAIM_INTERVAL_MS=5000 || return 1
  local b="$LAST_WORKER_PID"
  drive 120 kill --pid-a "$a" --id-a bench-a --pid-b "$b" --id-b bench-b --n 16 --sleep-s 2 \
    --lease-ttl-ms 30000 --reclaim-interval-ms 5000 || return 1
}

run_flush() {
  log "RECOVERY FLUSHALL: 1000 QUEUED noop tasks behind 64 running 'sleep 120' exec tasks"
  fresh_world || return 1
  start_api || return 1
  # SHUTDOWN_GRACE_MS=1000: on SIGTERM the worker stops the sleeps at once (process groups).
  start_worker bench-f WORKER_AGENTS=exec,noop SHUTDOWN_GRACE_MS=1000 || return 1
  drive 150 flush --n 1000 --blockers "$CONCURRENCY" --grace-ms 5000 || return 1
}

peer() { # peer NAME WORKLOADS [VAR=value ...]: each workload in a fresh process, after a quiet check
  local name="$1" wl="$2"; shift 2
  local w out l
  for w in $wl; do
    log "peer $name: $w (round $ROUND)"
    wait_quiet
    out="$(env REDIS_URL="$REDIS_URL" FLUSH=1 N="$N" RATE="$RATE" DURATION_S="$DURATION_S" CONCURRENCY="$CONCURRENCY" \
      TIMEOUT_S=300 WORKLOADS="$w" "$@" timeout 900 "$PEERS_DIR/$name/run.sh" 2>>"$LOGS/peers.log")" ||
      { log "peer $name $w failed (see $LOGS/peers.log)"; tail -5 "$LOGS/peers.log" >&2; emit "failed part=$name-$w"; }
    while IFS= read -r l; do
      [ -n "$l" ] && emit "$l load1=$(cut -d' ' -f1 /proc/loadavg) round=$ROUND $QUIET"
    done <<<"$out"
  done
  return 0
}

has_part() { [[ " $PARTS " == *" $1 "* ]]; }
has_variant() { [[ " $W1_VARIANTS " == *" $1 "* ]]; }

# run_unit NAME: one run of one side of a comparison.
run_unit() {
  case "$1" in
    cm-w1-batch) run_w1 batch || part_failed w1-batch ;;
    cm-w1-single) run_w1 single || part_failed w1-single ;;
    cm-w2) run_w2 noop || part_failed w2 ;;
    cm-w2mixed) run_w2 exec,noop || part_failed w2mixed ;;
    bullmq-*) stop_services; peer bullmq "${1#bullmq-}" ;;
    # BullMQ + one Postgres INSERT per job (the peer's closest shape to "every result durable").
    bullmqpg-*) stop_services; fresh_world; peer bullmq "${1#bullmqpg-}" PG_URL="$DB_URL" ;;
    apalis-*) stop_services; peer apalis "${1#apalis-}" ;;
    arq-w1) stop_services; peer arq "w1" POLL_DELAY=0.01 ;;
  esac
}

# alternate UNIT...: PAIRS rounds of the units in turn (A B … A B …).
alternate() {
  [ "$#" -gt 0 ] || return 0
  local u
  for ((ROUND = 1; ROUND <= PAIRS; ROUND++)); do
    for u in "$@"; do run_unit "$u"; done
  done
  ROUND=1
}

# The parts without a peer, once each, in the order given.
ROUND=1
for part in $PARTS; do
  case "$part" in
    mem) run_mem || part_failed mem ;;
    kill) run_kill || part_failed kill ;;
    flush) run_flush || part_failed flush ;;
    history) run_history || part_failed history ;;
    w1 | w2 | w2mixed | bullmq | bullmq-pg | apalis | arq) ;;
    *) log "unknown part $part" ;;
  esac
done

# The compared workloads, each side by side with its peers.
units=()
if has_part w1 && has_variant batch; then units+=(cm-w1-batch); fi
if has_part bullmq; then units+=(bullmq-w1-bulk); fi
if has_part bullmq-pg; then units+=(bullmqpg-w1-bulk); fi
if has_part apalis; then units+=(apalis-w1-bulk); fi
alternate "${units[@]}"
units=()
if has_part w1 && has_variant single; then units+=(cm-w1-single); fi
if has_part bullmq; then units+=(bullmq-w1-add); fi
if has_part arq; then units+=(arq-w1); fi
alternate "${units[@]}"
units=()
if has_part w2; then units+=(cm-w2); fi
if has_part w2mixed; then units+=(cm-w2mixed); fi
if has_part bullmq; then units+=(bullmq-w2); fi
if has_part bullmq-pg; then units+=(bullmqpg-w2); fi
if has_part apalis; then units+=(apalis-w2); fi
alternate "${units[@]}"
stop_services

# ------------------------------------------------------------------ ratios and targets
python3 "$HERE/report.py" "$OUT" | tee -a "$OUT.ratios"
cat "$OUT.ratios" >>"$OUT"
rm -f "$OUT.ratios"
cp "$OUT" "$RESULTS/latest.txt"
