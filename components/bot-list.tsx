import Link from "next/link";
import type { BotSummary } from "@/lib/bot/catalog";
import { QUESTION_TYPE_LABEL } from "./question-type";

export function BotList({ bots }: { bots: BotSummary[] }) {
  return (
    <ul className="mt-8 grid gap-6 md:grid-cols-2">
      {bots.map((bot) => (
        <li key={bot.id} data-bot={bot.id} className="flex flex-col rounded-2xl border border-slate-200 bg-white p-6 shadow-sm">
          <h2 className="text-lg font-semibold">{bot.name}</h2>
          <p className="mt-1 text-sm text-slate-600">{bot.description}</p>
          <ol className="mt-4 flex-1 space-y-2">
            {bot.questions.map((q, i) => (
              <li key={q.id} className="flex items-start gap-3 text-sm">
                <span className="mt-0.5 grid h-5 w-5 shrink-0 place-items-center rounded-full bg-slate-100 text-xs font-medium text-slate-600">
                  {i + 1}
                </span>
                <span className="flex-1">{q.prompt}</span>
                <span className="shrink-0 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-500">{QUESTION_TYPE_LABEL[q.type]}</span>
              </li>
            ))}
          </ol>
          <div className="mt-6 flex flex-wrap items-center gap-3">
            <Link
              href={`/call/${bot.id}`}
              className="inline-flex items-center gap-2 rounded-xl bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700"
            >
              Start a call
            </Link>
            <code className="truncate rounded bg-slate-100 px-2 py-1 text-xs text-slate-500">npm run call -- --bot {bot.id}</code>
          </div>
        </li>
      ))}
    </ul>
  );
}
