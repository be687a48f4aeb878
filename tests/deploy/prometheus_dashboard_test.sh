#!/bin/bash
# Live check of deploy/grafana-dashboard.json: starts Debian's prometheus on 127.0.0.1 scraping
# METRICS_URL every second, waits (bounded) for up == 1, then evaluates every panel expression
# through the HTTP API and fails if any returns no series. Grafana's $__rate_interval is replaced
# by a fixed window. Only the Prometheus this script starts is killed, by its PID.
#
# Usage: prometheus_dashboard_test.sh METRICS_URL [REPO_ROOT]
#   e.g. prometheus_dashboard_test.sh http://127.0.0.1:9464/metrics
# Env: PROMETHEUS_PORT (default: a free port), UP_TIMEOUT_S (default 60), WARMUP_S (default 4),
#      DASHBOARD (default REPO_ROOT/deploy/grafana-dashboard.json).
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
# rate() needs two samples inside its window.
sleep "${WARMUP_S:-4}"

python3 - "$dashboard" "$api" <<'PY'
import json, sys, urllib.parse, urllib.request
dashboard, api = json.load(open(sys.argv[1])), sys.argv[2]
failures, checked = [], 0
for panel in dashboard["panels"]:
    for t in panel.get("targets", []):
        expr = t["expr"].replace("$__rate_interval", "30s")
        query = urllib.parse.urlencode({"query": expr})
        with urllib.request.urlopen(f"{api}/query?{query}", timeout=10) as r:
            body = json.load(r)
        checked += 1
        result = body.get("data", {}).get("result", [])
        if body.get("status") != "success" or not result:
            failures.append(f"{panel['title']} [{t['refId']}]: {body.get('status')} "
                            f"{body.get('error', 'no data')}: {expr}")
        else:
            print(f"ok  {panel['title']} [{t['refId']}]: {len(result)} series")
for f in failures:
    print("FAIL " + f)
print(f"{checked - len(failures)}/{checked} panel expressions returned data")
sys.exit(1 if failures else 0)
PY
