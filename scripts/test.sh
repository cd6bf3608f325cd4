#!/usr/bin/env bash
# The test command: installs what is missing, builds everything, runs every
# test (unit, integration, install-consumer), then builds the libFuzzer
# targets with clang and smoke-runs each over its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${CALLPATH_JOBS:-$(nproc)}

bash scripts/setup.sh

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/callpath-ccache}

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCALLPATH_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$jobs"
ctest --test-dir build-fuzz --output-on-failure -j "$jobs" --timeout 600

echo "all tests passed (${root})"
