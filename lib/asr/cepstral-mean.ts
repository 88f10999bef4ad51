/**
 * Cepstral mean of speech, as PocketSphinx's front end computes cepstra: an orthonormal DCT-II of
 * the log mel spectrum, liftered. The decoder normalizes cepstra by a running mean that it only
 * updates at the end of an utterance, so the first utterance it hears is normalized by whatever
 * mean it starts from. Starting from the mean of this caller's earlier speech (or, for a first
 * utterance, of recent callers' accepted speech) recovers most of what a warmed-up decoder gets
 * right, without carrying one caller's channel, or noise, over to the next.
 */
export const CEPSTRA = 13;
const LIFTER = 22;

/** Rows of the front end's liftered, orthonormal DCT-II: cepstrum i = row i · log mel spectrum. */
export function cepstralBasis(filters: number): Float64Array[] {
  const basis: Float64Array[] = [];
  for (let i = 0; i < CEPSTRA; i++) {
    const row = new Float64Array(filters);
    const scale = i === 0 ? Math.sqrt(1 / filters) : Math.sqrt(2 / filters);
    const lifter = 1 + (LIFTER / 2) * Math.sin((Math.PI * i) / LIFTER);
    for (let j = 0; j < filters; j++) row[j] = Math.cos((Math.PI * i * (j + 0.5)) / filters) * scale * lifter;
    basis.push(row);
  }
  return basis;
}

/** Log mel spectrum of cepstra (the inverse of the front end's liftered DCT, 13 coefficients deep). */
export function cepstrumToLogMel(cepstrum: ArrayLike<number>, basis: readonly Float64Array[], out = new Float64Array(basis[0]!.length)): Float64Array {
  out.fill(0);
  for (let i = 0; i < basis.length; i++) {
    const row = basis[i]!;
    // Rows are orthonormal DCT rows times the lifter: divide the lifter out twice.
    const lifter2 = dotSelf(row);
    const c = cepstrum[i]! / lifter2;
    for (let j = 0; j < row.length; j++) out[j]! += c * row[j]!;
  }
  return out;
}

/** Cepstra of a log mel spectrum, as the front end computes them. */
export function logMelToCepstrum(logMel: ArrayLike<number>, basis: readonly Float64Array[], out = new Float64Array(basis.length)): Float64Array {
  for (let i = 0; i < basis.length; i++) {
    const row = basis[i]!;
    let acc = 0;
    for (let j = 0; j < row.length; j++) acc += row[j]! * logMel[j]!;
    out[i] = acc;
  }
  return out;
}

function dotSelf(row: Float64Array): number {
  let s = 0;
  for (const v of row) s += v * v;
  return s;
}

/**
 * Mean cepstrum of an utterance the way PocketSphinx's live normalization accumulates it: over
 * every frame whose c0 (log energy) is not negative, so digital silence does not count but the
 * quiet frames around words do. Null when too few frames count.
 */
export function speechCepstralMean(logMel: Float32Array, frames: number, filters: number, minFrames = 20): Float64Array | null {
  const basis = cepstralBasis(filters);
  const mean = new Float64Array(CEPSTRA);
  const c = new Float64Array(CEPSTRA);
  let counted = 0;
  for (let f = 0; f < frames; f++) {
    logMelToCepstrum(logMel.subarray(f * filters, (f + 1) * filters), basis, c);
    if (c[0]! < 0) continue;
    counted++;
    for (let i = 0; i < CEPSTRA; i++) mean[i]! += c[i]!;
  }
  if (counted < minFrames) return null;
  for (let i = 0; i < CEPSTRA; i++) mean[i]! /= counted;
  return mean;
}

/** A prior in plain data, to pass between threads. */
export interface CepstralPriorSnapshot {
  mean: number[] | null;
  weight: number;
  /** The mean of the same speech without its line's noise (see `addClean`). */
  clean?: number[] | null;
  cleanWeight?: number;
}

/** Running average of cepstral means; `weight` caps how much history counts, so it keeps adapting. */
export class CepstralPrior {
  private mean: Float64Array | null = null;
  private weight = 0;
  private clean: Float64Array | null = null;
  private cleanWeight = 0;

  constructor(private readonly maxWeight: number) {}

  static from(snapshot: CepstralPriorSnapshot, maxWeight: number): CepstralPrior {
    const prior = new CepstralPrior(maxWeight);
    prior.mean = snapshot.mean ? Float64Array.from(snapshot.mean) : null;
    prior.weight = snapshot.weight;
    prior.clean = snapshot.clean ? Float64Array.from(snapshot.clean) : null;
    prior.cleanWeight = snapshot.cleanWeight ?? 0;
    return prior;
  }

  /** Whether any speech has been learned. */
  get known(): boolean {
    return this.mean !== null;
  }

  snapshot(): CepstralPriorSnapshot {
    return { mean: this.mean ? Array.from(this.mean) : null, weight: this.weight, clean: this.clean ? Array.from(this.clean) : null, cleanWeight: this.cleanWeight };
  }

  /** Learns an utterance's mean; on a quiet line it is also the clean speech mean. */
  add(mean: Float64Array, quiet = true): void {
    [this.mean, this.weight] = this.average(this.mean, this.weight, mean);
    if (quiet) this.addClean(mean);
  }

  /** Learns the mean of an utterance's speech without its line's noise (noise-compensation.ts). */
  addClean(mean: Float64Array): void {
    [this.clean, this.cleanWeight] = this.average(this.clean, this.cleanWeight, mean);
  }

  private average(into: Float64Array | null, weight: number, mean: Float64Array): [Float64Array, number] {
    if (!into) return [Float64Array.from(mean), 1];
    const w = Math.min(weight, this.maxWeight);
    for (let i = 0; i < CEPSTRA; i++) into[i] = (into[i]! * w + mean[i]!) / (w + 1);
    return [into, w + 1];
  }

  /** The clean speech mean, or null before any was learned. */
  cleanVector(): Float64Array | null {
    return this.clean ? Float64Array.from(this.clean) : null;
  }

  /** The decoder's `cmninit` setting, or null before any speech was heard. */
  toConfig(): string | null {
    return this.mean ? Array.from(this.mean, (v) => v.toFixed(2)).join(",") : null;
  }
}

/** A `cmninit` setting ("40,3,-1") as a full cepstral vector (missing coefficients are 0). */
export function parseCmnInit(setting: string): Float64Array {
  const mean = new Float64Array(CEPSTRA);
  setting.split(",").slice(0, CEPSTRA).forEach((v, i) => (mean[i] = Number(v) || 0));
  return mean;
}
