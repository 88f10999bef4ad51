"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * Keeps a server-rendered page current: the server's change stream (server-sent events) says a
 * call started, got a turn or ended, and the page re-renders (at most once a second).
 */
export function LiveRefresh({ callId }: { callId?: string }) {
  const router = useRouter();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource("/api/calls/events");
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = 0;
    const refresh = () => {
      if (timer) return;
      const wait = Math.max(0, 1000 - (Date.now() - last));
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        router.refresh();
      }, wait);
    };
    // Changes between this page's render and the stream opening would be missed: re-render once
    // the stream is open (and after every reconnect).
    source.onopen = () => {
      setConnected(true);
      refresh();
    };
    source.onerror = () => setConnected(false);
    source.addEventListener("call", (e) => {
      if (callId && (JSON.parse((e as MessageEvent<string>).data) as { callId: string }).callId !== callId) return;
      refresh();
    });
    return () => {
      source.close();
      if (timer) clearTimeout(timer);
    };
  }, [router, callId]);
  return (
    <span data-testid="live" data-connected={connected} className="inline-flex items-center gap-1.5 text-xs text-slate-500">
      <span className={`h-2 w-2 rounded-full ${connected ? "bg-emerald-500" : "bg-slate-300"}`} aria-hidden />
      {connected ? "Live" : "Connecting…"}
    </span>
  );
}
