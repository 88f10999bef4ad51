"use client";

import { useEffect, useRef } from "react";
import { describeUnderstood } from "@/lib/client/call-view";
import { useCallStore } from "./call-store";

/** The conversation so far; screen readers hear new lines as they are added (role="log"). */
export function Transcript() {
  const entries = useCallStore((s) => s.entries);
  const status = useCallStore((s) => s.status);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: "nearest" });
  }, [entries]);

  return (
    <div
      role="log"
      aria-live="polite"
      aria-label="Conversation"
      data-testid="transcript"
      className="flex-1 space-y-3 overflow-y-auto px-5 py-4"
      style={{ maxHeight: "32rem" }}
    >
      {entries.length === 0 && (
        <p className="py-10 text-center text-sm text-slate-400">
          {status === "connecting" ? "Connecting…" : "Start a call and the conversation appears here."}
        </p>
      )}
      {entries.map((e) => {
        const understood = e.who === "caller" && e.final ? describeUnderstood(e.understood) : null;
        return (
          <div key={e.key} data-testid={`${e.who}-line`} data-final={e.final} className={`flex ${e.who === "caller" ? "justify-end" : ""}`}>
            <div
              className={`max-w-[85%] rounded-2xl px-4 py-2 text-sm ${
                e.who === "bot" ? "rounded-tl-sm bg-slate-100 text-slate-900" : "rounded-tr-sm bg-brand-600 text-white"
              } ${e.final ? "" : "opacity-70"}`}
            >
              <span className="sr-only">{e.who === "bot" ? "Bot:" : "You:"} </span>
              <span className={e.final ? "" : "italic"}>{e.text || (e.final ? "(not understood)" : "…")}</span>
              {e.who === "caller" && e.source === "text" && <span className="ml-2 text-xs opacity-70">typed</span>}
              {understood && (
                <span data-testid="understood" className="mt-1 block text-xs opacity-80">
                  Understood: {understood}
                </span>
              )}
              {e.interruptedAtMs !== undefined && (
                <span className="mt-1 block text-xs text-slate-500">Interrupted after {(e.interruptedAtMs / 1000).toFixed(1)} s</span>
              )}
            </div>
          </div>
        );
      })}
      <div ref={end} />
    </div>
  );
}
