#!/bin/bash
# A room spanning shards through the real daemon: sfud --shards=2 --spread_threshold=5 in a
# loopback-only network namespace, sfud-loadgen with one room of 1 publisher + 20 subscribers for
# 8 s, once per I/O backend. 5 viewers stay on the room's home shard, 15 land on the other one
# and get media through the cross-shard rings. Passes when, for each backend:
#   - the load generator connected everyone and saw zero loss on loopback (its own SLO check);
#   - sfud logged that the room spanned the other shard and, when the viewers left, stopped;
#   - the shard summaries show packets handed across, none dropped, and SRTP sent from the
#     shard that receives no publisher media at all.
#   cross_shard_daemon_e2e.sh SFUD_BINARY LOADGEN_BINARY WORK_DIR
set -u
SFUD=$1
LOADGEN=$2
WORK=$3
NETNS_RUN=/work/shared/peers/netns_run.sh
mkdir -p "$WORK"

cat >"$WORK/inside.sh" <<'INSIDE'
#!/bin/bash
# Inside the namespace: start sfud, wait for /readyz (bounded), run the load, SIGTERM sfud.
SFUD=$1; LOADGEN=$2; WORK=$3; BACKEND=$4
"$SFUD" --shards=2 --port=20000 --http=127.0.0.1:18080 --metrics=127.0.0.1:19464 \
  --io_backend="$BACKEND" --spread_threshold=5 >"$WORK/sfud.log" 2>&1 &
pid=$!
ready=0
for _ in $(seq 100); do
  if curl -s -o /dev/null -f http://127.0.0.1:18080/readyz; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" = 1 ]; then
  timeout 60 "$LOADGEN" --url http://127.0.0.1:18080 --rooms 1 --publishers 1 --subscribers 20 \
    --duration 8 --threads 1 --video-kbps 600 --json "$WORK/report.json" --sfud-pid "$pid" \
    --max-loss 0 --min-connected 100% >"$WORK/loadgen.log" 2>&1
  echo $? >"$WORK/loadgen.status"
else
  echo "sfud never became ready" >"$WORK/loadgen.log"
  echo 1 >"$WORK/loadgen.status"
fi
kill -TERM "$pid"
wait "$pid"
INSIDE
chmod +x "$WORK/inside.sh"

failed=0
for backend in io_uring mmsg; do
  rm -f "$WORK"/sfud.log "$WORK"/loadgen.log "$WORK"/report.json "$WORK"/loadgen.status
  timeout 100 "$NETNS_RUN" "$WORK/inside.sh" "$SFUD" "$LOADGEN" "$WORK" "$backend"
  echo "--- $backend: sfud-loadgen (exit $(cat "$WORK/loadgen.status" 2>/dev/null))"
  cat "$WORK/loadgen.log"
  echo "--- $backend: sfud (session lines omitted)"
  grep -v 'session ' "$WORK/sfud.log"
  python3 - "$WORK/report.json" "$WORK/sfud.log" "$(cat "$WORK/loadgen.status" 2>/dev/null)" \
    "$backend" <<'PY' || failed=1
import json, re, sys
report_path, log_path, status, backend = sys.argv[1:5]
fail = []
try:
    r = json.load(open(report_path))
except Exception as e:
    print(f"FAIL ({backend}): no JSON report: {e}")
    sys.exit(1)
s, m = r["sessions"], r["media"]
if status != "0":
    fail.append(f"sfud-loadgen exited {status}")
if s["publishers_connected"] != 1 or s["subscribers_connected"] != 20:
    fail.append(f"connected {s['publishers_connected']}/1 publishers, "
                f"{s['subscribers_connected']}/20 subscribers")
if m["lost"] != 0:
    fail.append(f"loss on loopback: {m['lost']} of {m['expected']}")
if m["expected"] < 20 * 500:
    fail.append(f"too little media: {m['expected']} packets expected")
log = open(log_path).read()
if not re.search(r"room loadgen-0 spans shard \d \(home \d\)", log):
    fail.append("the room never spanned the other shard")
if not re.search(r"room loadgen-0 no longer spans shard \d", log):
    fail.append("the hand-off was not stopped when the remote viewers left")
shards = {int(k): (int(rin), int(out), int(h), int(rec), int(d)) for k, rin, out, h, rec, d in
          re.findall(r"shard (\d+) stopped: .*srtp in (\d+) out (\d+),.*"
                     r"cross-shard handed (\d+) received (\d+) dropped (\d+)", log)}
if len(shards) != 2:
    fail.append(f"expected two shard summaries, got {shards}")
else:
    home = max(shards, key=lambda k: shards[k][0])  # the one the publisher sends to
    other = 1 - home
    if shards[home][2] < 500 or shards[other][3] < 500:
        fail.append(f"too few packets crossed: {shards}")
    if shards[home][4] != 0 or shards[other][4] != 0:
        fail.append(f"hand-offs dropped: {shards}")
    if shards[other][0] != 0 or shards[other][1] < 15 * 500:
        fail.append(f"the other shard did not serve its viewers from the hand-off: {shards}")
if fail:
    for f in fail:
        print(f"FAIL ({backend}): {f}")
    sys.exit(1)
print(f"PASS ({backend}): {m['expected']} packets to 20 viewers, none lost; shards {shards}")
PY
done
exit $failed
