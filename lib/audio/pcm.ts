/**
 * PCM16 helpers. Everything here is little-endian signed 16-bit, the format every transport
 * (browser worklet, Twilio after mu-law decode, Exotel) and both embedded engines speak.
 */

/** Level reported for digital silence, so callers never have to handle -Infinity. */
export const MIN_DBFS = -120;

const INT16_SCALE = 32768;

/** Host byte order; typed-array views are only a valid reinterpretation of LE bytes on LE hosts. */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function int16ToFloat32(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / INT16_SCALE;
  return out;
}

/** Inverse of `int16ToFloat32`; values outside [-1, 1) clip instead of wrapping around. */
export function float32ToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = clampInt16(samples[i]! * INT16_SCALE);
  return out;
}

/** Rounds to the nearest integer and saturates to the int16 range (NaN becomes 0). */
export function clampInt16(value: number): number {
  const rounded = Math.round(value);
  if (rounded > 32767) return 32767;
  if (rounded < -32768) return -32768;
  return rounded || 0;
}

/**
 * Reads little-endian PCM16 bytes. When the bytes are 2-byte aligned (the usual case for Node
 * Buffers and WebSocket frames) the result is a view that shares memory with `bytes`; otherwise
 * (odd `byteOffset`, where an Int16Array view is impossible) the samples are copied.
 */
export function bytesToInt16(bytes: Uint8Array): Int16Array {
  if (bytes.byteLength % 2 !== 0) {
    throw new RangeError(`PCM16 byte length must be even, got ${bytes.byteLength}`);
  }
  const length = bytes.byteLength / 2;
  if (HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % 2 === 0) {
    return new Int16Array(bytes.buffer, bytes.byteOffset, length);
  }
  const out = new Int16Array(length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < length; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Little-endian PCM16 bytes; a view that shares memory with `samples` on little-endian hosts. */
export function int16ToBytes(samples: Int16Array): Buffer {
  if (HOST_IS_LITTLE_ENDIAN) return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = Buffer.alloc(samples.byteLength);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, i * 2);
  return out;
}

/**
 * RMS level relative to full scale (a full-scale square wave is 0 dBFS, a full-scale sine
 * -3.01 dBFS). Int16 input is scaled by 32768, float input is taken as already in [-1, 1].
 * Empty input and digital silence report `MIN_DBFS`.
 */
export function rmsDbfs(samples: Int16Array | Float32Array): number {
  if (samples.length === 0) return MIN_DBFS;
  let sumSquares = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    sumSquares += s * s;
  }
  const fullScale = samples instanceof Int16Array ? INT16_SCALE : 1;
  return powerToDbfs(sumSquares / samples.length / (fullScale * fullScale));
}

/** Mean power relative to full scale squared, in dB, floored at `MIN_DBFS`. */
export function powerToDbfs(meanSquareFs: number): number {
  if (!(meanSquareFs > 0)) return MIN_DBFS;
  return Math.max(MIN_DBFS, 10 * Math.log10(meanSquareFs));
}

export function concatInt16(chunks: readonly Int16Array[]): Int16Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Int16Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** `ms` of digital silence, rounded to the nearest whole sample. */
export function silence(ms: number, sampleRateHz: number): Int16Array {
  return new Int16Array(msToSamples(ms, sampleRateHz));
}

export function msToSamples(ms: number, sampleRateHz: number): number {
  return Math.max(0, Math.round((ms * sampleRateHz) / 1000));
}
