#!/bin/bash
# sfud-loadgen against the real sfud binary, in a loopback-only network namespace (fixed ports
# cannot clash with other tests there): sfud with 2 shards and the scenario of the example file
# bench/loadgen/scenarios/rooms4x25.conf (4 rooms x (1 publisher + 25 subscribers) for 20 s), so
# the example is exercised on every CI run. Passes when, from the load generator's JSON report:
#   - every publisher and every subscriber connected, no failure of any kind;
#   - zero loss on loopback (every probe sequence number the publishers sent since a subscriber's
#     first packet arrived), and media actually flowed;
#   - the report's packet counts equal sfud's own counters: the SRTP packets the publishers sent
#     are what sfud's shards counted in, the SRTP packets the subscribers received are what they
#     counted out, and likewise for SRTCP from the peers. sfud's counters are read twice: from
#     its Prometheus /metrics after the load (sfud_datagrams_{received,sent}_total{kind}) and
#     from the per-shard summary lines it logs when it stops ("shard N stopped: ... srtp in X
#     out Y, srtcp in A out B ...").
#   loadgen_e2e.sh SFUD_BINARY LOADGEN_BINARY WORK_DIR SCENARIO_FILE
set -u
SFUD=$1
LOADGEN=$2
WORK=$3
SCENARIO=$4
NETNS_RUN=/work/shared/peers/netns_run.sh
mkdir -p "$WORK"
rm -f "$WORK"/sfud.log "$WORK"/loadgen.log "$WORK"/report.json "$WORK"/loadgen.status \
  "$WORK"/metrics.txt

cat >"$WORK/inside.sh" <<'INSIDE'
#!/bin/bash
# Inside the namespace: start sfud, wait for /readyz (bounded), run the load, SIGTERM sfud.
SFUD=$1; LOADGEN=$2; WORK=$3; SCENARIO=$4
"$SFUD" --shards=2 --port=20000 --http=127.0.0.1:18080 --metrics=127.0.0.1:19464 \
  --io_backend=io_uring >"$WORK/sfud.log" 2>&1 &
pid=$!
ready=0
for _ in $(seq 100); do
  if curl -s -o /dev/null -f http://127.0.0.1:18080/readyz; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" = 1 ]; then
  # Rooms, peers, media, duration and the SLOs are the scenario file's; the command line adds
  # only where sfud is and where the report goes.
  timeout 90 "$LOADGEN" --scenario "$SCENARIO" --url http://127.0.0.1:18080 \
    --json "$WORK/report.json" --sfud-pid "$pid" >"$WORK/loadgen.log" 2>&1
  echo $? >"$WORK/loadgen.status"
  # sfud's Prometheus view of the same run. Shards publish their counters on every loop
  # iteration (at most each millisecond) and keep iterating for timers, so a second is plenty.
  sleep 1
  curl -s -f http://127.0.0.1:19464/metrics >"$WORK/metrics.txt"
else
  echo "sfud never became ready" >"$WORK/loadgen.log"
  echo 1 >"$WORK/loadgen.status"
fi
kill -TERM "$pid"
wait "$pid"
INSIDE
chmod +x "$WORK/inside.sh"
timeout 150 "$NETNS_RUN" "$WORK/inside.sh" "$SFUD" "$LOADGEN" "$WORK" "$SCENARIO"
echo "--- sfud-loadgen (exit $(cat "$WORK/loadgen.status" 2>/dev/null))"
cat "$WORK/loadgen.log"
echo "--- sfud (session lines omitted)"
grep -v 'session ' "$WORK/sfud.log"

python3 - "$WORK/report.json" "$WORK/sfud.log" "$(cat "$WORK/loadgen.status" 2>/dev/null)" \
  "$WORK/metrics.txt" "$SCENARIO" <<'PY'
import json, re, sys
report_path, log_path, status, metrics_path, scenario_path = sys.argv[1:6]
fail = []
try:
    r = json.load(open(report_path))
except Exception as e:
    print(f"FAIL: no JSON report: {e}")
    sys.exit(1)
s, m, t = r["sessions"], r["media"], r["traffic"]
# The run is the example file's: a change to the file that this test does not expect fails here.
sc = r["scenario"]
want = {"scenario_file": scenario_path, "rooms": 4, "publishers_per_room": 1,
        "subscribers_per_room": 25, "video_kbps": 600, "audio": True, "duration_s": 20,
        "threads": 2}
