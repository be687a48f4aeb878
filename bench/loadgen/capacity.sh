#!/bin/bash
# Capacity of one sfud shard on one core, measured with sfud-loadgen:
#   1. the largest number of 600 kbps video subscribers (one publisher, one room) that sfud
#      --shards 1 serves with loss < 0.1% and p99 end-to-end latency < 50 ms, found by doubling
#      then bisecting (each trial a fresh sfud, a few seconds of media);
#   2. the join-storm handshake rate: N subscribers signaled first, then all released at once
#      (ICE + DTLS 1.2 + SRTP keying against the one shard);
#   3. next to them, the bare sendmmsg loop's packets/s from net_bench (if given), the most one
#      core's UDP send path can do at all, and (if given) engine_bench's in-memory costs: the
#      shard engine per forwarded copy against a bare copy+rewrite+seal fan-out, and per session
#      against the public-key floor of a DTLS server handshake (what no implementation avoids).
# sfud's shard pins itself to CPU 0; the load generator is pinned to the other CPUs. With only
# 2 CPUs the load generator (which decrypts every packet it receives) gets one core, so on a
# small machine the figure found can be the load generator's limit, not sfud's: the script prints
# sfud's CPU use of each trial so the two can be told apart.
#
#   capacity.sh [--sfud PATH] [--loadgen PATH] [--net-bench PATH] [--engine-bench PATH]
#               [--max N] [--start N]
#               [--seconds S] [--storm N] [--budget SECONDS]
# Runs inside a loopback-only network namespace when it can (root), else on 127.0.0.1 with the
# ports below. Every trial is bounded by `timeout`; the whole search by --budget.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
SFUD=$root/build/release/daemon/sfud
LOADGEN=$root/build/release/bench/sfud-loadgen
NET_BENCH=
ENGINE_BENCH=
MAX=8000
START=250
SECONDS_PER_TRIAL=10
STEADY_SECONDS=3
STORM=1000
BUDGET=300
while [ $# -gt 0 ]; do
  case $1 in
    --sfud) SFUD=$2; shift 2 ;;
    --loadgen) LOADGEN=$2; shift 2 ;;
    --net-bench) NET_BENCH=$2; shift 2 ;;
    --engine-bench) ENGINE_BENCH=$2; shift 2 ;;
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
    --loadgen "$LOADGEN" --net-bench "$NET_BENCH" --engine-bench "$ENGINE_BENCH" --max "$MAX" --start "$START" \
    --seconds "$SECONDS_PER_TRIAL" --storm "$STORM" --budget "$BUDGET" --inside
fi

HTTP=127.0.0.1:18380
METRICS=127.0.0.1:19380
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
  "${prio[@]}" "$SFUD" --shards=1 --port=20300 --http=$HTTP --metrics=$METRICS --log_level=warning \
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

