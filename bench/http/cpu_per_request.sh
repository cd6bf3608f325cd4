#!/bin/bash
# CPU time per request of bench_http, plain and traced, under wrk load:
# less sensitive to a busy machine than requests/second, since it counts
# the server's own CPU time (perf stat's task-clock, all threads, user +
# kernel) and divides by the requests wrk completed. The user/kernel split
# comes from /proc/PID/stat.
#
#   bench/http/cpu_per_request.sh [build-dir]          # default: build
#   ROUNDS=5 DURATION=5 bench/http/cpu_per_request.sh build
#   PROFILE=1 bench/http/cpu_per_request.sh build      # + where the traced CPU goes
#
# PROFILE=1 adds one traced run under `perf record --call-graph dwarf` and
# prints the inclusive share of the process's samples spent in each
# middleware hook and in the SDK parts they call.
set -eu
BUILD=${1:-build}
BIN="$BUILD/bin/bench_http"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}   # seconds
CONNECTIONS=${CONNECTIONS:-16}
PORT=${PORT:-18189}
[ -x "$BIN" ] || { echo "missing $BIN (cmake --build $BUILD --target bench_http)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
command -v perf >/dev/null || { echo "perf not found (apt-get install linux-perf)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TCK=$(getconf CLK_TCK)

# Runs in command substitutions too, where PORT cannot be advanced for the
# caller: the caller passes a fresh port for every run.
start_server() {  # MODE PORT -> sets pid
  PORT=$2
  rm -f "$TMP/server.out"  # the last run's "http=" line must not count as this start-up
  "$BIN" --port "$PORT" --mode "$1" >"$TMP/server.out" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    grep -q "http=" "$TMP/server.out" 2>/dev/null && break
    sleep 0.1
  done
  if ! grep -q "http=" "$TMP/server.out"; then
    echo "cpu_per_request.sh: bench_http --mode $1 did not start on port $PORT:" >&2
    cat "$TMP/server.out" >&2
    kill "$pid" 2>/dev/null || true  # it may have died already; we exit 1 either way
    exit 1
  fi
  wrk -t1 -c"$CONNECTIONS" -d1s "http://127.0.0.1:$PORT/hello" >/dev/null  # warm-up
}

stop_server() {
  kill "$pid" 2>/dev/null || echo "cpu_per_request.sh: bench_http exited during the run" >&2
  wait "$pid" || true  # its exit status is the SIGTERM we sent; an early exit was reported above
}

# run MODE PORT -> "total_us user_us sys_us rps" per request
run() {
  start_server "$1" "$2"
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  perf stat -x, -e task-clock -p "$pid" -o "$TMP/stat" -- sleep "$DURATION" &
  spid=$!
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT/hello" >"$TMP/wrk.out"
  wait "$spid"
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
  stop_server
  req=$(awk '/requests in/ {print $1}' "$TMP/wrk.out")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$TMP/wrk.out")
  awk -F, -v r="$req" -v rps="$rps" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v t="$TCK" \
    '$3 == "task-clock" {printf "%.2f %.2f %.2f %.0f\n", $1 * 1000 / r, u * 1e6 / t / r, s * 1e6 / t / r, rps}' \
    "$TMP/stat"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

: >"$TMP/plain"; : >"$TMP/traced"
n=0
for i in $(seq 1 "$ROUNDS"); do
  for mode in plain traced; do
    n=$((n + 1))
    r=$(run $mode $((PORT + n)))
    set -- $r
    printf "round %d %-6s: cpu_us/req=%s (user %s, kernel %s) rps=%s\n" "$i" "$mode" "$1" "$2" "$3" "$4"
    echo "$r" >>"$TMP/$mode"
  done
done
for col in 1 2 3; do
  p=$(cut -d' ' -f$col "$TMP/plain" | median); t=$(cut -d' ' -f$col "$TMP/traced" | median)
  name=$(echo "total user kernel" | cut -d' ' -f$col)
  awk -v n="$name" -v p="$p" -v t="$t" \
    'BEGIN {printf "median %-6s cpu_us/req: plain %.2f traced %.2f (+%.2f, x%.3f)\n", n, p, t, t - p, t / p}'
done

if [ "${PROFILE:-0}" = 1 ]; then
  start_server traced $((PORT + n + 1))
  perf record -q -F 2000 --call-graph dwarf,16384 -p "$pid" -o "$TMP/perf.data" -- sleep "$DURATION" \
    2>/dev/null &
  spid=$!
  wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT/hello" >"$TMP/wrk.out"
  wait "$spid" || echo "cpu_per_request.sh: perf record failed" >&2
  stop_server
  echo "traced profile (inclusive % of the server's samples; $(awk '/requests in/ {print $1}' "$TMP/wrk.out") requests):"
  # The profile is optional output (PROFILE=1): a perf that cannot report
  # leaves it empty rather than failing the measurement already printed.
  perf report -i "$TMP/perf.data" --children --sort sym -g none --stdio 2>/dev/null >"$TMP/report" || true
  [ -z "${KEEP_REPORT:-}" ] || cp "$TMP/report" "$KEEP_REPORT"
  show() {  # LABEL PATTERN
    awk -v l="$1" -v p="$2" 'index($0, p) && !done {printf "  %-32s %s\n", l, $1; done=1}' "$TMP/report"
  }
  show "pre-routing hook (span start)" "HandlerResponse (httplib::Request const&, httplib::Response&), callpath::http"
  show "post-routing hook (headers)" "void (httplib::Request const&, httplib::Response&), callpath::http::(anonymous namespace)::Install"
  show "logger hook (span end)" "void (httplib::Request const&, httplib::Response const&), callpath::http"
  show "Route wrapper (incl. handler)" "callpath::http::Route("
  show "BatchSpanProcessor thread (SDK)" "callpath::BatchSpanProcessor::Impl::Run"
  echo "top callpath functions (inclusive / self):"
  grep -F 'callpath::' "$TMP/report" | grep -v '_Function_handler' | head -"${TOP:-16}" |
    awk '{pct=$1; self=$2; $1=$2=$3=""; sub(/^ +/, ""); printf "  %7s %7s  %.90s\n", pct, self, $0}'
fi