for key, value in want.items():
    if sc.get(key) != value:
        fail.append(f"scenario {key} = {sc.get(key)!r}, expected {value!r} from {scenario_path}")
# The scenario does not spin: every wait of the loop threads is a sleep or finds work due.
lp = r["loop"]
if lp["spin_us"] != 0 or lp["spins"] != 0 or lp["spin_polls"] != 0 or lp["sleeps"] == 0:
    fail.append(f"loop threads without --spin-us: {lp}")
if status != "0":
    fail.append(f"sfud-loadgen exited {status}")
# --sfud-pid: the process's CPU, and within it the two shard threads' (sfud-shard-0/1).
cpu = r["sfud"]
if not (0 < cpu.get("shard_cpu_seconds", -1) <= cpu.get("cpu_seconds", -1)):
    fail.append(f"sfud CPU report without a plausible shard share: {cpu}")
if s["publishers_connected"] != 4 or s["subscribers_connected"] != 100:
    fail.append(f"connected {s['publishers_connected']}/4 publishers, "
                f"{s['subscribers_connected']}/100 subscribers")
if s["failures_by_reason"] or s["not_started"] or r["failures"]:
    fail.append(f"failures: {s['failures_by_reason']} {r['failures'][:5]}")
if m["lost"] != 0 or m["loss"] != 0:
    fail.append(f"loss on loopback: {m['lost']} of {m['expected']}")
# 20 s of 600 kbps video (~90 pps) and 50 pps audio per publisher: several thousand packets
# each, to each of 25 subscribers.
if m["expected"] < 100 * 2000:
    fail.append(f"too little media: {m['expected']} packets expected")
if len(r["subscribers"]) != 100 or any(x["lost"] != 0 or not x["connected"] for x in r["subscribers"]):
    fail.append("a subscriber lost packets or did not connect")
shards = re.findall(r"shard (\d+) stopped: .*srtp in (\d+) out (\d+), srtcp in (\d+) out (\d+)",
                    open(log_path).read())
if len(shards) != 2:
    fail.append(f"sfud logged {len(shards)} shard summaries (want 2)")
else:
    srtp_in = sum(int(x[1]) for x in shards)
    srtp_out = sum(int(x[2]) for x in shards)
    srtcp_in = sum(int(x[3]) for x in shards)
    print(f"sfud: srtp in {srtp_in} out {srtp_out}, srtcp in {srtcp_in}; loadgen: rtp out "
          f"{t['rtp_packets_out']} in {t['rtp_packets_in']}, rtcp out {t['rtcp_packets_out']}")
    if srtp_in != t["rtp_packets_out"]:
        fail.append(f"sfud srtp in {srtp_in} != loadgen rtp out {t['rtp_packets_out']}")
    if srtp_out != t["rtp_packets_in"]:
        fail.append(f"sfud srtp out {srtp_out} != loadgen rtp in {t['rtp_packets_in']}")
    if srtcp_in != t["rtcp_packets_out"]:
        fail.append(f"sfud srtcp in {srtcp_in} != loadgen rtcp out {t['rtcp_packets_out']}")
# The same counts from sfud's /metrics, scraped after the load and before SIGTERM.
try:
    metrics = open(metrics_path).read()
except OSError as e:
    metrics = ""
    fail.append(f"no /metrics scrape: {e}")
def metric_sum(family, kind):
    total, seen = 0.0, False
    for line in metrics.splitlines():
        if line.startswith(family + "{") and f'kind="{kind}"' in line:
            total += float(line.rsplit(" ", 1)[1])
            seen = True
    if not seen:
        fail.append(f"{family}{{kind={kind}}} missing from /metrics")
    return int(total)
if metrics:
    for family, kind, key in (("sfud_datagrams_received_total", "rtp", "rtp_packets_out"),
                              ("sfud_datagrams_sent_total", "rtp", "rtp_packets_in"),
                              ("sfud_datagrams_received_total", "rtcp", "rtcp_packets_out")):
        value = metric_sum(family, kind)
        print(f"metrics: {family}{{kind={kind}}} = {value}; loadgen {key} = {t[key]}")
        if value != t[key]:
            fail.append(f"{family}{{kind={kind}}} {value} != loadgen {key} {t[key]}")
if fail:
    for f in fail:
        print("FAIL:", f)
    sys.exit(1)
print(f"PASS: 104 peers connected, {m['expected']} media packets with zero loss, "
      f"latency p99 {r['media']['latency_ms']['p99']} ms, counts equal sfud's (shard logs and /metrics)")
PY
