import type { CallRecorder, CallStart } from "../call/recorder";
import type { CallSummary, TurnRecord } from "../call/session";
import type { Db, Queryable } from "./db";
import type { CallFilter } from "./query";

export interface StoredTurn {
  turnId: number;
  questionId: string | null;
  prompt: string;
  source: string;
  heard: string;
  understood: string;
  confidence: number | null;
  stages: { endpointMs: number; asrMs: number; decisionMs: number; ttsFirstAudioMs: number } | null;
  voiceToVoiceMs: number | null;
  /** Who recognized the caller's turn, and who spoke the reply to it (a fallback shows here). */
  asrProvider: string | null;
  ttsProvider: string | null;
  recordedAt: string;
}

export interface StoredCall {
  id: string;
  flowId: string;
  flowVersion: number;
  channel: string;
  instanceId: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  status: "live" | "ended";
  outcome: string | null;
  reason: string | null;
  answers: Record<string, string | number | boolean>;
  providers: Record<string, string>;
  playbackUnderruns: number | null;
  /** Twilio's CallSid or Exotel's call_sid for phone calls. */
  carrierCallId: string | null;
}

interface CallRow {
  id: string;
  flow_id: string;
  flow_version: number;
  channel: string;
  instance_id: string;
  started_at: Date;
  ended_at: Date | null;
  duration_ms: number | null;
  status: "live" | "ended";
  outcome: string | null;
  reason: string | null;
  answers: StoredCall["answers"];
  providers: StoredCall["providers"];
  playback_underruns: number | null;
  carrier_call_id: string | null;
}

interface TurnRow {
  turn_id: number;
  question_id: string | null;
  prompt: string;
  source: string;
  heard: string;
  understood: string;
  confidence: number | null;
  endpoint_ms: number | null;
  asr_ms: number | null;
  decision_ms: number | null;
  tts_first_audio_ms: number | null;
  voice_to_voice_ms: number | null;
  asr_provider: string | null;
  tts_provider: string | null;
  recorded_at: Date;
}

class RolledBack extends Error {}

/** A lead webhook delivery (the outbox row). */
export interface Delivery {
  id: number;
  callId: string;
  url: string;
  payload: Record<string, unknown>;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string;
  deliveredAt: string | null;
}

interface DeliveryRow {
  id: number | string;
  call_id: string;
  url: string;
  payload: Record<string, unknown>;
  status: Delivery["status"];
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  delivered_at: Date | null;
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: Number(r.id),
  callId: r.call_id,
  url: r.url,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  nextAttemptAt: new Date(r.next_attempt_at).toISOString(),
  deliveredAt: r.delivered_at ? new Date(r.delivered_at).toISOString() : null,
});

/**
 * PostgreSQL text cannot hold NUL, nor UTF-16 surrogates without their pair (it stores UTF-8): a
 * typed answer may hold either (a fuzzer's does). Store U+FFFD instead.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const text = (s: string) => s.replace(UNSTORABLE, "\uFFFD");
const json = (v: unknown) => JSON.stringify(v, (_key, x: unknown) => (typeof x === "string" ? text(x) : x));

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

const toCall = (r: CallRow): StoredCall => ({
  id: r.id,
  flowId: r.flow_id,
  flowVersion: r.flow_version,
  channel: r.channel,
  instanceId: r.instance_id,
  startedAt: iso(r.started_at)!,
  endedAt: iso(r.ended_at),
  durationMs: r.duration_ms,
  status: r.status,
  outcome: r.outcome,
  reason: r.reason,
  answers: r.answers,
  providers: r.providers,
  playbackUnderruns: r.playback_underruns,
  carrierCallId: r.carrier_call_id,
});

const toTurn = (r: TurnRow): StoredTurn => ({
  turnId: r.turn_id,
  questionId: r.question_id,
  prompt: r.prompt,
  source: r.source,
  heard: r.heard,
  understood: r.understood,
  confidence: r.confidence,
  stages:
    r.endpoint_ms === null
      ? null
      : { endpointMs: r.endpoint_ms, asrMs: r.asr_ms ?? 0, decisionMs: r.decision_ms ?? 0, ttsFirstAudioMs: r.tts_first_audio_ms ?? 0 },
  voiceToVoiceMs: r.voice_to_voice_ms,
  asrProvider: r.asr_provider,
  ttsProvider: r.tts_provider,
  recordedAt: iso(r.recorded_at)!,
});

/**
 * Call records: written as a call happens (the session awaits each turn's row before it speaks
 * the reply), read by the API and dashboard. The same SQL runs on PGlite and PostgreSQL.
 */
