import { describe, it, expect } from "vitest";
import * as wavefileNamespace from "wavefile";
import { cjsExports } from "./cjs";
import { sine, speechLike } from "./testing/signals";
import { encodeWav, readWav } from "./wav";

const { WaveFile } = cjsExports(wavefileNamespace);

function maxAbsDiff(a: Int16Array, b: Int16Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** A WAV written byte by byte, independent of the library under the code being tested. */
function handMadeWav(options: { formatTag: number; channels: number; rateHz: number; bits: number; extensibleFormat?: number; data: Uint8Array }): Uint8Array {
  const { formatTag, channels, rateHz, bits, extensibleFormat, data } = options;
  const fmtSize = extensibleFormat === undefined ? 16 : 40;
  const bytes = new Uint8Array(12 + 8 + fmtSize + 8 + data.length);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, formatTag, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rateHz, true);
  view.setUint32(28, (rateHz * channels * bits) / 8, true);
  view.setUint16(32, (channels * bits) / 8, true);
  view.setUint16(34, bits, true);
  if (extensibleFormat !== undefined) {
    view.setUint16(36, 22, true);
    view.setUint16(38, bits, true);
    view.setUint32(40, channels === 1 ? 4 : 3, true);
    // KSDATAFORMAT_SUBTYPE_* GUID: the format code, then the fixed tail 0000-0010-8000-00aa00389b71.
    view.setUint32(44, extensibleFormat, true);
    bytes.set([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 48);
  }
  const dataStart = 20 + fmtSize;
  ascii(dataStart, "data");
  view.setUint32(dataStart + 4, data.length, true);
  bytes.set(data, dataStart + 8);
  return bytes;
}

describe("encodeWav / readWav", () => {
  it("round-trips 16-bit mono exactly, with a standard 44-byte header", () => {
    const samples = speechLike({ sampleRateHz: 16000, durationMs: 250, levelDbfs: -12 });
    const wav = encodeWav(samples, 16000);
    expect(wav.length).toBe(44 + samples.length * 2);
    expect(wav.toString("ascii", 0, 4)).toBe("RIFF");
    expect(wav.toString("ascii", 8, 12)).toBe("WAVE");
    expect(wav.readUInt32LE(24)).toBe(16000);
    expect(wav.readUInt16LE(34)).toBe(16);
    const decoded = readWav(wav);
    expect(decoded.sampleRateHz).toBe(16000);
    expect(decoded.samples).toEqual(samples);
  });

  it("keeps extreme values and odd rates", () => {
    const samples = new Int16Array([-32768, 32767, 0, -1, 1]);
    const decoded = readWav(encodeWav(samples, 22050));
    expect(decoded).toEqual({ samples, sampleRateHz: 22050 });
  });

  it("mixes stereo down to the mean of the channels", () => {
    const left = sine({ frequencyHz: 440, sampleRateHz: 16000, durationMs: 100, levelDbfs: -6 });
    const right = sine({ frequencyHz: 1000, sampleRateHz: 16000, durationMs: 100, levelDbfs: -12 });
    const wav = new WaveFile();
    wav.fromScratch(2, 16000, "16", [left, right]);
    const { samples, sampleRateHz } = readWav(wav.toBuffer());
    expect(sampleRateHz).toBe(16000);
    const expected = Int16Array.from(left, (l, i) => Math.round((l + right[i]!) / 2));
    expect(maxAbsDiff(samples, expected)).toBeLessThanOrEqual(1);
  });

  it("cancels out-of-phase channels instead of keeping one of them", () => {
    const left = sine({ frequencyHz: 440, sampleRateHz: 8000, durationMs: 50, levelDbfs: -6 });
    const right = Int16Array.from(left, (s) => -s);
    const wav = new WaveFile();
    wav.fromScratch(2, 8000, "16", [left, right]);
    expect(maxAbsDiff(readWav(wav.toBuffer()).samples, new Int16Array(left.length))).toBe(0);
  });

  const reference = sine({ frequencyHz: 440, sampleRateHz: 16000, durationMs: 50, levelDbfs: -6 });
  const cases: { depth: string; toFileSamples: (s: number) => number; tolerance: number }[] = [
    { depth: "8", toFileSamples: (s) => Math.round(s / 256) + 128, tolerance: 128 },
    { depth: "24", toFileSamples: (s) => s * 256 + 77, tolerance: 1 },
    { depth: "32", toFileSamples: (s) => s * 65536 - 1000, tolerance: 1 },
    { depth: "32f", toFileSamples: (s) => s / 32768, tolerance: 0 },
    { depth: "64", toFileSamples: (s) => s / 32768, tolerance: 0 },
  ];
  for (const { depth, toFileSamples, tolerance } of cases) {
    it(`reads ${depth}-bit${depth.endsWith("f") || depth === "64" ? " float" : ""} samples at int16 scale`, () => {
      const wav = new WaveFile();
      wav.fromScratch(1, 16000, depth, Array.from(reference, toFileSamples));
      const { samples } = readWav(wav.toBuffer());
      expect(maxAbsDiff(samples, reference)).toBeLessThanOrEqual(tolerance);
    });
  }

  it("reads 32-bit float behind a WAVE_FORMAT_EXTENSIBLE header", () => {
    const floats = Float32Array.from(reference, (s) => s / 32768);
    const wav = handMadeWav({ formatTag: 0xfffe, channels: 1, rateHz: 16000, bits: 32, extensibleFormat: 3, data: new Uint8Array(floats.buffer) });
    const decoded = readWav(wav);
    expect(decoded.sampleRateHz).toBe(16000);
    expect(maxAbsDiff(decoded.samples, reference)).toBe(0);
  });

  it("reads 16-bit PCM behind an extensible header", () => {
    const data = new Uint8Array(reference.buffer.slice(0));
    const decoded = readWav(handMadeWav({ formatTag: 0xfffe, channels: 1, rateHz: 16000, bits: 16, extensibleFormat: 1, data }));
    expect(decoded.samples).toEqual(reference);
  });

  it("rejects bytes that are not a WAV file with a clear message", () => {
    expect(() => readWav(new TextEncoder().encode("ID3 this is an mp3, honest"))).toThrow(/not a readable WAV file/);
    expect(() => readWav(new Uint8Array(0))).toThrow(/not a readable WAV file/);
  });

  it("rejects compressed WAV encodings by name", () => {
    const wav = new WaveFile();
    wav.fromScratch(1, 8000, "16", reference);
    wav.toMuLaw();
    expect(() => readWav(wav.toBuffer())).toThrow(/unsupported WAV encoding \(format mu-law, 8-bit\)/);
    const adpcm = handMadeWav({ formatTag: 0xfffe, channels: 1, rateHz: 8000, bits: 4, extensibleFormat: 17, data: new Uint8Array(64) });
    expect(() => readWav(adpcm)).toThrow(/unsupported WAV encoding \(format extensible\/IMA ADPCM, 4-bit\)/);
  });
});
