#!/bin/sh
# callpath-gateway versus nginx as a reverse proxy, same machine, same load.
#
# One upstream (an nginx instance answering `return 200 "hello"`), then, in
# turn, nginx proxying to it (keep-alive upstream pool) and callpath-gateway
# proxying to it with tracing ON (every request records a SERVER and a
# CLIENT span, handed to a discarding exporter). wrk drives each proxy on
# 127.0.0.1 with the same bounded load; ROUNDS alternating runs each, the
# median is reported.
#
#   bench/gateway/run_vs_nginx.sh [build-dir]              # default: build
#   ROUNDS=3 DURATION=10s CONNECTIONS=64 THREADS=2 WORKERS=2 ACCESS_LOG=0 \
#     bench/gateway/run_vs_nginx.sh build
#
# ACCESS_LOG=1 turns the access log on for both proxies (to a file).
set -eu
BUILD=${1:-build}
GATEWAY="$BUILD/bin/callpath-gateway"
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-2}
ACCESS_LOG=${ACCESS_LOG:-0}
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
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port/hello" >"$TMP/wrk.out"
  stop_pid "$pid"
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$TMP/wrk.out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$TMP/wrk.out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$TMP/wrk.out")
  [ -z "$errors" ] || echo "  ($1) $errors" >&2
  echo "$rps $p99"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; proxies with $WORKERS workers; access log: $ACCESS_LOG"
: >"$TMP/nginx.res"; : >"$TMP/gateway.res"
i=1
while [ "$i" -le "$ROUNDS" ]; do
  n=$(run nginx "$i");   echo "round $i nginx  : rps=${n% *} p99_ms=${n#* }"; echo "$n" >>"$TMP/nginx.res"
  g=$(run gateway "$i"); echo "round $i gateway: rps=${g% *} p99_ms=${g#* }"; echo "$g" >>"$TMP/gateway.res"
  i=$((i + 1))
done
nrps=$(cut -d' ' -f1 "$TMP/nginx.res" | median);   np99=$(cut -d' ' -f2 "$TMP/nginx.res" | median)
grps=$(cut -d' ' -f1 "$TMP/gateway.res" | median); gp99=$(cut -d' ' -f2 "$TMP/gateway.res" | median)
echo "median nginx  : rps=$nrps p99_ms=$np99"
echo "median gateway: rps=$grps p99_ms=$gp99 (tracing on, discarding exporter)"
awk -v a="$grps" -v b="$nrps" -v c="$gp99" -v d="$np99" \
  'BEGIN {printf "throughput ratio (gateway/nginx) = %.3f\np99 ratio (gateway/nginx) = %.3f\n", a/b, c/d}'
