/** Bot speech leaves a synthesizer as 16 kHz mono PCM16 unless a call asks for narrowband. */
export const TTS_SAMPLE_RATE_HZ = 16000;

/**
 * What a call plays: `pcm_16000` (browsers, 16 kHz carriers) or `ulaw_8000` (8 kHz phone lines,
 * whose audio is G.711 μ-law on the carrier). A synthesizer always yields PCM16 at the format's
 * rate; one that can speak the wire codec itself (ElevenLabs `ulaw_8000`) does, and its μ-law
 * decodes to samples that re-encode to the very same bytes, so the carrier gets the provider's
 * audio untouched (no resampling, no second quantisation).
 */
export const OUTPUT_FORMATS = ["pcm_16000", "ulaw_8000"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function formatRateHz(format: OutputFormat = "pcm_16000"): number {
  return format === "ulaw_8000" ? 8000 : TTS_SAMPLE_RATE_HZ;
}

export interface SynthesisOptions {
  voice: string;
  /** Speaking rate: 1 is the voice's own, 1.15 is 15 % faster. */
  rate?: number;
  /** What the call plays (default `pcm_16000`): the rate of the samples yielded. */
  format?: OutputFormat;
  signal?: AbortSignal;
  /** Told which provider produced the audio (a fallback may serve instead of the configured one). */
  served?: (providerId: string) => void;
}

export interface Synthesizer {
  /** Stable provider id; part of the prompt-cache key. */
  readonly id: string;
  readonly voices: readonly string[];
  /**
   * Its 8 kHz audio is its 16 kHz audio resampled (flite, OpenAI's 24 kHz PCM): the prompt cache
   * derives narrowband prompts from the wideband ones instead of synthesizing them again.
   */
  readonly narrowbandIsResampled?: boolean;
  /**
   * Streams the speech for `text` in chunks: the first chunk is yielded as soon as the first
   * sentence or clause is synthesized, so audio can leave before the whole text is done.
   */
  stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array>;
}
