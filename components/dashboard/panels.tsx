import Link from "next/link";
import type { StoredCall } from "@/lib/store/call-store";
import type { BotFunnel, Kpis } from "@/lib/store/stats";
import { OUTCOME_STYLE, OutcomeBadge, fmtAnswer, fmtDuration, fmtMs, fmtPct, fmtTime, outcomeOf } from "./format";

export function Card({ title, children, className = "" }: { title?: string; children: React.ReactNode; className?: string }) {
  return (
    <section className={`rounded-2xl border border-slate-200 bg-white p-5 shadow-sm ${className}`}>
      {title && <h2 className="mb-3 text-sm font-semibold">{title}</h2>}
      {children}
    </section>
  );
}

export function KpiCards({ k }: { k: Kpis }) {
  const items = [
    { id: "calls", label: "Calls", value: k.calls.toLocaleString("en-US"), hint: k.live ? `${k.live} live now` : "none live" },
    { id: "qualification-rate", label: "Qualification rate", value: fmtPct(k.qualificationRate), hint: `${k.qualified} qualified` },
    { id: "drop-rate", label: "Drop rate", value: fmtPct(k.dropRate), hint: `${k.dropped} dropped` },
    { id: "v2v", label: "Voice to voice p50 / p95", value: `${fmtMs(k.voiceToVoiceP50Ms)} / ${fmtMs(k.voiceToVoiceP95Ms)}`, hint: "server-measured, spoken turns" },
  ];
  return (
    <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
      {items.map((i) => (
        <div key={i.id} data-testid={`kpi-${i.id}`} className="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm">
          <dt className="text-xs text-slate-500">{i.label}</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums">{i.value}</dd>
          <dd className="text-xs text-slate-500">{i.hint}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Funnel({ f }: { f: BotFunnel }) {
  const max = Math.max(1, f.calls);
  return (
    <Card title={`${f.name}: funnel`}>
      <ol className="space-y-3" data-testid={`funnel-${f.botId}`}>
        {f.steps.map((s, i) => (
          <li key={s.questionId}>
            <div className="flex items-baseline justify-between gap-3 text-sm">
              <span className="text-slate-700">
                {i + 1}. {s.prompt}
              </span>
              <span className="shrink-0 tabular-nums text-slate-500">
                {s.reached} reached · {s.answered} answered · <span className="text-red-700">{s.disqualified} out</span>
                {(s.notUnderstood > 0 || s.noInput > 0) && (
                  <span className="block text-right text-xs text-amber-700">
                    {s.notUnderstood} not understood · {s.noInput} silent
                  </span>
                )}
              </span>
            </div>
            <div className="mt-1 h-2.5 overflow-hidden rounded-full bg-slate-100" aria-hidden>
              <div className="h-full rounded-full bg-brand-600" style={{ width: `${(100 * s.answered) / max}%` }} />
            </div>
          </li>
        ))}
        <li className="flex justify-between border-t border-slate-100 pt-2 text-sm font-medium">
          <span>Qualified</span>
          <span className="tabular-nums text-emerald-700">
            {f.qualified} of {f.calls}
          </span>
        </li>
      </ol>
      {f.reasons.length > 0 && (
        <div className="mt-4">
          <h3 className="text-xs font-medium text-slate-500">Why calls did not qualify</h3>
          <ul className="mt-1 space-y-1 text-sm">
            {f.reasons.slice(0, 5).map((r) => (
              <li key={`${r.outcome}:${r.reason}`} className="flex justify-between gap-3">
                <span className="truncate">
                  <span className="text-slate-500">{OUTCOME_STYLE[r.outcome]?.label ?? r.outcome}:</span> {r.reason || "–"}
                </span>
                <span className="tabular-nums text-slate-500">{r.calls}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}

export function CallsTable({ calls }: { calls: StoredCall[] }) {
  if (calls.length === 0) return <p className="py-8 text-center text-sm text-slate-400">No calls match.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[44rem] text-left text-sm" data-testid="calls-table">
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="py-2 font-medium">Started</th>
            <th className="py-2 font-medium">Bot</th>
            <th className="py-2 font-medium">Channel</th>
            <th className="py-2 font-medium">Outcome</th>
            <th className="py-2 font-medium">Answers</th>
            <th className="py-2 text-right font-medium">Duration</th>
          </tr>
        </thead>
        <tbody>
          {calls.map((c) => (
            <tr key={c.id} data-testid="call-row" data-call={c.id} className="border-t border-slate-100 hover:bg-slate-50">
              <td className="py-2 tabular-nums">
                <Link href={`/dashboard/calls/${c.id}`} className="text-brand-700 hover:underline">
                  {fmtTime(c.startedAt)}
                </Link>
              </td>
              <td className="py-2">{c.flowId}</td>
              <td className="py-2">{c.channel}</td>
              <td className="py-2">
                <OutcomeBadge outcome={outcomeOf(c)} />
              </td>
              <td className="max-w-xs truncate py-2 text-slate-600">
                {Object.entries(c.answers)
                  .map(([k, v]) => `${k}: ${fmtAnswer(v)}`)
                  .join(" · ") || "–"}
              </td>
              <td className="py-2 text-right tabular-nums">{c.status === "live" ? "live" : fmtDuration(c.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DevBanner() {
  return (
    <p role="status" className="mb-4 rounded-xl border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900">
      Development mode: call records are open to anyone who can reach this server. Set <code>ADMIN_TOKEN</code> to require sign-in.
    </p>
  );
}

export function Refused({ message }: { message: string }) {
  return (
    <main className="mx-auto max-w-xl px-4 py-16">
      <h1 className="text-xl font-semibold">Call records are unavailable</h1>
      <p className="mt-2 text-slate-600" data-testid="refused">
        {message}
      </p>
    </main>
  );
}
