#!/usr/bin/env python3
"""Replays W3C Trace Context scenarios against w3c-test-service.

The service speaks the protocol of the W3C trace-context test harness: POST
/test with a JSON array of {"url", "arguments"}; for each entry it POSTs
`arguments` to `url`, continuing the incoming context through a new child
span. This script plays both ends of that protocol on 127.0.0.1: it sends
requests with chosen traceparent/tracestate headers to the service and records
the headers of the calls the service makes back to it, then checks them.

It keeps the conformance rules that matter most checked in CI without the
upstream harness (see docs/w3c-conformance.md for running the real one).

    w3c_scenarios.py --service build/bin/w3c-test-service

Exit status 0 when every scenario passes, 1 otherwise. Python stdlib only.
"""

import argparse
import http.client
import http.server
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading

TRACE_ID = "12345678901234567890123456789012"
PARENT_ID = "1234567890123456"
TRACEPARENT_RE = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
STARTUP_TIMEOUT_S = 60
REQUEST_TIMEOUT_S = 60


def traceparent(flags="01", version="00", trace_id=TRACE_ID, parent_id=PARENT_ID, suffix=""):
    return f"{version}-{trace_id}-{parent_id}-{flags}{suffix}"


class CallbackRecorder:
    """An HTTP server that records the headers of every POST it receives."""

    def __init__(self):
        self._lock = threading.Lock()
        self._calls = {}
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                with recorder._lock:
                    recorder._calls[self.path] = list(self.headers.items())
                body = b"null"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, name):
        return f"http://127.0.0.1:{self.port}/{name}"

    def headers(self, name):
        with self._lock:
            return self._calls.get("/" + name)

    def close(self):
        self._server.shutdown()
        self._server.server_close()


class Service:
    """w3c-test-service started on a free loopback port."""

    def __init__(self, binary):
        env = dict(os.environ)
        env["OTEL_TRACES_EXPORTER"] = "none"
        env.pop("OTEL_PROPAGATORS", None)
        # The service logs every request on stderr; kept aside, shown on failure.
        self.log = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen([binary, "--port", "0", "--host", "127.0.0.1"],
                                      stdout=subprocess.PIPE, stderr=self.log, env=env,
                                      text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: lines.put(self._proc.stdout.readline()),
                         daemon=True).start()
        try:
            first = lines.get(timeout=STARTUP_TIMEOUT_S)
        except queue.Empty:
            self.close()
            raise RuntimeError("w3c-test-service did not report its port")
        match = re.search(r"http=(\d+)", first)
        if not match:
            self.close()
            raise RuntimeError(f"unexpected first line from w3c-test-service: {first!r}")
        self.port = int(match.group(1))

    def run(self, headers, callback_urls):
        """POSTs /test with `headers` (a list of (name, value), repeats allowed)."""
        body = json.dumps([{"url": url, "arguments": []} for url in callback_urls]).encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            conn.putrequest("POST", "/test")
            for name, value in headers:
                conn.putheader(name, value)
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"POST /test answered {response.status}")
        finally:
            conn.close()

    def close(self):
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def log_tail(self, lines=40):
        self.log.seek(0)
        return "".join(self.log.readlines()[-lines:])


class Outgoing:
    """The trace context the service sent on one callback."""

    def __init__(self, headers):
        values = [v for k, v in headers if k.lower() == "traceparent"]
        if len(values) != 1:
            raise AssertionError(f"expected one traceparent, got {values!r}")
        match = TRACEPARENT_RE.match(values[0])
        if not match:
            raise AssertionError(f"malformed outgoing traceparent {values[0]!r}")
        self.trace_id, self.parent_id = match.group(1), match.group(2)
        self.flags = int(match.group(3), 16)
        states = [v for k, v in headers if k.lower() == "tracestate"]
        self.tracestate = ",".join(states)


