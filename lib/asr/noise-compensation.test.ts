import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { modelDir } from "./decoder-pool";
import { CEPSTRA, cepstralBasis, cepstrumToLogMel, logMelToCepstrum } from "./cepstral-mean";
import { cleanSpeechMean, MeansCompensator, noiseLogMel, parseS3Means, subtractNoise, type ModelMeans } from "./noise-compensation";

const FILTERS = 20;
const basis = cepstralBasis(FILTERS);
const modelMeans = () => parseS3Means(readFileSync(path.join(modelDir(), "means")));

/** A tiny model: 1 codebook, 2 densities, 3 streams of 13. */
function tinyModel(): ModelMeans {
  const data = new Float32Array(3 * 2 * CEPSTRA);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.7) * (i < 2 * CEPSTRA ? 3 : 0.5);
  return { codebooks: 1, streams: 3, densities: 2, veclen: [CEPSTRA, CEPSTRA, CEPSTRA], data };
}

describe("parseS3Means", () => {
  it("reads the en-us model's means: 42 codebooks of 128 densities in three 13-wide streams", () => {
    const m = modelMeans();
    expect(m).toMatchObject({ codebooks: 42, streams: 3, densities: 128, veclen: [13, 13, 13] });
    expect(m.data).toHaveLength(42 * 3 * 128 * 13);
    expect(m.data.every(Number.isFinite)).toBe(true);
  });

  it("refuses a file whose checksum does not match, or that is not a parameter file", () => {
    const file = Buffer.from(readFileSync(path.join(modelDir(), "means")));
    file[file.length - 100] = file[file.length - 100]! ^ 0xff;
    expect(() => parseS3Means(file)).toThrow(/checksum/);
    expect(() => parseS3Means(Buffer.from("hello"))).toThrow(/not a Sphinx-3/);
  });
});

describe("cepstra and log mel spectra", () => {
  it("go back and forth without loss for the 13 cepstra the model uses", () => {
    const c = Float64Array.from({ length: CEPSTRA }, (_, i) => Math.cos(i * 1.3) * (10 - i));
    const back = logMelToCepstrum(cepstrumToLogMel(c, basis), basis);
    for (let i = 0; i < CEPSTRA; i++) expect(back[i]).toBeCloseTo(c[i]!, 9);
  });
});

describe("noiseLogMel", () => {
  it("averages the power of the quieter half of frames, so a word starting in the window does not count", () => {
    const frames = 10;
    const logMel = new Float32Array(frames * FILTERS);
    for (let f = 0; f < frames; f++) logMel.fill(f < 6 ? (f % 2 === 0 ? 1 : 1 + Math.log(3)) : 12, f * FILTERS, (f + 1) * FILTERS);
    const noise = noiseLogMel(logMel, frames, FILTERS)!;
    // Quieter five frames: three at e^1, two at 3e^1 -> mean power 1.8 e.
    for (const v of noise) expect(v).toBeCloseTo(1 + Math.log(1.8), 5);
    expect(noiseLogMel(new Float32Array(FILTERS), 1, FILTERS)).toBeNull();
  });
});

describe("subtractNoise", () => {
  it("takes the noise's power out of a mean, never below a tenth of it", () => {
    const clean = logMelToCepstrum(new Float64Array(FILTERS).fill(Math.log(4)), basis);
    const noise = new Float64Array(FILTERS).fill(Math.log(1));
    const out = cepstrumToLogMel(subtractNoise(clean, noise), basis);
    for (const v of out) expect(v).toBeCloseTo(Math.log(3), 6);
    const drowned = cepstrumToLogMel(subtractNoise(clean, new Float64Array(FILTERS).fill(Math.log(10))), basis);
    for (const v of drowned) expect(v).toBeCloseTo(Math.log(0.4), 6);
  });
});

