#!/bin/bash
# The proof of the dashboard against the real daemon (issue 7): inside a fresh loopback-only
# network namespace, starts the sfud binary (2 shards), a real Prometheus (Debian package)
# scraping its /metrics every second, then real traffic — a werift WHIP publisher (VP8) and two
# werift WHEP viewers that send PLI and NACK, plus garbage datagrams to both shard ports — and
# evaluates every PromQL expression of deploy/grafana-dashboard.json (each must return data) and
# the checks in sfud_dashboard_checks.promql (the traffic must show up as non-zero values). Also:
# the scraped exposition passes `promtool check metrics`, and a second sfud on the same metrics
# port fails to start naming the setting.
#   sfud_dashboard_live_test.sh SFUD_BINARY REPO_ROOT WORK_DIR
# WORK_DIR gets a copy of the werift peer with its npm dependencies (installed once, reused).
set -u
SFUD=${1:?usage: sfud_dashboard_live_test.sh SFUD_BINARY REPO_ROOT WORK_DIR}
ROOT=${2:?}
WORK=${3:?}
HERE=$(cd "$(dirname "$0")" && pwd)
PEER_SRC=/work/shared/peers/werift
NETNS_RUN=/work/shared/peers/netns_run.sh
for tool in prometheus promtool node npm curl python3 unshare; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool not installed"; exit 1; }
done

mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd) && ROOT=$(cd "$ROOT" && pwd) || exit 1
if [ ! -d "$WORK/werift/node_modules/werift" ]; then
  rm -rf "$WORK/werift" && cp -r "$PEER_SRC" "$WORK/werift" || exit 1
  (cd "$WORK/werift" && timeout 300 npm install --no-audit --no-fund > npm.log 2>&1) ||
    { echo "FAIL: npm install"; cat "$WORK/werift/npm.log"; exit 1; }
