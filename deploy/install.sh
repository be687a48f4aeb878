#!/bin/bash
# Installs sfud as a systemd service:
#   /usr/local/bin/sfud                         the binary (from build/release/daemon/sfud)
#   /etc/systemd/system/sfud.service            the unit
#   /etc/sfud/sfud.conf                         the example config, only if none exists yet
#   /etc/sfud/sfud.conf.example                 always the current example, for comparison
#   /usr/local/share/doc/sfud/                  README.md, prometheus.yml, grafana-dashboard.json
# then `systemctl daemon-reload`. Idempotent: rerunning replaces the binary, unit and docs and
# never touches an existing sfud.conf. It does not enable, start or restart the service.
#
# Usage: deploy/install.sh [--binary PATH]
#   DESTDIR=/tmp/stage deploy/install.sh   installs under a staging root and skips daemon-reload
#   (packaging, tests). Run as root otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
binary="$root/build/release/daemon/sfud"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --binary=*) binary=${1#--binary=}; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
destdir=${DESTDIR:-}

if [ ! -x "$binary" ]; then
  echo "install.sh: $binary not found; build first: scripts/build.sh (or pass --binary)" >&2
  exit 1
fi
if [ -z "$destdir" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (or set DESTDIR for a staged install)" >&2
  exit 1
fi

# install(1) writes to a temporary name and renames, so a running sfud keeps its old inode and
# an upgrade never leaves a half-written binary.
install -d -m 0755 "$destdir/usr/local/bin" "$destdir/etc/systemd/system" "$destdir/etc/sfud" \
  "$destdir/usr/local/share/doc/sfud"
install -m 0755 "$binary" "$destdir/usr/local/bin/sfud"
install -m 0644 "$here/sfud.service" "$destdir/etc/systemd/system/sfud.service"
install -m 0644 "$here/sfud.conf.example" "$destdir/etc/sfud/sfud.conf.example"
if [ -e "$destdir/etc/sfud/sfud.conf" ]; then
  echo "install.sh: keeping existing /etc/sfud/sfud.conf (new example: sfud.conf.example)"
else
  install -m 0644 "$here/sfud.conf.example" "$destdir/etc/sfud/sfud.conf"
  echo "install.sh: installed /etc/sfud/sfud.conf from the example; review listen/http/auth_token"
fi
for f in README.md prometheus.yml grafana-dashboard.json; do
  install -m 0644 "$here/$f" "$destdir/usr/local/share/doc/sfud/$f"
done

if [ -n "$destdir" ]; then
  echo "install.sh: staged under $destdir (no daemon-reload)"
elif [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  echo "install.sh: done. Enable and start: systemctl enable --now sfud"
  echo "install.sh: after an upgrade of a running service: systemctl restart sfud"
else
  echo "install.sh: systemd is not running here; installed files only"
fi
