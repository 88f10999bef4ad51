import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { mulawDecode, mulawEncode } from "../audio/mulaw";
import { bytesToInt16, int16ToBytes } from "../audio/pcm";
import { resample } from "../audio/resample";
import type { AnswerValue } from "../bot/types";
import { twilioSignature } from "../transport/twilio-signature";
import { CALLER_RATE_HZ, voicedRange, type CallerAnswer, type CallerResult, type CallerTurn } from "./caller";

/**
 * Simulated carriers for tests, benchmarks and the caller CLI (`--channel twilio|exotel`). They
 * behave like the real ones: the Twilio peer posts a signed voice webhook, reads the TwiML and
 * opens the stream it names with its parameters; both stream the caller's audio in real time
 * (Twilio: 20 ms of 8 kHz μ-law per message; Exotel: ~100 ms of 8 kHz PCM16), play the bot's
 * audio at real-time speed, echo each mark only once the audio before it has played, honour
 * `clear` (dropping what is buffered and echoing pending marks), send keypad digits, and send
 * `stop` when the caller hangs up. What the server understood is read back from its call record.
 */

export type Carrier = "twilio" | "exotel";

export interface PhoneCallerOptions {
  carrier: Carrier;
  /** The server's HTTP base URL (http://localhost:3000). */
  baseUrl: string;
  /** Twilio: added to the webhook URL as ?bot= (else the server's number routing decides). Exotel: ?bot= on the stream URL. */
  bot?: string;
  answers: CallerAnswer[];
  replyDelayMs?: number;
  /** Answer this long after the bot starts a turn (barge-in), for the answers in `bargeInAt` (all when omitted). */
  bargeInMs?: number;
  bargeInAt?: number[];
  timeoutMs?: number;
  /** Signs the Twilio webhook; must be the server's TWILIO_AUTH_TOKEN. */
  twilioAuthToken: string;
  /** Exotel basic auth, when the server asks for it. */
  exotelAuth?: { username: string; password: string };
  /** Reads the call record back (the server's ADMIN_TOKEN, when it has one). */
  adminToken?: string;
  from?: string;
  to?: string;
  /** Something happened on the line (the CLI prints these). */
  onEvent?: (line: string) => void;
  /** Each media payload the server sent, as the carrier received it (μ-law or PCM bytes). */
  onBotAudio?: (payload: Buffer) => void;
}

export interface PhoneCallerResult extends CallerResult {
  carrierCallId: string;
  /** Marks the carrier echoed (one per bot turn heard to its end or cleared). */
  marks: number;
  clears: number;
}

const RATE_HZ = 8000;
const FRAME_MS = 20;
const FRAME_SAMPLES = (RATE_HZ * FRAME_MS) / 1000;
const DIGIT_GAP_MS = 150;

interface Line {
  ws: WebSocket;
  /** Messages sent right after the socket opens. */
  hello: string[];
  framesPerMessage: number;
  media(samples: Int16Array, seq: number, chunk: number, timestampMs: number): string;
  dtmf(digit: string, seq: number): string;
  mark(name: string, seq: number): string;
  stop(seq: number): string;
  /** Bot audio in a media message, as PCM16 samples. */
  decode(payload: string): Int16Array;
}

const sid = (prefix: string) => prefix + randomBytes(16).toString("hex");

