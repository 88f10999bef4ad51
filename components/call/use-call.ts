"use client";

import { useCallback, useEffect, useRef } from "react";
import { BrowserCall } from "./browser-call";
import { useCallStore } from "./call-store";

/** The call's command set for components: start, type, end. State is read from useCallStore. */
export function useCall(bot: string) {
  const dispatch = useCallStore((s) => s.dispatch);
  const setLevel = useCallStore((s) => s.setLevel);
  const call = useRef<BrowserCall | null>(null);

  useEffect(() => {
    dispatch({ kind: "reset" });
    return () => {
      call.current?.dispose();
      call.current = null;
    };
  }, [bot, dispatch]);

  const start = useCallback(
    async (mode: "voice" | "text") => {
      call.current?.dispose();
      const c = new BrowserCall({ bot, dispatch, onLevel: setLevel });
      call.current = c;
      return c.start(mode);
    },
    [bot, dispatch, setLevel],
  );
  const sendText = useCallback((text: string) => call.current?.sendText(text), []);
  const typing = useCallback(() => call.current?.typing(), []);
  const end = useCallback(() => call.current?.end(), []);
  return { start, sendText, typing, end };
}
