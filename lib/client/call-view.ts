import type { AnswerValue } from "../bot/types";
import { percentile } from "../stats";
import type { CallState, ServerMessage, TurnSource, TurnStages } from "../transport/protocol";

/**
 * What the call screen shows, as a pure function of what happened: server messages, the socket's
 * life, the microphone and the playback worklet. The browser's zustand store holds one CallView
 * and applies events with `reduceCall`; components only read it. No business logic lives here:
 * the server decides, this mirrors.
 */
export type MicStatus = "off" | "requesting" | "on" | "denied" | "no_device" | "in_use" | "unsupported" | "error";
export type CallStatus = "idle" | "connecting" | "live" | "ended" | "failed";

export interface TranscriptEntry {
  /** `c<turnId>` for the caller, `b<turnId>` for the bot (the two turn counters are separate). */
  key: string;
  who: "caller" | "bot";
  turnId: number;
  text: string;
  final: boolean;
  source?: TurnSource;
  understood?: string;
  /** Bot turns cut off by the caller: how much of it they heard. */
  interruptedAtMs?: number;
}

export interface TurnLatency {
  /** Caller turn id. */
  turnId: number;
  questionId: string | null;
  source: TurnSource;
  stages: TurnStages | null;
  /** Server-measured: caller's last voiced sample as received → first bot frame sent. */
  serverV2vMs: number | null;
  /**
   * Browser-measured: the page's own VAD's last voiced sample → first bot sample played (typed
   * turns: answer sent → first bot sample played).
   */
  browserV2vMs: number | null;
}

export interface ResultView {
  outcome: string;
  label: string;
  reason: string;
  answers: Record<string, AnswerValue>;
  /** What happens next, in the bot's words (the flow's closing message). */
  message: string;
  durationMs: number;
}

export interface CallView {
  status: CallStatus;
  mic: MicStatus;
  micMessage: string | null;
  inputMode: "voice" | "text" | null;
  callId: string | null;
  botName: string | null;
  questions: Array<{ id: string; prompt: string }>;
  botState: CallState | null;
  entries: TranscriptEntry[];
  answers: Record<string, { value: AnswerValue; meetsRule: boolean }>;
  result: ResultView | null;
  turns: TurnLatency[];
  /** Underruns per bot turn, as the playback worklet last reported them. */
  underrunsByTurn: Record<number, number>;
  /** Why the call ended other than normally, for the person (null when it ended cleanly). */
  disconnect: string | null;
  lastError: { code: string; message: string } | null;
  /** A spoken caller turn whose reply has not started playing yet: the client VAD's voice end. */
  pendingVoiceEnd: { turnId: number; time: number } | null;
}

export type CallEvent =
  | { kind: "reset" }
  | { kind: "starting"; inputMode: "voice" | "text" }
  | { kind: "mic"; status: MicStatus; message?: string }
  /**
   * A server message. On final transcripts `voiceEndTime` (AudioContext s) is where the turn's
   * response clock starts: the client VAD's last voiced time, or when a typed answer was sent.
   */
  | { kind: "server"; message: ServerMessage; voiceEndTime?: number | null }
  | { kind: "socket_closed"; code: number; reason: string }
  | { kind: "playback_started"; turnId: number; time: number }
  | { kind: "playback_progress"; turnId: number; underruns: number };

export const initialCallView = (): CallView => ({
  status: "idle",
  mic: "off",
  micMessage: null,
  inputMode: null,
  callId: null,
  botName: null,
  questions: [],
  botState: null,
  entries: [],
  answers: {},
  result: null,
  turns: [],
  underrunsByTurn: {},
  disconnect: null,
  lastError: null,
  pendingVoiceEnd: null,
});

/** What an abnormal close means for the person on the call. */
export function describeClose(code: number, reason: string, hadResult: boolean): string | null {
  if (code === 1000) return hadResult || reason === "ended by client" ? null : "The call ended.";
  switch (code) {
    case 1013:
      return "All lines are busy right now. Please try again in a minute.";
    case 4001:
      return "The call did not start in time. Please try again.";
    case 4002:
      return "The call reached its maximum length and was ended.";
    case 4003:
      return "The call was ended after too many errors.";
    case 1009:
      return "The connection was closed because a message was too large.";
    default:
      return "The connection to the server was lost. Check your network and start a new call.";
  }
}

const upsert = (entries: TranscriptEntry[], entry: TranscriptEntry): TranscriptEntry[] => {
  const i = entries.findIndex((e) => e.key === entry.key);
  if (i < 0) return [...entries, entry];
  const next = entries.slice();
  next[i] = { ...entries[i]!, ...entry };
  return next;
};

const upsertTurn = (turns: TurnLatency[], turnId: number, patch: Partial<TurnLatency>): TurnLatency[] => {
  const i = turns.findIndex((t) => t.turnId === turnId);
  const base: TurnLatency = { turnId, questionId: null, source: "speech", stages: null, serverV2vMs: null, browserV2vMs: null };
  if (i < 0) return [...turns, { ...base, ...patch }].sort((a, b) => a.turnId - b.turnId);
  const next = turns.slice();
  next[i] = { ...turns[i]!, ...patch };
  return next;
};

