import { ElevenLabsClient } from "@elevenlabs/elevenlabs-js";
import { assertAudio, mulawChunks, pcmChunks } from "./pcm-stream";
import type { SynthesisOptions, Synthesizer } from "./types";

export interface ElevenLabsOptions {
  apiKey: string;
  voiceId: string;
  modelId: string;
  /** The API's base URL (a fake in tests). */
  baseUrl?: string;
}

/**
 * ElevenLabs streaming TTS through its SDK: raw 16 kHz PCM (`pcm_16000`) chunks for browsers, or
 * G.711 μ-law at 8 kHz (`ulaw_8000`) for phone lines, whose bytes reach the carrier unchanged;
 * chunks are yielded as they are synthesized, so the first audio plays before the sentence is done. Text normalisation stays on
 * (the default), so "25,000 rupees" is read as an amount. No retries here: the fallback
 * synthesizer decides what to do when it fails.
 */
export class ElevenLabsSynthesizer implements Synthesizer {
  readonly id: string;
  readonly voices: readonly string[];
  private readonly client: ElevenLabsClient;

  constructor(private readonly o: ElevenLabsOptions) {
    this.id = `elevenlabs:${o.modelId}`;
    this.voices = [o.voiceId];
    this.client = new ElevenLabsClient({ apiKey: o.apiKey, ...(o.baseUrl && { baseUrl: o.baseUrl }), maxRetries: 0 });
  }

  async *stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    const outputFormat = options.format ?? "pcm_16000";
    const { data, rawResponse } = await this.client.textToSpeech
      .stream(this.o.voiceId, { text, modelId: this.o.modelId, outputFormat }, { abortSignal: options.signal, maxRetries: 0 })
      .withRawResponse();
    assertAudio(rawResponse.headers.get("content-type"), "ElevenLabs");
    yield* outputFormat === "ulaw_8000" ? mulawChunks(data) : pcmChunks(data, 16000);
  }
}
