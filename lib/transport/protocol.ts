import { z } from "zod";
import type { AnswerValue } from "../bot/types";
import type { Outcome } from "../bot/machine";

/**
 * The /ws/voice protocol, version 1. docs/protocol.md is the reader's copy of this file.
 * Text frames carry JSON messages; binary frames carry audio (PCM16 little-endian mono).
 */
export const PROTOCOL_VERSION = 1;

export const SUPPORTED_INPUT_RATES_HZ = [8000, 16000, 24000, 44100, 48000] as const;
/** Largest accepted audio frame (ms of audio at the call's input rate). */
export const MAX_FRAME_MS = 200;
export const OUTPUT_SAMPLE_RATE_HZ = 16000;
export const OUTPUT_FRAME_MS = 20;

export const Channel = z.enum(["browser", "cli", "twilio", "exotel"]);
export type Channel = z.infer<typeof Channel>;

export const ClientMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("start"),
    protocol: z.literal(PROTOCOL_VERSION),
    bot: z.string().min(1).max(64),
    sampleRateHz: z.number().int(),
    channel: Channel.default("browser"),
  }),
  /** A typed answer instead of speech. */
  z.object({ type: z.literal("text"), text: z.string().trim().min(1).max(500) }),
  /** The client wants the bot to stop talking now (e.g. a stop button). */
  z.object({ type: z.literal("interrupt") }),
  /** Playback progress of a bot turn, so the server knows what the caller actually heard. */
  z.object({
    type: z.literal("playback"),
    turnId: z.number().int().nonnegative(),
    playedMs: z.number().nonnegative(),
    underruns: z.number().int().nonnegative().default(0),
  }),
  z.object({ type: z.literal("end") }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export type CallState = "listening" | "thinking" | "speaking" | "ended";

export interface TurnStages {
  /** Caller's last voiced sample → end of turn decided (the silence window). */
  endpointMs: number;
  /** End of turn → final transcript. */
  asrMs: number;
  /** Understanding + state machine. */
  decisionMs: number;
  /** Reply requested → first bot audio available (≈0 for cached prompts). */
  ttsFirstAudioMs: number;
}

export type ErrorCode =
  | "bad_json"
  | "bad_message"
  | "unsupported_protocol"
  | "unknown_bot"
  | "not_started"
  | "already_started"
  | "unsupported_sample_rate"
  | "bad_frame"
  | "frame_too_large"
  | "busy"
  | "call_too_long"
  | "start_timeout"
  | "origin_not_allowed"
  | "too_many_connections"
  | "internal_error";

export type ServerMessage =
  | {
      type: "ready";
      protocol: number;
      callId: string;
      bot: string;
      botName: string;
      inputSampleRateHz: number;
      outputSampleRateHz: number;
      questions: Array<{ id: string; prompt: string }>;
    }
  | { type: "state"; state: CallState }
  /** What the caller said; interim results have final=false. */
  | {
      type: "transcript";
      turnId: number;
      final: boolean;
      text: string;
      source: "speech" | "text";
      confidence?: number;
      /** What it meant, on final transcripts. */
      understood?: string;
    }
  /** What the bot says in the turn whose audio follows. */
  | { type: "bot_text"; turnId: number; text: string }
  | { type: "audio_start"; turnId: number; sampleRateHz: number }
  | { type: "audio_end"; turnId: number; durationMs: number }
  /** Stop playing now and drop buffered bot audio of this turn. */
  | { type: "interrupt"; turnId: number; reason: "barge_in" | "typed" | "client" | "timeout"; playedMs: number }
  | { type: "answer"; questionId: string; value: AnswerValue; meetsRule: boolean }
  | {
      type: "metrics";
      turnId: number;
      questionId: string | null;
      source: "speech" | "text";
      stages: TurnStages;
      /** Caller's last voiced sample (as received) → first bot audio frame sent. */
      voiceToVoiceMs: number;
    }
  | {
      type: "result";
      outcome: Outcome;
      label: string;
      reason: string;
      answers: Record<string, AnswerValue>;
      durationMs: number;
    }
  | { type: "error"; code: ErrorCode; message: string };

/** WebSocket close codes used by the server (docs/protocol.md). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  internal: 1011,
  busy: 1013,
  startTimeout: 4001,
  callTooLong: 4002,
  protocolError: 4003,
} as const;
