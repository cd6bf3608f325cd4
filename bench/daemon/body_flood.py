#!/usr/bin/env python3
"""Hostile-client probe for callpathd or the gateway: N clients at once each
announce a body of --body-bytes and send all of it but the last byte, so
that every body the server admits is held in its memory at the same time.
Prints the server's peak RSS (VmHWM) and how the clients were answered.

  bench/daemon/body_flood.py --port <otlp_http port> --pid <callpathd pid> \\
      --clients 200 --body-bytes 67108864

Loopback only; every client gives up after --timeout seconds.
"""
import argparse
import select
import socket
import threading
import time


def vm(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def client(args, held, results, i):
    head = (f"POST {args.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Connection: close\r\nContent-Length: {args.body_bytes}\r\n\r\n").encode()
    chunk = memoryview(b"x" * (4 << 20))
    s = socket.create_connection(("127.0.0.1", args.port), timeout=args.timeout)
    answer = b""
    try:
        s.sendall(head)
        left = args.body_bytes - 1
        while left > 0:
            if select.select([s], [], [], 0)[0]:
                answer = s.recv(65536)  # answered early: refused before the body
                break
            n = min(left, len(chunk))
            s.sendall(chunk[:n])
            left -= n
    except OSError:
        pass
    held.wait()
    try:
        if not answer:
            s.sendall(b"x")
        while True:
            b = s.recv(65536)
            if not b:
                break
            answer += b
    except OSError:
        pass
    s.close()
    results[i] = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/1.1 ") else "none"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--clients", type=int, default=200)
    p.add_argument("--body-bytes", type=int, default=64 << 20)
    p.add_argument("--path", default="/v1/traces")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    rss_before = vm(args.pid, "VmRSS")
    start = time.monotonic()
    held = threading.Barrier(args.clients + 1)
    results = ["none"] * args.clients
    threads = [threading.Thread(target=client, args=(args, held, results, i)) for i in range(args.clients)]
    for t in threads:
        t.start()
    held.wait()  # every client has sent all it will send before the last byte
    peak_held = vm(args.pid, "VmHWM")
    held_after = time.monotonic() - start
    for t in threads:
        t.join()
    time.sleep(2)
    counts = {}
    for r in results:
        counts[r] = counts.get(r, 0) + 1
    print(f"clients={args.clients} body={args.body_bytes >> 20} MiB "
          f"rss_before={rss_before >> 20} MiB peak={peak_held >> 20} MiB "
          f"rss_after={vm(args.pid, 'VmRSS') >> 20} MiB answers={dict(sorted(counts.items()))} "
          f"(bodies held after {held_after:.1f} s)")


if __name__ == "__main__":
    main()
