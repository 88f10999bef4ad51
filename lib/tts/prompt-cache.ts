import { concatInt16 } from "../audio/pcm";
import type { SynthesisOptions, Synthesizer } from "./types";

export interface PromptCacheOptions {
  /** Entries for text that is not a fixed prompt, kept least-recently-used. */
  maxDynamicEntries?: number;
}

/**
 * Holds synthesized audio keyed by provider, voice, rate and text. Fixed prompts are warmed at
 * start and pinned, so a bot reply starts with no synthesis time at all; other text streams from
 * the synthesizer and is remembered once complete.
 */
export class PromptCache {
  private readonly pinned = new Map<string, Int16Array>();
  private readonly dynamic = new Map<string, Int16Array>();
  private readonly maxDynamic: number;

  constructor(
    private readonly synth: Synthesizer,
    options: PromptCacheOptions = {},
  ) {
    this.maxDynamic = options.maxDynamicEntries ?? 200;
  }

  get providerId(): string {
    return this.synth.id;
  }

  private key(text: string, options: SynthesisOptions): string {
    return `${this.synth.id}\u0000${options.voice}\u0000${options.rate ?? 1}\u0000${text}`;
  }

  /** Synthesizes and pins every text. Returns how many were synthesized (not already cached). */
  async warm(texts: Iterable<string>, options: SynthesisOptions): Promise<number> {
    let count = 0;
    for (const text of new Set(texts)) {
      const key = this.key(text, options);
      if (this.pinned.has(key)) continue;
      this.pinned.set(key, await this.collect(text, options));
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
      yield hit;
      return;
    }
    const parts: Int16Array[] = [];
    for await (const chunk of this.synth.stream(text, options)) {
      parts.push(chunk);
      yield chunk;
    }
    if (options.signal?.aborted) return;
    this.dynamic.set(key, concatInt16(parts));
    while (this.dynamic.size > this.maxDynamic) {
      const oldest = this.dynamic.keys().next().value;
      if (oldest === undefined) break;
      this.dynamic.delete(oldest);
    }
  }

  private async collect(text: string, options: SynthesisOptions): Promise<Int16Array> {
    const parts: Int16Array[] = [];
    for await (const chunk of this.synth.stream(text, options)) parts.push(chunk);
    return concatInt16(parts);
  }
}
