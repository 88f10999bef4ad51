"use client";

import { useCallStore } from "./call-store";

const TONE: Record<string, { box: string; badge: string }> = {
  qualified: { box: "border-emerald-200 bg-emerald-50", badge: "bg-emerald-600" },
  transfer: { box: "border-sky-200 bg-sky-50", badge: "bg-sky-600" },
  not_qualified: { box: "border-red-200 bg-red-50", badge: "bg-red-600" },
  stopped: { box: "border-slate-200 bg-slate-50", badge: "bg-slate-600" },
  incomplete: { box: "border-amber-200 bg-amber-50", badge: "bg-amber-600" },
};

/** The call's outcome, its reason and what happens next (the flow's closing message). */
export function ResultCard() {
  const result = useCallStore((s) => s.result);
  const callId = useCallStore((s) => s.callId);
  if (!result) return null;
  const tone = TONE[result.outcome] ?? TONE.stopped!;
  return (
    <section
      aria-label="Result"
      aria-live="polite"
      data-testid="result"
      data-outcome={result.outcome}
      data-call-id={callId ?? undefined}
      className={`rounded-2xl border p-5 shadow-sm ${tone.box}`}
    >
      <span className={`inline-block rounded-full px-2.5 py-0.5 text-xs font-semibold uppercase tracking-wide text-white ${tone.badge}`}>
        {result.label}
      </span>
      <p className="mt-3 text-sm text-slate-800">{result.reason}</p>
      <p className="mt-2 text-sm text-slate-700">
        <span className="font-medium">Next step:</span> {result.message}
      </p>
      <p className="mt-2 text-xs text-slate-500">Call time {(result.durationMs / 1000).toFixed(1)} s</p>
    </section>
  );
}
