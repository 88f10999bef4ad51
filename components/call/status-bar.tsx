"use client";

import { useCallStore } from "./call-store";

const CONNECTION: Record<string, { label: string; dot: string }> = {
  idle: { label: "Not connected", dot: "bg-slate-300" },
  connecting: { label: "Connecting…", dot: "bg-amber-400 motion-safe:animate-pulse" },
  live: { label: "Connected", dot: "bg-emerald-500" },
  ended: { label: "Call ended", dot: "bg-slate-400" },
  failed: { label: "Could not connect", dot: "bg-red-500" },
};

const BOT_STATE: Record<string, string> = {
  listening: "Listening",
  thinking: "Thinking",
  speaking: "Speaking",
  ended: "Finished",
};

export function StatusBar() {
  const status = useCallStore((s) => s.status);
  const botState = useCallStore((s) => s.botState);
  const c = CONNECTION[status]!;
  return (
    <div className="flex items-center gap-2 text-sm">
      <span data-testid="connection" data-status={status} className="inline-flex items-center gap-2 rounded-full border border-slate-200 bg-white px-3 py-1">
        <span aria-hidden className={`h-2 w-2 rounded-full ${c.dot}`} />
        {c.label}
      </span>
      {status === "live" && botState && (
        <span
          data-testid="bot-state"
          data-state={botState}
          aria-live="polite"
          className="inline-flex items-center gap-2 rounded-full bg-brand-50 px-3 py-1 font-medium text-brand-700"
        >
          <StateGlyph state={botState} />
          Bot: {BOT_STATE[botState]}
        </span>
      )}
    </div>
  );
}

function StateGlyph({ state }: { state: string }) {
  if (state === "speaking") {
    return (
      <span aria-hidden className="flex h-3 items-end gap-0.5">
        {[0, 150, 300].map((d) => (
          <span key={d} className="w-0.5 motion-safe:animate-pulse rounded bg-brand-600" style={{ height: "100%", animationDelay: `${d}ms` }} />
        ))}
      </span>
    );
  }
  const color = state === "listening" ? "bg-emerald-500" : state === "thinking" ? "bg-amber-500 motion-safe:animate-pulse" : "bg-slate-400";
  return <span aria-hidden className={`h-2 w-2 rounded-full ${color}`} />;
}
