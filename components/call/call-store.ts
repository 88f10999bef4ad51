"use client";

import { create } from "zustand";
import { initialCallView, reduceCall, type CallEvent, type CallView } from "@/lib/client/call-view";

interface CallStore extends CallView {
  /** Microphone level 0–1 for the meter (kept apart from the call view: it changes 50 times a second). */
  level: number;
  dispatch: (e: CallEvent) => void;
  setLevel: (level: number) => void;
}

/** Mirrors the server's events for the call screen; see lib/client/call-view.ts. */
export const useCallStore = create<CallStore>((set) => ({
  ...initialCallView(),
  level: 0,
  dispatch: (e) => set((s) => reduceCall(s, e)),
  setLevel: (level) => set((s) => (Math.abs(s.level - level) < 0.01 ? s : { level })),
}));
