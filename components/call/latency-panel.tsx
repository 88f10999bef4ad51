"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { latencySegments, latencySummary, totalUnderruns } from "@/lib/client/call-view";
import { percentile } from "@/lib/stats";
import { useCallStore } from "./call-store";

const SEGMENTS = [
  { key: "endpointMs", label: "End of turn", color: "#6366f1" },
  { key: "asrMs", label: "Recognition", color: "#0ea5e9" },
  { key: "decisionMs", label: "Decision", color: "#10b981" },
  { key: "ttsMs", label: "Speech first audio", color: "#f59e0b" },
  { key: "restMs", label: "Network + playback", color: "#94a3b8" },
] as const;

/** Per-turn voice-to-voice as stacked stages, with the browser-measured p50/p95. */
export function LatencyPanel() {
  const turns = useCallStore((s) => s.turns);
  const underruns = useCallStore(totalUnderruns);
  const rows = latencySegments(turns);
  const browser = latencySummary(turns);
  const server = turns.map((t) => t.serverV2vMs).filter((x): x is number => x != null && x > 0);

  return (
    <section aria-label="Latency" data-testid="latency" className="mt-6 rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <div>
          <h2 className="text-sm font-semibold">Response time per turn</h2>
          <p className="text-xs text-slate-500">
            From the end of your speech (the page&apos;s own voice detector) to the bot&apos;s first sound played.
          </p>
        </div>
        <dl className="flex gap-6 text-sm">
          <Stat label="p50" value={browser?.p50} testId="p50" />
          <Stat label="p95" value={browser?.p95} testId="p95" />
          <Stat label="server p50" value={percentile(server, 50) ?? undefined} />
          <div>
            <dt className="text-xs text-slate-500">Underruns</dt>
            <dd data-testid="underruns" className="font-semibold tabular-nums">
              {underruns}
            </dd>
          </div>
        </dl>
      </div>
      {rows.length === 0 ? (
        <p className="py-8 text-center text-sm text-slate-400">Timings appear after your first answer.</p>
      ) : (
        <>
          <div className="mt-4 h-56" data-testid="latency-chart">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: -8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
                <XAxis dataKey="label" tick={{ fontSize: 12 }} />
                <YAxis unit=" ms" tick={{ fontSize: 12 }} width={64} />
                <Tooltip formatter={(v) => `${Math.round(Number(v))} ms`} />
                <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
                {SEGMENTS.map((s) => (
                  <Bar key={s.key} dataKey={s.key} name={s.label} stackId="v2v" fill={s.color} maxBarSize={72} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div className="mt-4 overflow-x-auto">
            <table className="w-full min-w-[36rem] text-left text-xs tabular-nums">
              <caption className="sr-only">Per-turn latency in milliseconds</caption>
              <thead className="text-slate-500">
                <tr>
                  <th className="py-1 font-medium">Turn</th>
                  {SEGMENTS.map((s) => (
                    <th key={s.key} className="py-1 text-right font-medium">
                      {s.label}
                    </th>
                  ))}
                  <th className="py-1 text-right font-medium">Total</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.turnId} data-testid="latency-row" data-total={r.totalMs} data-measured-by={r.measuredBy} data-typed={r.typed} className="border-t border-slate-100">
                    <td className="py-1">{r.label}</td>
                    {SEGMENTS.map((s) => (
                      <td key={s.key} className="py-1 text-right">
                        {Math.round(r[s.key])}
                      </td>
                    ))}
                    <td className="py-1 text-right font-semibold">
                      {Math.round(r.totalMs)}
                      {r.measuredBy === "server" && <span className="font-normal text-slate-400"> (server)</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Stat({ label, value, testId }: { label: string; value: number | undefined; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd data-testid={testId} className="font-semibold tabular-nums">
        {value === undefined ? "–" : `${Math.round(value)} ms`}
      </dd>
    </div>
  );
}
