#!/usr/bin/env bash
# Quick start, command 1: the echo bot on an embedded throwaway Prosody (`npm run demo -- --help`).
# Installs only what the demo needs (the echo bot and the workspace packages it uses, not OpenClaw)
# and says what it is doing while it installs and builds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node
ensure_pnpm
ensure_server_tools
cd "$ROOT"
echo "==> installing the echo bot's packages (core, policy, muc, markers, upload and their dependencies)"
CI=true "$PNPM" install --frozen-lockfile --filter "@clawxmpp/echo-bot..." --reporter=append-only 2>&1 |
  grep --line-buffered -E "^(Progress|Packages:|Done|dependencies:|.*ERR)" |
  sed -u -e 's/^/    /'
echo "==> building (tsc -b; only what changed since the last run)"
"$ROOT/apps/echo-bot/node_modules/.bin/tsc" -b apps/echo-bot/tsconfig.build.json --verbose 2>&1 |
  sed -u -n -E \
    -e "s#.*Building project '$ROOT/([^']*)/tsconfig.build.json'.*#    building \1#p" \
    -e "s#.*error (TS[0-9]+.*)#    error \1#p"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo "the build failed; run: pnpm exec tsc -b apps/echo-bot/tsconfig.build.json" >&2
  exit "$status"
fi
echo "==> starting the echo bot"
exec node "$ROOT/apps/echo-bot/dist/main.js" "$@"