async function openTwilio(o: PhoneCallerOptions, callSid: string): Promise<Line> {
  const accountSid = sid("AC");
  const webhook = new URL("/api/telephony/twilio/voice", o.baseUrl);
  if (o.bot) webhook.searchParams.set("bot", o.bot);
  const params: Record<string, string> = {
    AccountSid: accountSid,
    ApiVersion: "2010-04-01",
    CallSid: callSid,
    CallStatus: "ringing",
    Direction: "inbound",
    From: o.from ?? "+15005550006",
    To: o.to ?? "+15005550001",
    Caller: o.from ?? "+15005550006",
    Called: o.to ?? "+15005550001",
  };
  const res = await fetch(webhook, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": twilioSignature(o.twilioAuthToken, webhook.toString(), params) },
    body: new URLSearchParams(params).toString(),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`voice webhook answered ${res.status}: ${body}`);
  const streamUrl = /<Stream[^>]*\surl="([^"]+)"/.exec(body)?.[1];
  if (!streamUrl) throw new Error(`TwiML without a <Stream>: ${body}`);
  const unxml = (s: string) => s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const customParameters = Object.fromEntries(
    [...body.matchAll(/<Parameter\s+name="([^"]*)"\s+value="([^"]*)"\s*\/>/g)].map((m) => [unxml(m[1]!), unxml(m[2]!)]),
  );
  const streamSid = sid("MZ");
  const ws = new WebSocket(unxml(streamUrl));
  return {
    ws,
    framesPerMessage: 1,
    hello: [
      JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }),
      JSON.stringify({
        event: "start",
        sequenceNumber: "1",
        streamSid,
        start: {
          accountSid,
          streamSid,
          callSid,
          tracks: ["inbound"],
          customParameters,
          mediaFormat: { encoding: "audio/x-mulaw", sampleRate: RATE_HZ, channels: 1 },
        },
      }),
    ],
    media: (samples, seq, chunk, ts) =>
      JSON.stringify({
        event: "media",
        sequenceNumber: String(seq),
        streamSid,
        media: { track: "inbound", chunk: String(chunk), timestamp: String(ts), payload: Buffer.from(mulawEncode(samples)).toString("base64") },
      }),
    dtmf: (digit, seq) => JSON.stringify({ event: "dtmf", streamSid, sequenceNumber: String(seq), dtmf: { track: "inbound_track", digit } }),
    mark: (name, seq) => JSON.stringify({ event: "mark", sequenceNumber: String(seq), streamSid, mark: { name } }),
    stop: (seq) => JSON.stringify({ event: "stop", sequenceNumber: String(seq), streamSid, stop: { accountSid, callSid } }),
    decode: (payload) => mulawDecode(Buffer.from(payload, "base64")),
  };
}

function openExotel(o: PhoneCallerOptions, callSid: string): Line {
  const url = new URL("/ws/exotel", o.baseUrl.replace(/^http/, "ws"));
  if (o.bot) url.searchParams.set("bot", o.bot);
  const headers: Record<string, string> = {};
  if (o.exotelAuth) headers.authorization = `Basic ${Buffer.from(`${o.exotelAuth.username}:${o.exotelAuth.password}`).toString("base64")}`;
  const streamSid = sid("");
  const ws = new WebSocket(url, { headers });
  const seqOf = (seq: number) => String(seq);
  return {
    ws,
    framesPerMessage: 5,
    hello: [
      JSON.stringify({ event: "connected" }),
      JSON.stringify({
        event: "start",
        sequence_number: "1",
        stream_sid: streamSid,
        start: {
          stream_sid: streamSid,
          call_sid: callSid,
          account_sid: "simulated",
          from: o.from ?? "+919800000001",
          to: o.to ?? "+918000000001",
          custom_parameters: o.bot ? { bot: o.bot } : {},
          media_format: { encoding: "audio/x-raw", sample_rate: String(RATE_HZ), bit_rate: "16" },
        },
      }),
    ],
    media: (samples, seq, chunk, ts) =>
      JSON.stringify({
        event: "media",
        sequence_number: seqOf(seq),
        stream_sid: streamSid,
        media: { chunk: String(chunk), timestamp: String(ts), payload: int16ToBytes(samples).toString("base64") },
      }),
    dtmf: (digit, seq) => JSON.stringify({ event: "dtmf", sequence_number: seqOf(seq), stream_sid: streamSid, dtmf: { digit, duration: "100" } }),
    mark: (name, seq) => JSON.stringify({ event: "mark", sequence_number: seqOf(seq), stream_sid: streamSid, mark: { name } }),
    stop: (seq) => JSON.stringify({ event: "stop", sequence_number: seqOf(seq), stream_sid: streamSid, stop: { call_sid: callSid, reason: "callended" } }),
    decode: (payload) => bytesToInt16(Buffer.from(payload, "base64")),
  };
}

