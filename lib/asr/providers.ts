import type { Config } from "../config";
import { CircuitBreaker } from "../resilience/circuit-breaker";
import { FallbackRecognizer, type AsrFallbackReason } from "./fallback";
import { OpenAIFileRecognizer } from "./openai-file";
import { OpenAIRealtimeRecognizer } from "./openai-realtime";
import type { Recognizer } from "./types";

/** The recognizer as configured: the embedded one alone, or a cloud one with the embedded one beside it. */
export function withConfiguredRecognizer(
  config: Config,
  embedded: Recognizer,
  onFallback?: (e: { provider: string; reason: AsrFallbackReason; error?: unknown }) => void,
): Recognizer {
  if (config.ASR_PROVIDER === "embedded") return embedded;
  const options = { apiKey: config.OPENAI_API_KEY!, baseUrl: config.OPENAI_BASE_URL, model: config.OPENAI_TRANSCRIBE_MODEL, language: "en" };
  const cloud = config.OPENAI_TRANSCRIBE_API === "file" ? new OpenAIFileRecognizer(options) : new OpenAIRealtimeRecognizer(options);
  return new FallbackRecognizer(cloud, embedded, {
    resultTimeoutMs: config.ASR_RESULT_TIMEOUT_MS,
    breaker: new CircuitBreaker(config.PROVIDER_BREAKER_FAILURES, config.PROVIDER_COOLDOWN_MS),
    onFallback,
  });
}
