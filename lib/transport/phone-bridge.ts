import type { WebSocket } from "ws";
import { z } from "zod";
import type { Logger } from "pino";
import { Resampler } from "../audio/resample";
import { ASR_SAMPLE_RATE_HZ, type InputCodec } from "../asr/types";
import { formatRateHz, type OutputFormat } from "../tts/types";
import type { CallEngine } from "../call/engine";
import type { CallSession } from "../call/session";
import { CLOSE, type ServerMessage } from "./protocol";

/**
 * What a carrier's media stream means, whatever its wire format (lib/transport/twilio.ts,
 * lib/transport/exotel.ts parse into this). Audio is PCM16 at the stream's rate.
 */
export type CarrierEvent =
  | { kind: "connected" }
  | { kind: "start"; start: CarrierStart }
  /** `coded`: the payload as the carrier sent it, when it is in the wire's `codec`. */
  | { kind: "media"; samples: Int16Array; coded?: Uint8Array }
  | { kind: "dtmf"; digit: string }
  | { kind: "mark"; name: string }
  | { kind: "stop" };

export interface CarrierStart {
  streamId: string;
  carrierCallId: string;
  sampleRateHz: number;
  customParameters: Record<string, string>;
}

/** Coded problems with a carrier's messages (logged; docs/telephony.md lists them). */
export const PHONE_ERROR_CODES = [
  "bad_json",
  "bad_message",
  "bad_media",
  "unknown_event",
  "not_started",
  "already_started",
  "unsupported_media_format",
  "unauthorized",
  "unknown_bot",
  "busy",
  "start_timeout",
  "internal_error",
] as const;
export type PhoneErrorCode = (typeof PHONE_ERROR_CODES)[number];

