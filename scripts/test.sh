#!/usr/bin/env bash
# Quick start, command 2: every test (unit, integration on real Prosody, end to end).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
started=$(date +%s)
ensure_node
ensure_pnpm
ensure_server_tools
ensure_workspace
export TURBO_TELEMETRY_DISABLED=1
echo "==> lint (biome)"
"$PNPM" exec biome check .
echo "==> build + typecheck (tsc -b)"
"$PNPM" exec turbo run build --output-logs=errors-only
"$PNPM" exec tsc -b
echo "==> package checks (publint --strict, attw esm-only)"
"$PNPM" exec turbo run lint:pkg --output-logs=errors-only
echo "==> tests"
report="$ROOT/.tmp/vitest-report.json"
mkdir -p "$ROOT/.tmp"
set +e
"$PNPM" exec vitest run --reporter=default --reporter=json --outputFile.json="$report"
status=$?
set -e
node -e '
  const r = require(process.argv[1]);
  const secs = Math.round((Date.now() / 1000) - Number(process.argv[2]));
  console.log(`\nwhole run took ${secs} s`);
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$report" "$started" || true
exit $status
