#!/usr/bin/env bash
# Configures and builds one flavour of sfud into build/<flavour>:
#   release  gcc, RelWithDebInfo: the daemon, tests and benchmarks
#   san      clang, ASan+UBSan on everything, libFuzzer targets with bounded fuzz runs as tests
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-release}
jobs=${JOBS:-$(nproc)}
case "$flavour" in
  release)
    cmake -S "$root" -B "$root/build/release" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ >/dev/null
    ;;
  san)
    cmake -S "$root" -B "$root/build/san" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DSFUD_SANITIZE=ON -DSFUD_FUZZ=ON -DSFUD_BUILD_BENCH=OFF \
      -DSFUD_FUZZ_SECONDS="${SFUD_FUZZ_SECONDS:-20}" >/dev/null
    ;;
  *)
    echo "build.sh: unknown flavour '$flavour' (release|san)" >&2
    exit 2
    ;;
esac
cmake --build "$root/build/$flavour" -j "$jobs"
