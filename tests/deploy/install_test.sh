#!/bin/bash
# deploy/install.sh into a DESTDIR staging root: files and modes land where the unit expects
# them, a rerun is idempotent and keeps an edited sfud.conf, a missing binary is refused.
# Usage: install_test.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
fake="$stage/sfud-build"
printf '#!/bin/sh\necho fake sfud v1\n' > "$fake"
chmod 0755 "$fake"

DESTDIR="$stage/root" "$root/deploy/install.sh" --binary "$fake" > "$stage/log1"
r="$stage/root"
for f in usr/local/bin/sfud etc/systemd/system/sfud.service etc/sfud/sfud.conf \
         etc/sfud/sfud.conf.example usr/local/share/doc/sfud/grafana-dashboard.json \
         usr/local/share/doc/sfud/prometheus.yml usr/local/share/doc/sfud/README.md; do
  [ -f "$r/$f" ] || fail "missing $f"
done
[ "$(stat -c %a "$r/usr/local/bin/sfud")" = 755 ] || fail "binary mode"
[ "$(stat -c %a "$r/etc/systemd/system/sfud.service")" = 644 ] || fail "unit mode"
cmp -s "$root/deploy/sfud.service" "$r/etc/systemd/system/sfud.service" || fail "unit differs"
cmp -s "$root/deploy/sfud.conf.example" "$r/etc/sfud/sfud.conf" || fail "config not the example"
grep -q "no daemon-reload" "$stage/log1" || fail "staged install should skip daemon-reload"
# The unit runs the installed path with the installed config.
grep -q '^ExecStart=/usr/local/bin/sfud --config /etc/sfud/sfud.conf$' \
  "$r/etc/systemd/system/sfud.service" || fail "ExecStart"

# Upgrade: new binary, edited config kept.
echo "port = 20000" >> "$r/etc/sfud/sfud.conf"
cp "$r/etc/sfud/sfud.conf" "$stage/edited.conf"
printf '#!/bin/sh\necho fake sfud v2\n' > "$fake"
DESTDIR="$stage/root" "$root/deploy/install.sh" --binary "$fake" > "$stage/log2"
cmp -s "$stage/edited.conf" "$r/etc/sfud/sfud.conf" || fail "rerun overwrote sfud.conf"
grep -q "keeping existing" "$stage/log2" || fail "rerun did not say it kept the config"
[ "$("$r/usr/local/bin/sfud")" = "fake sfud v2" ] || fail "binary not upgraded"

# A third run changes nothing.
(cd "$r" && find . -type f -exec md5sum {} + | sort) > "$stage/before"
DESTDIR="$stage/root" "$root/deploy/install.sh" --binary "$fake" > /dev/null
(cd "$r" && find . -type f -exec md5sum {} + | sort) > "$stage/after"
cmp -s "$stage/before" "$stage/after" || fail "rerun not idempotent"

# No binary: refused, nothing half-installed.
if DESTDIR="$stage/other" "$root/deploy/install.sh" --binary "$stage/nope" 2> "$stage/err"; then
  fail "install without a binary succeeded"
fi
grep -q "not found" "$stage/err" || fail "missing-binary message"
[ ! -e "$stage/other" ] || fail "files staged despite the missing binary"
echo "OK: staged install, upgrade keeps sfud.conf, idempotent rerun, missing binary refused"
