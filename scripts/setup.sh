#!/usr/bin/env bash
# Installs every Debian 12 package sfud's build, tests, fuzzers and benchmarks need. Idempotent:
# installs only what is missing, so a second run does nothing and needs no network.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config g++ clang libclang-rt-14-dev llvm
  # libraries sfud links
  liburing-dev libssl-dev libabsl-dev prometheus-cpp-dev libsystemd-dev libcpp-httplib-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev libsrtp2-dev openssl iproute2 procps python3 curl
  # systemd-analyze checks the unit in deploy/
  systemd
  # real peers for interop tests: headless Chromium driven by chromedriver
  chromium chromium-driver fonts-liberation
  # promtool (metrics lint) and a real Prometheus for the dashboard test
  prometheus
)

# werift (an npm package) is a test peer: Node.js and npm come from the image when it has them
# (NodeSource's nodejs bundles npm), else from Debian.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
