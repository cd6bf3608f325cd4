#!/usr/bin/env bash
# The demo: a small traced shop, a fault, and the trace that explains it.
#
#   scripts/demo.sh                 build if needed, start callpathd, the shop and the gateway,
#                                   drive steady traffic, run the error-payment drill, print the
#                                   failed request's trace and the URLs to open
#   scripts/demo.sh drill NAME      run one drill against the running demo (see `drills`)
#   scripts/demo.sh drills          list the drills
#   scripts/demo.sh fault SVC JSON  set a fault by hand, e.g.
#                                   fault payment '{"operation":"Charge","fault":"latency:300ms"}'
#   scripts/demo.sh clear           remove every injected fault
#   scripts/demo.sh status          what runs, on which ports
#   scripts/demo.sh stop            stop everything the demo started (by PID)
#
# Everything listens on 127.0.0.1, on ports CALLPATH_DEMO_PORT_BASE (17600) + offset:
#   query API + UI +86, OTLP/HTTP +18, OTLP/gRPC +17, gateway +80 (admin +81),
#   order +11, inventory +21 (gRPC), payment +31, user +41 (each service's admin port is +1).
# State lives in CALLPATH_DEMO_DIR (./data/demo): the store, logs/, pids/, the gateway config.
# Other knobs: CALLPATH_DEMO_RATE (orders per second, default 3), CALLPATH_JOBS (build jobs),
# CALLPATH_DEMO_BUILD_DIR (build), CALLPATH_DEMO_NO_BUILD=1 (use the binaries already built).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

BASE=${CALLPATH_DEMO_PORT_BASE:-17600}
DATA=${CALLPATH_DEMO_DIR:-$ROOT/data/demo}
RATE=${CALLPATH_DEMO_RATE:-3}
BUILD=${CALLPATH_DEMO_BUILD_DIR:-build}
BIN=$ROOT/$BUILD/bin
JOBS=${CALLPATH_JOBS:-$(nproc)}

QUERY_PORT=$((BASE + 86))
OTLP_HTTP_PORT=$((BASE + 18))
OTLP_GRPC_PORT=$((BASE + 17))
GATEWAY_PORT=$((BASE + 80))
GATEWAY_ADMIN_PORT=$((BASE + 81))
declare -A PORT=([order]=$((BASE + 11)) [inventory]=$((BASE + 21)) [payment]=$((BASE + 31))
                 [user]=$((BASE + 41)))
declare -A ADMIN=([order]=$((BASE + 12)) [inventory]=$((BASE + 22)) [payment]=$((BASE + 32))
                  [user]=$((BASE + 42)))
SERVICES=(user payment inventory order)   # start order: dependencies first
QUERY_URL=http://127.0.0.1:$QUERY_PORT
GATEWAY_URL=http://127.0.0.1:$GATEWAY_PORT

if [ -t 1 ]; then
  say() { printf '\033[1m== %s\033[0m\n' "$*"; }
else
  say() { printf '== %s\n' "$*"; }
