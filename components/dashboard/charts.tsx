"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { OUTCOME_STYLE } from "./format";

const ORDER = ["qualified", "not_qualified", "transfer", "stopped", "incomplete", "dropped", "live"];

export function OutcomesChart({ data }: { data: Array<Record<string, number | string>> }) {
  const present = ORDER.filter((o) => data.some((d) => typeof d[o] === "number"));
  if (data.length === 0) return <p className="py-10 text-center text-sm text-slate-400">No calls yet.</p>;
  return (
    <div className="h-56" data-testid="outcomes-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="day" tick={{ fontSize: 11 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
          <Tooltip />
          <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
          {present.map((o) => (
            <Bar key={o} dataKey={o} name={OUTCOME_STYLE[o]?.label ?? o} stackId="o" fill={OUTCOME_STYLE[o]?.color ?? "#94a3b8"} maxBarSize={48} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export function LatencyHistogram({ data }: { data: Array<{ fromMs: number; toMs: number | null; turns: number }> }) {
  const rows = data.map((d) => ({ label: d.toMs === null ? `${d.fromMs}+` : `${d.fromMs}`, turns: d.turns }));
  if (data.every((d) => d.turns === 0)) return <p className="py-10 text-center text-sm text-slate-400">No spoken turns yet.</p>;
  return (
    <div className="h-56" data-testid="latency-histogram">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} unit=" ms" interval={1} />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
          <Tooltip formatter={(v) => [`${v} turns`, "Voice to voice"]} labelFormatter={(l) => `from ${l} ms`} />
          <Bar dataKey="turns" fill="#6366f1" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
