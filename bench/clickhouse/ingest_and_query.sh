#!/usr/bin/env bash
# The ClickHouse figures of docs/benchmarks.md ("Scale-out: ClickHouse"): ingest through
# callpathd into the 2-shard loopback cluster of scripts/cluster.sh, then trace-by-id and search
# latency through callpathd's query API, and bytes per span on disk.
#
#   bench/clickhouse/ingest_and_query.sh [SECONDS] [NODES]     (60, 1)
#
# With NODES 2 the nodes form a callpathd cluster (scripts/cluster.sh): each loadgen's traces are
# split between the nodes by owner, so about half of every request is forwarded over OTLP/gRPC;
# CALLPATH_CLUSTER_FORWARD=0 runs them as independent nodes instead.
#
# Ingest: callpath-loadgen (4 connections per node, the embedded benchmark's payloads) for
# SECONDS; "stored" is the rate at which spans reached ClickHouse: acknowledged spans over the
# time until callpathd_stored_total caught up with them (the ingest WAL absorbs the difference).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-60}
export CALLPATH_CLUSTER_NODES=${2:-1}
export CALLPATH_CLUSTER_DIR=${CALLPATH_CLUSTER_DIR:-/tmp/callpath-ch-bench}
BASE=${CALLPATH_CLUSTER_PORT_BASE:-18800}
rm -rf "$CALLPATH_CLUSTER_DIR"
trap 'scripts/cluster.sh down' EXIT
scripts/cluster.sh up >/dev/null
ch() { curl -s "http://127.0.0.1:$((BASE + 11))/" --data-binary "$1"; }
node_query() { echo $((BASE + 100 + 10 * $1 + 6)); }
stored() {
  local total=0
  for n in $(seq 1 "$CALLPATH_CLUSTER_NODES"); do
    v=$(curl -s "http://127.0.0.1:$(node_query "$n")/metrics" | awk '/^callpathd_stored_total\{signal="spans"\}/ {print $2}')
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# Where the time goes: CPU seconds (utime + stime of /proc/PID/stat) of each ClickHouse server,
# each callpathd and the loadgens from the start of the load until everything is stored, and each
# server's INSERT statements, inserted rows and bytes over the same time (system.events) and its
# active parts at the end.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
events() {  # shard -> "inserts rows bytes"
  curl -s "http://127.0.0.1:$((BASE + 10 * $1 + 1))/" --data-binary "SELECT sumIf(value, event = 'InsertQuery'),
    sumIf(value, event = 'InsertedRows'), sumIf(value, event = 'InsertedBytes') FROM system.events FORMAT TSV" |
    tr '\t' ' '
}
declare -A cpu0 ev0
for f in "$CALLPATH_CLUSTER_DIR"/pids/*; do cpu0[$(basename "$f")]=$(cpu_ticks "$(cat "$f")"); done
for s in 1 2; do ev0[$s]=$(events "$s"); done

t0=$(date +%s.%N)
pids=()
for n in $(seq 1 "$CALLPATH_CLUSTER_NODES"); do
  { TIMEFORMAT='%U %S'; time build/bin/callpath-loadgen --endpoint "http://127.0.0.1:$((BASE + 100 + 10 * n + 8))" \
    --duration "${SECS}s" --concurrency 4 > "$CALLPATH_CLUSTER_DIR/logs/bench-loadgen$n.log" 2>&1; } \
    2> "$CALLPATH_CLUSTER_DIR/logs/bench-loadgen$n.cpu" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
acked=0
for n in $(seq 1 "$CALLPATH_CLUSTER_NODES"); do
  a=$(grep -o '"acked_spans":[0-9]*' "$CALLPATH_CLUSTER_DIR/logs/bench-loadgen$n.log" | cut -d: -f2)
  acked=$((acked + a))
done
while [ "$(stored)" -lt "$acked" ]; do sleep 0.5; done
t1=$(date +%s.%N)
echo "acknowledged: $acked spans in ${SECS} s ($((acked / SECS)) spans/s)"
awk -v a="$acked" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "stored in ClickHouse: %d spans in %.1f s (%.0f spans/s)\n", a, t1 - t0, a / (t1 - t0) }'
hz=$(getconf CLK_TCK)
line="cpu seconds over the $(awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "%.1f", t1 - t0 }') s:"
for f in "$CALLPATH_CLUSTER_DIR"/pids/*; do
  name=$(basename "$f")
  line+=" $name $(awk -v a="${cpu0[$name]}" -v b="$(cpu_ticks "$(cat "$f")")" -v hz="$hz" 'BEGIN { printf "%.1f", (b - a) / hz }')"
done
echo "$line loadgen $(cat "$CALLPATH_CLUSTER_DIR"/logs/bench-loadgen*.cpu | awk '{ s += $1 + $2 } END { printf "%.1f", s }')"
for s in 1 2; do
  read -r i0 r0 b0 <<< "${ev0[$s]}"
  read -r i1 r1 b1 <<< "$(events "$s")"
  parts=$(curl -s "http://127.0.0.1:$((BASE + 10 * s + 1))/" --data-binary \
    "SELECT count() FROM system.parts WHERE database = 'callpath' AND active FORMAT TSV")
  echo "shard $s: $((i1 - i0)) INSERTs, $((r1 - r0)) rows, $(((b1 - b0) >> 20)) MiB inserted, $parts active parts"
done

# Latency through the query API of node 1: p50 / p99 of N calls (answers other than 200 stop
# the run).
lat() {  # label file of "status seconds" lines
  if grep -qv '^200 ' "$2"; then echo "$1: an answer was not 200" >&2; exit 1; fi
  cut -d' ' -f2 "$2" | sort -n | awk -v label="$1" '{ v[NR] = $1 } END {
    p99 = int(NR * 0.99) + 1; if (p99 > NR) p99 = NR
    printf "%s: n=%d p50 %.1f ms, p99 %.1f ms\n", label, NR, v[int(NR * 0.5) + 1] * 1000, v[p99] * 1000 }'
}
Q=http://127.0.0.1:$(node_query 1)
ch "SELECT lower(hex(trace_id)) FROM callpath.summaries ORDER BY rand() LIMIT 200 FORMAT TSV" > "$CALLPATH_CLUSTER_DIR/ids"
queries() {  # label
  : > "$CALLPATH_CLUSTER_DIR/t_id"
  while read -r id; do curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$Q/api/v1/traces/$id" >> "$CALLPATH_CLUSTER_DIR/t_id"; done < "$CALLPATH_CLUSTER_DIR/ids"
  lat "$1: trace by id" "$CALLPATH_CLUSTER_DIR/t_id"
  : > "$CALLPATH_CLUSTER_DIR/t_search"
  for _ in $(seq 1 50); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$Q/api/v1/search?service=payment&errors=true&min_duration=100ms&lookback=1h&limit=20" >> "$CALLPATH_CLUSTER_DIR/t_search"
  done
  lat "$1: search service+errors+duration>100ms, last hour, 20" "$CALLPATH_CLUSTER_DIR/t_search"
  : > "$CALLPATH_CLUSTER_DIR/t_attr"
  for _ in $(seq 1 50); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' "$Q/api/v1/search?tag=db.system:redis&lookback=1h&limit=20" >> "$CALLPATH_CLUSTER_DIR/t_attr"
  done
  lat "$1: attribute search db.system=redis, last hour, 20" "$CALLPATH_CLUSTER_DIR/t_attr"
}
# Right after the load, while ClickHouse still merges its last parts; then again once the
# merges are done (up to 3 minutes), as a store between bursts answers.
queries "while merging"
merging() {
  local n=0
  for s in 1 2; do
    n=$((n + $(curl -s "http://127.0.0.1:$((BASE + 10 * s + 1))/" --data-binary "SELECT count() FROM system.merges FORMAT TSV")))
  done
  echo "$n"
}
m0=$(date +%s)
while [ "$(merging)" -gt 0 ] && [ $(($(date +%s) - m0)) -lt 180 ]; do sleep 1; done
echo "merges done after $(($(date +%s) - m0)) s (still running: $(merging))"
queries "merged"

# Bytes on disk (every table of both shards) per span stored, after ClickHouse's merges so far,
# and per table.
bytes=0; spans=0
for s in 1 2; do
  b=$(curl -s "http://127.0.0.1:$((BASE + 10 * s + 1))/" --data-binary "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'callpath' AND active FORMAT TSV")
  c=$(curl -s "http://127.0.0.1:$((BASE + 10 * s + 1))/" --data-binary "SELECT count() FROM callpath.spans_local FORMAT TSV")
  bytes=$((bytes + b)); spans=$((spans + c))
done
awk -v b="$bytes" -v s="$spans" 'BEGIN { printf "on disk: %d bytes for %d spans (+ their logs and statistics): %.1f bytes/span\n", b, s, b / s }'
for s in 1 2; do
  curl -s "http://127.0.0.1:$((BASE + 10 * s + 1))/" --data-binary "SELECT replaceOne(table, '_local', ''), sum(bytes_on_disk)
    FROM system.parts WHERE database = 'callpath' AND active GROUP BY table FORMAT TSV"
done | awk -v s="$spans" '{ b[$1] += $2 } END { printf "  by table (bytes/span):"; for (t in b) printf " %s %.1f", t, b[t] / s; print "" }'
