/** Bot speech always leaves a synthesizer as 16 kHz mono PCM16; transports convert at the edge. */
export const TTS_SAMPLE_RATE_HZ = 16000;

export interface SynthesisOptions {
  voice: string;
  /** Speaking rate: 1 is the voice's own, 1.15 is 15 % faster. */
  rate?: number;
  signal?: AbortSignal;
  /** Told which provider produced the audio (a fallback may serve instead of the configured one). */
  served?: (providerId: string) => void;
}

export interface Synthesizer {
  /** Stable provider id; part of the prompt-cache key. */
  readonly id: string;
  readonly voices: readonly string[];
  /**
   * Streams the speech for `text` in chunks: the first chunk is yielded as soon as the first
   * sentence or clause is synthesized, so audio can leave before the whole text is done.
   */
  stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array>;
}
