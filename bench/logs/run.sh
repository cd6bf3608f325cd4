#!/usr/bin/env bash
# Log shipping and push-ingest benchmark, all on 127.0.0.1, bounded:
#  1. callpath-ship --once over a file of LINES JSON lines (with trace ids)
#     into a fresh callpathd: lines/s and CPU (user+sys) per line of the
#     shipper, and of callpathd;
#  2. the Loki (JSON and snappy protobuf) and Elasticsearch _bulk receivers
#     fed by bench/logs/push_load.py for SECONDS each: records/s and
#     callpathd CPU per record.
#
#   bench/logs/run.sh [BUILD_DIR]     (LINES=500000 SECONDS=10 by default)
set -euo pipefail
build=${1:-build}
bin=$(cd "$build/bin" && pwd)
lines=${LINES:-500000}
seconds=${SECONDS_PER_RUN:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/callpath-logs-bench.XXXXXX)
daemon_pid=""
cleanup() {
  # On exit: the daemon may be gone already, and its exit status is not the benchmark's.
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

start_daemon() {
  rm -rf "$work/store" "$work/ready"
  "$bin/callpathd" --data-dir "$work/store" --otlp-http-listen 127.0.0.1:0 --otlp-grpc-listen '' \
    --query-listen 127.0.0.1:0 --ready-file "$work/ready" >/dev/null 2>&1 &
  daemon_pid=$!
  for _ in $(seq 100); do [ -s "$work/ready" ] && break; sleep 0.1; done
  port=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['otlp_http_port'])" "$work/ready")
}

# A daemon stopped by SIGTERM exits with 143: that is the stop, not a failure.
stop_daemon() { kill "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true; daemon_pid=""; }

python3 - "$work/app.log" "$lines" <<'PY'
import json, sys, time
now = time.time()
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"level": "info", "ts": now + i / 1e6, "caller": "order/handler.go:42",
                            "msg": f"order {i} placed", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
                            "span_id": "00f067aa0ba902b7", "order_id": i}) + "\n")
PY
size=$(stat -c %s "$work/app.log")

start_daemon
d0=$(cpu_ticks "$daemon_pid")
t0=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$work/ship.time" "$bin/callpath-ship" --endpoint "http://127.0.0.1:$port" \
  --checkpoint-dir "$work/ckpt" --path "$work/app.log" --service bench-ship --once 2>"$work/ship.err"
t1=$(date +%s.%N)
d1=$(cpu_ticks "$daemon_pid")
read -r u s < "$work/ship.time"
python3 - "$lines" "$size" "$t0" "$t1" "$u" "$s" "$d0" "$d1" "$hz" <<'PY'
import sys
n, size, t0, t1, u, s, d0, d1, hz = sys.argv[1:]
n, size, wall = int(n), int(size), float(t1) - float(t0)
ship_cpu = float(u) + float(s)
daemon_cpu = (int(d1) - int(d0)) / int(hz)
print(f"callpath-ship: {n} lines ({size / 1e6:.0f} MB) in {wall:.2f} s = {n / wall:.0f} lines/s; "
      f"shipper CPU {ship_cpu:.2f} s = {ship_cpu / n * 1e6:.2f} us/line; callpathd CPU {daemon_cpu:.2f} s = "
      f"{daemon_cpu / n * 1e6:.2f} us/line")
PY
tail -1 "$work/ship.err"
stop_daemon

for kind in loki-json loki-proto bulk; do
  start_daemon
  d0=$(cpu_ticks "$daemon_pid")
  out=$(python3 "$here/push_load.py" --port "$port" --kind "$kind" --seconds "$seconds")
  d1=$(cpu_ticks "$daemon_pid")
  records=$(echo "$out" | awk '{print $2}')
  echo "$out; callpathd CPU $(python3 -c "print(f'{($d1 - $d0) / $hz / max($records, 1) * 1e6:.2f}')") us/record"
  stop_daemon
done
