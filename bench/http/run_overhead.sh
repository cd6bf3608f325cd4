#!/bin/sh
# Overhead of callpath's HTTP middleware on a hello-world cpp-httplib server:
# wrk against the plain server and the traced one (spans to a
# DiscardingExporter), alternating, ROUNDS times each, DURATION seconds per
# run, on 127.0.0.1. Prints one line per run and the median ratios.
#
#   bench/http/run_overhead.sh [build-dir]     # default: build
#   ROUNDS=3 DURATION=10s CONNECTIONS=16 THREADS=1 bench/http/run_overhead.sh build
set -eu
BUILD=${1:-build}
BIN="$BUILD/bin/bench_http"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
PORT=${PORT:-18089}
[ -x "$BIN" ] || { echo "missing $BIN (cmake --build $BUILD --target bench_http)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run MODE PORT -> "rps p99_ms"; any failure names itself on stderr (this
# runs in a command substitution, where set -e would otherwise exit
# silently, and where a variable set here does not reach the caller: the
# caller picks a fresh port per run, so no run meets its predecessor).
run() {
  PORT=$2
  rm -f "$TMP/server.out"  # the last run's "http=" line must not count as this start-up
  "$BIN" --port "$PORT" --mode "$1" >"$TMP/server.out" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    grep -q "http=" "$TMP/server.out" 2>/dev/null && break
    sleep 0.1
  done
  if ! grep -q "http=" "$TMP/server.out"; then
    echo "run_overhead.sh: bench_http --mode $1 did not start on port $PORT:" >&2
    cat "$TMP/server.out" >&2
    kill "$pid" 2>/dev/null || true  # it may have died already; we exit 1 either way
    exit 1
  fi
  if ! wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
      "http://127.0.0.1:$PORT/hello" >"$TMP/wrk.out" 2>&1; then
    echo "run_overhead.sh: wrk failed against --mode $1 (port $PORT):" >&2
    cat "$TMP/wrk.out" >&2
  fi
  if ! kill "$pid" 2>/dev/null; then
    echo "run_overhead.sh: bench_http --mode $1 exited during the run:" >&2
    cat "$TMP/server.out" >&2
  fi
  wait "$pid" || true  # its exit status is the SIGTERM we sent; an early exit was reported above
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$TMP/wrk.out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$TMP/wrk.out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$TMP/wrk.out")
  [ -z "$errors" ] || echo "  ($1) $errors" >&2
  if [ -z "$rps" ] || [ -z "$p99" ]; then
    echo "run_overhead.sh: no figures from wrk for --mode $1" >&2
    exit 1
  fi
  echo "$rps $p99"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: >"$TMP/plain"; : >"$TMP/traced"
i=1
while [ "$i" -le "$ROUNDS" ]; do
  p=$(run plain $((PORT + 2 * i - 1)));  echo "round $i plain : rps=${p% *} p99_ms=${p#* }"; echo "$p" >>"$TMP/plain"
  t=$(run traced $((PORT + 2 * i))); echo "round $i traced: rps=${t% *} p99_ms=${t#* }"; echo "$t" >>"$TMP/traced"
  i=$((i + 1))
done
prps=$(cut -d' ' -f1 "$TMP/plain" | median);  pp99=$(cut -d' ' -f2 "$TMP/plain" | median)
trps=$(cut -d' ' -f1 "$TMP/traced" | median); tp99=$(cut -d' ' -f2 "$TMP/traced" | median)
echo "median plain : rps=$prps p99_ms=$pp99"
echo "median traced: rps=$trps p99_ms=$tp99"
awk -v a="$trps" -v b="$prps" -v c="$tp99" -v d="$pp99" \
  'BEGIN {printf "throughput ratio (traced/plain) = %.3f\np99 ratio (traced/plain) = %.3f\n", a/b, c/d}'
