#!/usr/bin/env bash
# The whole test suite from a clean clone: installs what is missing, builds the release and the
# sanitizer flavours, and runs
#   1. every test under ASan+UBSan, and every fuzz target for SFUD_FUZZ_SECONDS (default 20) each;
#   2. every test (unit, interop with real peers) in the release build.
# Ends with one line "N passed, N failed" summing both runs; exits non-zero if anything failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

total_pass=0
total_fail=0

# run_ctest <label> <build dir> [ctest args...]: runs ctest, adds its counts to the totals.
run_ctest() {
  local label=$1 dir=$2
  shift 2
  local log
  log=$(mktemp)
  echo "=== ctest ($label)"
  (cd "$dir" && ctest --output-on-failure --no-tests=error -j "$(nproc)" "$@") 2>&1 | tee "$log"
  local line pass fail all
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "ctest ($label) printed no summary"
    total_fail=$((total_fail + 1))
  else
    fail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    all=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    pass=$((all - fail))
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
  fi
  rm -f "$log"
}

build_or_count() {
  if ! bash scripts/build.sh "$1"; then
    echo "build ($1) failed"
    total_fail=$((total_fail + 1))
    return 1
  fi
}

if build_or_count san; then
  run_ctest "asan+ubsan, fuzz" build/san
fi
if build_or_count release; then
  run_ctest "release" build/release
fi

echo
echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" -eq 0 ]
