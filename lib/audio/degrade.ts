/**
 * Controlled degradations for the understanding benchmark: the same recordings heard through
 * background noise at a known SNR and through the telephone codec path.
 */
import { mulawDecode, mulawEncode } from "./mulaw";
import { clampInt16, rmsDbfs } from "./pcm";
import { gaussian, mulberry32 } from "./prng";
import { resample } from "./resample";

/** Frames quieter than this are pauses, excluded from the speech level (as in ITU-T P.56). */
const SPEECH_FRAME_FLOOR_DBFS = -50;
const FRAME_MS = 10;
/** Samples run through the pink filter before output starts, so its slowest pole has settled. */
const PINK_WARMUP_SAMPLES = 8192;

/**
 * Deterministic pink (1/f, -3 dB per octave) noise with unit RMS, from Paul Kellet's refined
 * filter over Gaussian white noise. The filter is specified in normalised frequency, so the
 * slope holds from about 2e-4 of the sample rate up to Nyquist whatever the rate.
 */
export function pinkNoise(length: number, seed: number): Float32Array {
  const white = gaussian(mulberry32(seed));
  const out = new Float32Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  let sumSquares = 0;
  for (let i = -PINK_WARMUP_SAMPLES; i < length; i++) {
    const w = white();
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    const pink = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
    if (i >= 0) {
      out[i] = pink;
      sumSquares += pink * pink;
    }
  }
  const gain = length > 0 ? 1 / Math.sqrt(sumSquares / length) : 0;
  for (let i = 0; i < length; i++) out[i]! *= gain;
  return out;
}

/**
 * Adds pink noise so that speech-to-noise power over the speech's active frames (10 ms frames
 * above -50 dBFS) is `snrDb`. Leading and trailing silence do not dilute the speech level, so
 * "10 dB SNR" means the same thing for a clip with or without pauses. The noise continues at the
 * same level through the pauses.
 */
export function addNoiseAtSnr(speech: Int16Array, snrDb: number, seed: number, sampleRateHz = 16000): Int16Array {
  const active = activeFrameRanges(speech, sampleRateHz);
  if (active.length === 0) throw new RangeError(`no speech above ${SPEECH_FRAME_FLOOR_DBFS} dBFS to set an SNR against`);
  const noise = pinkNoise(speech.length, seed);
  let speechEnergy = 0;
  let noiseEnergy = 0;
  for (const [start, end] of active) {
    for (let i = start; i < end; i++) {
      speechEnergy += speech[i]! * speech[i]!;
      noiseEnergy += noise[i]! * noise[i]!;
    }
  }
  // Both sums run over the same samples, so the ratio is exact for this noise realisation.
  const gain = Math.sqrt(speechEnergy / (noiseEnergy * 10 ** (snrDb / 10)));
  const out = new Int16Array(speech.length);
  for (let i = 0; i < speech.length; i++) out[i] = clampInt16(speech[i]! + gain * noise[i]!);
  return out;
}

/** [start, end) sample ranges of the 10 ms frames whose level is above the speech floor. */
export function activeFrameRanges(samples: Int16Array, sampleRateHz: number): [number, number][] {
  const frame = Math.max(1, Math.round((sampleRateHz * FRAME_MS) / 1000));
  const ranges: [number, number][] = [];
  for (let start = 0; start < samples.length; start += frame) {
    const end = Math.min(samples.length, start + frame);
    if (rmsDbfs(samples.subarray(start, end)) > SPEECH_FRAME_FLOOR_DBFS) ranges.push([start, end]);
  }
  return ranges;
}

/**
 * What 16 kHz speech sounds like after a phone call: down to 8 kHz, G.711 mu-law encode and
 * decode (as Twilio carries it), and back up to 16 kHz with the same resampler the call path
 * uses. The result has the input's length and nothing above 4 kHz.
 */
export function phoneBand(samples16k: Int16Array): Int16Array {
  const narrow = resample(samples16k, 16000, 8000);
  const coded = mulawDecode(mulawEncode(narrow));
  const wide = resample(coded, 8000, 16000);
  // 8 kHz holds ceil(n / 2) samples, so the way back can be one sample longer than the input.
  return wide.subarray(0, samples16k.length).slice();
}
