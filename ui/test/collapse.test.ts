import { describe, expect, it } from "vitest";
import { buildModel } from "../src/lib/skeleton";
import * as c from "../src/lib/collapse";
import { rowOfSpan, visibleRows } from "../src/lib/visible";
import { sampleSkeleton } from "./fixture";

const m = buildModel(sampleSkeleton());
const spans = (collapsed: Uint8Array, criticalOnly = false, openLogs = new Set<number>()) => {
  const r = visibleRows(m, { collapsed, criticalOnly, openLogs });
  return Array.from(r.rowSpan.slice(0, r.length));
};

describe("collapse rules", () => {
  it("collapse all leaves the root alone on screen", () => {
    expect(spans(c.collapseAll(m))).toEqual([0]);
  });

  it("expand all shows every span in tree order", () => {
    expect(spans(c.expandAll(m))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("one level at a time, in both directions (Jaeger's o and p)", () => {
    const closed = c.collapseAll(m);
    const one = c.expandOneLevel(m, closed);
    expect(spans(one)).toEqual([0, 1, 3, 5]);
    expect(spans(c.expandOneLevel(m, one))).toEqual([0, 1, 2, 3, 4, 5]);
    const back = c.collapseOneLevel(m, c.expandAll(m));
    expect(spans(back)).toEqual([0, 1, 3, 5]);
    expect(spans(c.collapseOneLevel(m, back))).toEqual([0]);
  });

  it("collapses the inside of spans shorter than a duration", () => {
    expect(spans(c.collapseBelowDuration(m, 20e6))).toEqual([0, 1, 3, 4, 5]);
  });

  it("collapses every span of one service", () => {
    expect(spans(c.collapseService(m, c.expandAll(m), 3))).toEqual([0, 1, 2, 3, 5]);
  });

  it("reveal opens the ancestors of a hidden span", () => {
    const opened = c.reveal(m, c.collapseAll(m), 4);
    expect(spans(opened)).toContain(4);
  });

  it("a collapsed span shows the errors it hides (errors bubble up)", () => {
    const all = c.collapseAll(m);
    expect(c.hiddenErrors(m, all, 0)).toBe(2);
    expect(c.hiddenErrors(m, c.expandAll(m), 0)).toBe(0);
  });
});

describe("visible rows", () => {
  it("critical path only keeps the spans the trace waited on", () => {
    expect(spans(c.expandAll(m), true)).toEqual([0, 3, 4]);
  });

  it("opened logs become rows right under their span", () => {
    const r = visibleRows(m, { collapsed: c.expandAll(m), criticalOnly: false, openLogs: new Set([4]) });
    expect(r.length).toBe(8);
    expect(Array.from(r.rowSpan.slice(0, r.length))).toEqual([0, 1, 2, 3, 4, 4, 4, 5]);
    expect(Array.from(r.rowLog.slice(0, r.length))).toEqual([-1, -1, -1, -1, -1, 0, 1, -1]);
    expect(rowOfSpan(r, 5)).toBe(7);
    expect(rowOfSpan(r, 4)).toBe(4);
  });

  it("a hidden span has no row", () => {
    const r = visibleRows(m, { collapsed: c.collapseAll(m), criticalOnly: false, openLogs: new Set() });
    expect(rowOfSpan(r, 4)).toBe(-1);
  });
});
