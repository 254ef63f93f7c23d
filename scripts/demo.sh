#!/usr/bin/env bash
# Quick start, command 1: the echo bot on an embedded throwaway Prosody (`npm run demo -- --help`).
# Installs only what the demo needs (the echo bot and the workspace packages it uses, not OpenClaw)
# and says what it is doing while it installs and builds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node
ensure_pnpm
# The demo runs on Prosody 0.12 only: none of the integration matrix's other servers.
CLAWXMPP_SERVERS=prosody12 ensure_server_tools
cd "$ROOT"
# pnpm always installs the workspace root's dev tools with a filtered install; on a fresh clone we
# leave out optional dependencies, which are only those tools' platform binaries (biome, turbo,
# rolldown: ~170 MB). In an existing checkout nothing is left out (it would remove them), and a
# later `npm run test:all` installs everything.
extra=()
if [ ! -e "$ROOT/node_modules/.modules.yaml" ]; then extra=(--no-optional); fi
# Both steps print a line per unit of progress; their own status decides (not the filters').
set +o pipefail
echo "==> installing the echo bot's packages (core, policy, muc, markers, upload and their dependencies)"
CI=true "$PNPM" install --frozen-lockfile --filter "@clawxmpp/echo-bot..." "${extra[@]}" --reporter=append-only 2>&1 |
  sed -u -n -E -e '/^(Progress|Packages:|Done|dependencies:)|ERR|WARN.*(lockfile|frozen)/s/^/    /p'
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo "installing failed; run: CI=true $PNPM install --frozen-lockfile --filter @clawxmpp/echo-bot..." >&2
  exit "$status"
fi
echo "==> building (tsc -b; only what changed since the last run)"
"$ROOT/apps/echo-bot/node_modules/.bin/tsc" -b apps/echo-bot/tsconfig.build.json --verbose 2>&1 |
  sed -u -n -E \
    -e "s#.*Building project '$ROOT/([^']*)/tsconfig.build.json'.*#    building \1#p" \
    -e "s#.*error (TS[0-9]+.*)#    error \1#p"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo "the build failed; run: $ROOT/apps/echo-bot/node_modules/.bin/tsc -b apps/echo-bot/tsconfig.build.json" >&2
  exit "$status"
fi
set -o pipefail
echo "==> starting the echo bot"
exec node "$ROOT/apps/echo-bot/dist/main.js" "$@"
