/** Display helpers shared by the dashboard's components (no logic about calls themselves). */
export const OUTCOME_STYLE: Record<string, { label: string; badge: string; color: string }> = {
  qualified: { label: "Qualified", badge: "bg-emerald-100 text-emerald-800", color: "#10b981" },
  not_qualified: { label: "Not qualified", badge: "bg-red-100 text-red-800", color: "#ef4444" },
  transfer: { label: "Transfer", badge: "bg-sky-100 text-sky-800", color: "#0ea5e9" },
  stopped: { label: "Stopped", badge: "bg-slate-200 text-slate-700", color: "#64748b" },
  incomplete: { label: "Incomplete", badge: "bg-amber-100 text-amber-800", color: "#f59e0b" },
  dropped: { label: "Dropped", badge: "bg-orange-100 text-orange-800", color: "#f97316" },
  live: { label: "Live", badge: "bg-indigo-100 text-indigo-800", color: "#6366f1" },
};

export const outcomeOf = (call: { status: string; outcome: string | null }) => (call.status === "live" ? "live" : (call.outcome ?? "dropped"));

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const s = OUTCOME_STYLE[outcome] ?? { label: outcome, badge: "bg-slate-100 text-slate-700" };
  return (
    <span data-outcome={outcome} className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${s.badge}`}>
      {s.label}
    </span>
  );
}

export const fmtMs = (ms: number | null | undefined) => (ms == null ? "–" : `${Math.round(ms)} ms`);
export const fmtPct = (x: number | null) => (x == null ? "–" : `${Math.round(x * 1000) / 10} %`);
export const fmtDuration = (ms: number | null) => (ms == null ? "–" : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);
export const fmtTime = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 19) + " UTC";
export const fmtAnswer = (v: unknown) => (typeof v === "boolean" ? (v ? "Yes" : "No") : typeof v === "number" ? v.toLocaleString("en-US") : String(v));