interface StoredCallDetail {
  id: string;
  outcome: string | null;
  reason: string | null;
  status: string;
  answers: Record<string, AnswerValue>;
  turns: Array<{ turnId: number; prompt: string; heard: string; understood: string; stages: CallerTurn["stages"]; voiceToVoiceMs: number | null }>;
}

/** The server's record of the call, once it has ended (it is written as the call ends). */
async function readRecord(o: PhoneCallerOptions, carrierCallId: string): Promise<StoredCallDetail | undefined> {
  const headers: Record<string, string> = o.adminToken ? { authorization: `Bearer ${o.adminToken}` } : {};
  for (let attempt = 0; attempt < 30; attempt++) {
    const list = await fetch(new URL(`/api/calls?carrierCallId=${encodeURIComponent(carrierCallId)}`, o.baseUrl), { headers });
    if (list.ok) {
      const { calls } = (await list.json()) as { calls: Array<{ id: string }> };
      if (calls[0]) {
        const detail = (await (await fetch(new URL(`/api/calls/${calls[0].id}`, o.baseUrl), { headers })).json()) as StoredCallDetail;
        if (detail.status === "ended") return detail;
      }
    } else if (list.status === 401 || list.status === 403) {
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

export async function runPhoneCaller(o: PhoneCallerOptions): Promise<PhoneCallerResult> {
  const started = performance.now();
  const carrierCallId = sid("CA");
  const replyDelayMs = o.replyDelayMs ?? 250;
  const result: PhoneCallerResult = {
    callId: null, outcome: null, label: null, reason: null, answers: {}, turns: [], errors: [],
    completed: false, durationMs: 0, botAudioMs: 0, carrierCallId, marks: 0, clears: 0,
  };
  const event = o.onEvent ?? (() => {});
  let line: Line;
  try {
    line = o.carrier === "twilio" ? await openTwilio(o, carrierCallId) : openExotel(o, carrierCallId);
  } catch (err) {
    result.errors.push({ code: "connect", message: (err as Error).message });
    return result;
  }
  // Where the caller starts and stops talking is taken from their own (wideband) speech: the
  // phone band cuts the tail of fricatives ("yes", "months") below the voicing threshold, which
  // would start the clock up to ~90 ms early and charge the carrier path for it.
  const toLine = (i: number) => (i < 0 ? i : Math.floor((i * RATE_HZ) / CALLER_RATE_HZ));
  const answers = o.answers.map((a) => {
    if (a.kind !== "audio") return a;
    const voiced = voicedRange(a.samples);
    return { ...a, samples: resample(a.samples, CALLER_RATE_HZ, RATE_HZ), firstVoiced: toLine(voiced.first), lastVoiced: toLine(voiced.last) };
  });

  await new Promise<void>((resolve) => {
    const { ws } = line;
    let seq = 1;
    let framesSent = 0;
    let t0 = 0;
    let pump: NodeJS.Timeout | undefined;
    let scheduled: NodeJS.Timeout | undefined;
    let ended = false;
    let answerIndex = 0;
    let speaking: { samples: Int16Array; at: number; turn: CallerTurn; firstVoiced: number; lastVoiced: number } | undefined;
    /** When the bot audio received so far will have finished playing. */
    let playEndAt = 0;
    let botTalking = false;
    const marks = new Map<string, NodeJS.Timeout>();
    let awaiting: { turn: CallerTurn; lastVoicedAt: number } | undefined;
    /** A turn spoken over the bot: when its speech began, whether the server cleared, whether it has finished speaking. */
    let barge: { turn: CallerTurn; firstVoicedAt: number | null; cleared: boolean; spoken: boolean } | undefined;
    let outFrames: Int16Array[] = [];

    const send = (text: string) => {
      if (ws.readyState === ws.OPEN) ws.send(text);
    };
    const finish = () => {
      if (ended) return;
      ended = true;
      if (pump) clearInterval(pump);
      if (scheduled) clearTimeout(scheduled);
      for (const t of marks.values()) clearTimeout(t);
      clearTimeout(timeout);
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      resolve();
    };
    const timeout = setTimeout(() => {
      result.errors.push({ code: "timeout", message: `no end of call within ${o.timeoutMs ?? 120000} ms; hanging up` });
      send(line.stop(++seq));
      finish();
    }, o.timeoutMs ?? 120_000);

    const newTurn = (said: string): CallerTurn => ({ ...emptyTurn(), said });

    const sendFrames = () => {
      const due = Math.floor((performance.now() - t0) / FRAME_MS);
      while (framesSent < due) {
        const frame = new Int16Array(FRAME_SAMPLES);
        const sentAt = t0 + (framesSent + 1) * FRAME_MS;
        if (speaking) {
          const from = framesSent * FRAME_SAMPLES - speaking.at;
          if (from >= 0 && from < speaking.samples.length) {
            frame.set(speaking.samples.subarray(from, from + FRAME_SAMPLES));
            const end = from + FRAME_SAMPLES;
            if (barge?.turn === speaking.turn && barge.firstVoicedAt === null && speaking.firstVoiced >= 0 && speaking.firstVoiced < end) barge.firstVoicedAt = sentAt;
            if (speaking.lastVoiced >= from && speaking.lastVoiced < end) {
              awaiting = { turn: speaking.turn, lastVoicedAt: sentAt };
              if (barge?.turn === speaking.turn) barge.spoken = true;
            }
          } else if (from >= speaking.samples.length) {
            speaking = undefined;
          }
        }
        outFrames.push(frame);
        framesSent++;
        if (outFrames.length >= line.framesPerMessage) {
          const samples = new Int16Array(outFrames.length * FRAME_SAMPLES);
          outFrames.forEach((f, i) => samples.set(f, i * FRAME_SAMPLES));
          outFrames = [];
          send(line.media(samples, ++seq, framesSent, framesSent * FRAME_MS));
        }
      }
    };

    const bargeInFor = (index: number) => o.bargeInMs !== undefined && (!o.bargeInAt || o.bargeInAt.includes(index));

    const speakNext = () => {
      scheduled = undefined;
      if (ended) return;
      const answer = answers[answerIndex];
      if (!answer) return;
      const index = answerIndex++;
      if (answer.kind === "silence" || answer.kind === "text") return;
      if (answer.kind === "dtmf") {
        const turn = newTurn(`dtmf:${answer.digits}`);
        result.turns.push(turn);
        [...answer.digits].forEach((digit, i) => {
          setTimeout(() => {
            send(line.dtmf(digit, ++seq));
            if (i === answer.digits.length - 1) awaiting = { turn, lastVoicedAt: performance.now() };
          }, i * DIGIT_GAP_MS);
        });
        event(`caller keys ${answer.digits}`);
        return;
      }
      const turn = newTurn(answer.label);
      result.turns.push(turn);
      if (bargeInFor(index)) barge = { turn, firstVoicedAt: null, cleared: false, spoken: false };
      speaking = { samples: answer.samples, at: framesSent * FRAME_SAMPLES, turn, firstVoiced: answer.firstVoiced, lastVoiced: answer.lastVoiced };
      event(`caller says "${answer.label}"`);
    };
    const schedule = (ms: number) => {
      if (scheduled) clearTimeout(scheduled);
      scheduled = setTimeout(speakNext, Math.max(0, ms));
    };

    const echoMark = (name: string) => {
      marks.delete(name);
      send(line.mark(name, ++seq));
      result.marks++;
      if (marks.size > 0) return;
      botTalking = false;
      if (!speaking && !scheduled && !bargeInFor(answerIndex)) schedule(replyDelayMs);
    };

    ws.on("open", () => {
      for (const m of line.hello) send(m);
      t0 = performance.now();
      pump = setInterval(sendFrames, 10);
    });
    ws.on("message", (data) => {
      const now = performance.now();
      let m: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
      try {
        m = JSON.parse(String(data)) as typeof m;
      } catch {
        result.errors.push({ code: "bad_json", message: "server sent a non-JSON frame" });
        return;
      }
      switch (m.event) {
        case "media": {
          o.onBotAudio?.(Buffer.from(m.media?.payload ?? "", "base64"));
          const samples = line.decode(m.media?.payload ?? "");
          const ms = (samples.length / RATE_HZ) * 1000;
          result.botAudioMs += ms;
          playEndAt = Math.max(playEndAt, now) + ms;
          // Bot audio after `clear` while the caller is still talking: audio that should have stopped.
          if (barge?.cleared && !barge.spoken) barge.turn.framesAfterInterrupt++;
          if (awaiting) {
            awaiting.turn.voiceToVoiceMs = Math.round((now - awaiting.lastVoicedAt) * 10) / 10;
            awaiting = undefined;
          }
          if (!botTalking) {
            botTalking = true;
            if (barge?.cleared) barge = undefined;
            if (bargeInFor(answerIndex)) schedule(o.bargeInMs!);
          }
          return;
        }
        case "mark": {
          const name = m.mark?.name ?? "";
          // Played out when the audio sent before it has been heard.
          marks.set(name, setTimeout(() => echoMark(name), Math.max(0, playEndAt - now)));
          return;
        }
        case "clear":
          result.clears++;
          playEndAt = now;
          if (barge && barge.firstVoicedAt !== null && !barge.cleared) {
            barge.cleared = true;
            barge.turn.bargeInMs = Math.round((now - barge.firstVoicedAt) * 10) / 10;
          }
          event("server cleared the bot's audio (barge-in)");
          for (const [name, timer] of [...marks]) {
            clearTimeout(timer);
            echoMark(name);
          }
          botTalking = false;
          return;
        default:
          result.errors.push({ code: "unknown_event", message: `server sent event ${String(m.event)}` });
      }
    });
    ws.on("close", finish);
    ws.on("error", (err) => {
      result.errors.push({ code: "socket", message: err.message });
      finish();
    });
  });

  const record = await readRecord(o, carrierCallId);
  result.durationMs = Math.round(performance.now() - started);
  if (record) {
    result.callId = record.id;
    result.outcome = record.outcome;
    result.label = record.outcome;
    result.reason = record.reason;
    result.answers = record.answers;
    result.completed = record.outcome !== null && record.outcome !== "dropped";
    // The record holds every caller turn, including those the caller stayed silent in.
    const answered = record.turns.filter((t) => t.understood !== "no_input");
    answered.forEach((stored, i) => {
      const turn = result.turns[i] ?? (result.turns[i] = emptyTurn());
      turn.turnId = stored.turnId;
      turn.prompt = stored.prompt;
      turn.heard = stored.heard;
      turn.understood = stored.understood;
      turn.stages = stored.stages;
      turn.serverVoiceToVoiceMs = stored.voiceToVoiceMs;
    });
  } else {
    result.errors.push({ code: "no_record", message: "the call record could not be read (ADMIN_TOKEN?)" });
  }
  return result;
}

const emptyTurn = (): CallerTurn => ({
  turnId: null, prompt: "", said: "", heard: "", understood: "", voiceToVoiceMs: null, stages: null,
  serverVoiceToVoiceMs: null, bargeInMs: null, framesAfterInterrupt: 0,
});
