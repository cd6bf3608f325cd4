#!/usr/bin/env bash
# Sustained ingest into callpathd with the embedded store: starts the daemon on
# loopback ports with a fresh data dir, runs callpath-loadgen against it for
# DURATION, then prints the loadgen's JSON line, the daemon's peak RSS, its CPU
# seconds per thread group, and the store's size after a clean stop.
#
#   bench/daemon/run_ingest.sh [BUILD_DIR]      (DURATION=60s CONCURRENCY=4 LOADGEN_ARGS=...)
set -euo pipefail
build=${1:-build}
duration=${DURATION:-60s}
data=$(mktemp -d /tmp/callpath-ingest.XXXXXX)
trap 'rm -rf "$data"' EXIT

source "$(dirname "$0")/start_daemon.sh"
start_daemon "$data"

"$build/bin/callpath-loadgen" --endpoint "http://127.0.0.1:$otlp_http_port" --duration "$duration" \
  --concurrency "${CONCURRENCY:-4}" ${LOADGEN_ARGS:-} | tail -1
grep VmHWM "/proc/$daemon/status"
# utime + stime (clock ticks) of each thread, summed by thread name.
for t in /proc/$daemon/task/*; do
  echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"
done | awk -v hz="$(getconf CLK_TCK)" '{cpu[$1] += $2} END {for (k in cpu) printf "cpu_s %s %.1f\n", k, cpu[k] / hz}'
kill "$daemon"
wait "$daemon"
echo "store_bytes $(du -sb "$data/store" | cut -f1)"
