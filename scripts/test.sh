#!/usr/bin/env bash
# Quick start, command 2: every test (unit, integration on real Prosody, end to end).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
started=$(date +%s)
ensure_node
ensure_pnpm
ensure_server_tools
ensure_test_peers
ensure_workspace
export TURBO_TELEMETRY_DISABLED=1
echo "==> lint (biome)"
"$PNPM" exec biome check .
echo "==> build + typecheck (tsc -b)"
"$PNPM" exec turbo run build --output-logs=errors-only
"$PNPM" exec tsc -b
echo "==> package checks (publint --strict, attw esm-only)"
"$PNPM" exec turbo run lint:pkg --output-logs=errors-only
echo "==> tests (unit, integration on real Prosody, OpenClaw end to end)"
find "$ROOT/packages" "$ROOT/apps" -maxdepth 2 -name .vitest-report.json -delete
set +e
# Unit suites first, side by side; then the real-server suites on their own (they start Prosody
# instances and OpenClaw gateways, and would starve the unit suites of the 2 cores).
report=(-- --reporter=default --reporter=json --outputFile.json=.vitest-report.json)
"$PNPM" exec turbo run test --concurrency=3 --filter='!@clawxmpp/integration' "${report[@]}"
status=$?
"$PNPM" exec turbo run test --filter=@clawxmpp/integration "${report[@]}" || status=1
node "$ROOT/scripts/readme-check.mjs" || status=1 # README blocks from packed tarballs (docs/releasing.md)
set -e
node "$ROOT/apps/integration/scripts/matrix.mjs" "$ROOT/apps/integration/.vitest-report.json" "$ROOT/apps/integration/README.md" || true
node -e '
  const fs = require("node:fs");
  const path = require("node:path");
  let passed = 0, failed = 0, skipped = 0;
  for (const group of ["packages", "apps"]) {
    const dir = path.join(process.argv[1], group);
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name, ".vitest-report.json");
      if (!fs.existsSync(file)) continue;
      const r = JSON.parse(fs.readFileSync(file, "utf8"));
      passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
      console.log(`  ${group}/${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
    }
  }
  const secs = Math.round(Date.now() / 1000 - Number(process.argv[2]));
  console.log(`\nwhole run took ${secs} s`);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (failed > 0) process.exitCode = 1;
' "$ROOT" "$started" || status=1
exit $status
