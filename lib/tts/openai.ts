import OpenAI from "openai";
import { assertAudio, pcmChunks } from "./pcm-stream";
import { formatRateHz, type SynthesisOptions, type Synthesizer } from "./types";

export interface OpenAISpeechOptions {
  apiKey: string;
  model: string;
  voice: string;
  /** The SDK's base URL (https://api.openai.com/v1 by default; a fake in tests). */
  baseUrl?: string;
}

/** OpenAI's `pcm` speech format: 24 kHz mono PCM16 little-endian. */
const OPENAI_PCM_RATE_HZ = 24000;

/** OpenAI speech (`audio.speech.create`, response_format "pcm"), streamed as it arrives and resampled to the call's rate. */
export class OpenAISynthesizer implements Synthesizer {
  readonly id: string;
  readonly voices: readonly string[];
  private readonly client: OpenAI;
  readonly narrowbandIsResampled = true;

  constructor(private readonly o: OpenAISpeechOptions) {
    this.id = `openai:${o.model}`;
    this.voices = [o.voice];
    this.client = new OpenAI({ apiKey: o.apiKey, ...(o.baseUrl && { baseURL: o.baseUrl }), maxRetries: 0 });
  }

  async *stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    const response = await this.client.audio.speech.create(
      { model: this.o.model, voice: this.o.voice, input: text, response_format: "pcm" },
      { signal: options.signal, maxRetries: 0 },
    );
    if (!response.body) throw new Error("OpenAI speech returned no body");
    assertAudio(response.headers.get("content-type"), "OpenAI");
    yield* pcmChunks(response.body as ReadableStream<Uint8Array>, OPENAI_PCM_RATE_HZ, formatRateHz(options.format));
  }
}
