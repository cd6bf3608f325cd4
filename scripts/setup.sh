#!/usr/bin/env bash
# Installs every Debian package that callpath's build, tests and demo need.
# Idempotent: when everything is present it prints nothing and exits 0.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  zlib1g-dev libzstd-dev liblz4-dev libcurl4-openssl-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  librocksdb-dev libsimdjson-dev libyaml-cpp-dev libcli11-dev libjemalloc-dev
  libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev libboost-system-dev libcpp-httplib-dev libssl-dev
  curl openssl python3 wrk nginx-light
  chromium  # the web UI's end-to-end tests drive it headless (no browser download)
)
# The log parsers and receivers (src/logparse/): RE2 for regex formats,
# snappy for Loki's protobuf pushes; rsyslog with omelasticsearch drives the
# bulk receiver in tests/logs.
packages+=(libre2-dev libsnappy-dev rsyslog rsyslog-elasticsearch)

# ClickHouse (Debian 12 ships 18.16): the scale-out store's conformance and
# fault tests start servers of their own on free loopback ports.
packages+=(clickhouse-server clickhouse-client)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm run the MCP end-to-end test (tests/mcp); a machine that
# already has them (from any source) keeps its own.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >/dev/null
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
