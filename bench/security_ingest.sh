#!/bin/bash
# Ingest with TLS + keys + default redaction vs plain (auth off, redaction off), OTLP/gRPC, same session.
# Usage: BIN=build/bin DUR=20s bench/security_ingest.sh   (figures in docs/benchmarks.md)
set -u
B=${BIN:-build/bin}
B=$(cd "$B" && pwd)
W=$(mktemp -d /tmp/secbench.XXXXXX)
cd $W
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem >/dev/null 2>&1
KEY=$($B/callpathd key new --keys-file keys --tenant bench --scopes ingest 2>/dev/null)
printf 'enabled: false\n' > noredact.yaml
run() { # name extra-daemon-flags loadgen-flags endpoint-host
  local name=$1 dflags=$2 lflags=$3 host=$4
  rm -rf data-$name; $B/callpathd --data-dir data-$name --otlp-http-listen '' --query-listen 127.0.0.1:0 --otlp-grpc-listen 127.0.0.1:0 --ready-file ready-$name $dflags >/dev/null 2>daemon-$name.err &
  local pid=$!
  for i in $(seq 1 300); do [ -f ready-$name ] && break; sleep 0.1; done
  local port=$(grep -o '"otlp_grpc_port":[0-9]*' ready-$name | cut -d: -f2)
  echo "== $name"
  $B/callpath-loadgen --protocol grpc --endpoint $host:$port --duration ${DUR:-20s} --concurrency 4 $lflags 2>&1 | tail -4
  kill $pid; wait $pid
  rm -f ready-$name
}
for round in 1 2; do
  run plain "--redaction-config noredact.yaml" "" 127.0.0.1
  run secure "--keys-file keys --tls-cert cert.pem --tls-key key.pem" "--tls-ca cert.pem --token $KEY" localhost
done
rm -rf $W