fi
die() { echo "demo: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Processes. Each one gets pids/NAME.pid; shop services run under a small
# supervisor loop (pids/NAME.pid is the supervisor, pids/NAME.child.pid the
# service) that restarts them after a crash, as systemd or Kubernetes would.

pid_alive() {  # pid_alive PID EXPECTED-COMMAND-SUBSTRING
  local pid=$1 want=$2
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled PID: the command line must still be ours.
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$want"
}

# Empty output when the service has no pid file (never started, or stopped).
read_pid() { cat "$DATA/pids/$1.pid" 2>/dev/null || true; }

stop_pid() {  # stop_pid NAME EXPECTED-COMMAND-SUBSTRING
  local name=$1 want=$2 pid
  pid=$(read_pid "$name")
  if pid_alive "$pid" "$want"; then
    kill -TERM "$pid" 2>/dev/null || true  # it may exit between the check and the kill
    for _ in $(seq 1 100); do
      pid_alive "$pid" "$want" || break
      sleep 0.1
    done
    if pid_alive "$pid" "$want"; then
      echo "demo: $name (pid $pid) did not stop in 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$DATA/pids/$name.pid"
}

do_stop() {
  [ -d "$DATA/pids" ] || { echo "demo: nothing to stop"; return 0; }
  touch "$DATA/stopping"   # tells the supervisors not to restart anything
  stop_pid traffic shop-traffic
  stop_pid gateway callpath-gateway
  for s in order inventory payment user; do
    stop_pid "$s" "__supervise $s"    # the supervisor (this script, see supervise)
    stop_pid "$s.child" "shop-$s"     # the service, in case the supervisor was gone
  done
  stop_pid callpathd callpathd        # last: it receives the services' final exports
  rm -f "$DATA/stopping"
  echo "demo: stopped (data kept in $DATA)"
}

wait_ready_file() {  # wait_ready_file FILE NAME PID-NAME
  local file=$1 name=$2 pidname=$3
  for _ in $(seq 1 600); do
    [ -s "$file" ] && return 0
    local pid
    pid=$(read_pid "$pidname")
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "demo: $name exited during start-up; its log:" >&2
      tail -n 20 "$DATA/logs/$name.log" >&2 || true  # no log yet: the message above stands
      exit 1
    fi
    sleep 0.1
  done
  die "$name did not become ready within 60 s (see $DATA/logs/$name.log)"
}

supervise() {  # supervise NAME COMMAND...  (runs as its own process: demo.sh __supervise)
  local name=$1
  shift
  local child=""
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  while :; do
    "$@" >> "$DATA/logs/$name.log" 2>&1 < /dev/null &
    child=$!
    echo "$child" > "$DATA/pids/$name.child.pid"
    set +e
    wait "$child"
    local rc=$?
    set -e
    [ -e "$DATA/stopping" ] && exit 0
    echo "supervisor: $name exited with status $rc; restarting in 1 s" >> "$DATA/logs/$name.log"
    echo "$(date +%T) $name exited with status $rc; restarted" >> "$DATA/logs/restarts.log"
    sleep 1
  done
}

service_args() {  # sets ARGS to the command line of one shop service
  local s=$1
  ARGS=("$BIN/shop-$s" --host 127.0.0.1 --port "${PORT[$s]}" --admin-port "${ADMIN[$s]}"
        --ready-file "$DATA/run/$s.ready")
  case $s in
    payment) ARGS+=(--user-url "http://127.0.0.1:${PORT[user]}") ;;
    order) ARGS+=(--user-url "http://127.0.0.1:${PORT[user]}"
                  --payment-url "http://127.0.0.1:${PORT[payment]}"
                  --inventory-addr "127.0.0.1:${PORT[inventory]}") ;;
  esac
}

# Starts a long-running process in its own session (so closing the terminal
# does not take it down), output to logs/NAME.log, PID to pids/NAME.pid.
launch() {  # launch NAME COMMAND...
  local name=$1
  shift
  setsid "$@" >> "$DATA/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$DATA/pids/$name.pid"
}

write_gateway_config() {
  cat > "$DATA/gateway.yaml" <<EOF
# Written by scripts/demo.sh. The gateway retries failed orders once:
# order-service de-duplicates by Idempotency-Key, so a retried POST is safe.
listen: 127.0.0.1:$GATEWAY_PORT
admin_listen: 127.0.0.1:$GATEWAY_ADMIN_PORT
threads: 2
service_name: gateway
tracing: {exporter: env}
access_log: {enabled: true, path: ""}
routes:
  - match: {path_prefix: /api/orders}
    upstream: orders
    timeout: 2s
    retries: {attempts: 2, on: [502, 503, 504, connect-failure, timeout], backoff: 100ms,
              non_idempotent: true}
    strip_prefix: /api
upstreams:
  orders:
    endpoints: [127.0.0.1:${PORT[order]}]
EOF
}

