#!/usr/bin/env bash
# scripts/web.sh — build the web UI (web/ → web/dist), which every API node serves at `/`.
# Called by scripts/up.sh and scripts/test.sh.
#
# Installs nodejs and npm with apt-get when npm is missing (root or sudo needed). Runs
# `npm ci` only when web/package-lock.json changed since the last install (a stamp in
# web/node_modules), so a rebuild costs only `npm run build`: the API types generated from
# openapi/openapi.yaml, the type check, and the Vite build. Needs Node.js 18 or newer.
#
# Environment:
#   SERVICES_NO_INSTALL=1   never apt-get install; fail instead (as scripts/services.sh)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/web"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '==> ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v npm >/dev/null 2>&1; then
  [[ "${SERVICES_NO_INSTALL:-}" == 1 ]] && die "npm is missing (install nodejs and npm)"
  sudo=""; [[ "$(id -u)" == 0 ]] || sudo="sudo"
  log "installing nodejs and npm"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
(( major >= 18 )) || die "Node.js $(node --version) is too old for the web UI build; 18 or newer is needed"

stamp="node_modules/.claudomator-lock"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  log "installing the web UI's npm packages (npm ci)"
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error >&2
  printf '%s\n' "$want" >"$stamp"
fi

log "building the web UI (web/dist)"
npm run --silent build >&2
[[ -f dist/index.html ]] || die "the build finished but web/dist/index.html is missing"
