#!/bin/bash
# Live check of deploy/grafana-dashboard.json: starts Debian's prometheus on 127.0.0.1 scraping
# METRICS_URL every second, waits (bounded) for up == 1, then evaluates every panel expression
# through the HTTP API and fails if any returns no series. Grafana's $__rate_interval is replaced
# by a fixed window. Only the Prometheus this script starts is killed, by its PID.
#
# Usage: prometheus_dashboard_test.sh METRICS_URL [REPO_ROOT]
#   e.g. prometheus_dashboard_test.sh http://127.0.0.1:9464/metrics
# Env: PROMETHEUS_PORT (default: a free port), UP_TIMEOUT_S (default 60), WARMUP_S (default 4),
#      DASHBOARD (default REPO_ROOT/deploy/grafana-dashboard.json),
#      UP_FILE: touched once the target is up (so a caller can start traffic Prometheus will see),
#      WAIT_FOR_FILE: evaluate only once this file exists (bounded by WAIT_TIMEOUT_S, default 90),
#        then after two more scrapes,
#      CHECKS: a file of extra PromQL expressions, one per line (# comments), each of which must
#        return at least one series with no NaN value; write conditions as filters
#        (e.g. `sum(increase(x_total[2m])) > 0`) so a failed condition is an empty result.
set -euo pipefail
url=${1:?usage: prometheus_dashboard_test.sh METRICS_URL [REPO_ROOT]}
root=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
dashboard=${DASHBOARD:-$root/deploy/grafana-dashboard.json}
command -v prometheus > /dev/null || { echo "FAIL: prometheus not installed (Debian 'prometheus')"; exit 1; }

# http://HOST:PORT/PATH → target HOST:PORT and metrics_path /PATH.
rest=${url#*://}
target=${rest%%/*}
path=/${rest#*/}
[ "$rest" = "$target" ] && path=/metrics

work=$(mktemp -d)
prom_pid=
cleanup() {
  if [ -n "$prom_pid" ]; then kill "$prom_pid" 2> /dev/null || true; wait "$prom_pid" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=${PROMETHEUS_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
cat > "$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sfud
    metrics_path: $path
    static_configs:
      - targets: ['$target']
YML
promtool check config "$work/prometheus.yml" > /dev/null
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$port" > "$work/prometheus.log" 2>&1 &
prom_pid=$!
api="http://127.0.0.1:$port/api/v1"

# A static target becomes active only after the scrape manager's ~5 s reload throttle (PEERS.md).
up=0
deadline=$((SECONDS + ${UP_TIMEOUT_S:-60}))
while [ $SECONDS -lt $deadline ]; do
  kill -0 "$prom_pid" 2> /dev/null || { tail -20 "$work/prometheus.log"; echo "FAIL: prometheus exited"; exit 1; }
  if curl -sf "$api/query" --data-urlencode 'query=up{job="sfud"}' 2> /dev/null \
      | grep -q '"value":\[[0-9.]*,"1"\]'; then
    up=1
    break
  fi
  sleep 0.5
done
if [ $up -ne 1 ]; then
  curl -s "$api/targets" || true
  echo "FAIL: target $url not up within ${UP_TIMEOUT_S:-60} s"
  exit 1
fi
[ -n "${UP_FILE:-}" ] && touch "$UP_FILE"
# rate() needs two samples inside its window.
sleep "${WARMUP_S:-4}"
if [ -n "${WAIT_FOR_FILE:-}" ]; then
  deadline=$((SECONDS + ${WAIT_TIMEOUT_S:-90}))
  while [ ! -e "$WAIT_FOR_FILE" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  [ -e "$WAIT_FOR_FILE" ] || { echo "FAIL: $WAIT_FOR_FILE did not appear"; exit 1; }
  sleep 2.5  # the scrape interval is 1 s: the final counters are in the TSDB
fi

python3 - "$dashboard" "$api" "${CHECKS:-}" <<'PY'
import json, math, sys, urllib.parse, urllib.request
dashboard, api, checks = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
failures, checked = [], 0

def query(expr):
    with urllib.request.urlopen(f"{api}/query?{urllib.parse.urlencode({'query': expr})}",
                                timeout=10) as r:
        body = json.load(r)
    return body, body.get("data", {}).get("result", [])

for panel in dashboard["panels"]:
    for t in panel.get("targets", []):
        expr = t["expr"].replace("$__rate_interval", "30s")
        body, result = query(expr)
        checked += 1
        if body.get("status") != "success" or not result:
            failures.append(f"{panel['title']} [{t['refId']}]: {body.get('status')} "
                            f"{body.get('error', 'no data')}: {expr}")
        else:
            print(f"ok  {panel['title']} [{t['refId']}]: {len(result)} series")
print(f"{checked - len(failures)}/{checked} panel expressions returned data")
if checks:
    for line in open(checks):
        expr = line.strip()
        if not expr or expr.startswith("#"):
            continue
        body, result = query(expr)
        values = [float(s["value"][1]) for s in result]
        if body.get("status") != "success" or not result or any(math.isnan(v) for v in values):
            failures.append(f"check: {body.get('status')} {body.get('error', '')} "
                            f"{values or 'no data'}: {expr}")
        else:
            print(f"ok  check {values}: {expr}")
for f in failures:
    print("FAIL " + f)
sys.exit(1 if failures else 0)
PY
