import WebSocket from "ws";
import { z } from "zod";
import { Resampler } from "../audio/resample";
import { int16ToBytes } from "../audio/pcm";
import type { QuestionGrammar } from "../bot/grammar";
import { mulawEncode } from "../audio/mulaw";
import type { InputCodec, RecognitionResult, Recognizer, RecognizerStartOptions, RecognizerStream, SpeakerState } from "./types";

export interface OpenAIRealtimeOptions {
  apiKey: string;
  /** The SDK's base URL (https://api.openai.com/v1); the WebSocket URL is derived from it. */
  baseUrl?: string;
  model: string;
  language?: string;
}

/** Realtime `pcm16` input is 24 kHz mono little-endian. */
const REALTIME_RATE_HZ = 24000;

/** The server events this client acts on (others are ignored); see docs/providers.md. */
const ServerEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("transcription_session.created") }),
  z.object({ type: z.literal("transcription_session.updated") }),
  z.object({ type: z.literal("input_audio_buffer.committed"), item_id: z.string() }),
  z.object({ type: z.literal("conversation.item.input_audio_transcription.delta"), item_id: z.string(), delta: z.string() }),
  z.object({ type: z.literal("conversation.item.input_audio_transcription.completed"), item_id: z.string(), transcript: z.string() }),
  z.object({
    type: z.literal("conversation.item.input_audio_transcription.failed"),
    item_id: z.string(),
    error: z.object({ message: z.string().optional(), code: z.string().nullish() }).passthrough(),
  }),
  z.object({ type: z.literal("error"), error: z.object({ message: z.string().optional(), code: z.string().nullish() }).passthrough() }),
]);

/** The utterance was cancelled while its transcript was awaited (the caller hung up, the call ended). */
export class CancelledError extends Error {
  constructor() {
    super("recognition cancelled");
  }
}

export function realtimeUrl(baseUrl = "https://api.openai.com/v1"): string {
  const url = new URL(baseUrl.replace(/\/+$/, "") + "/realtime");
  url.protocol = url.protocol === "http:" ? "ws:" : "wss:";
  url.searchParams.set("intent", "transcription");
  return url.toString();
}

/**
 * OpenAI speech-to-text over the Realtime API in a transcription session, one WebSocket per
 * caller utterance: opened when the caller starts talking (so the handshake overlaps their
 * speech), audio appended as it arrives (resampled to 24 kHz pcm16; on a Twilio call the
 * carrier's own G.711 μ-law bytes, `g711_ulaw`, with no transcode at all), committed by our own
 * endpointing (turn_detection off: the grammar-aware end of turn stays ours), and the
 * transcript of the committed item is the result. The openai SDK's realtime helper opens
 * model sessions only (`?model=`), not transcription sessions (`?intent=transcription`), so
 * this speaks the wire protocol with `ws` directly.
 */
export class OpenAIRealtimeRecognizer implements Recognizer {
  readonly id: string;
  private open = 0;
  private readonly url: string;

  constructor(private readonly o: OpenAIRealtimeOptions) {
    this.id = `openai:${o.model}`;
    this.url = realtimeUrl(o.baseUrl);
  }

  start(_grammar: QuestionGrammar, _speaker?: SpeakerState, options?: RecognizerStartOptions): RecognizerStream {
    this.open++;
    return new RealtimeStream(this.url, this.o, this.id, options?.codec, () => this.open--);
  }

  stats(): Record<string, number> {
    return { openSockets: this.open };
  }

  async close(): Promise<void> {}
}

class RealtimeStream implements RecognizerStream {
  private readonly ws: WebSocket;
  /** 16 kHz → what the session takes: 24 kHz for pcm16, 8 kHz (then μ-law) for g711_ulaw when a push lacks the carrier's bytes. */
  private readonly resampler: Resampler;
  private queue: string[] = [];
  private ready = false;
  private text = "";
  private samples = 0;
  private closed = false;
  private failure: Error | undefined;
  private settle: ((r: { transcript: string } | { error: Error }) => void) | undefined;
  private committedItem: string | undefined;

