import type { Flow } from "../bot/flow-schema";
import type { Queryable } from "./db";
import type { CallFilter } from "./query";

export interface Kpis {
  calls: number;
  live: number;
  qualified: number;
  dropped: number;
  /** Of ended calls. */
  qualificationRate: number | null;
  dropRate: number | null;
  voiceToVoiceP50Ms: number | null;
  voiceToVoiceP95Ms: number | null;
}

export interface FunnelStep {
  questionId: string;
  prompt: string;
  reached: number;
  answered: number;
  disqualified: number;
  /** Caller turns at this question the bot did not understand (reprompted), and silences. */
  notUnderstood: number;
  noInput: number;
}

export interface BotFunnel {
  botId: string;
  name: string;
  calls: number;
  steps: FunnelStep[];
  qualified: number;
  /** Why calls of this bot ended without qualifying, most frequent first. */
  reasons: Array<{ outcome: string; reason: string; calls: number }>;
}

export interface DashboardStats {
  kpis: Kpis;
  funnels: BotFunnel[];
  outcomesByDay: Array<{ day: string } & Record<string, number | string>>;
  latencyHistogram: Array<{ fromMs: number; toMs: number | null; turns: number }>;
}

type StatsFilter = Pick<CallFilter, "bot" | "channel" | "from" | "to">;

function where(f: StatsFilter, alias = ""): { clause: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    parts.push(`${alias}${sql} $${params.length}`);
  };
  if (f.bot) add("flow_id =", f.bot);
  if (f.channel) add("channel =", f.channel);
  if (f.from) add("started_at >=", f.from);
  if (f.to) add("started_at <", f.to);
  return { clause: parts.length ? `WHERE ${parts.join(" AND ")}` : "", params };
}

const BUCKET_MS = 50;
const BUCKETS = 20;

