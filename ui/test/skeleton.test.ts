import { describe, expect, it } from "vitest";
import { ancestors, buildModel } from "../src/lib/skeleton";
import { sampleSkeleton } from "./fixture";

describe("buildModel: the tree from the skeleton", () => {
  const m = buildModel(sampleSkeleton());

  it("derives depth and subtree extents from parent indices", () => {
    expect(Array.from(m.depth)).toEqual([0, 1, 2, 1, 2, 1]);
    expect(Array.from(m.end)).toEqual([6, 3, 3, 5, 5, 6]);
    expect(m.maxDepth).toBe(2);
  });

  it("counts erroring spans below each span", () => {
    expect(Array.from(m.errorsBelow)).toEqual([2, 0, 0, 1, 0, 0]);
    expect(m.errorSpans).toEqual([3, 4]);
  });

  it("keeps the absolute start beyond 2^53 exactly", () => {
    expect(m.startNs).toBe(1795732692870000000n);
  });

  it("indexes span ids and walks ancestors", () => {
    expect(m.idIndex.get("00000000000000a4")).toBe(4);
    expect(ancestors(m, 4)).toEqual([3, 0]);
  });

  it("puts log ticks on their span in time order and keeps those without a span", () => {
    expect(m.ticks.get(4)?.map((t) => t.severity)).toEqual([9, 17]);
    expect(m.orphanTicks).toHaveLength(1);
  });

  it("treats a parent index that is not before the child as a top-level span", () => {
    const s = sampleSkeleton();
    s.parent[1] = 4;
    const bad = buildModel(s);
    expect(bad.parent[1]).toBe(-1);
    expect(bad.depth[1]).toBe(0);
  });
});
