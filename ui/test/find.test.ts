import { describe, expect, it } from "vitest";
import { buildModel } from "../src/lib/skeleton";
import { findLocal, mergeServerMatches, sortedMatches, step } from "../src/lib/find";
import { sampleSkeleton } from "./fixture";

const m = buildModel(sampleSkeleton());

describe("find", () => {
  it("matches service and operation names, case-insensitively", () => {
    expect(sortedMatches(findLocal(m, "CART"))).toEqual([1, 5]);
    expect(sortedMatches(findLocal(m, "author"))).toEqual([4]);
    expect(findLocal(m, "  ").size).toBe(0);
  });

  it("adds what the server found in attributes and log bodies", () => {
    const merged = mergeServerMatches(m, findLocal(m, "declined"), {
      spans: ["00000000000000a3"],
      log_spans: ["00000000000000a4", "ffffffffffffffff"],
      log_matches: 2,
    });
    expect(sortedMatches(merged)).toEqual([3, 4]);
  });

  it("steps to the next and previous match, wrapping around", () => {
    expect(step([1, 5], -1, 1)).toBe(1);
    expect(step([1, 5], 1, 1)).toBe(5);
    expect(step([1, 5], 5, 1)).toBe(1);
    expect(step([1, 5], 1, -1)).toBe(5);
    expect(step([], 3, 1)).toBe(-1);
  });
});