class Scenarios:
    def __init__(self, service, recorder):
        self._service = service
        self._recorder = recorder
        self._count = 0

    def call(self, headers, callbacks=1):
        """Runs one /test request; returns the Outgoing context of each callback."""
        names = []
        for _ in range(callbacks):
            self._count += 1
            names.append(f"cb{self._count}")
        self._service.run(headers, [self._recorder.url(n) for n in names])
        result = []
        for name in names:
            recorded = self._recorder.headers(name)
            if recorded is None:
                raise AssertionError(f"the service did not call back {name}")
            result.append(Outgoing(recorded))
        return result

    def one(self, headers):
        return self.call(headers)[0]

    # Each check_* method raises AssertionError on the first broken rule.

    def check_new_trace_sets_random_flag(self):
        out = self.one([])
        assert out.flags & 0x02, f"a new trace must set random-trace-id, flags={out.flags:02x}"
        assert out.tracestate == "", f"no tracestate expected, got {out.tracestate!r}"

    def check_continues_trace_with_new_parent_id(self):
        out = self.one([("traceparent", traceparent("01"))])
        assert out.trace_id == TRACE_ID, out.trace_id
        assert out.parent_id != PARENT_ID, "the parent-id must be the service's own span"
        assert out.flags == 0x01, f"flags must be copied (random unset stays unset): {out.flags:02x}"

    def check_random_flag_copied(self):
        for flags in ("02", "03"):
            out = self.one([("traceparent", traceparent(flags))])
            assert out.trace_id == TRACE_ID, out.trace_id
            assert out.flags == int(flags, 16), f"sent {flags}, got {out.flags:02x}"

    def check_unsampled_parent_stays_unsampled(self):
        out = self.one([("traceparent", traceparent("00"))])
        assert out.trace_id == TRACE_ID and out.flags == 0x00, (out.trace_id, out.flags)

    def check_unknown_flag_bits_not_sent(self):
        out = self.one([("traceparent", traceparent("ff"))])
        assert out.trace_id == TRACE_ID and out.flags == 0x03, (out.trace_id, out.flags)

    def check_header_name_any_case(self):
        for name in ("TraceParent", "TRACEPARENT", "tRaCePaReNt"):
            out = self.one([(name, traceparent())])
            assert out.trace_id == TRACE_ID, f"{name}: {out.trace_id}"

    def check_duplicated_traceparent_restarts(self):
        other = TRACE_ID[:-1] + "1"
        out = self.one([("traceparent", traceparent(trace_id=other)),
                        ("traceparent", traceparent())])
        assert out.trace_id not in (TRACE_ID, other), out.trace_id

    def check_future_version(self):
        out = self.one([("traceparent", traceparent(version="cc", suffix="-what-comes-next"))])
        assert out.trace_id == TRACE_ID, "a future version with extra fields is understood"
        out = self.one([("traceparent", traceparent(version="cc", suffix=".what-comes-next"))])
        assert out.trace_id != TRACE_ID, "the flags of a future version must end at '-'"

    def check_invalid_traceparents_restart(self):
        bad = [
            traceparent(suffix="-extra"),          # version 00 is exactly 55 characters
            traceparent(suffix="."),
            traceparent(version="ff"),
            traceparent(trace_id="0" * 32),
            traceparent(parent_id="0" * 16),
            traceparent(trace_id=TRACE_ID.upper().replace("1", "A")),
            traceparent(flags="0."),
            f"0-{TRACE_ID}-{PARENT_ID}-01",         # version too short
        ]
        for value in bad:
            out = self.one([("traceparent", value), ("tracestate", "foo=1")])
            assert out.trace_id != TRACE_ID, f"{value!r} must restart the trace"
            assert out.tracestate == "", f"{value!r}: tracestate must be dropped too"

    def check_traceparent_ows(self):
        for value in (" \t" + traceparent(), traceparent() + "\t "):
            out = self.one([("traceparent", value)])
            assert out.trace_id == TRACE_ID, repr(value)

    def check_tracestate_needs_traceparent(self):
        out = self.one([("tracestate", "foo=1,bar=2")])
        assert out.tracestate == "", repr(out.tracestate)

    def check_tracestate_fields_joined_in_order(self):
        out = self.one([("traceparent", traceparent("00")),
                        ("tracestate", "foo=1 \t, bar=2"),
                        ("tracestate", ""),
                        ("TraceState", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
                        ("tracestate", "baz=3")])
        assert out.tracestate == "foo=1,bar=2,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,baz=3", \
            repr(out.tracestate)

    def check_tracestate_level2_keys_kept(self):
        state = "foo@@bar=1,t@" + "v" * 15 + "=2," + "t" * 242 + "@v=3,0day=4"
        out = self.one([("traceparent", traceparent()), ("tracestate", state)])
        assert out.tracestate == state, repr(out.tracestate)

    def check_tracestate_duplicate_keys_keep_first(self):
        out = self.one([("traceparent", traceparent()), ("tracestate", "foo=1,bar=2"),
                        ("tracestate", "foo=3")])
        assert out.tracestate == "foo=1,bar=2", repr(out.tracestate)

    def check_invalid_tracestate_dropped_whole(self):
        members33 = ",".join(f"k{i}=v" for i in range(33))
        bad = ["foo=bar=baz", "foo=,bar=3", "@foo=1,bar=2", "FOO=1,bar=2", "foo.bar=1,bar=2",
               "bar=2,foo", "z" * 257 + "=1,bar=2", "bar=2,foo=" + "v" * 257, members33]
        for state in bad:
            out = self.one([("traceparent", traceparent()), ("tracestate", state)])
            assert out.trace_id == TRACE_ID, "an invalid tracestate does not restart the trace"
            assert out.tracestate == "", f"{state[:40]!r}... must be dropped, got {out.tracestate!r}"

    def check_tracestate_32_members_kept(self):
        members32 = ",".join(f"k{i}=v" for i in range(32))
        out = self.one([("traceparent", traceparent()), ("tracestate", members32)])
        assert out.tracestate == members32, repr(out.tracestate)

    def check_several_calls_share_trace(self):
        outs = self.call([("traceparent", traceparent())], callbacks=3)
        assert {o.trace_id for o in outs} == {TRACE_ID}
        assert len({o.parent_id for o in outs}) == 3, "each call has its own span"
        outs = self.call([], callbacks=3)
        assert len({o.parent_id for o in outs}) == 3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", required=True, help="path to w3c-test-service")
    args = parser.parse_args()

    recorder = CallbackRecorder()
    service = Service(args.service)
    failures = 0
    try:
        scenarios = Scenarios(service, recorder)
        checks = [n for n in dir(Scenarios) if n.startswith("check_")]
        for name in checks:
            try:
                getattr(scenarios, name)()
                print(f"ok    {name[len('check_'):]}")
            except AssertionError as err:
                failures += 1
                print(f"FAIL  {name[len('check_'):]}: {err}")
        print(f"{len(checks) - failures} passed, {failures} failed")
        if failures:
            print("--- w3c-test-service log (last lines) ---")
            print(service.log_tail(), end="")
    finally:
        service.close()
        recorder.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
