import type { QuestionGrammar } from "../bot/grammar";
import type { CircuitBreaker } from "../resilience/circuit-breaker";
import { TimeoutError, within } from "../resilience/within";
import type { RecognitionResult, Recognizer, RecognizerStartOptions, RecognizerStream, SpeakerState } from "./types";

export type AsrFallbackReason = "timeout" | "error" | "circuit_open";

export interface FallbackRecognizerOptions {
  /** From the end of the caller's turn, how long the cloud may take for its transcript. */
  resultTimeoutMs: number;
  breaker: CircuitBreaker;
  onFallback?(e: { provider: string; reason: AsrFallbackReason; error?: unknown }): void;
}


/**
 * A cloud recognizer with the embedded one decoding the same audio beside it. The cloud's
 * transcript is the answer when it comes in time; when it fails, or is late, the embedded
 * result (already decoded) is used at once, so the turn is never lost. Partials (which drive the
 * grammar-aware end of turn) come from the embedded decoder.
 */
export class FallbackRecognizer implements Recognizer {
  readonly id: string;

  constructor(
    private readonly primary: Recognizer,
    private readonly fallback: Recognizer,
    private readonly o: FallbackRecognizerOptions,
  ) {
    this.id = primary.id;
  }

  start(grammar: QuestionGrammar, speaker?: SpeakerState, options?: RecognizerStartOptions): RecognizerStream {
    const backup = this.fallback.start(grammar, speaker, options);
    const cloud = this.o.breaker.allow() ? this.primary.start(grammar, speaker, options) : undefined;
    let settled = false;
    let cancelled = false;
    const o = this.o;
    const provider = this.primary.id;
    return {
      push(samples, coded) {
        cloud?.push(samples, coded);
        backup.push(samples);
      },
      paused(paused) {
        backup.paused?.(paused);
      },
      get partial() {
        return backup.partial;
      },
      async finish(): Promise<RecognitionResult> {
        settled = true;
        if (!cloud) {
          o.onFallback?.({ provider, reason: "circuit_open" });
          return backup.finish();
        }
        try {
          const result = await within(cloud.finish(), o.resultTimeoutMs);
          o.breaker.success();
          backup.cancel();
          return result;
        } catch (error) {
          cloud.cancel();
          // Cancelled by us while finishing (hang-up): no verdict on the provider, no result needed.
          if (cancelled) {
            o.breaker.release();
            throw error;
          }
          o.breaker.failure();
          o.onFallback?.({ provider, reason: error instanceof TimeoutError ? "timeout" : "error", error });
          return backup.finish();
        }
      },
      cancel() {
        if (!settled && cloud) o.breaker.release();
        settled = true;
        cancelled = true;
        cloud?.cancel();
        backup.cancel();
      },
    };
  }

  stats(): Record<string, number> {
    const cloud = Object.fromEntries(Object.entries(this.primary.stats()).map(([k, v]) => [`cloud_${k}`, v]));
    return { ...this.fallback.stats(), ...cloud };
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.close(), this.fallback.close()]);
  }
}
