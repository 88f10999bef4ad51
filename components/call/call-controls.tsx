"use client";

import { useCallStore } from "./call-store";
import { LevelMeter } from "./level-meter";

export function CallControls({ onStart, onEnd }: { onStart: (mode: "voice" | "text") => Promise<boolean>; onEnd: () => void }) {
  const status = useCallStore((s) => s.status);
  const mic = useCallStore((s) => s.mic);
  const inputMode = useCallStore((s) => s.inputMode);
  const live = status === "live" || status === "connecting";
  const requesting = mic === "requesting";

  return (
    <div className="flex flex-wrap items-center gap-3 border-b border-slate-100 px-5 py-4">
      {live ? (
        <button
          type="button"
          onClick={onEnd}
          className="inline-flex items-center gap-2 rounded-xl bg-red-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-red-700"
        >
          <span aria-hidden>■</span> End call
        </button>
      ) : (
        <>
          <button
            type="button"
            disabled={requesting}
            onClick={() => void onStart("voice")}
            className="inline-flex items-center gap-2 rounded-xl bg-brand-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700 disabled:opacity-60"
          >
            <MicIcon /> {status === "ended" || status === "failed" ? "Call again" : "Start call"}
          </button>
          <button
            type="button"
            disabled={requesting}
            onClick={() => void onStart("text")}
            className="rounded-xl border border-slate-300 px-4 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
          >
            Type instead
          </button>
        </>
      )}
      <div className="ml-auto flex items-center gap-3 text-sm text-slate-500">
        {requesting && <span>Waiting for microphone permission…</span>}
        {live && inputMode === "voice" && <LevelMeter />}
        {live && inputMode === "text" && <span>Typing only — no microphone</span>}
      </div>
    </div>
  );
}

function MicIcon() {
  return (
    <svg aria-hidden viewBox="0 0 24 24" className="h-4 w-4" fill="none" stroke="currentColor" strokeWidth="2">
      <rect x="9" y="3" width="6" height="11" rx="3" />
      <path d="M5 11a7 7 0 0 0 14 0M12 18v3" />
    </svg>
  );
}
