#!/usr/bin/env bash
# The main job. Builds callpath if needed and shows one trace end to end.
# (Until the demo shop lands this runs the quickstart: a small trace with a
# failing payment call, printed by the console exporter, then its trace id.)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${CALLPATH_JOBS:-$(nproc)}

if [ "${1:-}" = "stop" ]; then
  exit 0
fi

bash scripts/setup.sh
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/callpath-ccache}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs" --target quickstart

echo "== quickstart: spans as the console exporter prints them =="
OTEL_SERVICE_NAME=${OTEL_SERVICE_NAME:-quickstart} OTEL_TRACES_EXPORTER=console build/bin/quickstart
