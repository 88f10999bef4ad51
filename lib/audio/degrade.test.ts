import { describe, it, expect } from "vitest";
import { activeFrameRanges, addNoiseAtSnr, phoneBand, pinkNoise } from "./degrade";
import { concatInt16, rmsDbfs, silence } from "./pcm";
import { bandShareDb, powerSpectrum } from "./testing/spectrum";
import { snrDb, speechLike, whiteNoise } from "./testing/signals";

const RATE = 16000;

/** SNR of `noisy` against `clean`, over the clean signal's active frames only. */
function activeSnrDb(clean: Int16Array, noisy: Int16Array): number {
  let signal = 0;
  let noise = 0;
  for (const [start, end] of activeFrameRanges(clean, RATE)) {
    for (let i = start; i < end; i++) {
      signal += clean[i]! * clean[i]!;
      noise += (noisy[i]! - clean[i]!) ** 2;
    }
  }
  return 10 * Math.log10(signal / noise);
}

describe("pinkNoise", () => {
  it("is deterministic per seed and has unit RMS", () => {
    const a = pinkNoise(32000, 1);
    expect(pinkNoise(32000, 1)).toEqual(a);
    expect(pinkNoise(32000, 2)).not.toEqual(a);
    expect(rmsDbfs(a)).toBeCloseTo(0, 6);
  });

  it("carries equal power per octave (-3 dB per octave), unlike white noise", () => {
    const spectrum = powerSpectrum(pinkNoise(RATE * 8, 3), RATE, 4096);
    const low = bandShareDb(spectrum, 250, 500);
    const high = bandShareDb(spectrum, 2000, 4000);
    expect(Math.abs(low - high)).toBeLessThan(1);
    const white = powerSpectrum(whiteNoise({ length: RATE * 8, levelDbfs: -20, seed: 3 }), RATE, 4096);
    expect(bandShareDb(white, 2000, 4000) - bandShareDb(white, 250, 500)).toBeCloseTo(9, 0);
  });

  it("starts at full level rather than fading in", () => {
    const noise = pinkNoise(RATE * 4, 4);
    expect(rmsDbfs(noise.subarray(0, RATE / 2))).toBeGreaterThan(-1.5);
  });
});

describe("addNoiseAtSnr", () => {
  const speech = concatInt16([
    silence(1000, RATE),
    speechLike({ sampleRateHz: RATE, durationMs: 1500, levelDbfs: -22 }),
    silence(300, RATE),
  ]);

  for (const snr of [0, 5, 10, 20, 30]) {
    it(`hits ${snr} dB SNR over the active speech to within 0.5 dB`, () => {
      expect(activeSnrDb(speech, addNoiseAtSnr(speech, snr, 11))).toBeGreaterThan(snr - 0.5);
      expect(activeSnrDb(speech, addNoiseAtSnr(speech, snr, 11))).toBeLessThan(snr + 0.5);
    });
  }

  it("ignores leading silence: the noise level does not depend on how long the pause is", () => {
    const active = speech.subarray(RATE);
    const withPause = addNoiseAtSnr(speech, 10, 12);
    const withoutPause = addNoiseAtSnr(active, 10, 12);
    // The pause gets noise at the level the speech itself gets: 10 dB under -22 dBFS.
    expect(rmsDbfs(withPause.subarray(0, RATE))).toBeGreaterThan(-33);
    expect(rmsDbfs(withPause.subarray(0, RATE))).toBeLessThan(-31);
    expect(Math.abs(activeSnrDb(active, withoutPause) - activeSnrDb(speech, withPause))).toBeLessThan(0.5);
  });

  it("is reproducible by seed", () => {
    expect(addNoiseAtSnr(speech, 5, 13)).toEqual(addNoiseAtSnr(speech, 5, 13));
    expect(addNoiseAtSnr(speech, 5, 13)).not.toEqual(addNoiseAtSnr(speech, 5, 14));
  });

  it("refuses a clip with no speech in it", () => {
    expect(() => addNoiseAtSnr(silence(500, RATE), 10, 1)).toThrow(/no speech above -50 dBFS/);
  });
});

describe("phoneBand", () => {
  it("keeps the length and removes everything above 4 kHz by more than 30 dB", () => {
    for (const length of [RATE * 2, RATE * 2 + 1]) {
      const input = whiteNoise({ length, levelDbfs: -20, seed: 21 });
      const output = phoneBand(input);
      expect(output.length).toBe(input.length);
      const spectrum = powerSpectrum(output, RATE);
      expect(bandShareDb(spectrum, 4000, 8001)).toBeLessThan(-30);
      expect(bandShareDb(powerSpectrum(input, RATE), 4000, 8001)).toBeGreaterThan(-4);
    }
  });

  it("passes telephone-band speech at the same level and time, with mu-law's coding noise", () => {
    const speech = speechLike({ sampleRateHz: RATE, durationMs: 1000, levelDbfs: -20 });
    const output = phoneBand(speech);
    expect(rmsDbfs(output)).toBeCloseTo(-20, 0);
    // Speech-like harmonics stop at 3 kHz, inside the band: what differs is the codec's noise
    // (about 37 dB for G.711), which proves the codec is really in the path.
    const snr = snrDb(speech, output, 160, speech.length - 160);
    expect(snr).toBeGreaterThan(30);
    expect(snr).toBeLessThan(45);
  });
});
