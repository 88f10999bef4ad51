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
/** Bounds of a `playback` report: no bot turn is an hour long or runs dry 100 000 times. */
export const MAX_PLAYBACK_TURN_ID = 100_000;
export const MAX_PLAYED_MS = 3_600_000;
export const MAX_UNDERRUNS = 100_000;

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
  /** The caller is typing an answer: the no-input reprompt waits (send at most about once a second). */
  z.object({ type: z.literal("typing") }),
  /** The client wants the bot to stop talking now (e.g. a stop button). */
  z.object({ type: z.literal("interrupt") }),
  /** Playback progress of a bot turn, so the server knows what the caller actually heard. */
  z.object({
    type: z.literal("playback"),
    turnId: z.number().int().nonnegative().max(MAX_PLAYBACK_TURN_ID),
    playedMs: z.number().nonnegative().max(MAX_PLAYED_MS),
    underruns: z.number().int().nonnegative().max(MAX_UNDERRUNS).default(0),
  }),
  z.object({ type: z.literal("end") }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** How a caller turn was given: spoken, typed in the browser, or keyed on a phone keypad (DTMF). */
export const TurnSource = z.enum(["speech", "text", "dtmf"]);
export type TurnSource = z.infer<typeof TurnSource>;

export const InterruptReason = z.enum(["barge_in", "typed", "keypad", "client", "timeout"]);
export type InterruptReason = z.infer<typeof InterruptReason>;

export const CallState = z.enum(["listening", "thinking", "speaking", "ended"]);
export type CallState = z.infer<typeof CallState>;

export const TurnStages = z.object({
  /** Caller's last voiced sample → end of turn decided (the silence window). */
  endpointMs: z.number(),
  /** End of turn → final transcript. */
  asrMs: z.number(),
  /** Understanding + state machine. */
  decisionMs: z.number(),
  /** Reply requested → first bot audio available (≈0 for cached prompts). */
  ttsFirstAudioMs: z.number(),
  /** The caller's turn written to the call store before its reply plays (absent without a store). */
  recordMs: z.number().optional(),
});
export type TurnStages = z.infer<typeof TurnStages>;

export const ERROR_CODES = [
  "bad_json",
  "bad_message",
  "unsupported_protocol",
  "unknown_bot",
  "not_started",
  "already_started",
  "unsupported_sample_rate",
  "bad_frame",
  "frame_too_large",
  "busy",
  "call_too_long",
  "start_timeout",
  "origin_not_allowed",
  "too_many_connections",
  "shutting_down",
  "internal_error",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const OUTCOMES = ["qualified", "not_qualified", "transfer", "stopped", "incomplete"] as const satisfies readonly Outcome[];
const AnswerValueSchema = z.union([z.boolean(), z.number(), z.string()]) satisfies z.ZodType<AnswerValue>;

/**
 * Every text message the server sends. The server builds them as typed values; clients (the
 * browser, the caller CLI) validate what they receive against this schema.
 */
export const ServerMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("ready"),
    protocol: z.number(),
    callId: z.string(),
    bot: z.string(),
    botName: z.string(),
    inputSampleRateHz: z.number(),
    outputSampleRateHz: z.number(),
    questions: z.array(z.object({ id: z.string(), prompt: z.string() })),
  }),
  z.object({ type: z.literal("state"), state: CallState }),
  /** What the caller said; interim results have final=false. */
  z.object({
    type: z.literal("transcript"),
    turnId: z.number(),
    final: z.boolean(),
    text: z.string(),
    source: TurnSource,
    confidence: z.number().optional(),
    /** What it meant, on final transcripts. */
    understood: z.string().optional(),
  }),
  /** What the bot says in the turn whose audio follows. */
  z.object({ type: z.literal("bot_text"), turnId: z.number(), text: z.string() }),
  z.object({ type: z.literal("audio_start"), turnId: z.number(), sampleRateHz: z.number() }),
  z.object({ type: z.literal("audio_end"), turnId: z.number(), durationMs: z.number() }),
  /** Stop playing now and drop buffered bot audio of this turn. */
  z.object({
    type: z.literal("interrupt"),
    turnId: z.number(),
    reason: InterruptReason,
    playedMs: z.number(),
  }),
  z.object({ type: z.literal("answer"), questionId: z.string(), value: AnswerValueSchema, meetsRule: z.boolean() }),
  z.object({
    type: z.literal("metrics"),
    turnId: z.number(),
    questionId: z.string().nullable(),
    source: TurnSource,
    stages: TurnStages,
    /** Caller's last voiced sample (as received) → first bot audio frame sent. */
    voiceToVoiceMs: z.number(),
  }),
  z.object({
    type: z.literal("result"),
    outcome: z.enum(OUTCOMES),
    label: z.string(),
    reason: z.string(),
    answers: z.record(z.string(), AnswerValueSchema),
    /** The flow's closing message for the outcome: what happens next, in the bot's words. */
    message: z.string(),
    durationMs: z.number(),
  }),
  z.object({ type: z.literal("error"), code: z.enum(ERROR_CODES), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

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
