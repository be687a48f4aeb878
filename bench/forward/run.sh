#!/usr/bin/env bash
# Builds and runs the forwarding benchmark (README.md beside this file). Arguments go to the
# binary, e.g.  bench/forward/run.sh --subscribers=1,100 --steady_ms=1000
# BUILD_DIR (default build/forward-bench under the project root) is configured RelWithDebInfo
# with gcc if it does not exist yet. Needs two CPUs (the forwarder runs on CPU 0, the traffic on
# CPU 1) and, for SO_RCVBUFFORCE, root; it uses loopback only and takes under three minutes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${BUILD_DIR:-${root}/build/forward-bench}"
if [[ ! -f "${build}/build.ninja" ]]; then
  cmake -S "${root}" -B "${build}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ >/dev/null
fi
cmake --build "${build}" -j2 --target forward_bench >/dev/null
exec "${build}/bench/forward_bench" "$@"
