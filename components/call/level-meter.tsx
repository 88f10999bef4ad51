"use client";

import { useCallStore } from "./call-store";

const BARS = 12;

/** Microphone input level, so the caller sees they are being heard. */
export function LevelMeter() {
  const level = useCallStore((s) => s.level);
  const lit = Math.round(level * BARS);
  return (
    <span className="flex items-center gap-2">
      <span className="sr-only">Microphone level</span>
      <span
        role="meter"
        aria-label="Microphone level"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(level * 100)}
        className="flex h-4 items-end gap-0.5"
      >
        {Array.from({ length: BARS }, (_, i) => (
          <span
            key={i}
            className={`w-1 rounded-sm ${i < lit ? (i > 9 ? "bg-red-500" : "bg-emerald-500") : "bg-slate-200"}`}
            style={{ height: `${30 + (i / BARS) * 70}%` }}
          />
        ))}
      </span>
    </span>
  );
}
