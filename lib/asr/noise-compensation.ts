/**
 * Model-domain noise compensation (parallel model combination, "PMC", log-normal approximation
 * of the means only). Instead of cleaning noisy audio to fit a model trained on clean speech,
 * the model's Gaussian means are moved to where speech in this noise lands: each static mean is
 * taken back to the log mel spectrum, the noise's power is added band by band, and the sum goes
 * back to cepstra; delta and delta-delta means shrink band by band as much as the noise flattens
 * the spectrum's changes. Variances stay. The noise is measured on the utterance's own pre-roll,
 * so it is this caller's noise, not one assumed at build time.
 *
 * How much it gains depends on knowing the caller's clean speech level: pink noise at 15 dB SNR,
 * one voice (awb), one decode per utterance, answers right: raw audio 71.1 %; compensated with
 * that voice's true clean mean 86.7 %; with the clean mean learned from the caller's earlier
 * noisy utterances (`cleanSpeechMean`) 84.4 %; with the model's own default mean 46.7 %
 * (bench/understanding.ts). It is therefore one voter among the denoised front ends, not a
 * replacement for them (embedded.ts, `noiseCompensation`).
 *
 * Everything here is pure arithmetic on PocketSphinx's feature layout: 13 liftered DCT-II
 * cepstra of a 20-band log mel spectrum (feat_params.json of the en-us model), `1s_c_d_dd`
 * streams (static, delta, delta-delta), cepstral mean normalization by a known mean (`cmninit`).
 */
import { CEPSTRA, cepstralBasis, cepstrumToLogMel, logMelToCepstrum } from "./cepstral-mean";

/** Gaussian means of a PocketSphinx model as its `means` file holds them. */
export interface ModelMeans {
  codebooks: number;
  /** Feature streams (3 for 1s_c_d_dd: static, delta, delta-delta). */
  streams: number;
  densities: number;
  /** Length of each stream's vectors. */
  veclen: number[];
  /** codebook × stream × density × veclen, in file order. */
  data: Float32Array;
}

const S3_MAGIC = 0x11223344;

/**
 * Reads a Sphinx-3 binary Gaussian parameter file ("s3\nversion 1.0\n…endhdr\n", byte-order magic,
 * dimensions, a float block, a checksum). Throws on anything else, including a wrong checksum.
 */
export function parseS3Means(file: Uint8Array): ModelMeans {
  const text = new TextDecoder("latin1").decode(file.subarray(0, Math.min(file.length, 4096)));
  const headerEnd = text.indexOf("endhdr\n");
  if (!text.startsWith("s3\n") || headerEnd < 0) throw new Error("not a Sphinx-3 parameter file");
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = headerEnd + "endhdr\n".length;
  const u32 = () => {
    if (at + 4 > file.length) throw new Error("truncated Sphinx-3 parameter file");
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  if (u32() !== S3_MAGIC) throw new Error("Sphinx-3 parameter file is not little-endian");
  const bodyStart = at;
  const codebooks = u32();
  const streams = u32();
  const densities = u32();
  const veclen = Array.from({ length: streams }, u32);
  const count = u32();
  if (count !== codebooks * densities * veclen.reduce((a, b) => a + b, 0)) throw new Error("Sphinx-3 parameter dimensions do not match its size");
  if (at + 4 * count + 4 > file.length) throw new Error("truncated Sphinx-3 parameter file");
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + 4 * i, true);
  const checksum = view.getUint32(at + 4 * count, true);
  let sum = 0;
  for (let p = bodyStart; p < at + 4 * count; p += 4) sum = ((((sum << 20) | (sum >>> 12)) >>> 0) + view.getUint32(p, true)) >>> 0;
  if (sum !== checksum) throw new Error("Sphinx-3 parameter file checksum mismatch");
  return { codebooks, streams, densities, veclen, data };
}

/**
 * The noise's log mel spectrum from audio before the caller spoke: the mean power of its quieter
 * half of frames (so a word that starts inside the window does not count as noise).
 */
export function noiseLogMel(logMel: Float32Array, frames: number, filters: number): Float64Array | null {
  if (frames < 2) return null;
  const energy = Array.from({ length: frames }, (_, f) => {
    let e = 0;
    for (let j = 0; j < filters; j++) e += logMel[f * filters + j]!;
    return { f, e };
  }).sort((a, b) => a.e - b.e);
  const quiet = energy.slice(0, Math.ceil(frames / 2));
  const out = new Float64Array(filters);
  for (const { f } of quiet) for (let j = 0; j < filters; j++) out[j]! += Math.exp(logMel[f * filters + j]!);
  for (let j = 0; j < filters; j++) out[j] = Math.log(out[j]! / quiet.length);
  return out;
}

/** A band's log power with the noise's power taken out, keeping at least a tenth of it. */
function withoutNoise(logPower: number, logNoise: number): number {
  const power = Math.exp(logPower);
  return Math.log(Math.max(power - Math.exp(logNoise), 0.1 * power));
}

/**
 * A clean speech mean from a noisy one: the noise's power taken out of the mean log mel
 * spectrum, band by band, keeping at least a tenth of it (the mean of noisy frames is not the
 * power of their mean, so a plain subtraction can go to zero).
 */
export function subtractNoise(noisyMean: ArrayLike<number>, noise: ArrayLike<number>): Float64Array {
  const basis = cepstralBasis(noise.length);
  const mel = cepstrumToLogMel(noisyMean, basis);
  for (let j = 0; j < mel.length; j++) mel[j] = withoutNoise(mel[j]!, noise[j]!);
  return logMelToCepstrum(mel, basis);
}

