import WebSocket from "ws";
import { bytesToInt16, clampInt16, int16ToBytes } from "../audio/pcm";
import type { AnswerValue } from "../bot/types";
import type { Channel, ServerMessage, TurnStages } from "../transport/protocol";

/**
 * A simulated caller that speaks the public /ws/voice protocol like a real microphone: 20 ms
 * frames of 16 kHz PCM16 sent in real time, silence between answers. It waits for each bot turn
 * to finish playing (it keeps its own playback clock), then speaks the next answer. Used by the
 * caller CLI, the integration tests and the benchmarks.
 */

export const CALLER_RATE_HZ = 16000;
const FRAME_SAMPLES = 320;
const FRAME_MS = 20;
/** Samples louder than this count as voiced when the caller measures its own last voiced sample. */
const VOICED_ABS = 600;

export type CallerAnswer =
  | { kind: "audio"; samples: Int16Array; label: string }
  | { kind: "text"; text: string }
  /** Say nothing at this turn (exercises the no-input path). */
  | { kind: "silence" }
  /** Keypad digits (phone channels only: lib/client/phone-caller.ts). */
  | { kind: "dtmf"; digits: string };

export interface CallerOptions {
  url: string;
  bot: string;
  answers: CallerAnswer[];
  channel?: Channel;
  /** Gap after the bot stops before the caller answers (a human's reaction time). */
  replyDelayMs?: number;
  /**
   * Answer N ms after the bot *starts* a turn instead of after it ends (barge-in). Applies to
   * the answers whose index is in `bargeInAt` (all when omitted and bargeInMs is set).
   */
  bargeInMs?: number;
  bargeInAt?: number[];
  /** Give up after this long. */
  timeoutMs?: number;
  /**
   * Background noise at the caller's microphone, added to every frame sent (speech and pauses
   * alike), looped: a noisy line. 16 kHz, already at its level.
   */
  lineNoise?: Float32Array;
  /** Called for every server message (the CLI prints them). */
  onMessage?: (m: ServerMessage) => void;
  origin?: string;
}

export interface CallerTurn {
  turnId: number | null;
  prompt: string;
  said: string;
  heard: string;
  understood: string;
  /** Caller's last voiced sample sent → first frame of the bot's reply received. */
  voiceToVoiceMs: number | null;
  /** Server-measured stages and voice-to-voice for this turn. */
  stages: TurnStages | null;
  serverVoiceToVoiceMs: number | null;
  /** When the caller spoke over the bot: first voiced sample sent → server's interrupt received. */
  bargeInMs: number | null;
  /** Bot audio frames received after the interrupt (a well-behaved server sends none). */
  framesAfterInterrupt: number;
}

export interface CallerResult {
  callId: string | null;
  outcome: string | null;
  label: string | null;
  reason: string | null;
  answers: Record<string, AnswerValue>;
  turns: CallerTurn[];
  errors: Array<{ code: string; message: string }>;
  completed: boolean;
  durationMs: number;
  botAudioMs: number;
}

/** The first and last voiced samples of an answer (-1 when it is silent): where the caller starts and stops talking. */
export function voicedRange(samples: Int16Array): { first: number; last: number } {
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]!) > VOICED_ABS) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return { first, last };
}