function reduceServer(v: CallView, m: ServerMessage, voiceEndTime: number | null | undefined): CallView {
  switch (m.type) {
    case "ready":
      return { ...v, status: "live", callId: m.callId, botName: m.botName, questions: m.questions };
    case "state":
      return { ...v, botState: m.state };
    case "bot_text":
      return { ...v, entries: upsert(v.entries, { key: `b${m.turnId}`, who: "bot", turnId: m.turnId, text: m.text, final: true }) };
    case "transcript": {
      const entries = upsert(v.entries, {
        key: `c${m.turnId}`,
        who: "caller",
        turnId: m.turnId,
        text: m.text,
        final: m.final,
        source: m.source,
        ...(m.understood ? { understood: m.understood } : {}),
      });
      if (!m.final) return { ...v, entries };
      const pendingVoiceEnd = voiceEndTime != null ? { turnId: m.turnId, time: voiceEndTime } : null;
      return { ...v, entries, pendingVoiceEnd };
    }
    case "interrupt": {
      const entry = v.entries.find((e) => e.key === `b${m.turnId}`);
      if (!entry) return v;
      return { ...v, entries: upsert(v.entries, { ...entry, interruptedAtMs: m.playedMs }) };
    }
    case "answer":
      return { ...v, answers: { ...v.answers, [m.questionId]: { value: m.value, meetsRule: m.meetsRule } } };
    case "metrics":
      return {
        ...v,
        turns: upsertTurn(v.turns, m.turnId, { questionId: m.questionId, source: m.source, stages: m.stages, serverV2vMs: m.voiceToVoiceMs }),
      };
    case "result":
      return { ...v, result: { outcome: m.outcome, label: m.label, reason: m.reason, answers: m.answers, message: m.message, durationMs: m.durationMs } };
    case "error":
      return { ...v, lastError: { code: m.code, message: m.message } };
    case "audio_start":
    case "audio_end":
      return v;
  }
}

export function reduceCall(v: CallView, e: CallEvent): CallView {
  switch (e.kind) {
    case "reset":
      return initialCallView();
    case "starting":
      return { ...initialCallView(), mic: v.mic === "on" ? "on" : "off", status: "connecting", inputMode: e.inputMode };
    case "mic":
      return { ...v, mic: e.status, micMessage: e.message ?? null };
    case "server":
      return reduceServer(v, e.message, e.voiceEndTime);
    case "socket_closed": {
      if (v.status === "idle") return v;
      const disconnect = describeClose(e.code, e.reason, v.result !== null);
      return { ...v, status: v.status === "connecting" && e.code !== 1000 ? "failed" : "ended", botState: "ended", disconnect, pendingVoiceEnd: null };
    }
    case "playback_started": {
      const p = v.pendingVoiceEnd;
      if (!p) return v;
      const ms = Math.round((e.time - p.time) * 1000);
      return { ...v, pendingVoiceEnd: null, turns: upsertTurn(v.turns, p.turnId, { browserV2vMs: Math.max(0, ms) }) };
    }
    case "playback_progress":
      if (v.underrunsByTurn[e.turnId] === e.underruns) return v;
      return { ...v, underrunsByTurn: { ...v.underrunsByTurn, [e.turnId]: e.underruns } };
  }
}

export const totalUnderruns = (v: Pick<CallView, "underrunsByTurn">): number =>
  Object.values(v.underrunsByTurn).reduce((a, b) => a + b, 0);

/** The stacked segments of one turn's voice-to-voice bar (ms); they add up to the measured total. */
export interface LatencySegments {
  turnId: number;
  label: string;
  endpointMs: number;
  asrMs: number;
  decisionMs: number;
  ttsMs: number;
  /** What the server's stages do not cover: server overhead, network, jitter buffer, playback. */
  restMs: number;
  totalMs: number;
  measuredBy: "browser" | "server";
  /** A typed answer: the clock starts when it was sent, not at the end of speech. */
  typed: boolean;
}

export function latencySegments(turns: TurnLatency[]): LatencySegments[] {
  return turns
    .filter((t) => t.stages && (t.browserV2vMs ?? t.serverV2vMs) != null)
    .map((t) => {
      const s = t.stages!;
      const totalMs = (t.browserV2vMs ?? t.serverV2vMs)!;
      const staged = s.endpointMs + s.asrMs + s.decisionMs + s.ttsFirstAudioMs;
      return {
        turnId: t.turnId,
        label: `#${t.turnId}${t.source === "text" ? " (typed)" : ""}`,
        endpointMs: s.endpointMs,
        asrMs: s.asrMs,
        decisionMs: s.decisionMs,
        ttsMs: s.ttsFirstAudioMs,
        restMs: Math.max(0, totalMs - staged),
        totalMs,
        measuredBy: t.browserV2vMs != null ? "browser" : "server",
        typed: t.source === "text",
      };
    });
}

/** p50/p95 of the browser-measured voice-to-voice of spoken turns (null until there is one). */
export function latencySummary(turns: TurnLatency[]): { count: number; p50: number; p95: number } | null {
  const values = turns.flatMap((t) => (t.source === "speech" && t.browserV2vMs != null ? [t.browserV2vMs] : []));
  if (values.length === 0) return null;
  return { count: values.length, p50: percentile(values, 50)!, p95: percentile(values, 95)! };
}

const INTENT_LABELS: Partial<Record<string, string>> = { agent: "asked for a person", hold: "asked for a moment" };

/** A short label for what the server understood (`understood` of a final transcript). */
export function describeUnderstood(understood: string | undefined): string | null {
  if (!understood) return null;
  const [kind, ...rest] = understood.split(":");
  const value = rest.join(":");
  switch (kind) {
    case "answer":
      if (value === "true") return "yes";
      if (value === "false") return "no";
      return /^\d+(\.\d+)?$/.test(value) ? Number(value).toLocaleString("en-US") : value;
    case "intent":
      return INTENT_LABELS[value] ?? value;
    case "faq":
      return "question";
    case "no_match":
      return "not understood";
    default:
      return understood;
  }
}
