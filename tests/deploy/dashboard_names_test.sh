#!/bin/bash
# Static check of deploy/grafana-dashboard.json: it parses, every panel has PromQL targets, and
# every metric name a target references is a family declared in metrics/metric_names.h (with the
# _bucket/_sum/_count series of histogram families). Usage: dashboard_names_test.sh [REPO_ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
python3 - "$root/deploy/grafana-dashboard.json" "$root/metrics/metric_names.h" <<'PY'
import json, re, sys
dashboard_path, names_path = sys.argv[1], sys.argv[2]
header = open(names_path).read()
# X(kId, "sfud_name", kType, ...): the name and type of every family.
families = dict(re.findall(r'X\(k\w+,\s*"(sfud_\w+)",\s*(k\w+),', header))
if len(families) < 10:
    sys.exit(f"FAIL: found only {len(families)} families in {names_path}")
allowed = set(families)
for name, kind in families.items():
    if kind == "kHistogram":
        allowed |= {name + "_bucket", name + "_sum", name + "_count"}
dashboard = json.load(open(dashboard_path))
errors, exprs = [], 0
for panel in dashboard.get("panels", []):
    targets = panel.get("targets", [])
    if not targets:
        errors.append(f"panel '{panel.get('title')}' has no targets")
    for t in targets:
        expr = t.get("expr", "")
        exprs += 1
        if not expr.strip():
            errors.append(f"panel '{panel.get('title')}' {t.get('refId')}: empty expr")
        used = re.findall(r'\b(sfud_\w+)', expr)
        if not used:
            errors.append(f"panel '{panel.get('title')}': expr uses no sfud metric: {expr}")
        for name in used:
            if name not in allowed:
                errors.append(f"panel '{panel.get('title')}': unknown metric {name}")
if errors:
    print("\n".join("FAIL: " + e for e in errors))
    sys.exit(1)
print(f"OK: {len(dashboard['panels'])} panels, {exprs} expressions, all names in metric_names.h")
PY
