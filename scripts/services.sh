#!/usr/bin/env bash
# scripts/services.sh — make sure the Postgres and Redis that claudomator uses are reachable.
#
# For a LOCAL host (127.0.0.1 / localhost / ::1) it starts the service when it is down,
# installing it with apt-get first when it is missing (Debian/Ubuntu, needs root or sudo).
# For Postgres it then makes sure the role and database named in DATABASE_URL exist
# (role: LOGIN CREATEDB, password from the URL; database owned by that role). A remote
# host is only probed: if it is unreachable the script fails, it never manages it.
# It also installs bubblewrap (`bwrap`), which workers run every agent process in
# (AGENT_SANDBOX=bwrap, the default), and warns when it cannot create a sandbox here.
# Idempotent: run it as often as you like. Exits 0 when both services answer.
#
# Environment:
#   DATABASE_URL      default postgres://claudomator:claudomator@127.0.0.1:5432/claudomator
#   REDIS_URL         default redis://127.0.0.1:6379  (the port is honoured when starting redis)
#   SERVICES_TIMEOUT  seconds to wait for each service to come up (default 30)
#   SERVICES_NO_INSTALL=1  never apt-get install; fail instead
# shellcheck disable=SC2016  # single-quoted bash -c snippets expand their own $1/$2
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgres://claudomator:claudomator@127.0.0.1:5432/claudomator}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
SERVICES_TIMEOUT="${SERVICES_TIMEOUT:-30}"

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf '==> WARNING: %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi

