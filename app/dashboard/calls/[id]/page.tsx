import Link from "next/link";
import { notFound } from "next/navigation";
import { dashboardAccess } from "@/components/dashboard/access";
import { OutcomeBadge, fmtAnswer, fmtDuration, fmtMs, fmtTime, outcomeOf } from "@/components/dashboard/format";
import { LiveRefresh } from "@/components/dashboard/live-refresh";
import { Card, DevBanner, Refused } from "@/components/dashboard/panels";
import { CallId } from "@/lib/store/query";

export const dynamic = "force-dynamic";

const STAGES = [
  { key: "endpointMs", label: "End of turn", color: "bg-indigo-500" },
  { key: "asrMs", label: "Recognition", color: "bg-sky-500" },
  { key: "decisionMs", label: "Decision", color: "bg-emerald-500" },
  { key: "ttsFirstAudioMs", label: "Speech", color: "bg-amber-500" },
] as const;

export default async function CallPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const access = await dashboardAccess(`/dashboard/calls/${id}`);
  if ("refused" in access) return <Refused message={access.refused} />;
  const parsed = CallId.safeParse(id);
  if (!parsed.success) notFound();
  const call = await access.runtime.store.getCall(parsed.data);
  if (!call) notFound();
  const flow = access.runtime.flows.find((f) => f.id === call.flowId);
  const maxMs = Math.max(400, ...call.turns.map((t) => t.voiceToVoiceMs ?? 0));
  const outcome = outcomeOf(call);

  return (
    <main className="mx-auto max-w-6xl px-4 py-8">
      {access.open && <DevBanner />}
      <Link href="/dashboard" className="text-sm text-slate-500 hover:text-slate-800">
        ← All calls
      </Link>
      <div className="mt-2 flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">{flow?.name ?? call.flowId}</h1>
        <span data-testid="call-outcome">
          <OutcomeBadge outcome={outcome} />
        </span>
        {call.status === "live" && <LiveRefresh callId={call.id} />}
      </div>
      <p className="mt-1 text-sm text-slate-500">
        {fmtTime(call.startedAt)} · {call.channel} · {fmtDuration(call.durationMs)} · call {call.id}
        {call.carrierCallId && <> · carrier call {call.carrierCallId}</>}
      </p>
      <div className="mt-6 grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Card title="Transcript">
          <ol className="space-y-4" data-testid="timeline">
            {call.turns.map((t) => (
              <li key={t.turnId} data-testid="timeline-turn" className="border-l-2 border-slate-200 pl-4">
                <p className="text-sm text-slate-600">
                  <span className="font-medium text-slate-800">Bot:</span> {t.prompt}
                </p>
                <p className="mt-1 text-sm">
                  <span className="font-medium">Caller{t.source === "text" ? " (typed)" : t.source === "dtmf" ? " (keypad)" : ""}:</span> {t.heard || <em className="text-slate-400">nothing heard</em>}
                  <span className="ml-2 text-xs text-slate-500">
                    → {t.understood}
                    {t.confidence != null && ` · confidence ${t.confidence.toFixed(2)}`}
                  </span>
                </p>
                {t.stages && t.voiceToVoiceMs != null && (
                  <div className="mt-2" aria-label={`Reply after ${Math.round(t.voiceToVoiceMs)} ms`}>
                    <div className="flex h-2.5 overflow-hidden rounded-full bg-slate-100" style={{ width: `${(100 * t.voiceToVoiceMs) / maxMs}%` }}>
                      {STAGES.map((s) => (
                        <div key={s.key} className={s.color} style={{ width: `${(100 * t.stages![s.key]) / t.voiceToVoiceMs!}%` }} title={`${s.label} ${fmtMs(t.stages![s.key])}`} />
                      ))}
                    </div>
                    <p className="mt-1 text-xs tabular-nums text-slate-500">
                      reply after {fmtMs(t.voiceToVoiceMs)}: {STAGES.map((s) => `${s.label.toLowerCase()} ${fmtMs(t.stages![s.key])}`).join(", ")}
                    </p>
                  </div>
                )}
              </li>
            ))}
            {call.turns.length === 0 && <li className="text-sm text-slate-400">No caller turns.</li>}
          </ol>
        </Card>
        <aside className="space-y-6">
          <Card title="Outcome">
            <p className="text-sm" data-testid="call-reason">
              {call.reason ?? (call.status === "live" ? "In progress" : "–")}
            </p>
          </Card>
          <Card title="Answers">
            <dl className="space-y-2 text-sm" data-testid="call-answers">
              {(flow?.questions ?? []).map((q) => (
                <div key={q.id}>
                  <dt className="text-slate-500">{q.prompt}</dt>
                  <dd className="font-medium">{q.id in call.answers ? fmtAnswer(call.answers[q.id]) : "–"}</dd>
                </div>
              ))}
            </dl>
          </Card>
          {call.deliveries.length > 0 && (
            <Card title="Lead webhook">
              <ul className="space-y-2 text-sm" data-testid="call-deliveries">
                {call.deliveries.map((d) => (
                  <li key={d.id} data-status={d.status}>
                    <span className={d.status === "delivered" ? "font-medium text-emerald-700" : d.status === "failed" ? "font-medium text-red-700" : "font-medium text-amber-700"}>
                      {d.status === "delivered" ? "Delivered" : d.status === "failed" ? "Failed" : "Pending"}
                    </span>{" "}
                    after {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
                    {d.lastError && d.status !== "delivered" && <span className="block text-xs text-slate-500">last: {d.lastError}</span>}
                    {d.status === "pending" && <span className="block text-xs text-slate-500">next try {fmtTime(d.nextAttemptAt)}</span>}
                  </li>
                ))}
              </ul>
            </Card>
          )}
          <Card title="Engines">
            <p className="text-sm text-slate-600">
              {Object.entries(call.providers)
                .map(([k, v]) => `${k}: ${v}`)
                .join(" · ") || "–"}
            </p>
          </Card>
        </aside>
      </div>
    </main>
  );
}
