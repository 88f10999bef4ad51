"use client";

import Link from "next/link";
import type { BotSummary } from "@/lib/bot/catalog";
import { useCallStore } from "./call-store";
import { CallControls } from "./call-controls";
import { LatencyPanel } from "./latency-panel";
import { MicGuidance } from "./mic-guidance";
import { QuestionList } from "./question-list";
import { ResultCard } from "./result-card";
import { StatusBar } from "./status-bar";
import { Transcript } from "./transcript";
import { TypedAnswer } from "./typed-answer";
import { useCall } from "./use-call";

/** The call page: controls and conversation on the left; progress, result and latency on the right. */
export function CallScreen({ bot }: { bot: BotSummary }) {
  const call = useCall(bot.id);
  const status = useCallStore((s) => s.status);
  const disconnect = useCallStore((s) => s.disconnect);
  const live = status === "live" || status === "connecting";

  return (
    <main className="mx-auto max-w-6xl px-4 py-6">
      <Link href="/" className="text-sm text-slate-500 hover:text-slate-800">
        ← All bots
      </Link>
      <div className="mt-2 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">{bot.name}</h1>
          <p className="text-sm text-slate-600">{bot.description}</p>
        </div>
        <StatusBar />
      </div>

      <div className="mt-6 grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <section aria-label="Call" className="flex min-h-[28rem] flex-col rounded-2xl border border-slate-200 bg-white shadow-sm">
          <CallControls onStart={call.start} onEnd={call.end} />
          <MicGuidance onTypeInstead={() => void call.start("text")} onRetry={() => void call.start("voice")} />
          {disconnect && (
            <p role="alert" className="mx-5 mt-4 rounded-xl border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
              {disconnect}
            </p>
          )}
          <Transcript />
          {live && <TypedAnswer onSend={call.sendText} onTyping={call.typing} />}
        </section>
        <aside className="space-y-6">
          <ResultCard />
          <QuestionList bot={bot} />
        </aside>
      </div>
      <LatencyPanel />
    </main>
  );
}
