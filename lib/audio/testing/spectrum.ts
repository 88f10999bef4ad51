/**
 * Spectral measurements for tests and benchmarks: a Welch power spectrum (Hann-windowed,
 * half-overlapping FFT frames), so "no energy above 4 kHz" can be asserted as a number.
 */

export type PowerSpectrum = {
  /** Mean power per bin from 0 Hz to Nyquist (`fftSize / 2 + 1` bins). */
  power: Float64Array;
  binHz: number;
};

export function powerSpectrum(samples: ArrayLike<number>, sampleRateHz: number, fftSize = 1024): PowerSpectrum {
  if (!Number.isInteger(Math.log2(fftSize))) throw new RangeError(`fftSize must be a power of two, got ${fftSize}`);
  const bins = fftSize / 2 + 1;
  const power = new Float64Array(bins);
  const window = new Float64Array(fftSize);
  for (let i = 0; i < fftSize; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / fftSize);
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const hop = fftSize / 2;
  let frames = 0;
  for (let start = 0; start + fftSize <= samples.length; start += hop) {
    for (let i = 0; i < fftSize; i++) {
      re[i] = samples[start + i]! * window[i]!;
      im[i] = 0;
    }
    fft(re, im);
    for (let b = 0; b < bins; b++) power[b]! += re[b]! * re[b]! + im[b]! * im[b]!;
    frames++;
  }
  if (frames === 0) throw new RangeError(`need at least ${fftSize} samples, got ${samples.length}`);
  for (let b = 0; b < bins; b++) power[b]! /= frames;
  return { power, binHz: sampleRateHz / fftSize };
}

/** Power in [loHz, hiHz) relative to the power over the whole spectrum, in dB. */
export function bandShareDb(spectrum: PowerSpectrum, loHz: number, hiHz: number): number {
  let band = 0;
  let total = 0;
  spectrum.power.forEach((p, b) => {
    const hz = b * spectrum.binHz;
    total += p;
    if (hz >= loHz && hz < hiHz) band += p;
  });
  return 10 * Math.log10(band / total);
}

/** In-place iterative radix-2 FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const angle = (-2 * Math.PI) / size;
    const wRe = Math.cos(angle);
    const wIm = Math.sin(angle);
    for (let start = 0; start < n; start += size) {
      let curRe = 1;
      let curIm = 0;
      for (let k = 0; k < size / 2; k++) {
        const a = start + k;
        const b = a + size / 2;
        const tRe = re[b]! * curRe - im[b]! * curIm;
        const tIm = re[b]! * curIm + im[b]! * curRe;
        re[b] = re[a]! - tRe;
        im[b] = im[a]! - tIm;
        re[a]! += tRe;
        im[a]! += tIm;
        const nextRe = curRe * wRe - curIm * wIm;
        curIm = curRe * wIm + curIm * wRe;
        curRe = nextRe;
      }
    }
  }
}
