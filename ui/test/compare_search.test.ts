import { describe, expect, it } from "vitest";
import { buildModel } from "../src/lib/skeleton";
import { changeOf, mergeTraces } from "../src/lib/compare";
import { formFromUrl, formToUrl, parseTags, searchQuery, sortTraces } from "../src/lib/search";
import { edgeLabel, edgeOf, neighbourhood } from "../src/lib/graph";
import { fmtDuration, fmtTime } from "../src/lib/format";
import { sampleSkeleton } from "./fixture";
import type { TraceSummary } from "../src/api";

describe("compare: two trees merged by service/operation path", () => {
  it("names what is only in one, slower, faster and changed status", () => {
    const a = buildModel(sampleSkeleton());
    const sb = sampleSkeleton();
    sb.status = [0, 0, 0, 0, 0, 0];
    sb.duration[1] = 45e6;
    sb.operation[5] = 1; // cart Reserve becomes a second cart List
    const b = buildModel(sb);
    const nodes = mergeTraces(a, b);
    const by = (op: string, depth: number) => nodes.find((n) => n.operation === op && n.depth === depth)!;
    expect(changeOf(by("Charge", 1))).toBe("status");
    expect(changeOf(by("Reserve", 1))).toBe("only-a");
    expect(by("List", 1).b?.count).toBe(2);
    expect(changeOf(by("List", 1))).toBe("slower");
    expect(changeOf(by("GET /checkout", 0))).toBe("same");
    // Parents come before their children.
    expect(nodes.findIndex((n) => n.operation === "Charge")).toBeLessThan(nodes.findIndex((n) => n.operation === "Authorize"));
  });
});

describe("search state in the URL", () => {
  it("round-trips the form and names span- and trace-level conditions apart", () => {
    const f = formFromUrl(new URLSearchParams("service=pay&minDuration=100ms&minTraceDuration=1s&errors=true&through=web,pay&tags=http.status_code%3D500"));
    expect(formFromUrl(new URLSearchParams(formToUrl(f)))).toEqual(f);
    const q = new URLSearchParams(searchQuery(f, true));
    expect(q.get("min_duration")).toBe("100ms");
    expect(q.get("min_trace_duration")).toBe("1s");
    expect(q.get("services_all")).toBe("web,pay");
    expect(q.getAll("tag")).toEqual(["http.status_code:500"]);
    expect(q.get("lookback")).toBe("1h");
  });

  it("sends log conditions to servers that take them, else widens the candidates", () => {
    const f = formFromUrl(new URLSearchParams("logLevel=error&logText=declined&limit=20"));
    const native = new URLSearchParams(searchQuery(f, true, true));
    expect([native.get("log_level"), native.get("log_text"), native.get("limit")]).toEqual(["error", "declined", "20"]);
    const fallback = new URLSearchParams(searchQuery(f, true));
    expect(fallback.get("log_level")).toBeNull();
    expect(Number(fallback.get("limit"))).toBeGreaterThanOrEqual(1000);
  });

  it("reads quoted tag values", () => {
    expect(parseTags('a=1 b="x y"')).toEqual([["a", "1"], ["b", "x y"]]);
  });

  it("sorts as Jaeger does", () => {
    const t = (id: string, start: number, dur: number, spans: number): TraceSummary =>
      ({ trace_id: id, root_service: "", root_operation: "", has_root: true, start_ns: start, duration_ns: dur, span_count: spans, error_count: 0, services: [] });
    const list = [t("a", 1, 30, 5), t("b", 3, 10, 9), t("c", 2, 20, 1)];
    expect(sortTraces(list, "recent").map((x) => x.trace_id)).toEqual(["b", "c", "a"]);
    expect(sortTraces(list, "longest").map((x) => x.trace_id)).toEqual(["a", "c", "b"]);
    expect(sortTraces(list, "least-spans").map((x) => x.trace_id)).toEqual(["c", "a", "b"]);
  });
});

describe("services graph and formatting", () => {
  it("keeps the focal service and its neighbours within N hops", () => {
    const edges = [["web", "pay"], ["pay", "bank"], ["bank", "ledger"]].map(([parent, child]) => edgeOf({ parent, child, call_count: 1 }));
    expect(neighbourhood(edges, "pay", 1).length).toBe(2);
    expect(neighbourhood(edges, "web", 1)).toEqual([edges[0]]);
    expect(neighbourhood(edges, "web", 3).length).toBe(3);
  });

  it("labels an edge with its calls, error rate and p99, and copes without them", () => {
    const e = edgeOf({ parent: "order", child: "payment", call_count: 1200, error_count: 36, p99_ns: 45_600_000 });
    expect(edgeLabel(e)).toEqual(["1,200 calls, 3.0 % errors", "p99 45.6 ms"]);
    expect(edgeLabel(edgeOf({ parent: "a", child: "b", call_count: 3, error_count: 3, p99_ns: 1500 }))).toEqual(["3 calls, 100 % errors", "p99 1.50 µs"]);
    expect(edgeLabel(edgeOf({ parent: "a", child: "b", call_count: 2000, error_count: 1, p99_ns: 0 }))[0]).toBe("2,000 calls, <0.1 % errors");
    // A server from before error counts and percentiles: calls only.
    expect(edgeLabel(edgeOf({ parent: "a", child: "b", call_count: 7 }))).toEqual(["7 calls, 0 % errors", ""]);
  });

  it("writes durations with units and times in UTC", () => {
    expect(fmtDuration(1500)).toBe("1.50 µs");
    expect(fmtDuration(12_300_000)).toBe("12.3 ms");
    expect(fmtDuration(2_000_000_000)).toBe("2.00 s");
    expect(fmtTime(0, true)).toBe("1970-01-01 00:00:00.000 UTC");
  });
});
