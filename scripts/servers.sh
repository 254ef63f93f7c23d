# Sourced by lib.sh: installs the extra XMPP servers of the integration matrix
# (apps/integration `startServer`) when they are missing. Quiet when all is there.
#   prosody12  Debian's Prosody 0.12 (installed by ensure_server_tools itself)
#   prosody13  Prosody 13 + prosody-modules from bookworm-backports, extracted from the .debs into
#              ${XDG_CACHE_HOME:-$HOME/.cache}/clawxmpp/prosody13 — never replaces the system's 0.12
#   ejabberd   ejabberd 24.12 from bookworm-backports; the packaged service must never run
# CLAWXMPP_SERVERS (comma list, default all three) limits what is installed.

BACKPORTS_LIST=/etc/apt/sources.list.d/clawxmpp-bookworm-backports.sources

servers_wanted() {
  local wanted=",${CLAWXMPP_SERVERS:-prosody12,prosody13,ejabberd},"
  [[ "$wanted" == *",$1,"* ]]
}

servers_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; return; fi
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo "$@"; return; fi
  echo "Need root for: $*  (or run with CLAWXMPP_SERVERS=prosody12)" >&2
  exit 1
}

# The Debian mirror the machine already uses (first URIs: of a bookworm suite), so backports come
# from the same place.
servers_mirror() {
  local uri
  uri=$(awk '/^URIs:/ { uri = $2 } /^Suites:/ && / bookworm( |$)/ && uri { print uri; exit }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  if [ -z "$uri" ]; then
    uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list \
      /etc/apt/sources.list.d/*.list 2>/dev/null || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

ensure_backports_source() {
  if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then return; fi
  local mirror
  mirror=$(servers_mirror)
  echo "==> adding bookworm-backports ($mirror) to $BACKPORTS_LIST"
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" | servers_root tee "$BACKPORTS_LIST" >/dev/null
  servers_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
}

# Prosody 13 side by side: the .debs' files under one root, the launchers pointed at that root.
ensure_prosody13() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/clawxmpp/prosody13"
  if [ -x "$cache/root/usr/bin/prosody" ] && [ -f "$cache/root/usr/lib/prosody/modules/mod_sasl2/mod_sasl2.lua" ]; then
    return
  fi
  ensure_backports_source
  echo "==> installing Prosody 13 + prosody-modules (bookworm-backports) into $cache"
  rm -rf "$cache.tmp" && mkdir -p "$cache.tmp/debs" "$cache.tmp/root"
  (cd "$cache.tmp/debs" && apt-get download -qq prosody/bookworm-backports prosody-modules/bookworm-backports 2>&1 |
    grep -v -e unsandboxed -e '^$' >&2 || true)
  local deb
  for deb in "$cache.tmp/debs"/*.deb; do dpkg-deb -x "$deb" "$cache.tmp/root"; done
  local lib="$cache/root/usr/lib/prosody"
  local tool
  for tool in prosody prosodyctl; do
    sed -i \
      -e "s|^CFG_SOURCEDIR=.*|CFG_SOURCEDIR='$lib';|" \
      -e "s|^CFG_PLUGINDIR=.*|CFG_PLUGINDIR='$lib/modules/';|" \
      -e "s|^CFG_CONFIGDIR=.*|CFG_CONFIGDIR='$cache/etc';|" \
      -e "s|^CFG_DATADIR=.*|CFG_DATADIR='$cache/data';|" \
      "$cache.tmp/root/usr/bin/$tool"
  done
  mkdir -p "$cache.tmp/etc" "$cache.tmp/data"
  rm -rf "$cache" && mv "$cache.tmp" "$cache"
  echo "    $(cat "$lib/prosody.version" 2>/dev/null || echo "Prosody 13") ready"
}

ensure_ejabberd() {
  if command -v ejabberdctl >/dev/null 2>&1 &&
    dpkg --compare-versions "$(dpkg-query -W -f='${Version}' ejabberd 2>/dev/null || echo 0)" ge 24.12; then
    return
  fi
  ensure_backports_source
  echo "==> installing ejabberd 24.12 (bookworm-backports); its packaged service stays off"
  # apt_install (lib.sh) guards the install with a policy-rc.d that refuses every service start.
  apt_install -t bookworm-backports ejabberd
  # Tests start their own loopback instances; a system ejabberd listening on *:5222 must not stay.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    servers_root systemctl disable --now ejabberd >/dev/null 2>&1 || true
  fi
  # Without systemd, a packaged node (ejabberd@…; test nodes are clawxmpp<port>@localhost).
  if pgrep -u ejabberd -f -- '-s?name ejabberd@' >/dev/null 2>&1; then
    servers_root /usr/sbin/ejabberdctl stop >/dev/null 2>&1 || true
  fi
  echo "    ejabberd $(dpkg-query -W -f='${Version}' ejabberd) ready"
}

ensure_servers() {
  if servers_wanted prosody13; then ensure_prosody13; fi
  if servers_wanted ejabberd; then ensure_ejabberd; fi
}
