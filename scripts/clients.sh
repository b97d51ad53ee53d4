#!/usr/bin/env bash
# scripts/clients.sh — regenerate the API clients shipped in clients/ from openapi/openapi.yaml.
#
#   scripts/clients.sh           regenerate clients/python/claudomator_client (openapi-python-client)
#                                and clients/typescript/src/schema.d.ts (openapi-typescript)
#   scripts/clients.sh --check   regenerate into a scratch folder and fail if the committed
#                                clients differ (the drift check scripts/test.sh runs)
#   scripts/clients.sh --tools   only install the tools (the generators, and schemathesis for the
#                                conformance test tests/it/conformance.rs)
#
# The generators are pinned here and installed on first use: openapi-python-client into a
# virtualenv under target/py-tools (from PyPI), openapi-typescript and openapi-fetch into
# clients/typescript/node_modules (npm ci, versions in its package-lock.json). Needs python3
# (with venv) and npm.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

OPENAPI_PYTHON_CLIENT_VERSION="0.29.1"
SCHEMATHESIS_VERSION="4.32.5"
PY_TOOLS="$ROOT/target/py-tools"
PY_CONFORMANCE="$ROOT/target/py-conformance"
SPEC="$ROOT/openapi/openapi.yaml"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

install_tools() {
  if ! "$PY_TOOLS/bin/openapi-python-client" --version 2>/dev/null | grep -q "$OPENAPI_PYTHON_CLIENT_VERSION"; then
    log "installing openapi-python-client $OPENAPI_PYTHON_CLIENT_VERSION into target/py-tools"
    command -v python3 >/dev/null 2>&1 || die "python3 is missing"
    python3 -m venv "$PY_TOOLS" 2>/dev/null || {
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null && python3 -m venv "$PY_TOOLS"
    }
    "$PY_TOOLS/bin/pip" install -q --disable-pip-version-check "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION"
  fi
  # Its own virtualenv: its dependencies need not agree with the generator's.
  if ! "$PY_CONFORMANCE/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    log "installing schemathesis $SCHEMATHESIS_VERSION into target/py-conformance"
    python3 -m venv "$PY_CONFORMANCE"
    "$PY_CONFORMANCE/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  local stamp="clients/typescript/node_modules/.claudomator-lock"
  local want
  want="$(sha256sum clients/typescript/package-lock.json | cut -d' ' -f1)"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    log "npm ci in clients/typescript"
    (cd clients/typescript && npm ci --no-audit --no-fund --silent)
    echo "$want" > "$stamp"
  fi
}

# generate OUT_DIR: the Python package into OUT_DIR/python, the TS types into OUT_DIR/schema.d.ts
generate() {
  local out="$1"
  rm -rf "$out/python"
  "$PY_TOOLS/bin/openapi-python-client" generate --path "$SPEC" --output-path "$out/python" \
    --meta none --config clients/python/openapi-python-client.yaml >"$out/python-generate.log" 2>&1 \
    || { cat "$out/python-generate.log" >&2; die "openapi-python-client failed"; }
  # The one warning expected: the YAML body of POST /api/tasks has no Python model (JSON does).
  local warnings
  warnings="$(grep -c '^WARNING' "$out/python-generate.log" || true)"
  if (( warnings > 1 )) || { (( warnings == 1 )) && ! grep -q '^WARNING parsing POST /api/tasks within tasks\.$' "$out/python-generate.log"; }; then
    cat "$out/python-generate.log" >&2
    die "openapi-python-client warned about more than the YAML body of POST /api/tasks"
  fi
  (cd clients/typescript && node_modules/.bin/openapi-typescript "$SPEC" -o "$out/schema.d.ts" --silent >/dev/null)
}

case "${1:-}" in
  --tools)
    install_tools
    ;;
  --check)
    install_tools
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    generate "$scratch"
    drift=0
    diff -r -x __pycache__ "$scratch/python" clients/python/claudomator_client >/dev/null || drift=1
    diff "$scratch/schema.d.ts" clients/typescript/src/schema.d.ts >/dev/null || drift=1
    if (( drift )); then
      diff -r -x __pycache__ "$scratch/python" clients/python/claudomator_client | head -40 >&2 || true
      diff "$scratch/schema.d.ts" clients/typescript/src/schema.d.ts | head -40 >&2 || true
      die "clients/ is out of date with openapi/openapi.yaml; regenerate with scripts/clients.sh"
    fi
    log "clients/ matches openapi/openapi.yaml"
    ;;
  "")
    install_tools
    scratch="$(mktemp -d)"
    trap 'rm -rf "$scratch"' EXIT
    generate "$scratch"
    rm -rf clients/python/claudomator_client
    cp -r "$scratch/python" clients/python/claudomator_client
    cp "$scratch/schema.d.ts" clients/typescript/src/schema.d.ts
    log "regenerated clients/python/claudomator_client and clients/typescript/src/schema.d.ts"
    ;;
  *)
    die "usage: scripts/clients.sh [--check | --tools]"
    ;;
esac
