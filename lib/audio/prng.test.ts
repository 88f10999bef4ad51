import { describe, it, expect } from "vitest";
import { gaussian, mulberry32 } from "./prng";

describe("mulberry32", () => {
  it("repeats the same sequence for the same seed and differs across seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 8 }, a);
    expect(Array.from({ length: 8 }, b)).toEqual(seqA);
    expect(Array.from({ length: 8 }, c)).not.toEqual(seqA);
  });

  it("is uniform in [0, 1)", () => {
    const next = mulberry32(7);
    const bins = new Array<number>(10).fill(0);
    const n = 100_000;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      bins[Math.floor(u * 10)]! += 1;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const count of bins) expect(Math.abs(count - n / 10)).toBeLessThan(0.05 * (n / 10));
  });
});

describe("gaussian", () => {
  it("has zero mean and unit variance", () => {
    const next = gaussian(mulberry32(1));
    const n = 100_000;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const x = next();
      sum += x;
      sumSquares += x * x;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSquares / n - 1)).toBeLessThan(0.02);
  });
});
