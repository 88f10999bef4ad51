import type { Channel } from "../transport/protocol";
import type { CallSummary, TurnRecord } from "./session";

export interface CallStart {
  callId: string;
  flowId: string;
  flowVersion: number;
  channel: Channel;
  startedAt: Date;
  /** Which engine did what in this call, e.g. { asr: "embedded", tts: "flite:slt" }. */
  providers: Record<string, string>;
  /** The carrier's id for phone calls (Twilio CallSid, Exotel call_sid). */
  carrierCallId?: string | null;
}

/**
 * Where a call is recorded as it happens (lib/store/call-store.ts). The session calls these in
 * order, one at a time, and waits for `turn` before it speaks the reply to that turn.
 */
export interface CallRecorder {
  started(c: CallStart): Promise<void>;
  /** A finished caller turn and the answers so far. */
  turn(callId: string, turn: TurnRecord, answers: Record<string, string | number | boolean>): Promise<void>;
  /** The turn's latency, known once the reply's first audio left. */
  measured(callId: string, turn: TurnRecord): Promise<void>;
  ended(summary: CallSummary): Promise<void>;
}
