import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallSummary, TurnRecord } from "../call/session";
import { CallStore } from "./call-store";
import type { Db } from "./db";
import { MIGRATIONS, migrate } from "./migrations";
import { CallFilter } from "./query";
import { dashboardStats } from "./stats";
import { testDatabases } from "./testing";
import { loadFlows } from "../bot/flows";

const turn = (turnId: number, over: Partial<TurnRecord> = {}): TurnRecord => ({
  turnId,
  questionId: "salaried",
  prompt: "Are you a salaried employee?",
  heard: "yes",
  understood: "answer:true",
  confidence: 0.9,
  source: "speech",
  stages: null,
  voiceToVoiceMs: null,
  ...over,
});

const summary = (callId: string, over: Partial<CallSummary> = {}): CallSummary => ({
  callId,
  flowId: "quickrupee",
  channel: "cli",
  outcome: "qualified",
  reason: "all answers qualify",
  answers: { salaried: true, salary: 30000, city: "Mumbai" },
  turns: [],
  durationMs: 20500,
  endedBy: "flow",
  playbackUnderruns: 0,
  ...over,
});

const filter = (q: Record<string, string> = {}) => CallFilter.parse(q);
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe.each(testDatabases())("call store on $name", (database) => {
  let db: Db;
  let drop: () => Promise<void>;
  let store: CallStore;
  beforeAll(async () => {
    ({ db, drop } = await database.create());
    expect(await migrate(db)).toBe(MIGRATIONS.length);
    store = new CallStore(db, "host-a:3000");
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it("migrates once: a second run applies nothing", async () => {
    expect(await migrate(db)).toBe(0);
    const { rows } = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it("warms its writes without leaving anything behind", async () => {
    await store.warm();
    const { rows } = await db.query<{ n: number }>("SELECT (SELECT count(*) FROM calls)::int + (SELECT count(*) FROM turns)::int AS n");
    expect(rows[0]!.n).toBe(0);
  });

  it("records a call as it happens and reads it back whole", async () => {
    const id = uuid(1);
    await store.started({ callId: id, flowId: "quickrupee", flowVersion: 1, channel: "cli", startedAt: new Date("2026-11-01T10:00:00Z"), providers: { asr: "embedded", tts: "flite:slt" } });
    const live = await store.getCall(id);
    expect(live).toMatchObject({ status: "live", outcome: null, answers: {}, turns: [] });

    const t1 = turn(1);
    await store.turn(id, t1, { salaried: true });
    t1.stages = { endpointMs: 201, asrMs: 9, decisionMs: 0.4, ttsFirstAudioMs: 0.2 };
    t1.voiceToVoiceMs = 212.5;
    await store.measured(id, t1);
    await store.turn(id, turn(2, { questionId: "salary", prompt: "Is your monthly salary…?", heard: "about thirty thousand", understood: "answer:30000" }), { salaried: true, salary: 30000 });
    await store.ended(summary(id));

    const call = await store.getCall(id);
    expect(call).toMatchObject({
      id,
      flowId: "quickrupee",
      flowVersion: 1,
      channel: "cli",
      instanceId: "host-a:3000",
      startedAt: "2026-11-01T10:00:00.000Z",
      endedAt: "2026-11-01T10:00:20.500Z",
      durationMs: 20500,
      status: "ended",
      outcome: "qualified",
      reason: "all answers qualify",
      answers: { salaried: true, salary: 30000, city: "Mumbai" },
      providers: { asr: "embedded", tts: "flite:slt" },
      playbackUnderruns: 0,
    });
    expect(call!.turns).toHaveLength(2);
    expect(call!.turns[0]).toMatchObject({ turnId: 1, heard: "yes", understood: "answer:true", voiceToVoiceMs: 212.5 });
    expect(call!.turns[0]!.confidence).toBeCloseTo(0.9, 5);
    expect(call!.turns[0]!.stages).toEqual({ endpointMs: 201, asrMs: 9, decisionMs: expect.closeTo(0.4, 5), ttsFirstAudioMs: expect.closeTo(0.2, 5) });
    expect(call!.turns[1]).toMatchObject({ turnId: 2, heard: "about thirty thousand", stages: null, voiceToVoiceMs: null });
    expect(await store.getCall(uuid(999))).toBeNull();
  });

  it("stores text PostgreSQL cannot hold (NUL, unpaired surrogates) as U+FFFD instead of failing the write", async () => {
    const id = uuid(5);
    await store.started({ callId: id, flowId: "quickrupee", flowVersion: 1, channel: "browser", startedAt: new Date("2026-11-01T09:00:00Z"), providers: {} });
    await store.turn(id, turn(1, { heard: "ye\u0000s \udfff\ud800x 😀", understood: "no_match" }), { note: "a\u0000b\ud83d" });
    expect((await store.getCall(id))!.answers).toEqual({ note: "a\uFFFDb\uFFFD" });
    await store.ended(summary(id, { channel: "browser", outcome: "incomplete", reason: "r\u0000", answers: { note: "c\u0000" } }));
    const call = await store.getCall(id);
    // A surrogate pair (the emoji) is a character like any other and is kept.
    expect(call!.turns[0]!.heard).toBe("ye\uFFFDs \uFFFD\uFFFDx 😀");
    expect(call).toMatchObject({ reason: "r\uFFFD", answers: { note: "c\uFFFD" } });
  });

  it("lists calls newest first with filters and pages", async () => {
    const outcomes = ["not_qualified", "qualified", "transfer", "not_qualified", "incomplete"] as const;
    for (let i = 0; i < outcomes.length; i++) {
      const id = uuid(10 + i);
      const bot = i % 2 ? "home-renovation" : "quickrupee";
      await store.started({ callId: id, flowId: bot, flowVersion: 1, channel: i === 4 ? "browser" : "cli", startedAt: new Date(Date.UTC(2026, 10, 2, 10, i)), providers: {} });
      await store.ended(summary(id, { flowId: bot, outcome: outcomes[i], durationMs: 1000 }));
    }
    await store.started({ callId: uuid(20), flowId: "quickrupee", flowVersion: 1, channel: "cli", startedAt: new Date("2026-11-03T09:00:00Z"), providers: {} });

    const all = await store.listCalls(filter());
    expect(all.total).toBe(8);
    expect(all.calls[0]!.id).toBe(uuid(20));
    expect(all.calls.map((c) => c.startedAt)).toEqual([...all.calls.map((c) => c.startedAt)].sort().reverse());

    expect((await store.listCalls(filter({ outcome: "not_qualified" }))).calls.map((c) => c.id)).toEqual([uuid(13), uuid(10)]);
    expect((await store.listCalls(filter({ bot: "home-renovation" }))).total).toBe(2);
    expect((await store.listCalls(filter({ channel: "browser" }))).calls.map((c) => c.id)).toEqual([uuid(14), uuid(5)]);
    expect((await store.listCalls(filter({ outcome: "live" }))).calls.map((c) => c.id)).toEqual([uuid(20)]);
    expect((await store.listCalls(filter({ from: "2026-11-02T10:01:00Z", to: "2026-11-02T10:03:00Z" }))).calls.map((c) => c.id)).toEqual([uuid(12), uuid(11)]);
    const page2 = await store.listCalls(filter({ limit: "2", offset: "2" }));
    expect(page2.total).toBe(8);
    expect(page2.calls.map((c) => c.id)).toEqual(all.calls.slice(2, 4).map((c) => c.id));
  });

  it("marks its live calls dropped after a crash, turns intact", async () => {
    const mine = uuid(30);
    const other = uuid(31);
    const started = new Date("2026-11-04T08:00:00Z");
    await store.started({ callId: mine, flowId: "quickrupee", flowVersion: 1, channel: "cli", startedAt: started, providers: {} });
    await store.turn(mine, turn(1), { salaried: true });
    const elsewhere = new CallStore(db, "host-b:3000");
    await elsewhere.started({ callId: other, flowId: "quickrupee", flowVersion: 1, channel: "cli", startedAt: started, providers: {} });

    // This instance restarts.
    expect(await new CallStore(db, "host-a:3000").recoverInterrupted()).toBeGreaterThanOrEqual(1);
    const dropped = await store.getCall(mine);
    expect(dropped).toMatchObject({ status: "ended", outcome: "dropped", reason: "server stopped during the call", answers: { salaried: true } });
    expect(dropped!.turns.map((t) => t.heard)).toEqual(["yes"]);
    expect(dropped!.endedAt).toBe(dropped!.turns[0]!.recordedAt);
    // On PGlite (one server per directory) every live call is this server's; on PostgreSQL
    // another instance's live call is left alone.
    expect((await store.getCall(other))!.status).toBe(database.name === "pglite" ? "ended" : "live");
  });
});

describe.each(testDatabases())("dashboard statistics on $name", (database) => {
  it("counts KPIs, funnels, days and the latency histogram in SQL", async () => {
    const { db, drop } = await database.create();
    try {
      await migrate(db);
      const store = new CallStore(db, "host-a:3000");
      const day = (d: number, h: number) => new Date(Date.UTC(2026, 10, d, h));
      const calls: Array<[number, string, CallSummary["outcome"], Record<string, string | number | boolean>, number[]]> = [
        [1, "quickrupee", "qualified", { salaried: true, salary: 30000, city: "Mumbai" }, [210, 230, 250]],
        [2, "quickrupee", "not_qualified", { salaried: true, salary: 15000 }, [220, 990]],
        [3, "quickrupee", "dropped", { salaried: true }, [1500]],
      ];
      for (const [n, bot, outcome, answers, v2v] of calls) {
        const id = uuid(100 + n);
        await store.started({ callId: id, flowId: bot, flowVersion: 1, channel: "cli", startedAt: day(n, 10), providers: {} });
        for (const [i, ms] of v2v.entries()) {
          const t = turn(i + 1, { stages: { endpointMs: 200, asrMs: 5, decisionMs: 1, ttsFirstAudioMs: 0 }, voiceToVoiceMs: ms });
          await store.turn(id, t, answers);
          await store.measured(id, t);
        }
        await store.ended(summary(id, { outcome, answers, reason: outcome === "not_qualified" ? "too low" : "r" }));
      }
      await store.started({ callId: uuid(110), flowId: "quickrupee", flowVersion: 1, channel: "browser", startedAt: day(3, 11), providers: {} });
      await store.turn(uuid(110), turn(1, { understood: "no_match", heard: "" }), {});
      const flows = [...loadFlows("flows").values()];
      const stats = await dashboardStats(db, flows, {});
      expect(stats.kpis).toMatchObject({ calls: 4, live: 1, qualified: 1, dropped: 1, qualificationRate: 1 / 3, dropRate: 1 / 3 });
      expect(stats.kpis.voiceToVoiceP50Ms).toBeCloseTo(240, 5); // 210 220 230 | 250 990 1500
      const qr = stats.funnels.find((f) => f.botId === "quickrupee")!;
      expect(qr.steps.map((s) => [s.reached, s.answered, s.disqualified])).toEqual([
        [4, 3, 0],
        [3, 2, 1],
        [1, 1, 0],
      ]);
      expect(qr.steps[0]!.notUnderstood).toBe(1);
      expect(stats.outcomesByDay).toEqual([
        { day: "2026-11-01", qualified: 1 },
        { day: "2026-11-02", not_qualified: 1 },
        { day: "2026-11-03", dropped: 1, live: 1 },
      ]);
      const bucket = (ms: number) => stats.latencyHistogram.find((b) => b.fromMs <= ms && (b.toMs === null || ms < b.toMs))!.turns;
      expect([bucket(210), bucket(250), bucket(990), bucket(1500)]).toEqual([3, 1, 1, 1]); // 200–250: 210 220 230; 1000+: 1500
      expect((await dashboardStats(db, flows, { bot: "home-renovation" })).kpis.calls).toBe(0);
    } finally {
      await db.close();
      await drop();
    }
  });
});

describe("call filter", () => {
  it("refuses what it does not know and bounds pages", () => {
    expect(CallFilter.safeParse({ sort: "x" }).success).toBe(false);
    expect(CallFilter.safeParse({ outcome: "maybe" }).success).toBe(false);
    expect(CallFilter.safeParse({ limit: "500" }).success).toBe(false);
    expect(CallFilter.safeParse({ from: "yesterday" }).success).toBe(false);
    expect(CallFilter.parse({})).toEqual({ limit: 50, offset: 0 });
  });
});