# metric NAME: the sum of a counter family on sfud's /metrics (0 if absent).
metric() {
  curl -s "http://$METRICS/metrics" | awk -v f="$1" '$1 == f || index($1, f "{") == 1 { s += $2 }
    END { printf "%d", s }'
}
# shard_ticks: utime + stime (clock ticks) of sfud's shard thread.
shard_ticks() {
  local t
  for t in /proc/"$sfud_pid"/task/*; do
    [ "$(cat "$t/comm" 2>/dev/null)" = sfud-shard-0 ] && awk '{ print $14 + $15 }' "$t/stat" && return
  done
  echo 0
}

# trial N: prints "pass|fail N loss p99 sfud_cpu connected" and returns 0 on pass.
trial() {
  local n=$1
  start_sfud || return 2
  # The trial's scenario and SLOs are scenarios/capacity.conf; what varies overrides it.
  timeout $((SECONDS_PER_TRIAL + 120)) "${prio[@]}" "${pin[@]}" "$LOADGEN" \
    --scenario "$here/scenarios/capacity.conf" --url "http://$HTTP" --subscribers "$n" \
    --duration "$SECONDS_PER_TRIAL" --threads "$(( ncpu > 2 ? ncpu - 1 : 1 ))" \
    --sfud-pid "$sfud_pid" --json "$work/trial.json" >"$work/trial.txt" 2>&1 &
  local loadgen_pid=$!
  # Steady state, by sfud's own account: once every session's handshake has succeeded, the shard
  # thread's CPU and sfud's datagrams sent over the next few seconds (no joins in the window).
  local steady=
  for _ in $(seq $((SECONDS_PER_TRIAL * 10))); do
    [ "$(metric sfud_dtls_handshakes_succeeded_total)" -ge $((n + 1)) ] && { steady=1; break; }
    sleep 0.1
  done
  rm -f "$work/steady.txt"
  if [ -n "$steady" ]; then
    local cpu0 sent0 cpu1 sent1
    cpu0=$(shard_ticks); sent0=$(metric sfud_datagrams_sent_total)
    sleep "$STEADY_SECONDS"
    cpu1=$(shard_ticks); sent1=$(metric sfud_datagrams_sent_total)
    if kill -0 "$loadgen_pid" 2>/dev/null && [ "$sent1" -gt "$sent0" ]; then
      echo "$(( (cpu1 - cpu0) * 1000000000 / $(getconf CLK_TCK) / (sent1 - sent0) )) $(( (sent1 - sent0) / STEADY_SECONDS ))" \
        >"$work/steady.txt"
    fi
  fi
  wait "$loadgen_pid"
  local status=$?
  stop_sfud
  # The largest trial that passed, and the largest one of all, for the per-packet cost below.
  [ $status = 0 ] && cp "$work/trial.json" "$work/best.json"
  cp "$work/trial.json" "$work/largest_$n.json" 2>/dev/null
  [ -s "$work/steady.txt" ] && cp "$work/steady.txt" "$work/steady_$n.txt"
  python3 - "$work/trial.json" "$n" "$status" "$work/steady.txt" <<'PY'
import json, sys
path, n, status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    ns, pps = map(int, open(sys.argv[4]).read().split())
    steady = f"  steady: {pps} datagrams/s out, shard {ns} ns CPU per datagram"
except Exception:
    steady = "  steady: not reached"
try:
    r = json.load(open(path))
except Exception:
    print(f"fail {n} (no report, exit {status})"); sys.exit(0)
m, s = r["media"], r["sessions"]
cpu = r["sfud"].get("cpu_percent", -1)
verdict = "pass" if status == 0 else "fail"
print(f"{verdict} {n} subscribers: loss {m['loss']*100:.3f}%  p99 {m['latency_ms']['p99']:.1f} ms  "
      f"out {r['traffic']['pps_in']:.0f} pkt/s  sfud CPU {cpu:.0f}%  connected "
      f"{s['subscribers_connected']}/{s['planned_subscribers']}{steady}")
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

engine=
if [ -n "$ENGINE_BENCH" ] && [ -x "$ENGINE_BENCH" ]; then
  # The ratio lines engine_bench prints at its end (fan-out at N=4000, and per session).
  engine=$(taskset -c 0 "$ENGINE_BENCH" --benchmark_filter='fanout/.*/4000|session' \
    --benchmark_color=false 2>/dev/null | grep -E '^(ns/copy|us/session)')
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
if [ -n "$engine" ]; then
  echo "  in memory (engine_bench; sfud / baseline, same run):"
  echo "$engine" | sed 's/^/    /'
else
  echo "  in memory:                  not measured (pass --engine-bench build/release/bench/engine_bench)"
fi
# What sfud's own shard thread says, independent of how much CPU this machine gave it: its CPU per
# datagram sent in the steady window of the largest trial (after every handshake, so joins are
# not in it), and per handshake in the storm (the window starts when the signaled sessions are
# released, so the control thread's HTTP/SDP work is not in it either); and what one whole core
# would do at that cost. On a machine shared with other work these are the figures to compare.
biggest=$(ls "$work"/steady_*.txt 2>/dev/null | sed 's/.*steady_\([0-9]*\).txt/\1/' | sort -n | tail -1)
python3 - "$work/steady_${biggest:-0}.txt" "$work/largest_${biggest:-0}.json" "$work/storm.json" \
  "${biggest:-0}" <<'PY'
import json, sys
def load(p):
    try:
        return json.load(open(p))
    except Exception:
        return None
try:
    ns, pps = map(int, open(sys.argv[1]).read().split())
except Exception:
    ns = pps = None
t, s, n = load(sys.argv[2]), load(sys.argv[3]), int(sys.argv[4])
if ns and t:
    per_sub = t["traffic"]["pps_in"] / max(t["sessions"]["subscribers_connected"], 1)
    print(f"  shard CPU per datagram sent: {ns} ns (steady window of the {n}-subscriber trial, "
          f"{pps} datagrams/s) -> ~{1e9 / ns:.0f} datagrams/s per core, ~{1e9 / ns / per_sub:.0f} "
          f"subscribers of {per_sub:.0f} pkt/s per core")
if s and s["sfud"].get("shard_cpu_seconds"):
    n = s["sessions"]["subscribers_connected"]
    cpu = s["sfud"]["shard_cpu_seconds"]
    print(f"  shard CPU per handshake:     {cpu / max(n, 1) * 1e6:.0f} us ({n} handshakes, "
          f"{cpu:.2f} s of the shard thread) -> ~{n / cpu if cpu > 0 else 0:.0f} handshakes/s "
          f"per core")
PY
