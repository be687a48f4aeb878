#!/usr/bin/env bash
# Installs what is missing, builds sfud (release) and runs it.
# While the daemon (daemon/) is not built yet, it runs what exists: the benchmarks of the protocol
# engines, each printing its ratio against a baseline measured in the same run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh release

if [ -x build/release/daemon/sfud ]; then
  exec build/release/daemon/sfud "$@"
fi

echo "sfud: the daemon is not part of this build yet; running the engine benchmarks instead."
found=0
for b in build/release/bench/*_bench build/release/crypto/vaes/*_bench; do
  [ -x "$b" ] || continue
  found=1
  echo "=== $b"
  "$b" --benchmark_min_time=0.2 "$@"
done
if [ "$found" -eq 0 ]; then
  echo "no benchmark binaries were built" >&2
  exit 1
fi