check_ports_free() {
  local busy=()
  for p in $QUERY_PORT $OTLP_HTTP_PORT $OTLP_GRPC_PORT $GATEWAY_PORT $GATEWAY_ADMIN_PORT \
           "${PORT[@]}" "${ADMIN[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy+=("$p"); fi
  done
  if [ ${#busy[@]} -gt 0 ]; then
    die "ports ${busy[*]} are in use; set CALLPATH_DEMO_PORT_BASE to another base (now $BASE)"
  fi
}

build() {
  if [ -n "${CALLPATH_DEMO_NO_BUILD:-}" ]; then
    for b in callpathd callpath-gateway shop-order shop-inventory shop-payment shop-user shop-traffic; do
      [ -x "$BIN/$b" ] || die "CALLPATH_DEMO_NO_BUILD is set but $BIN/$b is missing"
    done
    [ -f ui/dist/index.html ] || say "note: the web UI is not built (ui/dist); the UI link shows the fallback page"
    return 0
  fi
  bash scripts/setup.sh
  export CCACHE_BASEDIR="$(pwd)"
export CCACHE_NOHASHDIR=1
  if [ ! -f "$BUILD/build.ninja" ]; then
    say "configuring (cmake -S . -B $BUILD -G Ninja, Release)"
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  say "building callpathd, the CLI, the gateway and the shop (first time: several minutes)"
  cmake --build "$BUILD" -j "$JOBS" --target callpathd callpath callpath-gateway shop ||
    die "the build failed (see above)"
  for b in callpathd callpath callpath-gateway shop-order shop-inventory shop-payment shop-user \
           shop-traffic; do
    [ -x "$BIN/$b" ] || die "build failed: $BIN/$b is missing (run: cmake --build $BUILD)"
  done
  build_ui
}

# The web UI (ui/dist, which callpathd finds from the build tree): packages
# from the committed lock file, rebuilt when a source is newer than the build.
build_ui() {
  local stamp=ui/dist/index.html
  if [ -f "$stamp" ] && [ -z "$(find ui/src ui/index.html ui/package-lock.json ui/vite.config.ts -newer "$stamp" -print -quit)" ]; then
    return 0
  fi
  say "building the web UI (npm ci from the committed lock file, then vite build)"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npm run --silent build >/dev/null) ||
    die "the web UI did not build (see above); the daemon would serve its fallback page"
}

do_start() {
  if compgen -G "$DATA/pids/*.pid" > /dev/null; then
    say "stopping the previous demo run"
    do_stop
  fi
  build
  check_ports_free
  mkdir -p "$DATA/logs" "$DATA/pids" "$DATA/run" "$DATA/store"
  rm -f "$DATA"/run/*.ready "$DATA/stopping" "$DATA/logs/restarts.log"

  say "starting callpathd (store: $DATA/store)"
  launch callpathd "$BIN/callpathd" --data-dir "$DATA/store" \
    --otlp-http-listen "127.0.0.1:$OTLP_HTTP_PORT" --otlp-grpc-listen "127.0.0.1:$OTLP_GRPC_PORT" \
    --query-listen "127.0.0.1:$QUERY_PORT" --ready-file "$DATA/run/callpathd.ready"
  wait_ready_file "$DATA/run/callpathd.ready" callpathd callpathd

  # Every service exports spans and logs to callpathd; a short batch delay
  # makes a trace show up within a second.
  export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$OTLP_HTTP_PORT
  export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
  export OTEL_BSP_SCHEDULE_DELAY=500
  export OTEL_BLRP_SCHEDULE_DELAY=500
  say "starting the shop: ${SERVICES[*]}"
  for s in "${SERVICES[@]}"; do
    service_args "$s"
    launch "$s" bash "$ROOT/scripts/demo.sh" __supervise "$s" "${ARGS[@]}"
  done
  for s in "${SERVICES[@]}"; do wait_ready_file "$DATA/run/$s.ready" "$s" "$s"; done

  say "starting the gateway on $GATEWAY_URL"
  write_gateway_config
  launch gateway "$BIN/callpath-gateway" --config "$DATA/gateway.yaml" \
    --ready-file "$DATA/run/gateway.ready"
  wait_ready_file "$DATA/run/gateway.ready" gateway gateway

  say "driving $RATE orders/s through the gateway (log: $DATA/logs/traffic.log)"
  launch traffic "$BIN/shop-traffic" --target "$GATEWAY_URL" --rate "$RATE"
  sleep 3   # a few healthy traces first, to compare with
}

require_running() {
  pid_alive "$(read_pid callpathd)" callpathd ||
    die "the demo is not running; start it with scripts/demo.sh"
}

# ---------------------------------------------------------------------------
# Faults and drills

admin() {  # admin SERVICE METHOD [JSON]
  local s=$1 method=$2 body=${3:-}
  [ -n "${ADMIN[$s]:-}" ] || die "unknown service '$s' (order, inventory, payment, user)"
  if [ -n "$body" ]; then
    curl -sS --max-time 5 -X "$method" -H 'Content-Type: application/json' --data "$body" \
      "http://127.0.0.1:${ADMIN[$s]}/admin/faults"
  else
    curl -sS --max-time 5 -X "$method" "http://127.0.0.1:${ADMIN[$s]}/admin/faults"
  fi
  echo
}

clear_faults() {
  # A service that is down (a crash drill) has no faults to clear; go on to the others.
  for s in "${SERVICES[@]}"; do admin "$s" DELETE >/dev/null || true; done
}

# name | service | fault JSON | what it shows
DRILLS=(
  "slow-payment|payment|{\"operation\":\"Charge\",\"fault\":\"latency:400ms-600ms\"}|a slow dependency: payment-service's Charge takes ~0.5 s; the order still succeeds"
  "error-payment|payment|{\"operation\":\"Charge\",\"fault\":\"error\"}|an erroring dependency: Charge answers 500, order-service releases the stock, the gateway retries once"
  "error-inventory|inventory|{\"operation\":\"Reserve\",\"fault\":\"error\"}|an erroring gRPC dependency: Reserve answers UNAVAILABLE, order-service retries it, then gives up (503)"
  "timeout-payment|payment|{\"operation\":\"Charge\",\"fault\":\"timeout:5s\"}|a timeout cascade: Charge hangs 5 s, the gateway gives up after 2 s, retries, gives up again (504)"
  "crash-payment|payment|{\"operation\":\"Charge\",\"fault\":\"crash\"}|a crash mid-request: payment-service aborts, order-service sees the connection drop, the supervisor restarts it"
)

list_drills() {
  for d in "${DRILLS[@]}"; do
    IFS='|' read -r name _ _ what <<< "$d"
    printf '  %-16s %s\n' "$name" "$what"
  done
}

# Waits until the trace's spans and logs stop arriving (or 30 s), so the printout is complete.
wait_for_trace() {
  python3 - "$QUERY_URL" "$1" <<'EOF'
import json, sys, time, urllib.request
url, tid = sys.argv[1], sys.argv[2]
last, stable, deadline = -1, 0, time.time() + 30
while time.time() < deadline:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/traces/{tid}", timeout=5) as r:
            doc = json.load(r)
        n = len(doc.get("spans", [])) + len(doc.get("logs", []))
        stable = stable + 1 if n == last else 0
        last = n
        if stable >= 6:   # nothing new for 3 s (a hung call may end late)
            break
    except Exception:
        pass
    time.sleep(0.5)
EOF
}

show_trace() {
  local tid=$1
  if [ -x "$BIN/callpath" ]; then
    # Not found (3) or a server error (4) is printed by the CLI itself; the demo goes on.
    "$BIN/callpath" --server "$QUERY_URL" trace "$tid" || true
  else
    # Without the CLI: the call tree from the query API, via python3.
    curl -sS "$QUERY_URL/api/v1/traces/$tid" | python3 -c '
import json, sys
t = json.load(sys.stdin)
for s in t["spans"]:
    err = s["status"]["code"] == "error"
    line = "%s%s  %s  %.1f ms" % ("  " * s["depth"], s["service"], s["operation"], s["duration_ns"] / 1e6)
    print(line + ("  ERROR " + s["status"].get("message", "") if err else ""))
for l in t["logs"]:
    print("%s %-5s %s: %s" % (l["timestamp"], l["level"], l["service_name"], l["msg"]))
'
  fi
}

run_drill() {
  local want=$1 keep=${2:-} found=""
  for d in "${DRILLS[@]}"; do
    IFS='|' read -r name svc fault what <<< "$d"
    if [ "$name" = "$want" ]; then found=1; break; fi
  done
  [ -n "$found" ] || { echo "demo: unknown drill '$want'; the drills are:" >&2; list_drills >&2; exit 2; }
  require_running
  say "drill $name: $what"
  clear_faults
  echo "injecting into $svc-service: $fault"
  echo "  curl -X POST http://127.0.0.1:${ADMIN[$svc]}/admin/faults -d '$fault'"
  admin "$svc" POST "$fault" >/dev/null
  say "one order through the gateway"
  local headers body status tid
  headers=$(mktemp)
  body=$(curl -sS --max-time 30 -D "$headers" -X POST "$GATEWAY_URL/api/orders" \
           -H 'Content-Type: application/json' -H "Idempotency-Key: drill-$name-$$-$RANDOM" \
           --data '{"user_id":7,"items":[{"sku":"SKU-1003","quantity":2},{"sku":"SKU-1011","quantity":1}]}' \
         || true)  # a failed request is what a drill provokes; its status is read below
  status=$(awk 'NR==1 {print $2}' "$headers")
  tid=$(tr -d '\r' < "$headers" | awk 'tolower($1)=="x-trace-id:" {print $2}')
  rm -f "$headers"
  echo "HTTP ${status:-none}  $body"
  if [ -z "$keep" ]; then clear_faults; fi
  [ -n "$tid" ] || die "the gateway sent no X-Trace-ID header"
  say "trace id: $tid (waiting for every service's spans and logs to arrive)"
  wait_for_trace "$tid"
  show_trace "$tid"
  say "open"
  echo "  UI:              $QUERY_URL/"
  echo "  this trace (UI): $QUERY_URL/trace/$tid"
  echo "  this trace:      $QUERY_URL/api/v1/traces/$tid"
  echo "  Jaeger API:      $QUERY_URL/api/traces/$tid"
  echo "  CLI:             $BUILD/bin/callpath --server $QUERY_URL trace $tid"
  echo "  failed traces:   $BUILD/bin/callpath --server $QUERY_URL search --errors"
  if [ -n "$keep" ]; then
    echo "  (the fault stays on: scripts/demo.sh clear removes it)"
  fi
}

do_status() {
  for n in callpathd gateway traffic user payment inventory order; do
    local pid want
    pid=$(read_pid "$n")
    case $n in
      callpathd) want=callpathd ;; gateway) want=callpath-gateway ;; traffic) want=shop-traffic ;;
      *) want="__supervise $n" ;;
    esac
    if pid_alive "$pid" "$want"; then printf '  %-10s running (pid %s)\n' "$n" "$pid"
    else printf '  %-10s not running\n' "$n"; fi
  done
  echo "  query/UI $QUERY_URL   gateway $GATEWAY_URL   OTLP http://127.0.0.1:$OTLP_HTTP_PORT"
  [ -f "$DATA/logs/restarts.log" ] && { echo "  restarts:"; sed 's/^/    /' "$DATA/logs/restarts.log"; }
  tail -n 1 "$DATA/logs/traffic.log" 2>/dev/null | sed 's/^/  /' || true  # traffic may not have started
}

case "${1:-start}" in
  __supervise)  # internal: the restart loop around one shop service
    shift
    supervise "$@"
    ;;
  start)
    do_start
    run_drill error-payment
    say "the demo keeps running (traffic: $RATE orders/s); try scripts/demo.sh drills, then scripts/demo.sh stop"
    ;;
  drill)
    [ -n "${2:-}" ] || { list_drills; exit 2; }
    run_drill "$2" "${3:-}"
    ;;
  drills) list_drills ;;
  fault)
    require_running
    [ $# -eq 3 ] || die "usage: scripts/demo.sh fault SERVICE JSON"
    admin "$2" POST "$3"
    ;;
  faults) require_running; for s in "${SERVICES[@]}"; do admin "$s" GET; done ;;
  clear) require_running; clear_faults; echo "demo: faults cleared" ;;
  status) do_status ;;
  stop) do_stop ;;
  -h|--help|help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$1' (try --help)" ;;
esac