fi
cp "$HERE/werift_traffic.js" "$WORK/werift/" || exit 1
rm -f "$WORK"/*.log "$WORK"/*.done "$WORK"/*.up "$WORK"/scrape.txt

cat > "$WORK/inside.sh" << 'INSIDE'
#!/bin/bash
# In the namespace: fixed ports are free here.
SFUD=$1; ROOT=$2; WORK=$3; HERE=$4
"$SFUD" --shards=2 --port=20000 --http=127.0.0.1:18080 --metrics=127.0.0.1:19464 \
  --drain_timeout_ms=2000 > "$WORK/sfud.log" 2>&1 &
pid=$!
ready=0
for _ in $(seq 100); do
  curl -sf -o /dev/null http://127.0.0.1:18080/readyz && { ready=1; break; }
  sleep 0.1
done
[ $ready -eq 1 ] || { echo "FAIL: sfud not ready"; kill "$pid"; wait "$pid"; exit 1; }
# /metrics is served before READY.
curl -sf http://127.0.0.1:19464/metrics > "$WORK/first_scrape.txt" ||
  { echo "FAIL: no /metrics"; kill "$pid"; wait "$pid"; exit 1; }

# A second daemon on the same metrics port must refuse to start, naming the setting.
timeout 20 "$SFUD" --shards=1 --port=21000 --http=127.0.0.1:18081 --metrics=127.0.0.1:19464 \
  > "$WORK/second.log" 2>&1
echo "second sfud exit $?" >> "$WORK/second.log"

# gcm_impl = evp is what the shards use and what the metric says (issue 9).
"$SFUD" --shards=1 --port=21100 --http=127.0.0.1:18082 --metrics=127.0.0.1:19465 --gcm_impl=evp \
  > "$WORK/evp.log" 2>&1 &
evp=$!
for _ in $(seq 100); do
  curl -sf http://127.0.0.1:19465/metrics > "$WORK/evp_scrape.txt" 2> /dev/null && break
  sleep 0.1
done
kill -TERM "$evp"
wait "$evp"

# Traffic once Prometheus scrapes (so increase() sees it), then a marker file.
(
  for _ in $(seq 600); do [ -e "$WORK/prom.up" ] && break; sleep 0.1; done
  sleep 1
  cd "$WORK/werift" && timeout 60 node werift_traffic.js http://127.0.0.1:18080 live 8 2 \
    > "$WORK/werift.log" 2>&1
  echo "werift exit $?" >> "$WORK/werift.log"
  # Garbage: RFC 7983 first byte 255 is no protocol (malformed); an RTP-looking datagram from a
  # 5-tuple no session owns (unknown 5-tuple).
  python3 - << 'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in (20000, 20001):
    for i in range(20):
        s.sendto(bytes([255, i]) + b"garbage" * 10, ("127.0.0.1", port))
        s.sendto(bytes([0x80, 96, 0, i]) + b"\0" * 40, ("127.0.0.1", port))
PY
  sleep 0.5
  touch "$WORK/traffic.done"
) &
traffic=$!

UP_FILE="$WORK/prom.up" WAIT_FOR_FILE="$WORK/traffic.done" WAIT_TIMEOUT_S=80 \
  CHECKS="$HERE/sfud_dashboard_checks.promql" \
  "$HERE/prometheus_dashboard_test.sh" http://127.0.0.1:19464/metrics "$ROOT" > "$WORK/prom.log" 2>&1
echo "prometheus check exit $?" >> "$WORK/prom.log"
wait "$traffic"
curl -sf http://127.0.0.1:19464/metrics > "$WORK/scrape.txt"
promtool check metrics < "$WORK/scrape.txt" > "$WORK/promtool.log" 2>&1
echo "promtool exit $?" >> "$WORK/promtool.log"
kill -TERM "$pid"
wait "$pid"
echo "sfud exit $?" >> "$WORK/sfud.log"
INSIDE
chmod +x "$WORK/inside.sh"
timeout 150 "$NETNS_RUN" "$WORK/inside.sh" "$SFUD" "$ROOT" "$WORK" "$HERE"

for f in werift prom promtool second sfud; do echo "--- $f"; tail -60 "$WORK/$f.log" 2> /dev/null; done
fail=0
grep -q '^werift exit 0$' "$WORK/werift.log" || { echo "FAIL: werift traffic"; fail=1; }
grep -q '^prometheus check exit 0$' "$WORK/prom.log" || { echo "FAIL: dashboard/checks"; fail=1; }
grep -q '^promtool exit 0$' "$WORK/promtool.log" || { echo "FAIL: promtool check metrics"; fail=1; }
grep -q '^sfud exit 0$' "$WORK/sfud.log" || { echo "FAIL: sfud did not stop cleanly"; fail=1; }
grep -q '^second sfud exit 1$' "$WORK/second.log" && grep -q 'setting metrics' "$WORK/second.log" ||
  { echo "FAIL: a taken metrics port was not a named startup failure"; fail=1; }
grep -q '^sfud_srtp_gcm_implementation_info{implementation="evp"} 1$' "$WORK/evp_scrape.txt" &&
  grep -q 'SRTP AES-GCM evp' "$WORK/evp.log" ||
  { echo "FAIL: gcm_impl=evp not reported"; cat "$WORK/evp.log"; fail=1; }
active=$(sed -n 's/.*SRTP AES-GCM \([a-z0-9]*\);.*/\1/p' "$WORK/sfud.log")
grep -q "^sfud_srtp_gcm_implementation_info{implementation=\"$active\"} 1\$" "$WORK/scrape.txt" ||
  { echo "FAIL: the metric does not name the active AES-GCM implementation ($active)"; fail=1; }
grep -q '^sfud_build_info{' "$WORK/first_scrape.txt" ||
  { echo "FAIL: /metrics before traffic lacks sfud_build_info"; fail=1; }
[ $fail -eq 0 ] && echo "PASS: every dashboard expression has data from the real sfud"
exit $fail
