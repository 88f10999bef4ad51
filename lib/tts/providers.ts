import type { Config } from "../config";
import { CircuitBreaker } from "../resilience/circuit-breaker";
import { ElevenLabsSynthesizer } from "./elevenlabs";
import { FallbackSynthesizer, type FallbackReason } from "./fallback";
import { FliteSynthesizer } from "./flite";
import { OpenAISynthesizer } from "./openai";
import type { Synthesizer } from "./types";

/**
 * The bot's voice as configured: flite alone (TTS_PROVIDER=embedded), or a cloud voice with
 * flite behind it. `voice` is what the prompt cache keys by and the synthesizer is asked for.
 */
export function createSynthesizer(
  config: Config,
  onFallback?: (e: { provider: string; reason: FallbackReason; error?: unknown }) => void,
): { synth: Synthesizer; voice: string } {
  const flite = new FliteSynthesizer();
  if (config.TTS_PROVIDER === "embedded") return { synth: flite, voice: config.TTS_VOICE };
  const cloud =
    config.TTS_PROVIDER === "elevenlabs"
      ? new ElevenLabsSynthesizer({
          apiKey: config.ELEVENLABS_API_KEY!,
          voiceId: config.ELEVENLABS_VOICE_ID,
          modelId: config.ELEVENLABS_MODEL_ID,
          baseUrl: config.ELEVENLABS_BASE_URL,
        })
      : new OpenAISynthesizer({ apiKey: config.OPENAI_API_KEY!, model: config.OPENAI_TTS_MODEL, voice: config.OPENAI_TTS_VOICE, baseUrl: config.OPENAI_BASE_URL });
  const synth = new FallbackSynthesizer(cloud, flite, config.TTS_VOICE, {
    firstAudioTimeoutMs: config.TTS_FIRST_AUDIO_TIMEOUT_MS,
    stallTimeoutMs: config.TTS_STALL_TIMEOUT_MS,
    breaker: new CircuitBreaker(config.PROVIDER_BREAKER_FAILURES, config.PROVIDER_COOLDOWN_MS),
    onFallback,
  });
  return { synth, voice: cloud.voices[0]! };
}
