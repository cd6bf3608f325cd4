#!/usr/bin/env bash
# Query latency while callpathd ingests at full rate: loadgen runs for
# DURATION; from 10 s in, N times 0.2 s apart, one native search (service
# checkout, errors, trace > 100 ms, last hour, 20 results) and the first
# result by id. Prints p50 / p99 / max of each (curl's time_total).
#
#   bench/daemon/query_under_ingest.sh [BUILD_DIR]      (DURATION=40s N=100)
set -euo pipefail
build=${1:-build}
data=$(mktemp -d /tmp/callpath-qui.XXXXXX)
trap 'rm -rf "$data"' EXIT

source "$(dirname "$0")/start_daemon.sh"
start_daemon "$data"
query=http://127.0.0.1:$query_port

"$build/bin/callpath-loadgen" --endpoint "http://127.0.0.1:$otlp_http_port" --duration "${DURATION:-40s}" \
  --concurrency 4 >"$data/loadgen.out" &
loadgen=$!
sleep 10
for _ in $(seq "${N:-100}"); do
  curl -s -o "$data/search.json" -w '%{time_total}\n' \
    "$query/api/v1/search?service=checkout&errors=true&min_trace_duration=100ms&start=1h&limit=20" \
    >>"$data/search.txt"
  id=$(grep -o '"trace_id":"[0-9a-f]*"' "$data/search.json" | head -1 | cut -d'"' -f4)
  if [ -n "$id" ]; then
    curl -s -o /dev/null -w '%{time_total}\n' "$query/api/v1/traces/$id" >>"$data/trace.txt"
  fi
  sleep 0.2
done
wait "$loadgen"
tail -1 "$data/loadgen.out"
kill "$daemon"
wait "$daemon"
for what in search trace; do
  [ -s "$data/$what.txt" ] || { echo "$what: no samples"; continue; }
  sort -n "$data/$what.txt" | awk -v what="$what" '{v[NR] = $1} END {
    p99 = int(NR * 0.99); if (p99 < 1) p99 = 1
    printf "%s n=%d p50=%.1fms p99=%.1fms max=%.1fms\n", what, NR, v[int((NR + 1) / 2)] * 1000,
           v[p99] * 1000, v[NR] * 1000}'
done
