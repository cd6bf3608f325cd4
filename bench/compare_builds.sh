#!/usr/bin/env bash
# Before/after figures of two builds, run back to back so that the machine's
# drift over a session falls on both alike: bench_sdk and bench_log once
# each with the old and the new binaries, then the daemon's 60 s ingest
# before, after, before, after.
#
#   bench/compare_builds.sh OLD_BUILD_DIR NEW_BUILD_DIR
#
# Each build dir needs bin/bench_sdk, bin/bench_log, bin/callpathd and
# bin/callpath-loadgen (copy them aside before rebuilding the old tree).
# Run it on an idle machine; it takes about 8 minutes.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 OLD_BUILD_DIR NEW_BUILD_DIR" >&2; exit 2; }
old=$1 new=$2
for d in "$old" "$new"; do
  for b in bench_sdk bench_log callpathd callpath-loadgen; do
    [ -x "$d/bin/$b" ] || { echo "$0: $d/bin/$b is missing" >&2; exit 2; }
  done
done
cd "$(dirname "$0")/.."
scratch=$(mktemp -d /tmp/callpath-compare.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

label() { [ "$1" = "$old" ] && echo before || echo after; }
for d in "$old" "$new"; do
  echo "=== bench_sdk $(label "$d") $(date -u +%H:%M:%S)"
  "$d/bin/bench_sdk" --benchmark_min_time=0.5 --benchmark_repetitions=5 \
    --benchmark_report_aggregates_only=true 2>&1 | grep -E "median|^Benchmark"
done
for d in "$old" "$new"; do
  echo "=== bench_log $(label "$d") $(date -u +%H:%M:%S)"
  "$d/bin/bench_log" --reps=5 --latency_msgs=50000 --throughput_msgs=500000 --dir="$scratch" 2>&1 |
    sed -n '/^median/,$p'
done
for d in "$old" "$new" "$old" "$new"; do
  echo "=== ingest $(label "$d") $(date -u +%H:%M:%S)"
  bash bench/daemon/run_ingest.sh "$d"
done
