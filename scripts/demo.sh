#!/usr/bin/env bash
# Quick start, command 1: the echo bot on an embedded throwaway Prosody.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node
ensure_pnpm
ensure_server_tools
ensure_workspace
echo "==> building"
TURBO_TELEMETRY_DISABLED=1 "$PNPM" exec turbo run build --filter=@clawxmpp/echo-bot... --output-logs=errors-only >/dev/null
exec node "$ROOT/apps/echo-bot/dist/main.js" "$@"
