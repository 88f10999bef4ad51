import { describe, it, expect } from "vitest";
import {
  MIN_DBFS,
  bytesToInt16,
  concatInt16,
  float32ToInt16,
  int16ToBytes,
  int16ToFloat32,
  rmsDbfs,
  silence,
} from "./pcm";

describe("int16ToFloat32 / float32ToInt16", () => {
  it("maps full scale to [-1, 1) and round-trips every int16 value exactly", () => {
    const all = new Int16Array(65536);
    for (let i = 0; i < all.length; i++) all[i] = i - 32768;
    const floats = int16ToFloat32(all);
    expect(floats[0]).toBe(-1);
    expect(floats[65535]).toBeCloseTo(32767 / 32768, 12);
    expect(float32ToInt16(floats)).toEqual(all);
  });

  it("clips out-of-range floats instead of wrapping and rounds to nearest", () => {
    const out = float32ToInt16(new Float32Array([1.5, -1.5, 1, 0.5 / 32768 + 1e-7, -0.4 / 32768, Number.NaN]));
    expect(Array.from(out)).toEqual([32767, -32768, 32767, 1, 0, 0]);
  });
});

describe("bytesToInt16", () => {
  it("decodes little-endian pairs", () => {
    const samples = bytesToInt16(Buffer.from([0x01, 0x00, 0xff, 0x7f, 0x00, 0x80, 0xff, 0xff]));
    expect(Array.from(samples)).toEqual([1, 32767, -32768, -1]);
  });

  it("copies when the bytes start at an odd offset, where a view is impossible", () => {
    const backing = new Uint8Array([0xaa, 0x34, 0x12, 0xcd, 0xab]);
    const odd = backing.subarray(1);
    expect(odd.byteOffset % 2).toBe(1);
    const samples = bytesToInt16(odd);
    expect(Array.from(samples)).toEqual([0x1234, 0xabcd - 0x10000]);
    expect(samples.buffer).not.toBe(backing.buffer);
  });

  it("rejects an odd byte count rather than dropping a byte", () => {
    expect(() => bytesToInt16(new Uint8Array(3))).toThrow(RangeError);
  });

  it("round-trips with int16ToBytes", () => {
    const samples = new Int16Array([0, 1, -1, 12345, -32768, 32767]);
    const bytes = int16ToBytes(samples);
    expect(bytes.length).toBe(12);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 1, 0]);
    expect(Array.from(bytesToInt16(Buffer.from(bytes)))).toEqual(Array.from(samples));
  });

  it("int16ToBytes respects a subarray's offset", () => {
    const samples = new Int16Array([7, 8, 9]).subarray(1);
    expect(Array.from(int16ToBytes(samples))).toEqual([8, 0, 9, 0]);
  });
});

describe("rmsDbfs", () => {
  it("measures a full-scale square at 0 dBFS and a -20 dBFS sine at -20", () => {
    expect(rmsDbfs(new Int16Array([-32768, -32768, -32768, -32768]))).toBeCloseTo(0, 6);
    const sine = new Float32Array(16000);
    const amplitude = 0.1 * Math.SQRT2;
    for (let i = 0; i < sine.length; i++) sine[i] = amplitude * Math.sin((2 * Math.PI * 1000 * i) / 16000);
    expect(rmsDbfs(sine)).toBeCloseTo(-20, 3);
    expect(rmsDbfs(float32ToInt16(sine))).toBeCloseTo(-20, 2);
  });

  it("reports silence and empty input as the floor, never -Infinity", () => {
    expect(rmsDbfs(new Int16Array(160))).toBe(MIN_DBFS);
    expect(rmsDbfs(new Float32Array(0))).toBe(MIN_DBFS);
    expect(rmsDbfs(new Int16Array([1]))).toBeCloseTo(-90.3, 1);
  });
});

describe("concatInt16 / silence", () => {
  it("joins chunks in order", () => {
    const out = concatInt16([new Int16Array([1, 2]), new Int16Array(0), new Int16Array([3]).subarray(0)]);
    expect(Array.from(out)).toEqual([1, 2, 3]);
  });

  it("makes silence of the requested duration", () => {
    expect(silence(20, 16000)).toEqual(new Int16Array(320));
    expect(silence(20, 8000).length).toBe(160);
    expect(silence(1, 44100).length).toBe(44);
  });
});