# --- URL parsing --------------------------------------------------------------
# Splits scheme://[user[:password]@]host[:port][/path][?query] into the URL_* globals.
urldecode() { local s="${1//+/ }"; printf '%b' "${s//%/\\x}"; }
parse_url() {
  local url="$1" default_port="$2" rest userinfo hostport
  rest="${url#*://}"
  rest="${rest%%\?*}"; rest="${rest%%#*}"
  URL_PATH=""
  if [[ "$rest" == */* ]]; then URL_PATH="${rest#*/}"; rest="${rest%%/*}"; fi
  URL_USER=""; URL_PASS=""
  if [[ "$rest" == *@* ]]; then
    userinfo="${rest%@*}"; hostport="${rest##*@}"
    if [[ "$userinfo" == *:* ]]; then URL_USER="${userinfo%%:*}"; URL_PASS="${userinfo#*:}"; else URL_USER="$userinfo"; fi
    URL_USER="$(urldecode "$URL_USER")"; URL_PASS="$(urldecode "$URL_PASS")"
  else
    hostport="$rest"
  fi
  if [[ "$hostport" == \[* ]]; then            # [ipv6]:port
    URL_HOST="${hostport#\[}"; URL_HOST="${URL_HOST%%\]*}"
    URL_PORT="${hostport##*\]}"; URL_PORT="${URL_PORT#:}"
  elif [[ "$hostport" == *:* ]]; then
    URL_HOST="${hostport%%:*}"; URL_PORT="${hostport##*:}"
  else
    URL_HOST="$hostport"; URL_PORT=""
  fi
  URL_HOST="${URL_HOST:-127.0.0.1}"
  URL_PORT="${URL_PORT:-$default_port}"
  URL_PATH="$(urldecode "$URL_PATH")"
}

is_local_host() {
  case "$1" in 127.*|localhost|::1|0.0.0.0) return 0 ;; *) return 1 ;; esac
}

# tcp_connect HOST PORT: true when something accepts a TCP connection.
tcp_connect() {
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

# --- apt ----------------------------------------------------------------------
APT_UPDATED=0
apt_install() {
  [[ "${SERVICES_NO_INSTALL:-0}" == 1 ]] && die "$* is not installed and SERVICES_NO_INSTALL=1"
  command -v apt-get >/dev/null 2>&1 || die "$* is not installed and apt-get is not available: install it by hand"
  if [[ "$APT_UPDATED" == 0 ]]; then
    log "apt-get update"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# --- Redis --------------------------------------------------------------------
# redis_probe: prints PONG / an error reply / nothing; returns 0 only on PONG.
redis_probe() {
  local out
  if command -v redis-cli >/dev/null 2>&1; then
    out="$(timeout 5 redis-cli --no-auth-warning -u "$REDIS_URL" ping 2>&1 || true)"
  else
    out="$(timeout 5 bash -c '
      exec 3<>"/dev/tcp/$1/$2" || exit 1
      if [[ -n "$3" ]]; then
        if [[ -n "$4" ]]; then printf "AUTH %s %s\r\n" "$4" "$3" >&3; else printf "AUTH %s\r\n" "$3" >&3; fi
        IFS= read -r -t 3 _ <&3
      fi
      printf "PING\r\n" >&3
      IFS= read -r -t 3 line <&3 && printf "%s\n" "${line%$'"'"'\r'"'"'}"
    ' _ "$R_HOST" "$R_PORT" "$R_PASS" "$R_USER" 2>/dev/null || true)"
  fi
  printf '%s' "$out"
  [[ "$out" == *PONG* ]]
}

start_redis() {
  local port="$1" dir=/var/lib/redis logdir=/var/log/redis
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server
    # The package may have started its own server on 6379 already.
    redis_probe >/dev/null && return 0
  fi
  "${SUDO[@]}" mkdir -p "$dir" "$logdir"
  local logfile="$logdir/ci.log" pidfile="/var/run/redis_${port}.pid"
  [[ "$port" != 6379 ]] && logfile="$logdir/ci-${port}.log"
  log "starting redis-server on port $port (log: $logfile)"
  "${SUDO[@]}" redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" \
    --save "" --appendonly no --dir "$dir" --logfile "$logfile" --pidfile "$pidfile" >&2 \
    || die "redis-server failed to start; see $logfile"
}

ensure_redis() {
  parse_url "$REDIS_URL" 6379
  R_HOST="$URL_HOST" R_PORT="$URL_PORT" R_USER="$URL_USER" R_PASS="$URL_PASS"
  local out
  if out="$(redis_probe)"; then
    log "redis is up at $R_HOST:$R_PORT"
    return 0
  fi
  if tcp_connect "$R_HOST" "$R_PORT"; then
    # Something listens there but did not answer PONG (wrong password, TLS, not redis...).
    die "something listens on $R_HOST:$R_PORT but 'PING' did not get PONG (got: ${out:-nothing}); check REDIS_URL"
  fi
  is_local_host "$R_HOST" || die "redis at $R_HOST:$R_PORT (REDIS_URL) is unreachable and is not local: start it yourself"
  log "redis is not answering on $R_HOST:$R_PORT; starting it"
  start_redis "$R_PORT"
  local deadline=$((SECONDS + SERVICES_TIMEOUT))
  until redis_probe >/dev/null; do
    (( SECONDS < deadline )) || die "redis did not answer on $R_HOST:$R_PORT within ${SERVICES_TIMEOUT}s"
    sleep 0.5
  done
  log "redis is up at $R_HOST:$R_PORT"
}

# --- Postgres -----------------------------------------------------------------
# pg_probe: 0 = accepting, 1 = up but rejecting (e.g. starting), 2 = no response.
pg_probe() {
  if command -v pg_isready >/dev/null 2>&1; then
    local rc=0
    pg_isready -q -h "$P_HOST" -p "$P_PORT" -t 3 >/dev/null 2>&1 || rc=$?
    case "$rc" in 0) return 0 ;; 1) return 1 ;; *) return 2 ;; esac
  fi
  tcp_connect "$P_HOST" "$P_PORT" && return 0
  return 2
}

newest_pg_version() {
  local v best=""
  for v in /usr/lib/postgresql/*/bin/postgres; do
    [[ -x "$v" ]] || continue
    v="${v#/usr/lib/postgresql/}"; v="${v%%/*}"
    if [[ -z "$best" ]] || (( v > best )); then best="$v"; fi
  done
  printf '%s' "$best"
}

start_postgres() {
  local port="$1"
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$(newest_pg_version)" ]]; then
    apt_install postgresql
    # The package creates (and may start) a default cluster; check before doing more.
    pg_probe && return 0
  fi
  # Find a cluster configured for this port: "ver name port status owner datadir logfile".
  local ver="" name="" status="" c_ver c_name c_port c_status
  while read -r c_ver c_name c_port c_status _; do
    if [[ "$c_port" == "$port" ]]; then ver="$c_ver" name="$c_name" status="$c_status"; break; fi
  done < <(pg_lsclusters -h 2>/dev/null || true)
  if [[ -z "$ver" ]]; then
    ver="$(newest_pg_version)"
    [[ -n "$ver" ]] || die "no PostgreSQL server binaries found under /usr/lib/postgresql"
    name=main
    if [[ -d "/etc/postgresql/$ver/main" ]]; then name="claudomator$port"; fi
    log "creating PostgreSQL cluster $ver/$name on port $port"
    "${SUDO[@]}" pg_createcluster --port "$port" "$ver" "$name" >&2
  fi
  if [[ "$status" == online* ]]; then
    log "PostgreSQL cluster $ver/$name is already running; waiting for it"
    return 0
  fi
  log "starting PostgreSQL cluster $ver/$name (port $port)"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2 \
    || warn "pg_ctlcluster start returned non-zero; waiting to see whether it comes up anyway"
}

# run_pg_superuser_sql: runs SQL from stdin as the postgres superuser, first over the
# local socket as the OS user postgres (peer auth on a fresh install), then over TCP as
# the postgres role (trust auth), then as the current OS user.
run_pg_superuser_sql() {
  local sql err1="" err2="" err3=""
  sql="$(cat)"
  local -a vars=(-v ON_ERROR_STOP=1 -X -q -v "role=$P_USER" -v "pw=$P_PASS" -v "db=$P_DB")
  if [[ "$(id -u)" == 0 ]] && command -v runuser >/dev/null 2>&1 && id postgres >/dev/null 2>&1; then
    if err1="$(cd / && runuser -u postgres -- psql "${vars[@]}" -p "$P_PORT" -d postgres <<<"$sql" 2>&1 >/dev/null)"; then return 0; fi
  elif [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    if err1="$(cd / && sudo -n -u postgres psql "${vars[@]}" -p "$P_PORT" -d postgres <<<"$sql" 2>&1 >/dev/null)"; then return 0; fi
  else
    err1="(cannot switch to the postgres OS user)"
  fi
  if err2="$(psql "${vars[@]}" -h "$P_HOST" -p "$P_PORT" -U postgres -d postgres -w <<<"$sql" 2>&1 >/dev/null)"; then return 0; fi
  if err3="$(psql "${vars[@]}" -h "$P_HOST" -p "$P_PORT" -d postgres -w <<<"$sql" 2>&1 >/dev/null)"; then return 0; fi
  printf '==>   as OS user postgres over the socket: %s\n==>   as role postgres over TCP: %s\n==>   as the current user over TCP: %s\n' \
    "$err1" "$err2" "$err3" >&2
  return 1
}

ensure_pg_role_and_db() {
  [[ -n "$P_USER" ]] || { warn "DATABASE_URL names no user; skipping role/database setup"; return 0; }
  [[ -n "$P_DB" ]] || P_DB="$P_USER"
  command -v psql >/dev/null 2>&1 || apt_install postgresql-client
  log "ensuring role '$P_USER' (LOGIN CREATEDB) and database '$P_DB' exist"
  # psql variables are not expanded inside DO blocks, so build statements with
  # format() and run them with \gexec; the WHERE NOT EXISTS guards make it idempotent.
  run_pg_superuser_sql <<'SQL' || die "could not create the role/database as the postgres superuser (see above)"
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', :'role', NULLIF(:'pw', ''))
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role')
\gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB', :'role')
 WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role' AND NOT (rolcanlogin AND rolcreatedb))
\gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw')
 WHERE :'pw' <> '' AND EXISTS (SELECT 1 FROM pg_authid WHERE rolname = :'role' AND rolpassword IS NULL)
\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db')
\gexec
SQL
  local owner
  owner="$(psql -X -w -Atq "$DATABASE_URL" -c 'SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()' 2>/dev/null)" \
    || { warn "role/database exist but 'psql \$DATABASE_URL' failed: check pg_hba.conf and the password in DATABASE_URL"; return 0; }
  [[ "$owner" == "$P_USER" ]] || warn "database '$P_DB' is owned by '$owner', not '$P_USER'; migrations may lack privileges"
  log "postgres: '$P_USER' can connect to '$P_DB'"
}

ensure_postgres() {
  parse_url "$DATABASE_URL" 5432
  P_HOST="$URL_HOST" P_PORT="$URL_PORT" P_USER="$URL_USER" P_PASS="$URL_PASS" P_DB="$URL_PATH"
  local rc=0
  pg_probe || rc=$?
  if (( rc != 0 )); then
    is_local_host "$P_HOST" || die "postgres at $P_HOST:$P_PORT (DATABASE_URL) is unreachable and is not local: start it yourself"
    if (( rc == 2 )); then
      log "postgres is not answering on $P_HOST:$P_PORT; starting it"
      start_postgres "$P_PORT"
    else
      log "postgres on $P_HOST:$P_PORT is up but not accepting connections yet; waiting"
    fi
    local deadline=$((SECONDS + SERVICES_TIMEOUT))
    until pg_probe; do
      (( SECONDS < deadline )) || die "postgres did not become ready on $P_HOST:$P_PORT within ${SERVICES_TIMEOUT}s"
      sleep 0.5
    done
  fi
  log "postgres is up at $P_HOST:$P_PORT"
  if is_local_host "$P_HOST"; then
    ensure_pg_role_and_db
  else
    log "DATABASE_URL is not local; not managing roles or databases there"
  fi
}

# --- bubblewrap ---------------------------------------------------------------
ensure_bubblewrap() {
  command -v bwrap >/dev/null 2>&1 || apt_install bubblewrap
  # The worker probes the same way at startup and refuses to start when this fails.
  if ! bwrap --unshare-user --unshare-pid --die-with-parent --ro-bind /usr /usr \
      --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 -- true >/dev/null 2>&1; then
    warn "bwrap cannot create a sandbox here (user namespaces disabled?); workers need AGENT_SANDBOX=none"
  fi
}

ensure_bubblewrap
ensure_redis
ensure_postgres
log "services ready"
