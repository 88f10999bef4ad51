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

/**
 * Mean cepstrum of an utterance the way PocketSphinx's live normalization accumulates it: over
 * every frame whose c0 (log energy) is not negative, so digital silence does not count but the
 * quiet frames around words do. Null when too few frames count.
 */
export function speechCepstralMean(logMel: Float32Array, frames: number, filters: number, minFrames = 20): Float64Array | null {
  const basis: Float64Array[] = [];
  for (let i = 0; i < CEPSTRA; i++) {
    const row = new Float64Array(filters);
    const scale = i === 0 ? Math.sqrt(1 / filters) : Math.sqrt(2 / filters);
    const lifter = 1 + (LIFTER / 2) * Math.sin((Math.PI * i) / LIFTER);
    for (let j = 0; j < filters; j++) row[j] = Math.cos((Math.PI * i * (j + 0.5)) / filters) * scale * lifter;
    basis.push(row);
  }
  const mean = new Float64Array(CEPSTRA);
  const c = new Float64Array(CEPSTRA);
  let counted = 0;
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < CEPSTRA; i++) {
      let acc = 0;
      const row = basis[i]!;
      for (let j = 0; j < filters; j++) acc += logMel[f * filters + j]! * row[j]!;
      c[i] = acc;
    }
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
}

/** Running average of cepstral means; `weight` caps how much history counts, so it keeps adapting. */
export class CepstralPrior {
  private mean: Float64Array | null = null;
  private weight = 0;

  constructor(private readonly maxWeight: number) {}

  static from(snapshot: CepstralPriorSnapshot, maxWeight: number): CepstralPrior {
    const prior = new CepstralPrior(maxWeight);
    prior.mean = snapshot.mean ? Float64Array.from(snapshot.mean) : null;
    prior.weight = snapshot.weight;
    return prior;
  }

  /** Whether any speech has been learned. */
  get known(): boolean {
    return this.mean !== null;
  }

  snapshot(): CepstralPriorSnapshot {
    return { mean: this.mean ? Array.from(this.mean) : null, weight: this.weight };
  }

  add(mean: Float64Array): void {
    if (!this.mean) {
      this.mean = Float64Array.from(mean);
      this.weight = 1;
      return;
    }
    const w = Math.min(this.weight, this.maxWeight);
    for (let i = 0; i < CEPSTRA; i++) this.mean[i] = (this.mean[i]! * w + mean[i]!) / (w + 1);
    this.weight = w + 1;
  }

  /** The decoder's `cmninit` setting, or null before any speech was heard. */
  toConfig(): string | null {
    return this.mean ? Array.from(this.mean, (v) => v.toFixed(2)).join(",") : null;
  }
}
