import { concatInt16 } from "../audio/pcm";
import { resample } from "../audio/resample";
import type { PromptStore } from "./prompt-store";
import { formatRateHz, TTS_SAMPLE_RATE_HZ, type SynthesisOptions, type Synthesizer } from "./types";

export interface PromptCacheOptions {
  /** Entries for text that is not a fixed prompt, kept least-recently-used. */
  maxDynamicEntries?: number;
  /** Where warmed prompts are also kept between restarts; warm() reads them back from it. */
  store?: PromptStore;
}

/**
 * Holds synthesized audio keyed by provider, output format, voice, rate and text. Fixed prompts are warmed at
 * start and pinned, so a bot reply starts with no synthesis time at all; other text streams from
 * the synthesizer and is remembered once complete.
 */
export class PromptCache {
  private readonly pinned = new Map<string, Int16Array>();
  private readonly dynamic = new Map<string, Int16Array>();
  private readonly maxDynamic: number;
  private readonly store: PromptStore | undefined;
  private loaded = 0;

  constructor(
    private readonly synth: Synthesizer,
    options: PromptCacheOptions = {},
  ) {
    this.maxDynamic = options.maxDynamicEntries ?? 200;
    this.store = options.store;
  }

  /** How many prompts warm() took from the store rather than synthesizing. */
  get loadedFromStore(): number {
    return this.loaded;
  }

  get providerId(): string {
    return this.synth.id;
  }

  private key(text: string, options: SynthesisOptions): string {
    return `${this.synth.id}\u0000${options.format ?? "pcm_16000"}\u0000${options.voice}\u0000${options.rate ?? 1}\u0000${text}`;
  }

  /**
   * Synthesizes (or loads from the store) and pins every text. Returns how many were pinned (not
   * already in memory).
   * Narrowband prompts of a synthesizer whose narrowband is only a resample are resampled from
   * the wideband ones (warmed first when missing), not synthesized again.
   */
  async warm(texts: Iterable<string>, options: SynthesisOptions): Promise<number> {
    const rateHz = formatRateHz(options.format);
    const derive = rateHz !== TTS_SAMPLE_RATE_HZ && this.synth.narrowbandIsResampled === true;
    const wide: SynthesisOptions = { ...options, format: "pcm_16000" };
    let count = 0;
    for (const text of new Set(texts)) {
      const key = this.key(text, options);
      if (this.pinned.has(key)) continue;
      if (derive) {
        const wideKey = this.key(text, wide);
        if (!this.pinned.has(wideKey)) await this.warm([text], wide);
        const source = this.pinned.get(wideKey);
        if (!source) continue;
        this.pinned.set(key, resample(source, TTS_SAMPLE_RATE_HZ, rateHz));
        count++;
        continue;
      }
      const stored = this.store?.get(key);
      if (stored) {
        this.pinned.set(key, stored);
        this.loaded++;
        count++;
        continue;
      }
      const { audio, own } = await this.collect(text, options);
      // Audio a fallback voice made is not pinned under the configured voice's key.
      if (!own) continue;
      this.pinned.set(key, audio);
      this.store?.set(key, audio);
      count++;
    }
    return count;
  }

  has(text: string, options: SynthesisOptions): boolean {
    const key = this.key(text, options);
    return this.pinned.has(key) || this.dynamic.has(key);
  }

  get size(): number {
    return this.pinned.size + this.dynamic.size;
  }

  /** Audio for `text`: at once from the cache, else streamed as the synthesizer produces it. */
  async *speak(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    const key = this.key(text, options);
    const hit = this.pinned.get(key) ?? this.dynamic.get(key);
    if (hit) {
      if (this.dynamic.delete(key)) this.dynamic.set(key, hit);
      options.served?.(this.synth.id);
      yield hit;
      return;
    }
    const parts: Int16Array[] = [];
    const servedBy = this.tracking(options);
    for await (const chunk of this.synth.stream(text, servedBy.options)) {
      parts.push(chunk);
      yield chunk;
    }
    if (options.signal?.aborted || !servedBy.own()) return;
    this.dynamic.set(key, concatInt16(parts));
    while (this.dynamic.size > this.maxDynamic) {
      const oldest = this.dynamic.keys().next().value;
      if (oldest === undefined) break;
      this.dynamic.delete(oldest);
    }
  }

  private async collect(text: string, options: SynthesisOptions): Promise<{ audio: Int16Array; own: boolean }> {
    const parts: Int16Array[] = [];
    const servedBy = this.tracking(options);
    for await (const chunk of this.synth.stream(text, servedBy.options)) parts.push(chunk);
    return { audio: concatInt16(parts), own: servedBy.own() };
  }

  /** Options that note which providers served (and still tell the caller); `own` = only this cache's synthesizer. */
  private tracking(options: SynthesisOptions): { options: SynthesisOptions; own: () => boolean } {
    const providers = new Set<string>();
    return {
      options: {
        ...options,
        served: (id) => {
          providers.add(id);
          options.served?.(id);
        },
      },
      own: () => [...providers].every((id) => id === this.synth.id),
    };
  }
}
