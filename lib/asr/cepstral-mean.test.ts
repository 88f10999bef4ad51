import { describe, expect, it } from "vitest";
import { CEPSTRA, CepstralPrior, parseCmnInit, speechCepstralMean } from "./cepstral-mean";

const FILTERS = 20;

function frames(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat());
}

describe("speechCepstralMean", () => {
  it("gives c0 = sum / sqrt(N) and zero higher cepstra for a flat log spectrum", () => {
    const flat = Array.from({ length: 30 }, () => Array<number>(FILTERS).fill(10));
    const mean = speechCepstralMean(frames(flat), 30, FILTERS)!;
    expect(mean).toHaveLength(CEPSTRA);
    expect(mean[0]).toBeCloseTo((10 * FILTERS) / Math.sqrt(FILTERS), 6);
    for (let i = 1; i < CEPSTRA; i++) expect(Math.abs(mean[i]!)).toBeLessThan(1e-9);
  });

  it("skips frames of negative log energy (digital silence), as PocketSphinx does, and keeps quiet ones", () => {
    const loud = Array.from({ length: 20 }, () => Array<number>(FILTERS).fill(12));
    const quiet = Array.from({ length: 20 }, () => Array<number>(FILTERS).fill(2));
    const dead = Array.from({ length: 60 }, () => Array<number>(FILTERS).fill(-8));
    const mean = speechCepstralMean(frames([...dead, ...quiet, ...loud]), 100, FILTERS)!;
    expect(mean[0]).toBeCloseTo((7 * FILTERS) / Math.sqrt(FILTERS), 6);
  });

  it("puts a spectral tilt into c1 with PocketSphinx's sign and liftering", () => {
    const tilt = Array.from({ length: 30 }, () => Array.from({ length: FILTERS }, (_, j) => 10 - j * 0.2));
    const mean = speechCepstralMean(frames(tilt), 30, FILTERS)!;
    // A falling spectrum correlates with cos(pi (j + 0.5) / N), which falls too: c1 > 0.
    expect(mean[1]).toBeGreaterThan(1);
  });

  it("returns null for too little audio to say anything", () => {
    expect(speechCepstralMean(new Float32Array(5 * FILTERS), 5, FILTERS)).toBeNull();
  });
});

describe("CepstralPrior", () => {
  it("starts empty, then averages, and forgets history beyond its weight", () => {
    const prior = new CepstralPrior(2);
    expect(prior.toConfig()).toBeNull();
    const v = (x: number) => Float64Array.from({ length: CEPSTRA }, () => x);
    prior.add(v(40));
    expect(prior.toConfig()!.split(",")[0]).toBe("40.00");
    prior.add(v(50));
    expect(prior.toConfig()!.split(",")[0]).toBe("45.00");
    // Weight capped at 2: the new value counts a third, not a quarter.
    prior.add(v(60));
    expect(Number(prior.toConfig()!.split(",")[0])).toBeCloseTo((45 * 2 + 60) / 3, 2);
    expect(prior.toConfig()!.split(",")).toHaveLength(CEPSTRA);
  });

  it("learns clean speech from quiet lines, and from noisy ones only through addClean; both survive a snapshot", () => {
    const v = (x: number) => Float64Array.from({ length: CEPSTRA }, () => x);
    const prior = new CepstralPrior(5);
    prior.add(v(60), false);
    expect(prior.cleanVector()).toBeNull();
    prior.addClean(v(45));
    prior.add(v(40));
    expect(prior.cleanVector()![0]).toBeCloseTo(42.5, 6);
    const copy = CepstralPrior.from(JSON.parse(JSON.stringify(prior.snapshot())), 5);
    expect(copy.toConfig()).toBe(prior.toConfig());
    expect(Array.from(copy.cleanVector()!)).toEqual(Array.from(prior.cleanVector()!));
    // Snapshots from before clean means were learned still load.
    expect(CepstralPrior.from({ mean: [40], weight: 1 }, 5).cleanVector()).toBeNull();
  });
});

describe("parseCmnInit", () => {
  it("reads a cmninit setting into a full vector", () => {
    const m = parseCmnInit("40,3,-1");
    expect(m).toHaveLength(CEPSTRA);
    expect(Array.from(m.subarray(0, 4))).toEqual([40, 3, -1, 0]);
  });
});
