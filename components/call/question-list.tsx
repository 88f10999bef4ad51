"use client";

import type { BotSummary } from "@/lib/bot/catalog";
import { QUESTION_TYPE_LABEL } from "@/components/question-type";
import { useCallStore } from "./call-store";

const show = (v: boolean | number | string) => (typeof v === "boolean" ? (v ? "Yes" : "No") : typeof v === "number" ? v.toLocaleString("en-US") : v);

/** The bot's questions with the answers recorded so far. */
export function QuestionList({ bot }: { bot: BotSummary }) {
  const answers = useCallStore((s) => s.answers);
  return (
    <section aria-label="Questions" className="rounded-2xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="text-sm font-semibold text-slate-900">Questions</h2>
      <ol className="mt-3 space-y-3">
        {bot.questions.map((q) => {
          const a = answers[q.id];
          return (
            <li key={q.id} data-testid="question" data-question={q.id} className="flex gap-3 text-sm">
              <span
                aria-hidden
                className={`mt-0.5 grid h-5 w-5 shrink-0 place-items-center rounded-full text-xs ${
                  !a ? "bg-slate-100 text-slate-400" : a.meetsRule ? "bg-emerald-100 text-emerald-700" : "bg-red-100 text-red-700"
                }`}
              >
                {!a ? "·" : a.meetsRule ? "✓" : "✕"}
              </span>
              <div className="min-w-0">
                <p className="text-slate-800">{q.prompt}</p>
                <p className="text-xs text-slate-500">
                  {a ? (
                    <span data-testid="answer">
                      Answer: <strong className="font-medium text-slate-700">{show(a.value)}</strong>
                      {a.meetsRule ? "" : " — does not qualify"}
                    </span>
                  ) : (
                    QUESTION_TYPE_LABEL[q.type]
                  )}
                </p>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
