#!/bin/bash
# Capacity of one sfud shard on one core, measured with sfud-loadgen:
#   1. the largest number of 600 kbps video subscribers (one publisher, one room) that sfud
#      --shards 1 serves with loss < 0.1% and p99 end-to-end latency < 50 ms, found by doubling
#      then bisecting (each trial a fresh sfud, a few seconds of media);
#   2. the join-storm handshake rate: N subscribers signaled first, then all released at once
#      (ICE + DTLS 1.2 + SRTP keying against the one shard);
#   3. next to them, the bare sendmmsg loop's packets/s from net_bench (if given), the most one
#      core's UDP send path can do at all.
# sfud's shard pins itself to CPU 0; the load generator is pinned to the other CPUs. With only
# 2 CPUs the load generator (which decrypts every packet it receives) gets one core, so on a
# small machine the figure found can be the load generator's limit, not sfud's: the script prints
# sfud's CPU use of each trial so the two can be told apart.
#
#   capacity.sh [--sfud PATH] [--loadgen PATH] [--net-bench PATH] [--max N] [--start N]
#               [--seconds S] [--storm N] [--budget SECONDS]
# Runs inside a loopback-only network namespace when it can (root), else on 127.0.0.1 with the
# ports below. Every trial is bounded by `timeout`; the whole search by --budget.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SFUD=$root/build/release/daemon/sfud
LOADGEN=$root/build/release/bench/sfud-loadgen
NET_BENCH=
MAX=8000
START=250
SECONDS_PER_TRIAL=6
STORM=1000
BUDGET=300
while [ $# -gt 0 ]; do
  case $1 in
    --sfud) SFUD=$2; shift 2 ;;
    --loadgen) LOADGEN=$2; shift 2 ;;
    --net-bench) NET_BENCH=$2; shift 2 ;;
    --max) MAX=$2; shift 2 ;;
    --start) START=$2; shift 2 ;;
    --seconds) SECONDS_PER_TRIAL=$2; shift 2 ;;
    --storm) STORM=$2; shift 2 ;;
    --budget) BUDGET=$2; shift 2 ;;
    --inside) INSIDE=1; shift ;;
    *) echo "unknown argument $1"; exit 2 ;;
  esac
done
for bin in "$SFUD" "$LOADGEN"; do
  [ -x "$bin" ] || { echo "not executable: $bin (build it, or pass --sfud/--loadgen)"; exit 2; }
done

# Re-run inside a fresh network namespace with only loopback, if we may.
if [ -z "${INSIDE:-}" ] && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
  exec unshare -n bash -c 'ip link set lo up && exec "$@"' capacity "$0" --sfud "$SFUD" \
    --loadgen "$LOADGEN" --net-bench "$NET_BENCH" --max "$MAX" --start "$START" \
    --seconds "$SECONDS_PER_TRIAL" --storm "$STORM" --budget "$BUDGET" --inside
fi

HTTP=127.0.0.1:18380
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ncpu=$(nproc)
pin=()
[ "$ncpu" -ge 2 ] && pin=(taskset -c "1-$((ncpu - 1))")
# On a shared machine (other builds running) both sides would mostly measure the run queue: as
# root, give sfud and the load generator a CFS weight well above a compiler's (nice -15; not a
# real-time class, so nothing can starve the machine).
prio=()
[ "$(id -u)" = 0 ] && prio=(nice -n -15)
deadline=$((SECONDS + BUDGET))

# start_sfud: one shard (pinned to CPU 0 by sfud), mmsg or io_uring as configured by default.
start_sfud() {
  "${prio[@]}" "$SFUD" --shards=1 --port=20300 --http=$HTTP --metrics=127.0.0.1:19380 --log_level=warning \
    >"$work/sfud.log" 2>&1 &
  sfud_pid=$!
  for _ in $(seq 100); do
    curl -s -o /dev/null -f "http://$HTTP/readyz" && return 0
    sleep 0.1
  done
  echo "sfud did not become ready"; cat "$work/sfud.log"; return 1
}
stop_sfud() {
  kill -TERM "$sfud_pid" 2>/dev/null
  wait "$sfud_pid" 2>/dev/null
}

# trial N: prints "pass|fail N loss p99 sfud_cpu connected" and returns 0 on pass.
trial() {
  local n=$1
  start_sfud || return 2
  # The trial's scenario and SLOs are scenarios/capacity.conf; what varies overrides it.
  timeout $((SECONDS_PER_TRIAL + 120)) "${prio[@]}" "${pin[@]}" "$LOADGEN" \
    --scenario "$here/scenarios/capacity.conf" --url "http://$HTTP" --subscribers "$n" \
    --duration "$SECONDS_PER_TRIAL" --threads "$(( ncpu > 2 ? ncpu - 1 : 1 ))" \
    --sfud-pid "$sfud_pid" --json "$work/trial.json" >"$work/trial.txt" 2>&1
  local status=$?
  stop_sfud
  # The largest trial that passed, and the largest one of all, for the per-packet cost below.
  [ $status = 0 ] && cp "$work/trial.json" "$work/best.json"
  cp "$work/trial.json" "$work/largest_$n.json" 2>/dev/null
  python3 - "$work/trial.json" "$n" "$status" <<'PY'
import json, sys
path, n, status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    r = json.load(open(path))
except Exception:
    print(f"fail {n} (no report, exit {status})"); sys.exit(0)
m, s = r["media"], r["sessions"]
cpu = r["sfud"].get("cpu_percent", -1)
verdict = "pass" if status == 0 else "fail"
print(f"{verdict} {n} subscribers: loss {m['loss']*100:.3f}%  p99 {m['latency_ms']['p99']:.1f} ms  "
      f"out {r['traffic']['pps_in']:.0f} pkt/s  sfud CPU {cpu:.0f}%  connected "
      f"{s['subscribers_connected']}/{s['planned_subscribers']}")
PY
  return $status
}

