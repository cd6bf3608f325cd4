#!/usr/bin/env python3
"""Pushes log records to callpathd's Loki and Elasticsearch receivers as
fast as a few keep-alive connections allow, for a fixed time, and prints
records/s. Bodies are built once: N records per request, each a JSON line
with a trace id (so the trace-id picking and the JSON parser run on every
record).

  push_load.py --port 4318 --kind loki-json|loki-proto|bulk --seconds 10 \
               --connections 2 --batch 1000
"""
import argparse
import http.client
import json
import threading
import time

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def line(i):
    return json.dumps({"level": "info", "msg": f"order {i} placed", "trace_id": TRACE,
                       "span_id": "00f067aa0ba902b7", "order_id": i, "user": {"id": i % 97}})


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, payload):
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def snappy_literal(raw):
    """A valid snappy block holding `raw` as literals (no compression):
    enough for the receiver, which must decode it the same way."""
    out = bytearray(varint(len(raw)))
    for start in range(0, len(raw), 65536):
        chunk = raw[start:start + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2, n & 0xFF, n >> 8])
        out += chunk
    return bytes(out)


def body(kind, batch):
    now = time.time_ns()
    if kind == "loki-json":
        values = [[str(now + i), line(i)] for i in range(batch)]
        return "application/json", json.dumps({"streams": [{"stream": {"app": "bench-loki"}, "values": values}]}).encode()
    if kind == "loki-proto":
        entries = b"".join(field(2, field(1, varint(1 << 3) + varint(now // 10**9) + varint(2 << 3) + varint(i))
                                 + field(2, line(i).encode())) for i in range(batch))
        return "application/x-protobuf", snappy_literal(field(1, field(1, b'{app="bench-loki-proto"}') + entries))
    lines = []
    for i in range(batch):
        lines.append('{"create":{"_index":"bench"}}')
        doc = json.loads(line(i))
        doc["service.name"] = "bench-bulk"
        lines.append(json.dumps(doc))
    return "application/x-ndjson", ("\n".join(lines) + "\n").encode()


def worker(port, path, ctype, payload, batch, deadline, counts, idx):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    while time.monotonic() < deadline:
        conn.request("POST", path, payload, {"Content-Type": ctype})
        resp = conn.getresponse()
        resp.read()
        if resp.status in (200, 204):
            counts[idx] += batch
        elif resp.status != 429:
            raise SystemExit(f"HTTP {resp.status}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--kind", choices=["loki-json", "loki-proto", "bulk"], required=True)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1000)
    a = ap.parse_args()
    ctype, payload = body(a.kind, a.batch)
    path = "/_bulk" if a.kind == "bulk" else "/loki/api/v1/push"
    counts = [0] * a.connections
    deadline = time.monotonic() + a.seconds
    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(a.port, path, ctype, payload, a.batch, deadline, counts, i))
               for i in range(a.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    total = sum(counts)
    print(f"{a.kind}: {total} records in {elapsed:.1f} s = {total / elapsed:.0f} records/s "
          f"({len(payload)} bytes per request of {a.batch})")


if __name__ == "__main__":
    main()
