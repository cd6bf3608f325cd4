#!/bin/sh
# callpath-gateway versus nginx as a reverse proxy, same machine, same load.
#
# What is compared, and why it is fair:
#   - the same upstream for both: one nginx worker answering `return 200
#     "hello"` on 127.0.0.1;
#   - the same parallelism: nginx runs WORKERS worker processes, the gateway
#     WORKERS worker threads (each with its own event loop and SO_REUSEPORT
#     listener, as nginx's workers have); the gateway's extra threads (admin
#     port, span export, access-log writer) are part of its cost and counted;
#   - keep-alive upstream connections on both (nginx `keepalive 128` per
#     worker, gateway max_idle_connections 128 per worker thread);
#   - the same access-log setting on both (ACCESS_LOG, to a file);
#   - tracing ON in the gateway: a SERVER span per request and a CLIENT span
#     per upstream attempt, traceparent injected upstream, traceresponse and
#     X-Trace-ID returned, spans batched to a discarding exporter (the full
#     SDK path except the network export).
# wrk drives each proxy on 127.0.0.1 with the same bounded load; ROUNDS
# rounds each run nginx then the gateway back to back. Reported: the median
# throughput and p99 of each, the median of the per-round throughput ratios
# (paired rounds cancel some of the drift of a shared machine), and the CPU
# time each proxy spent per request (its processes' user+system time over
# the run, from /proc: what the proxy costs, independent of how much CPU
# wrk and the upstream leave it).
#
#   bench/gateway/run_vs_nginx.sh [build-dir]              # default: build
#   ROUNDS=3 DURATION=10s CONNECTIONS=64 THREADS=2 WORKERS=2 ACCESS_LOG=1 \
#     bench/gateway/run_vs_nginx.sh build
#
# ACCESS_LOG=1 (the default) writes an access log in both proxies, to a file;
# ACCESS_LOG=0 turns it off in both.
set -eu
BUILD=${1:-build}
GATEWAY="$BUILD/bin/callpath-gateway"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
ACCESS_LOG=${ACCESS_LOG:-1}
BASE_PORT=${BASE_PORT:-18300}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$GATEWAY" ] || { echo "missing $GATEWAY (cmake --build $BUILD --target callpath-gateway)" >&2; exit 1; }
[ -x "$NGINX" ] || { echo "nginx not found (apt-get install nginx-light)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }

TMP=$(mktemp -d)
PIDS=""
cleanup() {
  # Exit-trap cleanup under set -e: a process that already exited makes kill
  # and wait fail, which must not abort the cleanup of the others.
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  for p in $PIDS; do wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

UP_PORT=$BASE_PORT
NGINX_PORT=$((BASE_PORT + 1))
GW_PORT=$((BASE_PORT + 2))
GW_ADMIN=$((BASE_PORT + 3))

# nginx_conf NAME WORKERS SERVER-BLOCK -> writes $TMP/NAME/nginx.conf
nginx_conf() {
  mkdir -p "$TMP/$1/logs"
  cat >"$TMP/$1/nginx.conf" <<CONF
worker_processes $2;
pid $TMP/$1/nginx.pid;
error_log $TMP/$1/logs/error.log warn;
events { worker_connections 4096; }
http {
  client_body_temp_path $TMP/$1/body;
  proxy_temp_path $TMP/$1/proxy;
  fastcgi_temp_path $TMP/$1/fastcgi;
  uwsgi_temp_path $TMP/$1/uwsgi;
  scgi_temp_path $TMP/$1/scgi;
  keepalive_requests 1000000;
  $3
}
CONF
}

start_nginx() {  # NAME PORT -> sets LAST_PID
  "$NGINX" -p "$TMP/$1" -c "$TMP/$1/nginx.conf" -g 'daemon off;' 2>"$TMP/$1/logs/stderr" &
  LAST_PID=$!
  PIDS="$PIDS $LAST_PID"
  wait_port "$2" || { cat "$TMP/$1/logs/stderr" "$TMP/$1/logs/error.log" >&2; exit 1; }
}

wait_port() {
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/hello" && return 0
    sleep 0.1
  done
  return 1
}

stop_pid() {
  # The proxy may already have exited (a failed run is reported by wrk's
  # figures); stopping it must not abort the script under set -e.
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -v "^$1\$" | tr '\n' ' ')
}

# The upstream: nginx answering every request itself, 1 worker.
nginx_conf upstream 1 "access_log off;
  server { listen 127.0.0.1:$UP_PORT reuseport; location / { return 200 \"hello\"; } }"
start_nginx upstream "$UP_PORT"

if [ "$ACCESS_LOG" = 1 ]; then NGINX_LOG="access_log $TMP/nginx-proxy/access.log;"; GW_LOG="{enabled: true, path: $TMP/gateway-access.log}"
else NGINX_LOG="access_log off;"; GW_LOG="{enabled: false}"; fi

nginx_conf nginx-proxy "$WORKERS" "$NGINX_LOG
  upstream hello { server 127.0.0.1:$UP_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport;
    location / {
      proxy_pass http://hello;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
  }"

cat >"$TMP/gateway.yaml" <<CONF
listen: 127.0.0.1:$GW_PORT
admin_listen: 127.0.0.1:$GW_ADMIN
threads: $WORKERS
service_name: bench-gateway
tracing: {exporter: discard}
access_log: $GW_LOG
routes:
  - match: {path_prefix: /}
    upstream: hello
    timeout: 5s
upstreams:
  hello:
    endpoints: [127.0.0.1:$UP_PORT]
    max_idle_connections: 128
CONF

# run nginx|gateway ROUND -> "rps p99_ms". Fresh ports per run: a proxy
# still draining never collides with the next one.
run() {
  NGINX_PORT=$((BASE_PORT + 10 * $2 + 1)); GW_PORT=$((BASE_PORT + 10 * $2 + 2))
  GW_ADMIN=$((BASE_PORT + 10 * $2 + 3))
  sed -i "s/listen 127.0.0.1:[0-9]* reuseport;\$/listen 127.0.0.1:$NGINX_PORT reuseport;/" \
    "$TMP/nginx-proxy/nginx.conf"
  sed -i -e "s/^listen: .*/listen: 127.0.0.1:$GW_PORT/" -e "s/^admin_listen: .*/admin_listen: 127.0.0.1:$GW_ADMIN/" \
    "$TMP/gateway.yaml"
  if [ "$1" = nginx ]; then
    start_nginx nginx-proxy "$NGINX_PORT"; port=$NGINX_PORT
  else
    "$GATEWAY" --config "$TMP/gateway.yaml" >"$TMP/gateway.out" 2>"$TMP/gateway.err" &
    LAST_PID=$!; PIDS="$PIDS $LAST_PID"; port=$GW_PORT
    wait_port "$port" || { cat "$TMP/gateway.err" >&2; exit 1; }
  fi
  pid=$LAST_PID
  cpu0=$(cpu_ticks "$pid")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/hello" >"$TMP/wrk.out"
  cpu1=$(cpu_ticks "$pid")
  stop_pid "$pid"
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$TMP/wrk.out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$TMP/wrk.out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$TMP/wrk.out")
  [ -z "$errors" ] || echo "  ($1) $errors" >&2
  reqs=$(awk '/requests in/ {print $1}' "$TMP/wrk.out")
  us=$(awk -v t=$((cpu1 - cpu0)) -v hz="$HZ" -v n="$reqs" 'BEGIN {printf "%.2f", (n > 0 ? t * 1e6 / hz / n : 0)}')
  echo "$rps $p99 $us"
}

# User+system clock ticks of PID and its child processes (nginx workers).
HZ=$(getconf CLK_TCK)
cpu_ticks() {
  t=0
  for p in "$1" $(pgrep -P "$1"); do
    v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)
    t=$((t + v))
  done
  echo "$t"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; proxies with $WORKERS workers; access log: $ACCESS_LOG"
: >"$TMP/nginx.res"; : >"$TMP/gateway.res"; : >"$TMP/ratio.res"
i=1
while [ "$i" -le "$ROUNDS" ]; do
  n=$(run nginx "$i");   set -- $n; echo "round $i nginx  : rps=$1 p99_ms=$2 cpu_us/req=$3"; echo "$n" >>"$TMP/nginx.res"
  g=$(run gateway "$i"); set -- $g; echo "round $i gateway: rps=$1 p99_ms=$2 cpu_us/req=$3"; echo "$g" >>"$TMP/gateway.res"
  echo "${g%% *} ${n%% *}" | awk '{print $1 / $2}' >>"$TMP/ratio.res"
  i=$((i + 1))
done
col() { cut -d' ' -f"$1" "$2" | median; }
nrps=$(col 1 "$TMP/nginx.res");   np99=$(col 2 "$TMP/nginx.res");   ncpu=$(col 3 "$TMP/nginx.res")
grps=$(col 1 "$TMP/gateway.res"); gp99=$(col 2 "$TMP/gateway.res"); gcpu=$(col 3 "$TMP/gateway.res")
echo "median nginx  : rps=$nrps p99_ms=$np99 cpu_us/req=$ncpu"
echo "median gateway: rps=$grps p99_ms=$gp99 cpu_us/req=$gcpu (tracing on, discarding exporter)"
awk -v a="$grps" -v b="$nrps" -v c="$gp99" -v d="$np99" -v r="$(median <"$TMP/ratio.res")" -v e="$gcpu" -v f="$ncpu" \
  'BEGIN {printf "throughput ratio (gateway/nginx) = %.3f (of medians), %.3f (median of per-round ratios)\np99 ratio (gateway/nginx) = %.3f\nCPU per request ratio (gateway/nginx) = %.3f\n", a/b, r, c/d, e/f}'