/**
 * Moves a model's means into a noise. Built once per model (it keeps the means as log mel
 * spectra, ~0.2 s); `compensate` then costs ~30 ms per noisy utterance on this machine, in the
 * decoding thread, at the start of the utterance (not at its end).
 */
export class MeansCompensator {
  private readonly basis: Float64Array[];
  private readonly filters: number;
  /** Static means as log mel spectra, codebook × density × filter. */
  private readonly staticMel: Float64Array;
  /** Delta and delta-delta means as mel spectra, codebook × stream (1, 2) × density × filter. */
  private readonly dynamicMel: Float64Array;

  constructor(
    readonly means: ModelMeans,
    filters: number,
  ) {
    if (means.streams !== 3 || means.veclen.some((v) => v !== CEPSTRA)) throw new Error(`noise compensation needs 1s_c_d_dd features of ${CEPSTRA} cepstra`);
    this.filters = filters;
    this.basis = cepstralBasis(filters);
    const { codebooks: G, densities: D, data } = means;
    this.staticMel = new Float64Array(G * D * filters);
    this.dynamicMel = new Float64Array(G * 2 * D * filters);
    const mel = new Float64Array(filters);
    for (let g = 0; g < G; g++) {
      for (let s = 0; s < 3; s++) {
        for (let d = 0; d < D; d++) {
          cepstrumToLogMel(data.subarray(this.offset(g, s, d), this.offset(g, s, d) + CEPSTRA), this.basis, mel);
          if (s === 0) this.staticMel.set(mel, (g * D + d) * filters);
          else this.dynamicMel.set(mel, ((g * 2 + s - 1) * D + d) * filters);
        }
      }
    }
  }

  private offset(g: number, s: number, d: number): number {
    return ((g * 3 + s) * this.means.densities + d) * CEPSTRA;
  }

  /**
   * The model's means for speech whose clean cepstral mean is `cleanMean`, heard in noise of log
   * mel spectrum `noise`, normalized by subtracting `cmn` (the decoder's `cmninit`). Written
   * into `out` (same layout as `means.data`).
   */
  compensate(noise: ArrayLike<number>, cleanMean: ArrayLike<number>, cmn: ArrayLike<number>, out: Float32Array): Float32Array {
    const { codebooks: G, densities: D } = this.means;
    const F = this.filters;
    const cleanMel = cepstrumToLogMel(cleanMean, this.basis);
    const noisePower = Float64Array.from({ length: F }, (_, j) => Math.exp(noise[j]!));
    const mel = new Float64Array(F);
    const cep = new Float64Array(CEPSTRA);
    const gain = new Float64Array(F);
    for (let g = 0; g < G; g++) {
      gain.fill(0);
      for (let d = 0; d < D; d++) {
        const base = (g * D + d) * F;
        for (let j = 0; j < F; j++) {
          const speech = Math.exp(this.staticMel[base + j]! + cleanMel[j]!);
          mel[j] = Math.log(speech + noisePower[j]!);
          gain[j]! += speech / (speech + noisePower[j]!);
        }
        logMelToCepstrum(mel, this.basis, cep);
        const o = this.offset(g, 0, d);
        for (let k = 0; k < CEPSTRA; k++) out[o + k] = cep[k]! - cmn[k]!;
      }
      // PTM: a codebook's delta densities are not paired with its static ones, so its deltas
      // shrink by the codebook's mean share of speech in each band.
      for (let j = 0; j < F; j++) gain[j]! /= D;
      for (let s = 1; s < 3; s++) {
        for (let d = 0; d < D; d++) {
          const base = ((g * 2 + s - 1) * D + d) * F;
          for (let j = 0; j < F; j++) mel[j] = this.dynamicMel[base + j]! * gain[j]!;
          logMelToCepstrum(mel, this.basis, cep);
          out.set(cep.subarray(0, CEPSTRA), this.offset(g, s, d));
        }
      }
    }
    return out;
  }
}

/**
 * The cepstral mean of a noisy utterance's speech as it would be without the noise: the frames
 * clearly above the noise (by `marginNepers` on average over the bands), each with the noise's
 * power taken out band by band (keeping at least a tenth), averaged as log spectra. This is the
 * clean speech level and colour that `MeansCompensator.compensate` needs for a caller's next
 * utterances. Null when too few frames are clear of the noise.
 */
export function cleanSpeechMean(logMel: Float32Array, frames: number, noise: ArrayLike<number>, minFrames = 10, marginNepers = 1): Float64Array | null {
  const filters = noise.length;
  const basis = cepstralBasis(filters);
  let noiseLevel = 0;
  for (let j = 0; j < filters; j++) noiseLevel += noise[j]! / filters;
  const sum = new Float64Array(filters);
  let counted = 0;
  for (let f = 0; f < frames; f++) {
    let level = 0;
    for (let j = 0; j < filters; j++) level += logMel[f * filters + j]! / filters;
    if (level < noiseLevel + marginNepers) continue;
    counted++;
    for (let j = 0; j < filters; j++) sum[j]! += withoutNoise(logMel[f * filters + j]!, noise[j]!);
  }
  if (counted < minFrames) return null;
  for (let j = 0; j < filters; j++) sum[j]! /= counted;
  return logMelToCepstrum(sum, basis);
}
