import Link from "next/link";
import { dashboardAccess } from "@/components/dashboard/access";
import { LatencyHistogram, OutcomesChart } from "@/components/dashboard/charts";
import { Filters } from "@/components/dashboard/filters";
import { LiveRefresh } from "@/components/dashboard/live-refresh";
import { Card, CallsTable, DevBanner, Funnel, KpiCards, Refused } from "@/components/dashboard/panels";
import { CallFilter } from "@/lib/store/query";
import { dashboardStats } from "@/lib/store/stats";

export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function Dashboard({ searchParams }: { searchParams: Search }) {
  const raw = Object.fromEntries(Object.entries(await searchParams).flatMap(([k, v]) => (typeof v === "string" && v !== "" ? [[k, v]] : [])));
  const access = await dashboardAccess(`/dashboard`);
  if ("refused" in access) return <Refused message={access.refused} />;
  const parsed = CallFilter.safeParse({ limit: "25", ...raw });
  const filter = parsed.success ? parsed.data : CallFilter.parse({ limit: "25" });
  const { store, flows } = access.runtime;
  const [{ calls, total }, stats] = await Promise.all([store.listCalls(filter), dashboardStats(store.db, flows, filter)]);
  const page = Math.floor(filter.offset / filter.limit) + 1;
  const pages = Math.max(1, Math.ceil(total / filter.limit));
  const pageHref = (p: number) => `/dashboard?${new URLSearchParams({ ...raw, offset: String((p - 1) * filter.limit) })}`;
  const exportHref = `/api/calls/export.csv?${new URLSearchParams(Object.fromEntries(Object.entries(raw).filter(([k]) => ["bot", "channel", "from", "to"].includes(k))))}`;

  return (
    <main className="mx-auto max-w-6xl px-4 py-8">
      {access.open && <DevBanner />}
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-semibold tracking-tight">Calls</h1>
        <div className="flex items-center gap-4">
          <LiveRefresh />
          <a href={exportHref} className="text-sm text-brand-700 hover:underline">
            Export qualified leads (CSV)
          </a>
          {!access.open && (
            <a href="/api/logout" className="text-sm text-slate-500 hover:text-slate-800">
              Sign out
            </a>
          )}
        </div>
      </div>
      {!parsed.success && (
        <p role="alert" className="mt-3 rounded-xl border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
          Some filters were not valid and were ignored: {parsed.error.issues.map((i) => i.path.join(".")).join(", ")}.
        </p>
      )}
      <div className="mt-5">
        <KpiCards k={stats.kpis} />
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        {stats.funnels.map((f) => (
          <Funnel key={f.botId} f={f} />
        ))}
        <Card title="Outcomes per day">
          <OutcomesChart data={stats.outcomesByDay} />
        </Card>
        <Card title="Voice to voice per spoken turn (ms)">
          <LatencyHistogram data={stats.latencyHistogram} />
        </Card>
      </div>
      <Card className="mt-6">
        <Filters f={filter} bots={flows.map((f) => ({ id: f.id, name: f.name }))} />
        <div className="mt-4">
          <CallsTable calls={calls} />
        </div>
        <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm text-slate-500">
          <span data-testid="calls-total">
            {total.toLocaleString("en-US")} call{total === 1 ? "" : "s"} · page {page} of {pages}
          </span>
          <span className="flex gap-3">
            {page > 1 && <Link href={pageHref(page - 1)}>← Newer</Link>}
            {page < pages && <Link href={pageHref(page + 1)}>Older →</Link>}
          </span>
        </nav>
      </Card>
    </main>
  );
}
