#!/usr/bin/env bash
# Installs what is missing, builds sfud (release) and runs it in the foreground with its default
# configuration: one shard per CPU on UDP 127.0.0.1:10000+k, WHIP/WHEP and the demo page on
# http://127.0.0.1:8080/. Arguments go to sfud (scripts/run.sh --help lists every setting).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
bash scripts/build.sh release
exec build/release/daemon/sfud "$@"