  constructor(
    url: string,
    private readonly o: OpenAIRealtimeOptions,
    private readonly provider: string,
    private readonly codec: InputCodec | undefined,
    private readonly onClose: () => void,
  ) {
    this.resampler = new Resampler({ fromHz: 16000, toHz: codec === "g711_ulaw" ? 8000 : REALTIME_RATE_HZ });
    this.ws = new WebSocket(url, { headers: { authorization: `Bearer ${o.apiKey}`, "openai-beta": "realtime=v1" } });
    this.ws.on("open", () => {
      // The session is configured before any audio queued while connecting reaches it.
      this.ws.send(
        JSON.stringify({
          type: "transcription_session.update",
          session: {
            input_audio_format: codec ?? "pcm16",
            input_audio_transcription: { model: o.model, ...(o.language && { language: o.language }) },
            turn_detection: null,
          },
        }),
      );
      this.ready = true;
      for (const m of this.queue) this.ws.send(m);
      this.queue = [];
    });
    this.ws.on("message", (data) => this.onEvent(String(data)));
    this.ws.on("error", (err) => this.fail(err));
    this.ws.on("close", (code) => this.fail(new Error(`realtime socket closed (${code})`)));
  }

  get partial(): string {
    return this.text;
  }

  private send(event: unknown): void {
    const text = JSON.stringify(event);
    if (this.ready && this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
    else if (!this.ready) this.queue.push(text);
  }

  private onEvent(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.fail(new Error("realtime server sent a non-JSON frame"));
    }
    const parsed = ServerEvent.safeParse(json);
    if (!parsed.success) {
      const type = (json as { type?: unknown } | null)?.type;
      // Events we do not act on (speech_started, rate limits…) are fine; a known one that does not parse is not.
      const known = ServerEvent.options.some((s) => s.shape.type.value === type);
      if (known) this.fail(new Error(`malformed ${String(type)} event`));
      return;
    }
    const e = parsed.data;
    switch (e.type) {
      case "input_audio_buffer.committed":
        this.committedItem = e.item_id;
        return;
      case "conversation.item.input_audio_transcription.delta":
        this.text += e.delta;
        return;
      case "conversation.item.input_audio_transcription.completed":
        if (this.committedItem !== undefined && e.item_id !== this.committedItem) return;
        this.text = e.transcript;
        this.settle?.({ transcript: e.transcript });
        return;
      case "conversation.item.input_audio_transcription.failed":
        return this.fail(new Error(`transcription failed: ${e.error.message ?? e.error.code ?? "unknown"}`));
      case "error":
        return this.fail(new Error(`realtime error: ${e.error.message ?? e.error.code ?? "unknown"}`));
      default:
        return;
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.failure ??= err;
    this.settle?.({ error: this.failure });
  }

  push(samples: Int16Array, coded?: Uint8Array): void {
    if (this.closed || this.failure) return;
    this.samples += samples.length;
    if (this.codec && coded) return this.append(coded);
    this.appendSamples(this.resampler.push(samples));
  }

  private appendSamples(samples: Int16Array): void {
    if (samples.length) this.append(this.codec === "g711_ulaw" ? mulawEncode(samples) : int16ToBytes(samples));
  }

  private append(bytes: Uint8Array): void {
    if (bytes.length) this.send({ type: "input_audio_buffer.append", audio: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64") });
  }

  async finish(): Promise<RecognitionResult> {
    const started = performance.now();
    this.appendSamples(this.resampler.flush());
    this.send({ type: "input_audio_buffer.commit" });
    const outcome = this.failure
      ? { error: this.failure }
      : await new Promise<{ transcript: string } | { error: Error }>((resolve) => (this.settle = resolve));
    this.release();
    if ("error" in outcome) throw outcome.error;
    const text = outcome.transcript.trim();
    return {
      text,
      confidence: text ? 1 : 0,
      rejected: text === "",
      audioMs: (this.samples / 16000) * 1000,
      finalizeMs: performance.now() - started,
      provider: this.provider,
    };
  }

  cancel(): void {
    this.release();
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    // A finish() still waiting ends now, as cancelled.
    this.settle?.({ error: new CancelledError() });
    this.settle = undefined;
    this.queue = [];
    this.ws.removeAllListeners("close");
    this.ws.on("error", () => {});
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000);
    this.onClose();
  }
}