/** What the dashboard shows above the calls table, for the calls matching `f`. */
export async function dashboardStats(db: Queryable, flows: Flow[], f: StatsFilter): Promise<DashboardStats> {
  const w = where(f);
  const wc = where(f, "c.");
  const [counts, latency, groups, days, histogram, misses] = await Promise.all([
    db.query<{ calls: number; live: number; qualified: number; dropped: number }>(
      `SELECT count(*)::int AS calls, count(*) FILTER (WHERE status = 'live')::int AS live,
         count(*) FILTER (WHERE outcome = 'qualified')::int AS qualified, count(*) FILTER (WHERE outcome = 'dropped')::int AS dropped
       FROM calls ${w.clause}`,
      w.params,
    ),
    db.query<{ p50: number | null; p95: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY t.voice_to_voice_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY t.voice_to_voice_ms) AS p95
       FROM turns t JOIN calls c ON c.id = t.call_id ${wc.clause ? `${wc.clause} AND` : "WHERE"} t.voice_to_voice_ms IS NOT NULL AND t.source = 'speech'`,
      wc.params,
    ),
    db.query<{ flow_id: string; outcome: string | null; reason: string | null; keys: string[] | null; n: number }>(
      `SELECT flow_id, outcome, reason, (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(answers) AS k) AS keys, count(*)::int AS n
       FROM calls ${w.clause} GROUP BY 1, 2, 3, 4`,
      w.params,
    ),
    db.query<{ day: Date | string; outcome: string | null; n: number }>(
      `SELECT date_trunc('day', started_at) AS day, coalesce(outcome, 'live') AS outcome, count(*)::int AS n
       FROM calls ${w.clause} GROUP BY 1, 2 ORDER BY 1 DESC LIMIT 600`,
      w.params,
    ),
    db.query<{ bucket: number; n: number }>(
      `SELECT least(floor(t.voice_to_voice_ms / ${BUCKET_MS})::int, ${BUCKETS}) AS bucket, count(*)::int AS n
       FROM turns t JOIN calls c ON c.id = t.call_id ${wc.clause ? `${wc.clause} AND` : "WHERE"} t.voice_to_voice_ms IS NOT NULL AND t.source = 'speech'
       GROUP BY 1 ORDER BY 1`,
      wc.params,
    ),
    db.query<{ flow_id: string; question_id: string; no_match: number; no_input: number }>(
      `SELECT c.flow_id, t.question_id, count(*) FILTER (WHERE t.understood = 'no_match')::int AS no_match, count(*) FILTER (WHERE t.understood = 'no_input')::int AS no_input
       FROM turns t JOIN calls c ON c.id = t.call_id ${wc.clause ? `${wc.clause} AND` : "WHERE"} t.understood IN ('no_match', 'no_input')
       GROUP BY 1, 2`,
      wc.params,
    ),
  ]);
  const k = counts.rows[0] ?? { calls: 0, live: 0, qualified: 0, dropped: 0 };
  const ended = k.calls - k.live;
  const l = latency.rows[0];
  const kpis: Kpis = {
    ...k,
    qualificationRate: ended ? k.qualified / ended : null,
    dropRate: ended ? k.dropped / ended : null,
    voiceToVoiceP50Ms: l?.p50 == null ? null : Number(l.p50),
    voiceToVoiceP95Ms: l?.p95 == null ? null : Number(l.p95),
  };

  const funnels = flows
    .filter((flow) => !f.bot || flow.id === f.bot)
    .map((flow) =>
      funnelOf(
        flow,
        groups.rows.filter((g) => g.flow_id === flow.id),
        misses.rows.filter((m) => m.flow_id === flow.id),
      ),
    )
    .filter((fu) => fu.calls > 0 || flows.length <= 3);

  const byDay = new Map<string, Record<string, number | string>>();
  for (const r of days.rows) {
    const day = new Date(r.day).toISOString().slice(0, 10);
    const row = byDay.get(day) ?? { day };
    row[r.outcome ?? "live"] = r.n;
    byDay.set(day, row);
  }
  const outcomesByDay = [...byDay.values()].sort((a, b) => String(a.day).localeCompare(String(b.day))).slice(-30) as DashboardStats["outcomesByDay"];

  const counted = new Map(histogram.rows.map((r) => [r.bucket, r.n]));
  const latencyHistogram = Array.from({ length: BUCKETS + 1 }, (_, b) => ({
    fromMs: b * BUCKET_MS,
    toMs: b === BUCKETS ? null : (b + 1) * BUCKET_MS,
    turns: counted.get(b) ?? 0,
  }));
  return { kpis, funnels, outcomesByDay, latencyHistogram };
}

/**
 * A bot's qualification funnel from its calls' answers: every call reaches the first question;
 * a call reaches the next one when it answered this one and was not disqualified by it (the bot
 * asks on at once). A not-qualified call was disqualified at the last question it answered.
 */
export function funnelOf(
  flow: Flow,
  groups: Array<{ outcome: string | null; reason: string | null; keys: string[] | null; n: number }>,
  misses: Array<{ question_id: string; no_match: number; no_input: number }> = [],
): BotFunnel {
  const ids = flow.questions.map((q) => q.id);
  const lastAnswered = (keys: string[]) => {
    let last = -1;
    ids.forEach((id, i) => keys.includes(id) && (last = i));
    return last;
  };
  const steps: FunnelStep[] = flow.questions.map((q) => {
    const m = misses.find((x) => x.question_id === q.id);
    return { questionId: q.id, prompt: q.prompt, reached: 0, answered: 0, disqualified: 0, notUnderstood: m?.no_match ?? 0, noInput: m?.no_input ?? 0 };
  });
  const reasons = new Map<string, { outcome: string; reason: string; calls: number }>();
  let calls = 0;
  let qualified = 0;
  for (const g of groups) {
    calls += g.n;
    const keys = g.keys ?? [];
    const last = lastAnswered(keys);
    if (g.outcome === "qualified") qualified += g.n;
    for (const step of steps) if (keys.includes(step.questionId)) step.answered += g.n;
    if (g.outcome === "not_qualified" && last >= 0) steps[last]!.disqualified += g.n;
    if (g.outcome && g.outcome !== "qualified") {
      const key = `${g.outcome}\u0000${g.reason ?? ""}`;
      const r = reasons.get(key) ?? { outcome: g.outcome, reason: g.reason ?? "", calls: 0 };
      r.calls += g.n;
      reasons.set(key, r);
    }
  }
  // The bot asks the next question right after an answer that does not disqualify.
  steps.forEach((step, i) => (step.reached = i === 0 ? calls : steps[i - 1]!.answered - steps[i - 1]!.disqualified));
  return { botId: flow.id, name: flow.name, calls, steps, qualified, reasons: [...reasons.values()].sort((a, b) => b.calls - a.calls) };
}
