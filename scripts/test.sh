#!/usr/bin/env bash
# The test command: installs what is missing, builds everything, runs every
# test (unit, integration, install-consumer, the MCP endpoint with the
# official TypeScript SDK client), then builds the libFuzzer targets with
# clang and smoke-runs each over its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${CALLPATH_JOBS:-$(nproc)}

bash scripts/setup.sh

# The web UI (ui/, packages from the committed lock file), built first so
# that build/bin/callpathd serves it.
(cd ui && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run --silent build >/dev/null)

# Paths inside the tree are hashed relative to it, so a fresh clone in another
# folder (as CI makes) still hits the compiler cache.
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=1

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600

# callpathd's MCP endpoint driven by the official MCP TypeScript SDK client,
# over HTTP and over stdio (packages from the committed lock file).
(cd tests/mcp && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
CALLPATH_BIN_DIR="$root/build/bin" node --test tests/mcp/mcp_sdk.test.mjs

# The web UI: unit tests of its logic, then end to end in headless chromium
# against a real callpathd and the demo shop (screenshots in build/ui-e2e/).
(cd ui && node scripts/unit.mjs)
(cd ui && CALLPATH_BIN_DIR="$root/build/bin" node e2e/run.mjs)

# callpathd's Loki and Elasticsearch push receivers driven by real clients
# (pino-loki, winston-loki, the official Elasticsearch client; pinned lock).
(cd tests/logs && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
CALLPATH_BIN_DIR="$root/build/bin" node --test tests/logs/push_clients.test.mjs
# callpath-ship against a live callpathd: rotation, restarts, kill -9, ...
CALLPATH_BIN_DIR="$root/build/bin" node --test tests/logs/ship.test.mjs
# rsyslog's omelasticsearch against the bulk receiver.
CALLPATH_BIN_DIR="$root/build/bin" node --test tests/logs/rsyslog.test.mjs

# The OpenTelemetry JS trace exporters (OTLP/HTTP JSON and protobuf, gRPC)
# sending to callpathd over TLS with an API key (pinned lock file).
(cd tests/otel-js && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
CALLPATH_BIN_DIR="$root/build/bin" node --test tests/otel-js/otlp_tls.test.mjs

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCALLPATH_FUZZ=ON >/dev/null
cmake --build build-fuzz -j "$jobs"
ctest --test-dir build-fuzz --output-on-failure -j "$jobs" --timeout 600

echo "all tests passed (${root})"
