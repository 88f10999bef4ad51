/**
 * Synthetic test signals with known levels and spectra. The "speech-like" signal is a harmonic
 * complex (a voice's pitch and its overtones) under a syllable-rate envelope: enough to exercise
 * level, band and voice-activity logic without shipping recordings.
 */
import { clampInt16, msToSamples } from "../pcm";
import { gaussian, mulberry32 } from "../prng";

/** Scales a float signal so its RMS is `levelDbfs` (full-scale square = 0 dBFS) and quantises it. */
export function toInt16AtDbfs(signal: ArrayLike<number>, levelDbfs: number): Int16Array {
  let sumSquares = 0;
  for (let i = 0; i < signal.length; i++) sumSquares += signal[i]! * signal[i]!;
  const rms = Math.sqrt(sumSquares / Math.max(1, signal.length));
  const gain = rms > 0 ? (32768 * 10 ** (levelDbfs / 20)) / rms : 0;
  const out = new Int16Array(signal.length);
  for (let i = 0; i < signal.length; i++) out[i] = clampInt16(signal[i]! * gain);
  return out;
}

export function sine(options: { frequencyHz: number; sampleRateHz: number; durationMs: number; levelDbfs: number; phase?: number }): Int16Array {
  const { frequencyHz, sampleRateHz, durationMs, levelDbfs, phase = 0 } = options;
  const length = msToSamples(durationMs, sampleRateHz);
  const amplitude = 32768 * 10 ** (levelDbfs / 20) * Math.SQRT2;
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++) out[i] = clampInt16(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz + phase));
  return out;
}

/**
 * Harmonics of a 120 Hz pitch (with slow vibrato) from 100 to 3000 Hz, falling 6 dB per octave
 * like voiced speech, under a 4 Hz envelope that swings between 0.4 and 1.0 (8 dB).
 */
export function speechLike(options: { sampleRateHz: number; durationMs: number; levelDbfs: number }): Int16Array {
  const { sampleRateHz, durationMs, levelDbfs } = options;
  const length = msToSamples(durationMs, sampleRateHz);
  const signal = new Float64Array(length);
  const f0Hz = 120;
  let pitchPhase = 0;
  for (let i = 0; i < length; i++) {
    const t = i / sampleRateHz;
    const pitchHz = f0Hz * (1 + 0.03 * Math.sin(2 * Math.PI * 5 * t));
    pitchPhase += (2 * Math.PI * pitchHz) / sampleRateHz;
    let value = 0;
    for (let h = 1; h * f0Hz <= 3000; h++) {
      if (h * f0Hz < 100) continue;
      value += Math.sin(h * pitchPhase) / h;
    }
    const envelope = 0.7 - 0.3 * Math.cos(2 * Math.PI * 4 * t);
    signal[i] = value * envelope;
  }
  return toInt16AtDbfs(signal, levelDbfs);
}

export function whiteNoise(options: { length: number; levelDbfs: number; seed: number }): Int16Array {
  const next = gaussian(mulberry32(options.seed));
  const signal = Float64Array.from({ length: options.length }, next);
  return toInt16AtDbfs(signal, options.levelDbfs);
}

/** Sample-wise sum with saturation; the result has the length of the longer input. */
export function mix(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(Math.max(a.length, b.length));
  for (let i = 0; i < out.length; i++) out[i] = clampInt16((a[i] ?? 0) + (b[i] ?? 0));
  return out;
}

/** Signal-to-error ratio of `test` against `reference` over [start, end), in dB. */
export function snrDb(reference: ArrayLike<number>, test: ArrayLike<number>, start = 0, end = reference.length): number {
  let signal = 0;
  let error = 0;
  for (let i = start; i < end; i++) {
    const r = reference[i]!;
    const d = test[i]! - r;
    signal += r * r;
    error += d * d;
  }
  return 10 * Math.log10(signal / error);
}
