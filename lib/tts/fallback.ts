import type { CircuitBreaker } from "../resilience/circuit-breaker";
import { TimeoutError, within } from "../resilience/within";
import { chunkText } from "./chunk-text";
import type { SynthesisOptions, Synthesizer } from "./types";

export type FallbackReason = "timeout" | "error" | "circuit_open";

export interface FallbackSynthesizerOptions {
  /** The primary's first audio of a sentence must arrive within this, or the fallback says it. */
  firstAudioTimeoutMs: number;
  /** Longest silence between two chunks of one sentence before it counts as a stall. */
  stallTimeoutMs: number;
  breaker: CircuitBreaker;
  onFallback?(e: { provider: string; reason: FallbackReason; error?: unknown }): void;
}


/** A failure worth one more try: no HTTP status (connection refused or reset) or a 5xx. Not a timeout, not a 4xx. */
function transient(error: unknown): boolean {
  if (error instanceof TimeoutError) return false;
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status !== "number" || status >= 500;
}


/**
 * A cloud voice with the embedded one behind it. Text is spoken sentence by sentence; a sentence
 * the primary does not start within `firstAudioTimeoutMs`, fails, or stalls on is said by the
 * fallback instead (from its start: a few words may be heard twice, the caller never hears
 * silence), and so are the sentences after it. A sentence that fails at once (network, 5xx) is
 * tried once more while half its first-audio budget is left. A circuit breaker skips the
 * primary while it keeps failing. `served` reports the provider of each sentence.
 */
export class FallbackSynthesizer implements Synthesizer {
  readonly id: string;
  readonly voices: readonly string[];
  readonly narrowbandIsResampled?: boolean;

  constructor(
    private readonly primary: Synthesizer,
    private readonly fallback: Synthesizer,
    private readonly fallbackVoice: string,
    private readonly o: FallbackSynthesizerOptions,
  ) {
    this.id = primary.id;
    this.voices = primary.voices;
    this.narrowbandIsResampled = primary.narrowbandIsResampled;
  }

  async *stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    const sentences = chunkText(text);
    for (let i = 0; i < sentences.length; i++) {
      if (options.signal?.aborted) return;
      const ok = yield* this.tryPrimary(sentences[i]!, options);
      if (!ok) {
        // Once the primary has failed in a turn, the rest of the turn stays on the fallback.
        options.served?.(this.fallback.id);
        yield* this.fallback.stream(sentences.slice(i).join(" "), { ...options, voice: this.fallbackVoice });
        return;
      }
    }
  }

  /** Streams one sentence from the primary; false (having yielded what it got) when it must be said again by the fallback. */
  private async *tryPrimary(sentence: string, options: SynthesisOptions): AsyncGenerator<Int16Array, boolean> {
    if (!this.o.breaker.allow()) {
      this.o.onFallback?.({ provider: this.primary.id, reason: "circuit_open" });
      return false;
    }
    const controller = new AbortController();
    const abort = () => controller.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    const open = () => this.primary.stream(sentence, { ...options, signal: controller.signal, served: undefined })[Symbol.asyncIterator]();
    let it = open();
    let first = true;
    let settled = false;
    const firstAudioBy = performance.now() + this.o.firstAudioTimeoutMs;
    let retried = false;
    try {
      for (;;) {
        let r: IteratorResult<Int16Array>;
        try {
          r = await within(it.next(), first ? Math.max(0, firstAudioBy - performance.now()) : this.o.stallTimeoutMs);
        } catch (error) {
          // Retried once when safe: nothing was heard yet, the failure was the network or the
          // provider's own (5xx), and at least half the first-audio budget is left for it.
          if (!first || retried || options.signal?.aborted || !transient(error) || firstAudioBy - performance.now() < this.o.firstAudioTimeoutMs / 2) throw error;
          retried = true;
          void it.return?.(undefined).catch(() => {});
          it = open();
          continue;
        }
        if (r.done) break;
        if (first) options.served?.(this.primary.id);
        first = false;
        yield r.value;
      }
      if (first) throw new Error("no audio");
      settled = true;
      this.o.breaker.success();
      return true;
    } catch (error) {
      if (options.signal?.aborted) return true;
      settled = true;
      this.o.breaker.failure();
      this.o.onFallback?.({ provider: this.primary.id, reason: error instanceof TimeoutError ? "timeout" : "error", error });
      return false;
    } finally {
      options.signal?.removeEventListener("abort", abort);
      // Stopped early (barge-in, hang-up, abort): neither a success nor a failure of the provider.
      if (!settled) this.o.breaker.release();
      // Whatever happened, the provider's request ends here (a no-op once it has finished).
      controller.abort();
      void it.return?.(undefined).catch(() => {});
    }
  }
}
