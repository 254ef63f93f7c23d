# Shared by demo.sh and test.sh: make sure pnpm 10, the workspace packages,
# Prosody and openssl are present. Installs what is missing; says what to do
# when it cannot.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PNPM_VERSION="10.34.9"

ensure_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "clawxmpp needs Node.js >= 20.19 and npm; install them first." >&2
    exit 1
  fi
  local major minor
  major=$(node -p 'process.versions.node.split(".")[0]')
  minor=$(node -p 'process.versions.node.split(".")[1]')
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    echo "clawxmpp needs Node.js >= 20.19 (found $(node --version))." >&2
    exit 1
  fi
}

# pnpm 10 exactly: pnpm 11+ needs Node 22 and corepack's signature check fails on some registries.
ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" = "10" ]; then
    PNPM="pnpm"
    return
  fi
  local prefix="${XDG_CACHE_HOME:-$HOME/.cache}/clawxmpp/pnpm-$PNPM_VERSION"
  if [ ! -x "$prefix/node_modules/.bin/pnpm" ]; then
    echo "==> installing pnpm $PNPM_VERSION into $prefix"
    npm install --silent --no-audit --no-fund --prefix "$prefix" "pnpm@$PNPM_VERSION" >/dev/null
  fi
  PNPM="$prefix/node_modules/.bin/pnpm"
  export PATH="$prefix/node_modules/.bin:$PATH"
}

apt_install() {
  local runner=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      runner=(sudo)
    else
      echo "Missing: $*. Install them with:" >&2
      echo "  sudo apt-get update && sudo apt-get install -y $*" >&2
      exit 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing: $*. This is not a Debian-like system; install Prosody 0.12+ and openssl with your package manager." >&2
    exit 1
  fi
  echo "==> installing $* from Debian's archive"
  # Keep Debian's packaged Prosody service from starting on all interfaces during the install.
  local guard=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    guard=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | "${runner[@]}" tee "$guard" >/dev/null
    "${runner[@]}" chmod +x "$guard"
  fi
  "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${runner[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  if [ -n "$guard" ]; then "${runner[@]}" rm -f "$guard"; fi
}

ensure_server_tools() {
  local missing=()
  command -v prosody >/dev/null 2>&1 || missing+=(prosody)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  # Prosody keeps test archives (MAM) in SQLite: its file store rereads the whole archive per query.
  [ -e /usr/lib/x86_64-linux-gnu/lua/5.4/dbd/sqlite3.so ] || dpkg -s lua-dbi-sqlite3 >/dev/null 2>&1 || missing+=(lua-dbi-sqlite3)
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
  source "$ROOT/scripts/servers.sh" && ensure_servers
}

ensure_workspace() {
  cd "$ROOT"
  echo "==> installing workspace packages"
  CI=true "$PNPM" install --frozen-lockfile --reporter=silent
}

# Only for the tests: independent peers the suites drive (python-omemo on slixmpp for OMEMO
# interop, profanity in tmux for ad-hoc commands) and Debian's prosody-modules for Prosody 0.12
# (mod_privilege and mod_delegation for the component suite).
ensure_test_peers() {
  local missing=()
  for pkg in python3-omemo python3-oldmemo python3-twomemo python3-slixmpp python3-xmlschema profanity tmux prosody-modules; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}
