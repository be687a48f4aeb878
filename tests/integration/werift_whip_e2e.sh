#!/bin/bash
# End to end through the real daemon: sfud (1 shard) and the werift WHIP publisher
# (/work/shared/peers/werift, pure TypeScript WebRTC) in a loopback-only network namespace.
# Passes when werift reports DTLS connected with AEAD_AES_128_GCM and sfud's shard counted at
# least 100 of its SRTP packets.
#   werift_whip_e2e.sh SFUD_BINARY WORK_DIR
# WORK_DIR gets a copy of the werift peer with its npm dependencies (installed once).
set -u
SFUD=$1
WORK=$2
PEER_SRC=/work/shared/peers/werift
NETNS_RUN=/work/shared/peers/netns_run.sh

mkdir -p "$WORK"
if [ ! -d "$WORK/werift/node_modules/werift" ]; then
  rm -rf "$WORK/werift" && cp -r "$PEER_SRC" "$WORK/werift" || exit 1
  (cd "$WORK/werift" && timeout 300 npm install --no-audit --no-fund >npm.log 2>&1) ||
    { echo "npm install failed"; cat "$WORK/werift/npm.log"; exit 1; }
fi

cat >"$WORK/inside.sh" <<'INSIDE'
#!/bin/bash
# Runs inside the namespace: start sfud, wait for /readyz, publish for 4 s, SIGTERM sfud.
SFUD=$1; WORK=$2
"$SFUD" --shards=1 --port=20000 --http=127.0.0.1:18080 --metrics=127.0.0.1:19464 \
  >"$WORK/sfud.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -s -o /dev/null http://127.0.0.1:18080/readyz && break
  sleep 0.1
done
(cd "$WORK/werift" && timeout 60 node werift_whip_client.js http://127.0.0.1:18080/whip/e2e 4) \
  >"$WORK/werift.log" 2>&1
kill -TERM "$pid"
wait "$pid"
INSIDE
chmod +x "$WORK/inside.sh"
timeout 120 "$NETNS_RUN" "$WORK/inside.sh" "$SFUD" "$WORK"
echo "--- werift"; cat "$WORK/werift.log"
echo "--- sfud"; cat "$WORK/sfud.log"

grep -q '"dtlsState":"connected","srtpCipher":"AEAD_AES_128_GCM"' "$WORK/werift.log" ||
  { echo "FAIL: werift did not connect with AEAD_AES_128_GCM"; exit 1; }
srtp_in=$(sed -n 's/.*shard 0 stopped: .*srtp in \([0-9]*\) out.*/\1/p' "$WORK/sfud.log")
[ -n "$srtp_in" ] && [ "$srtp_in" -ge 100 ] ||
  { echo "FAIL: sfud counted ${srtp_in:-no} SRTP packets (want >= 100)"; exit 1; }
echo "PASS: sfud counted $srtp_in SRTP packets from werift"
