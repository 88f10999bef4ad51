import { describe, it, expect } from "vitest";
import { mulawDecode, mulawEncode } from "./mulaw";
import { snrDb, speechLike, whiteNoise } from "./testing/signals";

describe("mu-law", () => {
  it("encodes the G.711 reference points", () => {
    expect(Array.from(mulawEncode(new Int16Array([0, -1, 32767, -32768, 8, -8])))).toEqual([
      0xff, 0x7f, 0x80, 0x00, 0xfe, 0x7e,
    ]);
    expect(Array.from(mulawDecode(new Uint8Array([0xff, 0x7f, 0x80, 0x00, 0xfe])))).toEqual([0, 0, 32124, -32124, 8]);
  });

  it("maps every code back to itself through decode and encode (except negative zero)", () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const reencoded = mulawEncode(mulawDecode(codes));
    for (let code = 0; code < 256; code++) expect(reencoded[code]).toBe(code === 0x7f ? 0xff : code);
  });

  for (const levelDbfs of [-10, -20, -35]) {
    it(`round-trips speech at ${levelDbfs} dBFS with SNR above 30 dB`, () => {
      const speech = speechLike({ sampleRateHz: 8000, durationMs: 1000, levelDbfs });
      const decoded = mulawDecode(mulawEncode(speech));
      expect(decoded.length).toBe(speech.length);
      expect(snrDb(speech, decoded)).toBeGreaterThan(30);
    });
  }

  it("keeps its SNR nearly constant over a 30 dB range (unlike 8-bit linear)", () => {
    const snrAt = (levelDbfs: number) => {
      const noise = whiteNoise({ length: 8000, levelDbfs, seed: 3 });
      return snrDb(noise, mulawDecode(mulawEncode(noise)));
    };
    expect(Math.abs(snrAt(-10) - snrAt(-40))).toBeLessThan(6);
  });
});