export function runCaller(options: CallerOptions): Promise<CallerResult> {
  const replyDelayMs = options.replyDelayMs ?? 250;
  const started = performance.now();
  const result: CallerResult = {
    callId: null, outcome: null, label: null, reason: null, answers: {}, turns: [], errors: [],
    completed: false, durationMs: 0, botAudioMs: 0,
  };

  return new Promise((resolve) => {
    const ws = new WebSocket(options.url, options.origin ? { origin: options.origin } : {});
    let answerIndex = 0;
    /** Audio queued to send after the current answer starts (real time). */
    let speaking: { samples: Int16Array; at: number; turn: CallerTurn; lastVoiced: number; firstVoiced: number } | undefined;
    let framesSent = 0;
    let t0 = 0;
    let pump: NodeJS.Timeout | undefined;
    let scheduled: NodeJS.Timeout | undefined;
    let lastBotText = "";
    let botTurnId = 0;
    let botTurnStartedAt = 0;
    let playheadAt = 0;
    let ended = false;
    let resultSeen = false;
    /** The caller turn waiting for the bot's reply to start. */
    let awaiting: { turn: CallerTurn; lastVoicedAt: number; final: boolean; replyTurn: number | null } | undefined;
    let bargeTurn: { turn: CallerTurn; firstVoicedAt: number | null; interrupted: boolean } | undefined;

    const finish = () => {
      if (ended) return;
      ended = true;
      if (pump) clearInterval(pump);
      if (scheduled) clearTimeout(scheduled);
      clearTimeout(timeout);
      result.durationMs = Math.round(performance.now() - started);
      result.completed = resultSeen;
      if (ws.readyState === ws.OPEN) ws.close(1000);
      resolve(result);
    };
    const timeout = setTimeout(() => {
      result.errors.push({ code: "timeout", message: `no end of call within ${options.timeoutMs ?? 120000} ms` });
      finish();
    }, options.timeoutMs ?? 120_000);

    const newTurn = (said: string): CallerTurn => ({
      turnId: null, prompt: lastBotText, said, heard: "", understood: "", voiceToVoiceMs: null, stages: null,
      serverVoiceToVoiceMs: null, bargeInMs: null, framesAfterInterrupt: 0,
    });

    const sendFrames = () => {
      if (ws.readyState !== ws.OPEN) return;
      const now = performance.now();
      const due = Math.floor((now - t0) / FRAME_MS);
      while (framesSent < due) {
        const frame = new Int16Array(FRAME_SAMPLES);
        if (speaking) {
          const from = framesSent * FRAME_SAMPLES - speaking.at;
          if (from >= 0 && from < speaking.samples.length) {
            frame.set(speaking.samples.subarray(from, from + FRAME_SAMPLES));
            const frameEnd = from + FRAME_SAMPLES;
            const sentAt = t0 + (framesSent + 1) * FRAME_MS;
            if (bargeTurn && bargeTurn.turn === speaking.turn && bargeTurn.firstVoicedAt === null && speaking.firstVoiced >= 0 && speaking.firstVoiced < frameEnd) {
              bargeTurn.firstVoicedAt = sentAt;
            }
            if (speaking.lastVoiced >= from && speaking.lastVoiced < frameEnd) {
              awaiting = { turn: speaking.turn, lastVoicedAt: sentAt, final: false, replyTurn: null };
            }
          } else if (from >= speaking.samples.length) {
            speaking = undefined;
          }
        }
        if (options.lineNoise) addLooped(frame, options.lineNoise, framesSent * FRAME_SAMPLES);
        ws.send(int16ToBytes(frame));
        framesSent++;
      }
    };

    const speakNext = () => {
      scheduled = undefined;
      if (ended || resultSeen) return;
      const answer = options.answers[answerIndex];
      if (!answer) return;
      const index = answerIndex++;
      if (answer.kind === "silence" || answer.kind === "dtmf") return;
      if (answer.kind === "text") {
        const turn = newTurn(answer.text);
        result.turns.push(turn);
        awaiting = { turn, lastVoicedAt: performance.now(), final: false, replyTurn: null };
        ws.send(JSON.stringify({ type: "text", text: answer.text }));
        return;
      }
      const turn = newTurn(answer.label);
      result.turns.push(turn);
      const isBargeIn = options.bargeInMs !== undefined && (!options.bargeInAt || options.bargeInAt.includes(index));
      if (isBargeIn) bargeTurn = { turn, firstVoicedAt: null, interrupted: false };
      // Start on the next frame boundary, as a microphone would.
      const voiced = voicedRange(answer.samples);
      speaking = { samples: answer.samples, at: framesSent * FRAME_SAMPLES, turn, lastVoiced: voiced.last, firstVoiced: voiced.first };
    };

    const schedule = (delayMs: number) => {
      if (scheduled) clearTimeout(scheduled);
      scheduled = setTimeout(speakNext, Math.max(0, delayMs));
    };

    const bargeInNow = () => options.bargeInMs !== undefined && (!options.bargeInAt || options.bargeInAt.includes(answerIndex));

    ws.on("open", () => {
      ws.send(JSON.stringify({ type: "start", protocol: 1, bot: options.bot, sampleRateHz: CALLER_RATE_HZ, channel: options.channel ?? "cli" }));
    });

    ws.on("message", (data, isBinary) => {
      const now = performance.now();
      if (isBinary) {
        const samples = bytesToInt16(data as Buffer);
        const ms = (samples.length / CALLER_RATE_HZ) * 1000;
        result.botAudioMs += ms;
        playheadAt = Math.max(playheadAt, now) + ms;
        if (bargeTurn?.interrupted) bargeTurn.turn.framesAfterInterrupt++;
        if (awaiting && awaiting.final && awaiting.replyTurn === botTurnId) {
          awaiting.turn.voiceToVoiceMs = Math.round((now - awaiting.lastVoicedAt) * 10) / 10;
          awaiting = undefined;
        }
        return;
      }
      let m: ServerMessage;
      try {
        m = JSON.parse((data as Buffer).toString("utf8")) as ServerMessage;
      } catch {
        return;
      }
      options.onMessage?.(m);
      switch (m.type) {
        case "ready":
          result.callId = m.callId;
          t0 = performance.now();
          pump = setInterval(sendFrames, 10);
          break;
        case "bot_text":
          lastBotText = m.text;
          break;
        case "audio_start":
          botTurnId = m.turnId;
          botTurnStartedAt = now;
          playheadAt = now;
          if (bargeTurn) bargeTurn = undefined;
          if (awaiting?.final && awaiting.replyTurn === null) awaiting.replyTurn = m.turnId;
          if (!resultSeen && bargeInNow()) schedule(options.bargeInMs!);
          break;
        case "audio_end":
          if (!resultSeen && !bargeInNow() && !scheduled && !speaking) {
            schedule(playheadAt - now + replyDelayMs);
          }
          break;
        case "interrupt":
          if (bargeTurn && bargeTurn.firstVoicedAt !== null && !bargeTurn.interrupted) {
            bargeTurn.interrupted = true;
            bargeTurn.turn.bargeInMs = Math.round((now - bargeTurn.firstVoicedAt) * 10) / 10;
          }
          playheadAt = now;
          break;
        case "transcript":
          if (m.final) {
            const turn = awaiting?.turn ?? result.turns[result.turns.length - 1];
            if (turn) {
              turn.turnId = m.turnId;
              turn.heard = m.text;
              turn.understood = m.understood ?? "";
            }
            if (awaiting) awaiting.final = true;
          }
          break;
        case "metrics": {
          const turn = result.turns.find((t) => t.turnId === m.turnId);
          if (turn) {
            turn.stages = m.stages;
            turn.serverVoiceToVoiceMs = m.voiceToVoiceMs;
          }
          break;
        }
        case "result":
          resultSeen = true;
          result.outcome = m.outcome;
          result.label = m.label;
          result.reason = m.reason;
          result.answers = m.answers;
          break;
        case "error":
          result.errors.push({ code: m.code, message: m.message });
          break;
        case "state":
          if (m.state === "ended") setTimeout(finish, 50);
          break;
      }
      void botTurnStartedAt;
    });
    ws.on("close", finish);
    ws.on("error", (err) => {
      result.errors.push({ code: "socket", message: err.message });
      finish();
    });
  });
}

/** Adds `noise` (looped, from sample `at` of the line) to `frame` in place. */
function addLooped(frame: Int16Array, noise: Float32Array, at: number): void {
  for (let i = 0; i < frame.length; i++) frame[i] = clampInt16(frame[i]! + noise[(at + i) % noise.length]!);
}
