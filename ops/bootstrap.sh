#!/usr/bin/env bash
# Entry point of every npm script: make sure the npm dependencies match package-lock.json (npm ci
# when they do not), then run the given TypeScript entry point with tsx.
set -euo pipefail
cd "$(dirname "$0")/.."
entry=$1; shift
stamp=node_modules/.parley-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[bootstrap] installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
exec node --import tsx "$entry" "$@"
