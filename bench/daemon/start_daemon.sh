# Sourced by the scripts beside it: start_daemon DATA_DIR starts callpathd
# ($build/bin) with a fresh store under DATA_DIR on free loopback ports, and
# sets daemon (its PID), otlp_http_port and query_port once it serves.
# CALLPATHD_ARGS adds flags (e.g. "--config tail-sampling.yaml").
start_daemon() {
  local data=$1
  "$build/bin/callpathd" --data-dir "$data/store" --otlp-http-listen 127.0.0.1:0 --otlp-grpc-listen '' \
    --query-listen 127.0.0.1:0 --ready-file "$data/ready" ${CALLPATHD_ARGS:-} >"$data/daemon.log" 2>&1 &
  daemon=$!
  for _ in $(seq 100); do [ -s "$data/ready" ] && break; sleep 0.1; done
  [ -s "$data/ready" ] || { echo "callpathd did not start; see $data/daemon.log" >&2; return 1; }
  otlp_http_port=$(grep -o '"otlp_http_port":[0-9]*' "$data/ready" | cut -d: -f2)
  query_port=$(grep -o '"query_port":[0-9]*' "$data/ready" | cut -d: -f2)
}