describe("cleanSpeechMean", () => {
  it("averages the frames clear of the noise, each with the noise's power taken out", () => {
    const noise = new Float64Array(FILTERS).fill(Math.log(2));
    const frames = 30;
    const logMel = new Float32Array(frames * FILTERS);
    // Ten frames of noise alone, twenty of speech (power 8) in it (power 10).
    for (let f = 0; f < frames; f++) logMel.fill(f < 10 ? Math.log(2) : Math.log(10), f * FILTERS, (f + 1) * FILTERS);
    const mean = cepstrumToLogMel(cleanSpeechMean(logMel, frames, noise)!, basis);
    for (const v of mean) expect(v).toBeCloseTo(Math.log(8), 4);
    // Too few frames clear of the noise.
    expect(cleanSpeechMean(logMel.subarray(0, 15 * FILTERS), 15, noise)).toBeNull();
  });
});

describe("MeansCompensator", () => {
  const cleanMean = logMelToCepstrum(new Float64Array(FILTERS).fill(8), basis);

  it("leaves the model as it is in negligible noise, when normalized by the clean mean", () => {
    const model = tinyModel();
    const out = new MeansCompensator(model, FILTERS).compensate(new Float64Array(FILTERS).fill(-40), cleanMean, cleanMean, new Float32Array(model.data.length));
    for (let i = 0; i < model.data.length; i++) expect(out[i]).toBeCloseTo(model.data[i]!, 4);
  });

  it("moves static means towards the noise and shrinks delta means as the noise drowns the speech", () => {
    const model = tinyModel();
    const compensator = new MeansCompensator(model, FILTERS);
    const noiseCep = logMelToCepstrum(new Float64Array(FILTERS).fill(30), basis);
    const out = compensator.compensate(new Float64Array(FILTERS).fill(30), cleanMean, cleanMean, new Float32Array(model.data.length));
    // Speech ~20 nepers under the noise: every static mean is the noise's cepstrum (minus the CMN).
    for (let d = 0; d < 2; d++) for (let k = 0; k < CEPSTRA; k++) expect(out[d * CEPSTRA + k]).toBeCloseTo(noiseCep[k]! - cleanMean[k]!, 3);
    for (let i = 2 * CEPSTRA; i < out.length; i++) expect(Math.abs(out[i]!)).toBeLessThan(1e-6);

    // Noise at the speech's own level halves the dynamics, roughly: deltas shrink, none grows.
    const level = compensator.compensate(new Float64Array(FILTERS).fill(8), cleanMean, cleanMean, new Float32Array(model.data.length));
    const norm = (a: ArrayLike<number>, from: number) => Math.hypot(...Array.from({ length: CEPSTRA * 4 }, (_, i) => a[from + i]!));
    expect(norm(level, 2 * CEPSTRA)).toBeLessThan(norm(model.data, 2 * CEPSTRA) * 0.8);
    expect(norm(level, 2 * CEPSTRA)).toBeGreaterThan(norm(model.data, 2 * CEPSTRA) * 0.2);
  });

  it("subtracts the normalization the decoder applies", () => {
    const model = tinyModel();
    const compensator = new MeansCompensator(model, FILTERS);
    const quiet = new Float64Array(FILTERS).fill(-40);
    const cmn = Float64Array.from({ length: CEPSTRA }, (_, i) => i - 3);
    const a = compensator.compensate(quiet, cleanMean, cleanMean, new Float32Array(model.data.length));
    const b = compensator.compensate(quiet, cleanMean, cmn, new Float32Array(model.data.length));
    for (let k = 0; k < CEPSTRA; k++) expect(b[k]! - a[k]!).toBeCloseTo(cleanMean[k]! - cmn[k]!, 4);
    // Deltas do not depend on it.
    for (let i = CEPSTRA * 2; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i]!, 6);
  });

  it("refuses a model whose features are not 1s_c_d_dd of 13 cepstra", () => {
    expect(() => new MeansCompensator({ ...tinyModel(), streams: 1, veclen: [39] }, FILTERS)).toThrow(/1s_c_d_dd/);
  });

  it("compensates the real model in one pass", () => {
    const m = modelMeans();
    const out = new MeansCompensator(m, FILTERS).compensate(new Float64Array(FILTERS).fill(5), cleanMean, cleanMean, new Float32Array(m.data.length));
    expect(out.every(Number.isFinite)).toBe(true);
    expect(out).not.toEqual(m.data);
  });
});