echo "== video subscribers per shard (600 kbps, loss < 0.1%, p99 < 50 ms), $SECONDS_PER_TRIAL s trials"
good=0
bad=0
n=$START
while [ "$n" -le "$MAX" ] && [ $SECONDS -lt $deadline ]; do
  if trial "$n"; then good=$n; n=$((n * 2)); else bad=$n; break; fi
done
[ "$bad" = 0 ] && [ "$good" -ge "$MAX" ] && bad=$((MAX + 1))
# Bisect between the last pass and the first failure, to within 10%.
while [ "$bad" -gt 0 ] && [ $((bad - good)) -gt $((good / 10 + 1)) ] && [ $SECONDS -lt $deadline ]; do
  mid=$(((good + bad) / 2))
  if trial "$mid"; then good=$mid; else bad=$mid; fi
done

echo "== join storm: $STORM subscribers signaled, then released at once"
storm_rate=
if start_sfud; then
  timeout 300 "${prio[@]}" "${pin[@]}" "$LOADGEN" --url "http://$HTTP" --rooms 1 --publishers 0 \
    --subscribers "$STORM" --join-storm --duration 2 --threads "$(( ncpu > 2 ? ncpu - 1 : 1 ))" \
    --quiet --sfud-pid "$sfud_pid" --json "$work/storm.json" >"$work/storm.txt" 2>&1
  stop_sfud
  storm_rate=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); \
print('%.0f handshakes/s (%d/%d connected, ICE+DTLS p50 %.0f ms p99 %.0f ms; signaling %.0f POST/s)' % \
(r['handshakes_per_second'], r['sessions']['subscribers_connected'], r['sessions']['planned_subscribers'], \
r['handshake_ms']['p50'], r['handshake_ms']['p99'], r['signaling_per_second']))" "$work/storm.json" 2>/dev/null)
fi

bare=
if [ -n "$NET_BENCH" ] && [ -x "$NET_BENCH" ]; then
  # net_bench's own reporter prints the pkts/s counter (per CPU second) on each line; take the
  # median of the three repetitions.
  bare=$("$NET_BENCH" --benchmark_filter='send/bare_sendmmsg/1200' --benchmark_color=false \
    2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep 'bare_sendmmsg/1200.*_median' | awk '{print $NF " datagrams per CPU second"}')
fi

echo
echo "== sfud capacity, one shard on one core (machine: $ncpu CPUs, load average $(cut -d' ' -f1 /proc/loadavg))"
if [ "$bad" -gt "$MAX" ]; then
  echo "  600 kbps video subscribers: >= $good (the --max limit; every trial passed)"
else
  echo "  600 kbps video subscribers: $good (fails at $bad)"
fi
echo "  join storm:                 ${storm_rate:-not measured}"
echo "  bare sendmmsg loop, 1200 B: ${bare:-not measured (pass --net-bench build/release/bench/net_bench)}"
# What sfud's own CPU time says, independent of how much CPU this machine gave it: the cost per
# forwarded packet in the largest trial (its CPU window includes the handshakes at the start, so
# this is an upper bound), and per handshake in the storm; and what one whole core would do at
# that cost. On a machine shared with other work these are the figures to compare.
biggest=$(ls "$work"/largest_*.json 2>/dev/null | sed 's/.*largest_\([0-9]*\).json/\1/' | sort -n | tail -1)
python3 - "$work/largest_${biggest:-0}.json" "$work/storm.json" <<'PY'
import json, sys
def load(p):
    try:
        return json.load(open(p))
    except Exception:
        return None
t, s = load(sys.argv[1]), load(sys.argv[2])
if t and t["sfud"].get("cpu_seconds"):
    pkts = t["traffic"]["rtp_packets_in"] + t["traffic"]["rtp_packets_out"]
    ns = t["sfud"]["cpu_seconds"] / max(pkts, 1) * 1e9
    out_pps = t["traffic"]["pps_in"]
    per_sub = out_pps / max(t["sessions"]["subscribers_connected"], 1)
    print(f"  sfud CPU per packet:        {ns:.0f} ns (in + out, {pkts} packets, largest trial) -> "
          f"~{1e9 / ns:.0f} packets/s per core, ~{1e9 / ns / per_sub:.0f} subscribers of "
          f"{per_sub:.0f} pkt/s per core")
if s and s["sfud"].get("cpu_seconds"):
    n = s["sessions"]["subscribers_connected"]
    cpu = s["sfud"]["cpu_seconds"]
    print(f"  sfud CPU per handshake:     {cpu / max(n, 1) * 1e6:.0f} us ({n} handshakes, "
          f"{cpu:.2f} s CPU) -> ~{n / cpu if cpu > 0 else 0:.0f} handshakes/s per core")
PY
