"use client";

import { useCallStore } from "./call-store";

const TITLE: Record<string, string> = {
  denied: "Microphone blocked",
  no_device: "No microphone found",
  in_use: "Microphone in use",
  unsupported: "Microphone not available",
  error: "Microphone problem",
};

/** What to do when the microphone cannot be used; no call is started in that case. */
export function MicGuidance({ onRetry, onTypeInstead }: { onRetry: () => void; onTypeInstead: () => void }) {
  const mic = useCallStore((s) => s.mic);
  const message = useCallStore((s) => s.micMessage);
  const status = useCallStore((s) => s.status);
  if (!(mic in TITLE) || status === "live" || status === "connecting") return null;
  return (
    <div role="alert" data-testid="mic-guidance" data-mic={mic} className="mx-5 mt-4 rounded-xl border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
      <p className="font-medium">{TITLE[mic]}</p>
      <p className="mt-1">{message}</p>
      <div className="mt-3 flex gap-2">
        <button type="button" onClick={onRetry} className="rounded-lg bg-white px-3 py-1.5 font-medium text-red-800 ring-1 ring-red-200 hover:bg-red-100">
          Try again
        </button>
        <button type="button" onClick={onTypeInstead} className="rounded-lg px-3 py-1.5 font-medium text-red-800 hover:bg-red-100">
          Type your answers instead
        </button>
      </div>
    </div>
  );
}