export class CarrierMessageError extends Error {
  constructor(
    readonly code: PhoneErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** One carrier's wire format: parsing what it sends and building what it plays. */
export interface CarrierWire {
  channel: "twilio" | "exotel";
  /** The codec of the carrier's audio when a recognizer can take it as it is (Twilio: G.711 μ-law). */
  codec?: InputCodec;
  /** Parses one text frame; throws CarrierMessageError. */
  parse(text: string): CarrierEvent;
  media(streamId: string, samples: Int16Array): string;
  mark(streamId: string, name: string): string;
  clear(streamId: string): string;
  /** Outbound audio is sent in chunks of at least this many samples, and a multiple of `chunkMultiple`. */
  minChunkSamples(sampleRateHz: number): number;
  chunkMultiple: number;
}

export interface PhoneBridgeOptions {
  startTimeoutMs: number;
  /** The bot a call runs when the stream does not name one. */
  defaultBot: string;
  /** Checks the `start` before the call starts (Twilio: the stream token). Returns a reason to refuse. */
  authorize?(start: CarrierStart): string | undefined;
  /** The bot chosen when the socket was opened (Exotel: ?bot= in its URL). */
  bot?: string;
  maxErrors?: number;
  /** How long the end of a call waits for the carrier to say its last prompt has played. */
  finalMarkTimeoutMs?: number;
}

const markName = (turnId: number) => `turn-${turnId}`;

/**
 * What a call on a carrier line plays: narrowband lines get `ulaw_8000` (the phone network carries
 * G.711 anyway; ElevenLabs then speaks the carrier's own bytes), wider ones 16 kHz PCM.
 */
export function carrierOutputFormat(sampleRateHz: number): OutputFormat {
  return sampleRateHz === 8000 ? "ulaw_8000" : "pcm_16000";
}

/**
 * A phone call over a carrier's media stream: carrier audio (8 kHz, μ-law or PCM) → 16 kHz PCM
 * for the session (and, for Twilio, the μ-law bytes as they came, for a recognizer that takes
 * them); the session's 20 ms bot frames (8 kHz on narrowband lines) → the carrier's format, sent as they are paced
 * (so `clear` on barge-in has something to cut); a mark after each bot turn, echoed by the
 * carrier once the caller has heard it; keypad digits as answers. Malformed messages are logged
 * with a code and the call goes on.
 */
export function handleCarrierSocket(ws: WebSocket, wire: CarrierWire, engine: CallEngine, log: Logger, meta: { ip: string }, options: PhoneBridgeOptions): void {
  let session: CallSession | undefined;
  let start: CarrierStart | undefined;
  let inbound: Resampler | undefined;
  let outbound: Resampler | undefined;
  let pending: Int16Array[] = [];
  let pendingSamples = 0;
  let errors = 0;
  let closing = false;
  /** Bot turns whose end mark the carrier has not echoed yet, with their length. */
  const unheard = new Map<number, number>();
  let allHeard: (() => void) | undefined;
  const maxErrors = options.maxErrors ?? 100;
  const channel = wire.channel;

  const send = (text: string) => {
    if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const close = (code: number, reason: string) => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
  };
  const problem = (code: PhoneErrorCode, message: string, closeCode?: number) => {
    log.warn({ code, channel, callId: session?.callId, carrierCallId: start?.carrierCallId, ip: meta.ip }, message);
    errors++;
    if (closeCode !== undefined) close(closeCode, code);
    else if (errors > maxErrors) close(CLOSE.protocolError, "too many errors");
  };

  const startTimer = setTimeout(() => {
    if (!session) problem("start_timeout", `no start event within ${options.startTimeoutMs} ms`, CLOSE.startTimeout);
  }, options.startTimeoutMs);

  const flush = (final: boolean) => {
    if (!start || pendingSamples === 0) return;
    const multiple = wire.chunkMultiple;
    const min = wire.minChunkSamples(start.sampleRateHz);
    if (!final && pendingSamples < min) return;
    let total = pendingSamples;
    // The last chunk of a turn is padded with silence up to the carrier's chunk rules.
    if (final) total = Math.max(min, Math.ceil(total / multiple) * multiple);
    else total -= total % multiple;
    const chunk = new Int16Array(total);
    let at = 0;
    while (pending.length && at < total) {
      const head = pending[0]!;
      const n = Math.min(head.length, total - at);
      chunk.set(head.subarray(0, n), at);
      at += n;
      if (n === head.length) pending.shift();
      else pending[0] = head.subarray(n);
    }
    pendingSamples = Math.max(0, pendingSamples - at);
    send(wire.media(start.streamId, chunk));
  };

  const onSessionMessage = (m: ServerMessage) => {
    if (!start) return;
    switch (m.type) {
      case "interrupt":
        pending = [];
        pendingSamples = 0;
        send(wire.clear(start.streamId));
        return;
      case "audio_end":
        flush(true);
        unheard.set(m.turnId, m.durationMs);
        send(wire.mark(start.streamId, markName(m.turnId)));
        return;
      case "error":
        log.warn({ code: m.code, channel, callId: session?.callId }, m.message);
        return;
      default:
        return;
    }
  };

  const onAudio = (samples: Int16Array) => {
    if (!start || ws.readyState !== ws.OPEN) return;
    const out = outbound ? outbound.push(samples) : samples;
    pending.push(out);
    pendingSamples += out.length;
    flush(false);
  };

  const onStart = (s: CarrierStart) => {
    if (session || start) return problem("already_started", "this stream already has a call");
    const refused = options.authorize?.(s);
    if (refused) return problem("unauthorized", `stream refused: ${refused}`, CLOSE.policy);
    const bot = s.customParameters.bot || options.bot || options.defaultBot;
    start = s;
    const outputFormat = carrierOutputFormat(s.sampleRateHz);
    const created = engine.createCall(bot, channel, s.sampleRateHz, { message: onSessionMessage, audio: onAudio }, {
      carrierCallId: s.carrierCallId,
      outputFormat,
      inputCodec: wire.codec,
    });
    if (created === "unknown_bot") {
      start = undefined;
      return problem("unknown_bot", `no bot "${bot}"; known: ${[...engine.flows.keys()].join(", ")}`, CLOSE.policy);
    }
    if (created === "busy") {
      start = undefined;
      return problem("busy", "the server is at its call limit", CLOSE.busy);
    }
    clearTimeout(startTimer);
    session = created;
    inbound = s.sampleRateHz === ASR_SAMPLE_RATE_HZ ? undefined : new Resampler({ fromHz: s.sampleRateHz, toHz: ASR_SAMPLE_RATE_HZ });
    const outputRateHz = formatRateHz(outputFormat);
    outbound = s.sampleRateHz === outputRateHz ? undefined : new Resampler({ fromHz: outputRateHz, toHz: s.sampleRateHz });
    log.info({ callId: session.callId, bot, channel, carrierCallId: s.carrierCallId, streamId: s.streamId, sampleRateHz: s.sampleRateHz, ip: meta.ip }, "call started");
    void session.done.then(async (summary) => {
      // The caller hears the closing words before the stream closes (closing drops what the carrier still buffers).
      if (summary.endedBy !== "hangup" && unheard.size > 0) {
        await new Promise<void>((resolve) => {
          allHeard = resolve;
          setTimeout(resolve, options.finalMarkTimeoutMs ?? 3000).unref();
        });
      }
      closing = true;
      close(summary.endedBy === "timeout" ? CLOSE.callTooLong : CLOSE.normal, "call ended");
    });
    session.start();
  };

  const onEvent = (e: CarrierEvent) => {
    switch (e.kind) {
      case "connected":
        return;
      case "start":
        return onStart(e.start);
      case "media":
        if (!session) return problem("not_started", "media before start");
        if (e.samples.length) session.pushAudio(inbound ? inbound.push(e.samples) : e.samples, e.coded);
        return;
      case "dtmf":
        if (!session) return problem("not_started", "dtmf before start");
        log.debug({ callId: session.callId, digit: e.digit }, "dtmf");
        return session.keypad(e.digit);
      case "mark": {
        const turnId = /^turn-(\d+)$/.exec(e.name)?.[1];
        if (!session || turnId === undefined) return;
        const durationMs = unheard.get(Number(turnId));
        unheard.delete(Number(turnId));
        if (durationMs !== undefined) session.playback({ turnId: Number(turnId), playedMs: durationMs, underruns: 0 });
        if (unheard.size === 0) allHeard?.();
        return;
      }
      case "stop":
        session?.hangup("caller hung up");
        return close(CLOSE.normal, "stream stopped");
    }
  };

  ws.on("message", (data, isBinary) => {
    try {
      if (isBinary) return problem("bad_message", "carriers send text frames");
      const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString("utf8");
      onEvent(wire.parse(text));
    } catch (err) {
      // A stream in a format we cannot decode can never become a call.
      if (err instanceof CarrierMessageError) return problem(err.code, err.message, err.code === "unsupported_media_format" ? CLOSE.policy : undefined);
      log.error({ err, code: "internal_error", channel, callId: session?.callId }, "carrier message handling failed");
    }
  });
  ws.on("close", () => {
    clearTimeout(startTimer);
    allHeard?.();
    if (!closing) session?.hangup("carrier stream closed");
  });
  ws.on("error", (err) => log.warn({ err, code: "socket_error", channel, callId: session?.callId }, "socket error"));
}

/** Base64 that really is base64 (Buffer.from would silently skip bad characters). */
export function decodeBase64(payload: string): Buffer {
  if (payload.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) throw new CarrierMessageError("bad_media", "media payload is not base64");
  return Buffer.from(payload, "base64");
}

/** Parses a text frame as JSON and reads its `event`. */
export function parseEvent(text: string): { event: string; json: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CarrierMessageError("bad_json", "text frames must be JSON");
  }
  const event = (json as { event?: unknown } | null)?.event;
  if (typeof event !== "string") throw new CarrierMessageError("bad_message", "a message needs an event name");
  return { event, json };
}

/** Validates one carrier message against its schema; a mismatch is a coded `bad_message`. */
export function readMessage<T>(schema: z.ZodType<T>, json: unknown, event: string): T {
  const r = schema.safeParse(json);
  if (!r.success) throw new CarrierMessageError("bad_message", `${event}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}

/** `dtmf` and `mark` read the same on Twilio and Exotel. */
export const DtmfMessage = z.object({ event: z.literal("dtmf"), dtmf: z.object({ digit: z.string().regex(/^[0-9*#]$/) }) });
export const MarkMessage = z.object({ event: z.literal("mark"), mark: z.object({ name: z.string() }) });
