#!/bin/bash
# Runs prometheus_dashboard_test.sh against metrics_demo_exposer (an SfudCollector with every
# family populated, on an ephemeral loopback port): a test of the script, of the exposer under a
# real Prometheus scrape and of the dashboard's PromQL. The run against a live sfud belongs to the
# integration tests. Usage: dashboard_demo_test.sh EXPOSER_BINARY [REPO_ROOT]
set -euo pipefail
exposer=${1:?usage: dashboard_demo_test.sh EXPOSER_BINARY [REPO_ROOT]}
root=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
out=$(mktemp)
"$exposer" 0 180 > "$out" &
exposer_pid=$!
trap 'kill "$exposer_pid" 2> /dev/null || true; wait "$exposer_pid" 2> /dev/null || true; rm -f "$out"' EXIT
port=
for _ in $(seq 1 50); do
  port=$(sed -n 's/^port=//p' "$out")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: exposer printed no port"; exit 1; }
# The exposition itself passes Prometheus' linter.
curl -sf "http://127.0.0.1:$port/metrics" | promtool check metrics
"$(dirname "$0")/prometheus_dashboard_test.sh" "http://127.0.0.1:$port/metrics" "$root"

# The check can fail: a panel on a family the exposer has not emitted (no HTTP request has been
# counted under this route) must be reported as returning no data.
bad=$(mktemp)
python3 - "$root/deploy/grafana-dashboard.json" "$bad" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["panels"] = [{"title": "absent", "targets": [
    {"refId": "A", "expr": 'sum(rate(sfud_http_requests_total{route="/never"}[$__rate_interval]))'}]}]
json.dump(d, open(sys.argv[2], "w"))
PY
if DASHBOARD="$bad" "$(dirname "$0")/prometheus_dashboard_test.sh" \
    "http://127.0.0.1:$port/metrics" "$root" > "$out.neg" 2>&1; then
  cat "$out.neg"; rm -f "$bad" "$out.neg"
  echo "FAIL: a panel without data was not reported"
  exit 1
fi
grep -q "FAIL absent" "$out.neg" || { cat "$out.neg"; rm -f "$bad" "$out.neg"; echo "FAIL: wrong failure"; exit 1; }
rm -f "$bad" "$out.neg"
echo "OK: every panel has data; a panel without data is reported"
