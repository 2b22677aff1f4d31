#!/usr/bin/env bash
# Entry point of every npm script: make sure the npm dependencies match package-lock.json (npm ci
# when they do not), then run the given TypeScript entry point with tsx. Scripts started at once
# (a test run beside `npm start`) take turns: one installs, the others find it done.
set -euo pipefail
cd "$(dirname "$0")/.."
entry=$1; shift
stamp=node_modules/.parley-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
current() { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; }
if ! current; then
  exec 9>.npm-install.lock
  flock 9
  if ! current; then
    echo "[bootstrap] installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
  flock -u 9
fi
exec node --import tsx "$entry" "$@"
