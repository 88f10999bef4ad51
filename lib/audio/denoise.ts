import { Resampler } from "./resample";

/**
 * Streaming noise suppression with RNNoise (WASM). RNNoise works on 10 ms frames at 48 kHz, so
 * 16 kHz caller audio is resampled up, denoised and resampled back; the output lags the input
 * by under 10 ms (one RNNoise frame) plus the resamplers' filter delay.
 *
 * Two builds, two models: `classic` (@echogarden/rnnoise-wasm, RNNoise's original small model)
 * and `large` (@shiguredo/rnnoise-wasm, built from current RNNoise with its larger model, ~5 %
 * of real time more). Neither is better for recognition on its own (pink noise at 15 dB SNR:
 * 88.3 and 86.9 % of answers, bench/understanding.ts), but they err on different answers, which
 * is what the recognizer's noisy-line ensemble uses (see lib/asr/embedded.ts).
 */

interface RnnoiseModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _rnnoise_create(model: number): number;
  _rnnoise_destroy(state: number): void;
  _rnnoise_process_frame(state: number, out: number, input: number): number;
  HEAPF32: Float32Array;
}

const RNNOISE_RATE_HZ = 48000;
const FRAME = 480;

export type DenoiseModel = "classic" | "large";

const LOADERS: Record<DenoiseModel, () => Promise<RnnoiseModule>> = {
  classic: async () => {
    const m = await import("@echogarden/rnnoise-wasm");
    return (m.default as unknown as () => Promise<RnnoiseModule>)();
  },
  large: async () => {
    const { Rnnoise } = await import("@shiguredo/rnnoise-wasm");
    // A browser-only build: its loader checks for `window` once, synchronously, when called, and
    // never again. The global exists only for that call, so nothing else can see it.
    const global = globalThis as { window?: unknown };
    global.window = globalThis;
    let loading: ReturnType<typeof Rnnoise.load>;
    try {
      loading = Rnnoise.load();
    } finally {
      delete global.window;
    }
    return (await loading as unknown as { rnnoiseModule: RnnoiseModule }).rnnoiseModule;
  },
};
const modulePromises: Partial<Record<DenoiseModel, Promise<RnnoiseModule>>> = {};
const loaded: Partial<Record<DenoiseModel, RnnoiseModule>> = {};

/** Loads a model's WASM module once per process; `new Denoiser(model)` needs it loaded. */
export async function loadDenoiser(model: DenoiseModel = "classic"): Promise<void> {
  modulePromises[model] ??= LOADERS[model]();
  loaded[model] = await modulePromises[model];
}

export class Denoiser {
  private readonly up = new Resampler({ fromHz: 16000, toHz: RNNOISE_RATE_HZ });
  private readonly down = new Resampler({ fromHz: RNNOISE_RATE_HZ, toHz: 16000 });
  private pending = new Float32Array(0);
  private closed = false;

  private readonly m: RnnoiseModule;
  private readonly state: number;
  private readonly inPtr: number;
  private readonly outPtr: number;

  constructor(model: DenoiseModel = "classic") {
    const m = loaded[model];
    if (!m) throw new Error(`call loadDenoiser("${model}") once before creating its denoisers`);
    this.m = m;
    this.state = this.m._rnnoise_create(0);
    this.inPtr = this.m._malloc(FRAME * 4);
    this.outPtr = this.m._malloc(FRAME * 4);
  }

  static async create(model: DenoiseModel = "classic"): Promise<Denoiser> {
    await loadDenoiser(model);
    return new Denoiser(model);
  }

  /** Denoises 16 kHz PCM16; returns what is ready (a multiple of 10 ms over time). */
  process(samples: Int16Array): Int16Array {
    if (this.closed) return samples;
    const up = this.up.push(samples);
    const joined = new Float32Array(this.pending.length + up.length);
    joined.set(this.pending);
    for (let i = 0; i < up.length; i++) joined[this.pending.length + i] = up[i]!;
    const frames = Math.floor(joined.length / FRAME);
    const out = new Int16Array(frames * FRAME);
    for (let f = 0; f < frames; f++) {
      // HEAPF32 may be replaced when the WASM memory grows, so read it per frame.
      this.m.HEAPF32.set(joined.subarray(f * FRAME, (f + 1) * FRAME), this.inPtr / 4);
      this.m._rnnoise_process_frame(this.state, this.outPtr, this.inPtr);
      const res = this.m.HEAPF32.subarray(this.outPtr / 4, this.outPtr / 4 + FRAME);
      for (let i = 0; i < FRAME; i++) out[f * FRAME + i] = Math.max(-32768, Math.min(32767, Math.round(res[i]!)));
    }
    this.pending = joined.slice(frames * FRAME);
    return this.down.push(out);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.m._rnnoise_destroy(this.state);
    this.m._free(this.inPtr);
    this.m._free(this.outPtr);
  }
}
