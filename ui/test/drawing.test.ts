import { describe, expect, it } from "vitest";
import { buildModel } from "../src/lib/skeleton";
import { criticalBands, toBand } from "../src/lib/critical";
import { filterLogs, placeLogs, placeTicks, severityClass, type LogRecord } from "../src/lib/logs";
import { selfTimes, selfTimeTable } from "../src/lib/selftime";
import { fromSkeleton } from "../src/lib/causes";
import { sampleSkeleton } from "./fixture";

const m = buildModel(sampleSkeleton());
const whole = { from: 0, to: 100e6 };

describe("critical path drawing", () => {
  it("draws each stretch of a span on the path where it lies in the window", () => {
    expect(criticalBands(m.critical.get(4), whole)).toEqual([{ left: 30, width: 60 }]);
    const pay = criticalBands(m.critical.get(3), whole);
    expect(pay.map((b) => b.left)).toEqual([25, 90]);
  });

  it("clips to the zoom window and drops what is outside it", () => {
    const zoom = { from: 50e6, to: 100e6 };
    expect(criticalBands(m.critical.get(4), zoom)).toEqual([{ left: 0, width: 80 }]);
    expect(toBand(zoom, 0, 10e6)).toBeNull();
    expect(criticalBands(m.critical.get(1), whole)).toEqual([]);
  });
});

describe("log placement", () => {
  it("puts ticks where the records were written, coloured by severity", () => {
    const ticks = placeTicks(m.ticks.get(4), whole);
    expect(ticks.map((t) => [t.left, t.severity])).toEqual([[31, "info"], [89, "error"]]);
  });

  it("merges ticks too close to tell apart into the most severe", () => {
    const ticks = placeTicks([{ offset: 10e6, severity: 9 }, { offset: 10.1e6, severity: 21 }], whole);
    expect(ticks).toHaveLength(1);
    expect(ticks[0].severity).toBe("fatal");
  });

  it("orders the trace's records by time and keeps those whose span never arrived", () => {
    const rec = (t: number, span: string | undefined, sev: number, msg: string): LogRecord =>
      ({ timestamp: "", time_ns: t, level: "", severity_number: sev, msg, service_name: "bank", span_id: span, attributes: {} });
    const placed = placeLogs(m, [rec(3, "00000000000000a4", 17, "declined"), rec(1, "0000000000000bad", 9, "lost"), rec(2, undefined, 9, "none")]);
    expect(placed.map((p) => [p.log.msg, p.span])).toEqual([["lost", -1], ["none", -1], ["declined", 4]]);
    expect(filterLogs(placed, { minSeverity: 17, service: "", text: "" }).map((p) => p.log.msg)).toEqual(["declined"]);
    expect(filterLogs(placed, { minSeverity: 0, service: "", text: "LOS" }).map((p) => p.log.msg)).toEqual(["lost"]);
  });

  it("names severities by OTLP ranges", () => {
    expect([1, 5, 9, 13, 17, 21].map(severityClass)).toEqual(["debug", "debug", "info", "warn", "error", "fatal"]);
  });
});

describe("self time", () => {
  it("is the duration minus the union of the children inside it", () => {
    expect(Array.from(selfTimes(m)).map((x) => x / 1e6)).toEqual([100 - 15 - 70 - 0 /* reserve inside pay's time */, 11, 4, 10, 60, 10]);
  });

  it("is tabled per service and operation, largest first", () => {
    const rows = selfTimeTable(m, selfTimes(m));
    expect(rows[0].operation).toBe("Authorize");
    expect(rows.find((r) => r.operation === "Charge")?.errors).toBe(1);
  });

  it("the fallback cause is the deepest erroring span", () => {
    const causes = fromSkeleton(m, selfTimes(m));
    expect(causes[0].kind).toBe("error");
    expect(causes[0].span).toBe(4);
  });
});

describe("largest values", () => {
  it("picks the k largest in order in one pass", async () => {
    const { topBy } = await import("../src/lib/causes");
    expect(topBy(Float64Array.from([3, 9, 1, 7, 9, 2]), 3)).toEqual([1, 4, 3]);
    expect(topBy(Float64Array.from([1]), 3)).toEqual([0]);
  });
});

describe("minimap pixels", () => {
  it("draws each span as a run on its row, errors over the rest", async () => {
    const { minimapPixels, ERROR_CELL } = await import("../src/lib/minimap");
    const px = minimapPixels(m, 100, 12);
    const row = (y: number) => Array.from(px.cells.slice(y * 100, y * 100 + 100));
    // Six spans on twelve rows: two rows each. Rows 0-1 are the root (web,
    // service 0) across the whole trace.
    expect(row(0).every((v) => v === 1)).toBe(true);
    expect(row(1).every((v) => v === 1)).toBe(true);
    // Rows 8-9 are bank Authorize (error) from 30 to 90 ms.
    expect(row(9)[29]).toBe(0);
    expect(row(9)[30]).toBe(ERROR_CELL);
    expect(row(8)[89]).toBe(ERROR_CELL);
    expect(row(8)[90]).toBe(0);
  });
});
