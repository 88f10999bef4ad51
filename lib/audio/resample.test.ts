import { describe, it, expect } from "vitest";
import { concatInt16, rmsDbfs } from "./pcm";
import { mulberry32 } from "./prng";
import { Resampler, resample } from "./resample";
import { sine, snrDb, speechLike, whiteNoise } from "./testing/signals";

// Speed (tsx, Node 20, this 2-core machine; steady state, 20 ms frames, µs per frame):
//   48000->16000 35, 44100->16000 34, 22050->16000 18, 16000->8000 13, 8000->16000 13,
//   16000->48000 41. So 50 concurrent 48 kHz callers cost about 9 % of one core (50 * 35 / 20000).

const RATES_TO_PHONE_AND_WIDEBAND = [8000, 16000, 22050, 24000, 32000, 44100, 48000];

function edgeTrimmedSnr(reference: Int16Array, test: Int16Array, sampleRateHz: number): number {
  // The first and last 10 ms see the implied silence before and after the signal.
  const edge = Math.round(sampleRateHz / 100);
  return snrDb(reference, test, edge, reference.length - edge);
}

describe("Resampler", () => {
  it("is the identity when the rates match", () => {
    const input = whiteNoise({ length: 1000, levelDbfs: -20, seed: 1 });
    const resampler = new Resampler({ fromHz: 16000, toHz: 16000 });
    expect(resampler.push(input)).toEqual(input);
    expect(resampler.flush().length).toBe(0);
  });

  it("rejects rates that are not positive integers", () => {
    expect(() => new Resampler({ fromHz: 0, toHz: 16000 })).toThrow(RangeError);
    expect(() => new Resampler({ fromHz: 16000.5, toHz: 8000 })).toThrow(/fromHz/);
  });

  for (const fromHz of RATES_TO_PHONE_AND_WIDEBAND) {
    for (const toHz of [8000, 16000]) {
      if (fromHz === toHz) continue;
      it(`turns a 1 kHz sine at ${fromHz} Hz into the same sine sampled at ${toHz} Hz`, () => {
        const input = sine({ frequencyHz: 1000, sampleRateHz: fromHz, durationMs: 300, levelDbfs: -10 });
        const expected = sine({ frequencyHz: 1000, sampleRateHz: toHz, durationMs: 300, levelDbfs: -10 });
        const output = resample(input, fromHz, toHz);
        expect(output.length).toBe(Math.ceil((input.length * toHz) / fromHz));
        // Rounding to int16 alone limits this to about 84 dB at -10 dBFS.
        expect(edgeTrimmedSnr(expected, output, toHz)).toBeGreaterThan(70);
      });

      it(`converts ${toHz} Hz back to ${fromHz} Hz`, () => {
        const input = sine({ frequencyHz: 1000, sampleRateHz: toHz, durationMs: 300, levelDbfs: -10 });
        const expected = sine({ frequencyHz: 1000, sampleRateHz: fromHz, durationMs: 300, levelDbfs: -10 });
        const output = resample(input, toHz, fromHz);
        expect(Math.abs(output.length - expected.length)).toBeLessThanOrEqual(1);
        expect(edgeTrimmedSnr(expected, output, fromHz)).toBeGreaterThan(70);
      });
    }
  }

  it("keeps a 1 kHz sine through 48k -> 16k -> 48k with under 0.05 % error", () => {
    const input = sine({ frequencyHz: 1000, sampleRateHz: 48000, durationMs: 500, levelDbfs: -6 });
    const roundTrip = resample(resample(input, 48000, 16000), 16000, 48000);
    expect(roundTrip.length).toBe(input.length);
    expect(edgeTrimmedSnr(input, roundTrip, 48000)).toBeGreaterThan(66);
  });

  it("keeps the level of in-band speech within 0.1 dB", () => {
    const input = speechLike({ sampleRateHz: 48000, durationMs: 1000, levelDbfs: -20 });
    expect(rmsDbfs(resample(input, 48000, 16000))).toBeCloseTo(-20, 1);
    expect(rmsDbfs(resample(input, 48000, 8000))).toBeCloseTo(-20, 1);
  });

  it("attenuates a 6 kHz tone at 48 kHz by more than 40 dB when going to 8 kHz (no alias at 2 kHz)", () => {
    const input = sine({ frequencyHz: 6000, sampleRateHz: 48000, durationMs: 500, levelDbfs: -3 });
    const output = resample(input, 48000, 8000);
    const attenuationDb = rmsDbfs(input) - rmsDbfs(output.subarray(80, output.length - 80));
    expect(attenuationDb).toBeGreaterThan(40);
  });

  it("stops everything from the lower Nyquist upwards by more than 60 dB", () => {
    for (const frequencyHz of [8200, 9000, 12000, 20000]) {
      const input = sine({ frequencyHz, sampleRateHz: 48000, durationMs: 300, levelDbfs: -3 });
      const output = resample(input, 48000, 16000);
      expect(rmsDbfs(input) - rmsDbfs(output.subarray(160, output.length - 160))).toBeGreaterThan(60);
    }
  });

  it("does not create images above the lower Nyquist when upsampling", () => {
    // A 3 kHz tone at 8 kHz upsampled to 16 kHz must not gain a 5 kHz image (8 kHz - 3 kHz).
    const input = sine({ frequencyHz: 3000, sampleRateHz: 8000, durationMs: 300, levelDbfs: -3 });
    const output = resample(input, 8000, 16000);
    const expected = sine({ frequencyHz: 3000, sampleRateHz: 16000, durationMs: 300, levelDbfs: -3 });
    expect(edgeTrimmedSnr(expected, output, 16000)).toBeGreaterThan(55);
  });

  for (const [fromHz, toHz] of [[48000, 16000], [44100, 16000], [16000, 8000], [8000, 16000], [22050, 8000], [16000, 44100]] as const) {
    it(`gives the same output in random chunks as in one shot (${fromHz} -> ${toHz})`, () => {
      const input = speechLike({ sampleRateHz: fromHz, durationMs: 700, levelDbfs: -12 });
      const oneShot = resample(input, fromHz, toHz);
      const random = mulberry32(fromHz + toHz);
      const resampler = new Resampler({ fromHz, toHz });
      const pieces: Int16Array[] = [];
      for (let offset = 0; offset < input.length; ) {
        // Includes empty and single-sample chunks, and chunks longer than the kernel.
        const size = Math.min(input.length - offset, Math.floor(random() ** 2 * 2000));
        pieces.push(resampler.push(input.subarray(offset, offset + size)));
        offset += size;
      }
      pieces.push(resampler.flush());
      const chunked = concatInt16(pieces);
      expect(chunked.length).toBe(oneShot.length);
      let maxDiff = 0;
      for (let i = 0; i < chunked.length; i++) maxDiff = Math.max(maxDiff, Math.abs(chunked[i]! - oneShot[i]!));
      expect(maxDiff).toBeLessThanOrEqual(1);
    });
  }

  it("starts a fresh stream after flush", () => {
    const input = speechLike({ sampleRateHz: 48000, durationMs: 200, levelDbfs: -12 });
    const resampler = new Resampler({ fromHz: 48000, toHz: 16000 });
    const first = concatInt16([resampler.push(input), resampler.flush()]);
    const second = concatInt16([resampler.push(input), resampler.flush()]);
    expect(second).toEqual(first);
  });

  it("emits 20 ms frames steadily after a delay of one kernel half-length", () => {
    const resampler = new Resampler({ fromHz: 48000, toHz: 16000 });
    const frame = speechLike({ sampleRateHz: 48000, durationMs: 20, levelDbfs: -12 });
    const lengths = Array.from({ length: 10 }, () => resampler.push(frame).length);
    // The first frame is short by the 72-input-sample (1.5 ms) look-ahead; afterwards 320 each.
    expect(lengths[0]).toBe(320 - 24);
    expect(lengths.slice(1)).toEqual(new Array(9).fill(320));
    expect(resampler.flush().length).toBe(24);
  });
});
