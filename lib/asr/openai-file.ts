import OpenAI, { toFile } from "openai";
import { concatInt16 } from "../audio/pcm";
import { encodeWav } from "../audio/wav";
import type { QuestionGrammar } from "../bot/grammar";
import type { RecognitionResult, Recognizer, RecognizerStream } from "./types";

export interface OpenAIFileOptions {
  apiKey: string;
  /** The SDK's base URL (https://api.openai.com/v1 by default; a fake in tests). */
  baseUrl?: string;
  /** e.g. gpt-4o-mini-transcribe. */
  model: string;
  language?: string;
}

/**
 * The simpler cloud path: the caller's utterance is kept in memory and, at our end of turn, sent
 * whole as a WAV to the transcription endpoint (`audio.transcriptions.create`). No partials, and
 * the upload and transcription happen after the caller stops, so it is slower than the Realtime
 * session (lib/asr/openai-realtime.ts); it needs no WebSocket.
 */
export class OpenAIFileRecognizer implements Recognizer {
  readonly id: string;
  private readonly client: OpenAI;
  private inFlight = 0;

  constructor(private readonly o: OpenAIFileOptions) {
    this.id = `openai:${o.model}`;
    this.client = new OpenAI({ apiKey: o.apiKey, ...(o.baseUrl && { baseURL: o.baseUrl }), maxRetries: 0 });
  }

  start(_grammar: QuestionGrammar): RecognizerStream {
    const chunks: Int16Array[] = [];
    const controller = new AbortController();
    let samples = 0;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      chunks.length = 0;
    };
    return {
      push: (s) => {
        if (done) return;
        chunks.push(s.slice());
        samples += s.length;
      },
      partial: "",
      finish: async (): Promise<RecognitionResult> => {
        const started = performance.now();
        const audio = concatInt16(chunks);
        release();
        this.inFlight++;
        try {
          const file = await toFile(encodeWav(audio, 16000), "utterance.wav", { type: "audio/wav" });
          const r = await this.client.audio.transcriptions.create(
            { file, model: this.o.model, response_format: "json", ...(this.o.language && { language: this.o.language }) },
            { signal: controller.signal, maxRetries: 0 },
          );
          // JSON was asked for: anything else (an HTML error page from a proxy) is a failure, not a transcript.
          if (typeof r !== "object" || r === null || typeof r.text !== "string") throw new Error("transcription endpoint did not answer JSON");
          const text = r.text.trim();
          return { text, confidence: text ? 1 : 0, rejected: text === "", audioMs: (samples / 16000) * 1000, finalizeMs: performance.now() - started, provider: this.id };
        } finally {
          this.inFlight--;
        }
      },
      cancel: () => {
        release();
        controller.abort();
      },
    };
  }

  stats(): Record<string, number> {
    return { inFlight: this.inFlight };
  }

  async close(): Promise<void> {}
}
