import type { WebSocket } from "ws";
import type { Logger } from "pino";
import { bytesToInt16, int16ToBytes } from "../audio/pcm";
import { Resampler } from "../audio/resample";
import { ASR_SAMPLE_RATE_HZ } from "../asr/types";
import type { CallEngine } from "../call/engine";
import type { CallSession } from "../call/session";
import {
  CLOSE,
  ClientMessage,
  MAX_FRAME_MS,
  SUPPORTED_INPUT_RATES_HZ,
  type ErrorCode,
  type ServerMessage,
} from "./protocol";

export interface BrowserTransportOptions {
  startTimeoutMs: number;
  /** Errors tolerated on one socket before it is closed as broken. */
  maxErrors?: number;
  /** Bytes queued to a client that does not read before it is dropped. */
  maxBufferedBytes?: number;
}

/**
 * The /ws/voice protocol on one socket: validates every message, maps it to the call session,
 * and sends the session's events and audio back. Bad input gets a coded error; the call goes on.
 */
export function handleVoiceSocket(ws: WebSocket, engine: CallEngine, log: Logger, meta: { ip: string }, options: BrowserTransportOptions): void {
  let session: CallSession | undefined;
  let resampler: Resampler | undefined;
  let inputRateHz = ASR_SAMPLE_RATE_HZ;
  let errors = 0;
  const maxErrors = options.maxErrors ?? 100;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;

  const send = (m: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  };
  const close = (code: number, reason: string) => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
  };
  const fail = (code: ErrorCode, message: string, closeCode?: number) => {
    log.warn({ code, callId: session?.callId, ip: meta.ip }, message);
    send({ type: "error", code, message });
    errors++;
    if (closeCode !== undefined) close(closeCode, code);
    else if (errors > maxErrors) close(CLOSE.protocolError, "too many errors");
  };

  const startTimer = setTimeout(() => {
    if (!session) fail("start_timeout", `no start message within ${options.startTimeoutMs} ms`, CLOSE.startTimeout);
  }, options.startTimeoutMs);

  const onStart = (m: Extract<ClientMessage, { type: "start" }>) => {
    if (session) return fail("already_started", "this socket already has a call");
    if (!(SUPPORTED_INPUT_RATES_HZ as readonly number[]).includes(m.sampleRateHz)) {
      return fail("unsupported_sample_rate", `sampleRateHz must be one of ${SUPPORTED_INPUT_RATES_HZ.join(", ")}`);
    }
    const created = engine.createCall(m.bot, m.channel, m.sampleRateHz, {
      message: send,
      audio: (samples) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > maxBuffered) {
          log.warn({ code: "slow_client", callId: session?.callId }, "client is not reading; dropping it");
          ws.terminate();
          return;
        }
        ws.send(int16ToBytes(samples));
      },
    });
    if (created === "unknown_bot") return fail("unknown_bot", `no bot "${m.bot}"; known: ${[...engine.flows.keys()].join(", ")}`);
    if (created === "busy") return fail("busy", "the server is at its call limit; try again shortly", CLOSE.busy);
    clearTimeout(startTimer);
    session = created;
    inputRateHz = m.sampleRateHz;
    resampler = inputRateHz === ASR_SAMPLE_RATE_HZ ? undefined : new Resampler({ fromHz: inputRateHz, toHz: ASR_SAMPLE_RATE_HZ });
    log.info({ callId: session.callId, bot: m.bot, channel: m.channel, inputRateHz, ip: meta.ip }, "call started");
    void session.done.then((s) => (s.endedBy === "timeout" ? close(CLOSE.callTooLong, "call_too_long") : close(CLOSE.normal, "call ended")));
    session.start();
  };

  const onAudio = (data: Buffer) => {
    if (!session) return fail("not_started", "send a start message before audio");
    if (data.length % 2 !== 0) return fail("bad_frame", `audio frames are PCM16: ${data.length} bytes is odd`);
    const maxBytes = ((inputRateHz * MAX_FRAME_MS) / 1000) * 2;
    if (data.length > maxBytes) return fail("frame_too_large", `audio frames carry at most ${MAX_FRAME_MS} ms (${maxBytes} bytes)`);
    if (data.length === 0) return;
    const samples = bytesToInt16(data);
    session.pushAudio(resampler ? resampler.push(samples) : samples);
  };

  ws.on("message", (data, isBinary) => {
    try {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) return onAudio(buf);
      let json: unknown;
      try {
        json = JSON.parse(buf.toString("utf8"));
      } catch {
        return fail("bad_json", "text frames must be JSON");
      }
      const parsed = ClientMessage.safeParse(json);
      if (!parsed.success) {
        const type = (json as { type?: unknown } | null)?.type;
        if (type === "start" && (json as { protocol?: unknown }).protocol !== 1) {
          return fail("unsupported_protocol", "this server speaks protocol 1");
        }
        return fail("bad_message", parsed.error.issues.map((i) => `${i.path.join(".") || "message"}: ${i.message}`).join("; "));
      }
      const m = parsed.data;
      switch (m.type) {
        case "start":
          return onStart(m);
        case "text":
          if (!session) return fail("not_started", "send a start message first");
          return session.typed(m.text);
        case "interrupt":
          return session?.interrupt();
        case "typing":
          return session?.typing();
        case "playback":
          return session?.playback(m);
        case "end":
          session?.hangup("caller hung up");
          return close(CLOSE.normal, "ended by client");
      }
    } catch (err) {
      log.error({ err, code: "internal_error", callId: session?.callId }, "message handling failed");
      send({ type: "error", code: "internal_error", message: "internal error handling this message" });
    }
  });

  ws.on("close", () => {
    clearTimeout(startTimer);
    session?.hangup("client disconnected");
  });
  ws.on("error", (err) => log.warn({ err, code: "socket_error", callId: session?.callId }, "socket error"));
}
