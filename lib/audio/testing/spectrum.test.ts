import { describe, it, expect } from "vitest";
import { sine, whiteNoise } from "./signals";
import { bandShareDb, powerSpectrum } from "./spectrum";

describe("powerSpectrum / bandShareDb", () => {
  it("puts a sine's power in its own band and almost none elsewhere", () => {
    const spectrum = powerSpectrum(sine({ frequencyHz: 1000, sampleRateHz: 16000, durationMs: 500, levelDbfs: -10 }), 16000);
    expect(spectrum.binHz).toBe(15.625);
    expect(bandShareDb(spectrum, 950, 1050)).toBeGreaterThan(-0.01);
    expect(bandShareDb(spectrum, 1200, 8001)).toBeLessThan(-80);
  });

  it("splits white noise evenly by bandwidth", () => {
    const spectrum = powerSpectrum(whiteNoise({ length: 64000, levelDbfs: -20, seed: 1 }), 16000);
    expect(bandShareDb(spectrum, 0, 4000)).toBeCloseTo(-3.01, 0);
    expect(bandShareDb(spectrum, 6000, 8001)).toBeCloseTo(-6.02, 0);
  });

  it("needs at least one full frame", () => {
    expect(() => powerSpectrum(new Int16Array(100), 16000)).toThrow(RangeError);
    expect(() => powerSpectrum(new Int16Array(2000), 16000, 1000)).toThrow(/power of two/);
  });
});