export type CallChange = { type: "started" | "turn" | "ended"; callId: string };

/** The PostgreSQL channel instances announce their call changes on. */
export const CHANGES_CHANNEL = "voice_call_changes";

export class CallStore implements CallRecorder {
  private readonly listeners = new Set<(c: CallChange) => void>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    readonly db: Db,
    readonly instanceId: string,
    /** Qualified calls are queued for this URL (the lead webhook) in the same write that ends them. */
    readonly leadWebhookUrl?: string,
  ) {}

  /** Called after each write that changes what a dashboard shows. Returns the unsubscribe. */
  subscribe(listener: (c: CallChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(c: CallChange): void {
    for (const l of this.listeners) l(c);
    // Other instances on the same PostgreSQL hear it too (their dashboards update live).
    if (this.db.listen) {
      void this.db.query("SELECT pg_notify($1, $2)", [CHANGES_CHANNEL, JSON.stringify({ ...c, instanceId: this.instanceId })]).catch(() => undefined);
    }
  }

  /** Relays other instances' changes to this one's subscribers (PostgreSQL only). */
  async listenToOtherInstances(): Promise<void> {
    if (!this.db.listen || this.stopListening) return;
    this.stopListening = await this.db.listen(CHANGES_CHANNEL, (payload) => {
      let c: CallChange & { instanceId?: string };
      try {
        c = JSON.parse(payload) as CallChange & { instanceId?: string };
      } catch {
        return;
      }
      if (c.instanceId === this.instanceId) return;
      for (const l of this.listeners) l({ type: c.type, callId: c.callId });
    });
  }

  /**
   * Calls this instance left live when it last stopped (a crash, kill -9) are over: mark them
   * dropped, keeping their turns, ended at their last recorded turn. An embedded database has
   * one server (its directory is locked), so every live call in it is this server's; on a
   * shared PostgreSQL only those of this INSTANCE_ID are. (A call left live for weeks would
   * overflow duration_ms: it is capped, so recovery never fails a start.)
   */
  async recoverInterrupted(): Promise<number> {
    const own = this.db.kind === "pglite" ? "" : "AND c.instance_id = $1";
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE calls c SET status = 'ended', outcome = 'dropped', reason = 'server stopped during the call',
         ended_at = coalesce((SELECT max(t.recorded_at) FROM turns t WHERE t.call_id = c.id), c.started_at),
         duration_ms = least(2147483647, round(extract(epoch FROM coalesce((SELECT max(t.recorded_at) FROM turns t WHERE t.call_id = c.id), c.started_at) - c.started_at) * 1000))
       WHERE c.status = 'live' ${own}
       RETURNING c.id`,
      own ? [this.instanceId] : [],
    );
    return rows.length;
  }

  async started(c: CallStart): Promise<void> {
    await this.db.query(
      `INSERT INTO calls (id, flow_id, flow_version, channel, instance_id, started_at, providers, carrier_call_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [c.callId, c.flowId, c.flowVersion, c.channel, this.instanceId, c.startedAt, json(c.providers), c.carrierCallId === undefined || c.carrierCallId === null ? null : text(c.carrierCallId)],
    );
    this.changed({ type: "started", callId: c.callId });
  }

  async turn(callId: string, t: TurnRecord, answers: Record<string, string | number | boolean>): Promise<void> {
    // One statement (one round trip, atomic): the reply to this turn waits for it.
    await this.db.query(
      `WITH t AS (
         INSERT INTO turns (call_id, turn_id, question_id, prompt, source, heard, understood, confidence, asr_provider) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10)
         ON CONFLICT (call_id, turn_id) DO UPDATE SET heard = excluded.heard, understood = excluded.understood, confidence = excluded.confidence
         RETURNING call_id)
       UPDATE calls SET answers = $9 WHERE id = (SELECT call_id FROM t)`,
      [callId, t.turnId, t.questionId, text(t.prompt), t.source, text(t.heard), text(t.understood), t.confidence, json(answers), t.asrProvider ?? null],
    );
    this.changed({ type: "turn", callId });
  }

  /**
   * Runs each write once in a transaction that is rolled back, so the first real call does not
   * pay for the database's first-use work (plans, catalog caches) while a caller waits.
   */
  async warm(): Promise<void> {
    const id = "00000000-0000-4000-8000-000000000000";
    await this.db
      .transaction(async (tx) => {
        const scoped = new CallStore({ ...this.db, query: tx.query.bind(tx) }, this.instanceId);
        await scoped.started({ callId: id, flowId: "warm", flowVersion: 1, channel: "cli", startedAt: new Date(), providers: {} });
        const turn = { turnId: 1, questionId: null, prompt: "", heard: "", understood: "", confidence: null, source: "speech" as const, stages: null, voiceToVoiceMs: null };
        await scoped.turn(id, turn, {});
        await scoped.measured(id, { ...turn, stages: { endpointMs: 0, asrMs: 0, decisionMs: 0, ttsFirstAudioMs: 0 }, voiceToVoiceMs: 0 });
        throw new RolledBack();
      })
      .catch((err: unknown) => {
        if (!(err instanceof RolledBack)) throw err;
      });
  }

  async measured(callId: string, t: TurnRecord): Promise<void> {
    if (!t.stages) return;
    await this.db.query(
      `UPDATE turns SET endpoint_ms = $3, asr_ms = $4, decision_ms = $5, tts_first_audio_ms = $6, voice_to_voice_ms = $7, tts_provider = $8 WHERE call_id = $1 AND turn_id = $2`,
      [callId, t.turnId, t.stages.endpointMs, t.stages.asrMs, t.stages.decisionMs, t.stages.ttsFirstAudioMs, t.voiceToVoiceMs, t.ttsProvider ?? null],
    );
  }

  async ended(s: CallSummary): Promise<void> {
    // One statement: the call ends and, if it qualified, its lead is queued for the webhook, or neither.
    await this.db.query(
      `WITH c AS (
         UPDATE calls SET status = 'ended', ended_at = started_at + ($2::double precision * interval '1 millisecond'), duration_ms = $3,
           outcome = $4, reason = $5, answers = $6, playback_underruns = $7 WHERE id = $1 RETURNING *)
       INSERT INTO webhook_outbox (call_id, url, payload)
       SELECT c.id, $8::text, jsonb_build_object('event', 'lead.qualified', 'callId', c.id, 'bot', c.flow_id, 'flowVersion', c.flow_version,
         'channel', c.channel, 'startedAt', c.started_at, 'endedAt', c.ended_at, 'durationMs', c.duration_ms, 'reason', c.reason, 'answers', c.answers)
       FROM c WHERE $8::text IS NOT NULL AND c.outcome = 'qualified'`,
      [s.callId, s.durationMs, Math.round(s.durationMs), s.outcome, text(s.reason), json(s.answers), s.playbackUnderruns, this.leadWebhookUrl ?? null],
    );
    this.changed({ type: "ended", callId: s.callId });
  }

  /**
   * Takes up to `limit` due deliveries for this process: each is leased (its next attempt moved
   * `leaseMs` ahead and its attempt counted) so another instance skips it meanwhile.
   */
  async claimDeliveries(limit: number, leaseMs: number): Promise<Delivery[]> {
    const { rows } = await this.db.query<DeliveryRow>(
      `UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = now() + ($2::double precision * interval '1 millisecond')
       WHERE id IN (SELECT id FROM webhook_outbox WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, call_id, url, payload, status, attempts, last_status, last_error, next_attempt_at, delivered_at`,
      [limit, leaseMs],
    );
    return rows.map(toDelivery);
  }

  async deliveryDone(id: number, httpStatus: number): Promise<void> {
    await this.db.query(`UPDATE webhook_outbox SET status = 'delivered', last_status = $2, last_error = NULL, delivered_at = now() WHERE id = $1`, [id, httpStatus]);
  }

  /** A failed attempt: retry after `retryInMs`, or give up (null). */
  async deliveryFailed(id: number, httpStatus: number | null, error: string, retryInMs: number | null): Promise<void> {
    await this.db.query(
      `UPDATE webhook_outbox SET last_status = $2, last_error = $3,
         status = CASE WHEN $4::double precision IS NULL THEN 'failed' ELSE 'pending' END,
         next_attempt_at = CASE WHEN $4::double precision IS NULL THEN next_attempt_at ELSE now() + ($4::double precision * interval '1 millisecond') END
       WHERE id = $1`,
      [id, httpStatus, text(error).slice(0, 500), retryInMs],
    );
  }

  async listCalls(f: CallFilter): Promise<{ calls: StoredCall[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace("?", `$${params.length}`));
    };
    if (f.bot) add("flow_id = ?", f.bot);
    if (f.outcome === "live") where.push("status = 'live'");
    else if (f.outcome) add("outcome = ?", f.outcome);
    if (f.channel) add("channel = ?", f.channel);
    if (f.carrierCallId) add("carrier_call_id = ?", f.carrierCallId);
    if (f.from) add("started_at >= ?", f.from);
    if (f.to) add("started_at < ?", f.to);
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const [page, count] = await Promise.all([
      this.db.query<CallRow>(`SELECT * FROM calls ${clause} ORDER BY started_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
        ...params,
        Math.trunc(f.limit),
        Math.trunc(f.offset),
      ]),
      this.db.query<{ n: number | string }>(`SELECT count(*)::int AS n FROM calls ${clause}`, params),
    ]);
    return { calls: page.rows.map(toCall), total: Number(count.rows[0]?.n ?? 0) };
  }

  /** Every call matching `f` (no page), newest first, up to `max`. */
  async exportCalls(f: Omit<CallFilter, "limit" | "offset">, max = 100_000): Promise<StoredCall[]> {
    const { calls } = await this.listCalls({ ...f, limit: max, offset: 0 });
    return calls;
  }

  async getCall(id: string): Promise<(StoredCall & { turns: StoredTurn[]; deliveries: Delivery[] }) | null> {
    const [call, turns, deliveries] = await Promise.all([
      this.db.query<CallRow>(`SELECT * FROM calls WHERE id = $1`, [id]),
      this.db.query<TurnRow>(`SELECT * FROM turns WHERE call_id = $1 ORDER BY turn_id`, [id]),
      this.db.query<DeliveryRow>(`SELECT * FROM webhook_outbox WHERE call_id = $1 ORDER BY id`, [id]),
    ]);
    const row = call.rows[0];
    return row ? { ...toCall(row), turns: turns.rows.map(toTurn), deliveries: deliveries.rows.map(toDelivery) } : null;
  }

  /** For tests and tools: run SQL in the store's database. */
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    return (this.db as Queryable).query<T>(sql, params);
  }

  async close(): Promise<void> {
    await this.stopListening?.();
    await this.db.close();
  }
}
