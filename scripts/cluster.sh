#!/usr/bin/env bash
# Scale-out on one machine: a 2-shard ClickHouse cluster on loopback, callpathd
# nodes writing to it, and load from callpath-loadgen; everything stopped by PID.
#
#   scripts/cluster.sh [SECONDS]     start the cluster and CALLPATH_CLUSTER_NODES (2) callpathd
#                                    nodes, send loadgen traffic to every node for SECONDS (30),
#                                    print what each shard holds, then stop everything
#   scripts/cluster.sh up            start and leave running (state and PIDs in the folder)
#   scripts/cluster.sh down          stop what `up` started (by PID)
#
# Ports (all 127.0.0.1) from CALLPATH_CLUSTER_PORT_BASE (18800): ClickHouse shard i (1, 2)
# HTTP base+10i+1, native TCP base+10i+2; callpathd node n (1..) OTLP/HTTP base+100+10n+8,
# OTLP/gRPC +7, query API +6. State: CALLPATH_CLUSTER_DIR (./data/cluster): each shard's
# config and data, each node's ingest WAL, logs/, pids/. Binaries: build/bin (scripts/test.sh
# or `cmake --build build --target callpathd callpath-loadgen`) and clickhouse-server
# (scripts/setup.sh installs Debian's).
# With more than one node the nodes form a callpathd cluster (docs/scale-out.md, "Several nodes"):
# each trace is forwarded to its owner node; CALLPATH_CLUSTER_FORWARD=0 leaves them independent.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BASE=${CALLPATH_CLUSTER_PORT_BASE:-18800}
DIR=${CALLPATH_CLUSTER_DIR:-$ROOT/data/cluster}
NODES=${CALLPATH_CLUSTER_NODES:-2}
FORWARD=${CALLPATH_CLUSTER_FORWARD:-1}
BIN=$ROOT/build/bin
CH=$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)
SHARDS=(1 2)

ch_http() { echo $((BASE + 10 * $1 + 1)); }
ch_tcp() { echo $((BASE + 10 * $1 + 2)); }
node_port() { echo $((BASE + 100 + 10 * $1 + $2)); }  # $2: 8 OTLP/HTTP, 7 gRPC, 6 query
urls() { local u=""; for s in "${SHARDS[@]}"; do u="${u:+$u,}http://127.0.0.1:$(ch_http "$s")"; done; echo "$u"; }

write_shard_config() {
  local s=$1 d=$DIR/shard$1
  mkdir -p "$d"
  local remote="<remote_servers><callpath>"
  for t in "${SHARDS[@]}"; do
    remote+="<shard><replica><host>127.0.0.1</host><port>$(ch_tcp "$t")</port></replica></shard>"
  done
  remote+="</callpath></remote_servers>"
  cat > "$d/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$d/server.log</log><errorlog>$d/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$(ch_http "$s")</http_port>
  <tcp_port>$(ch_tcp "$s")</tcp_port>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  $remote
</yandex>
XML
  cat > "$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
}

wait_http() {  # url what
  for _ in $(seq 1 300); do
    if curl -sf "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "cluster: $2 did not come up (see $DIR/logs)" >&2
  return 1
}

# The cluster section every node reads: the members with their OTLP/gRPC ports, and a key.
write_ring_config() {
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$DIR/cluster.key"
  chmod 600 "$DIR/cluster.key"
  {
    echo "cluster:"
    echo "  key_file: $DIR/cluster.key"
    echo "  members:"
    for n in $(seq 1 "$NODES"); do echo "    - {name: node$n, address: \"127.0.0.1:$(node_port "$n" 7)\"}"; done
  } > "$DIR/ring.yaml"
}
up() {
  [ -x "$CH" ] || { echo "cluster: clickhouse-server not found (scripts/setup.sh installs it)" >&2; exit 1; }
  [ -x "$BIN/callpathd" ] || { echo "cluster: $BIN/callpathd not built" >&2; exit 1; }
  mkdir -p "$DIR/logs" "$DIR/pids"
  for s in "${SHARDS[@]}"; do
    write_shard_config "$s"
    "$CH" --config-file="$DIR/shard$s/config.xml" > "$DIR/logs/shard$s.log" 2>&1 &
    echo $! > "$DIR/pids/shard$s"
  done
  for s in "${SHARDS[@]}"; do wait_http "http://127.0.0.1:$(ch_http "$s")/?query=SELECT%201" "ClickHouse shard $s"; done
  local ring=()
  if [ "$NODES" -gt 1 ] && [ "$FORWARD" != 0 ]; then
    write_ring_config
    ring=(--config "$DIR/ring.yaml")
  fi
  for n in $(seq 1 "$NODES"); do
    "$BIN/callpathd" --store clickhouse --clickhouse-url "$(urls)" --clickhouse-cluster callpath \
      --clickhouse-writer-id "node$n" --data-dir "$DIR/node$n" \
      --otlp-http-listen "127.0.0.1:$(node_port "$n" 8)" --otlp-grpc-listen "127.0.0.1:$(node_port "$n" 7)" \
      --query-listen "127.0.0.1:$(node_port "$n" 6)" ${ring[@]+"${ring[@]}"} ${ring[@]+--cluster-node "node$n"} \
      > "$DIR/logs/node$n.log" 2>&1 &
    echo $! > "$DIR/pids/node$n"
  done
  for n in $(seq 1 "$NODES"); do wait_http "http://127.0.0.1:$(node_port "$n" 6)/readyz" "callpathd node $n"; done
  echo "cluster: ClickHouse shards at $(urls); callpathd nodes:"
  for n in $(seq 1 "$NODES"); do
    echo "  node$n  OTLP/HTTP 127.0.0.1:$(node_port "$n" 8)  UI/query http://127.0.0.1:$(node_port "$n" 6)"
  done
}

stop_pid() {  # file
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true  # it may have exited already
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

down() {
  for f in "$DIR"/pids/node* "$DIR"/pids/loadgen*; do stop_pid "$f"; done
  for f in "$DIR"/pids/shard*; do stop_pid "$f"; done
}

shard_counts() {
  for s in "${SHARDS[@]}"; do
    local q="SELECT count(), uniqExact(trace_id) FROM callpath.spans_local FORMAT TSV"
    echo "  shard $s: $(curl -s "http://127.0.0.1:$(ch_http "$s")/" --data-binary "$q" | awk '{print $1 " spans, " $2 " traces"}')"
  done
}

case "${1:-run}" in
  up) up ;;
  down) down ;;
  *)
    SECONDS_TO_RUN=${1:-30}
    [ "$SECONDS_TO_RUN" = run ] && SECONDS_TO_RUN=30
    trap down EXIT
    up
    for n in $(seq 1 "$NODES"); do
      "$BIN/callpath-loadgen" --endpoint "http://127.0.0.1:$(node_port "$n" 8)" --duration "${SECONDS_TO_RUN}s" \
        --concurrency 2 > "$DIR/logs/loadgen$n.log" 2>&1 &
      echo $! > "$DIR/pids/loadgen$n"
    done
    for n in $(seq 1 "$NODES"); do wait "$(cat "$DIR/pids/loadgen$n")" || true;  # one failing loadgen must not hide the others: their logs are printed next
    rm -f "$DIR/pids/loadgen$n"; done
    for n in $(seq 1 "$NODES"); do echo "node$n loadgen:"; tail -n 6 "$DIR/logs/loadgen$n.log" | sed 's/^/  /'; done
    sleep 3  # the indexers finish what they acknowledged
    echo "stored:"; shard_counts
    ;;
esac
