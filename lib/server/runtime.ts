import type { Flow } from "../bot/flow-schema";
import type { CallStore } from "../store/call-store";

/**
 * What server.ts hands the pages (Next compiles them apart from server.ts, so the hand-over is a
 * global): the call store, the flows and the access rule for call records.
 */
export interface Runtime {
  store: CallStore;
  flows: Flow[];
  adminToken: string | undefined;
  production: boolean;
}

const KEY = Symbol.for("voice-qualify.runtime");
type Holder = { [KEY]?: Runtime };

export function publishRuntime(r: Runtime): void {
  (globalThis as Holder)[KEY] = r;
}

/** The running server's runtime, if this process is server.ts. */
export function publishedRuntime(): Runtime | undefined {
  return (globalThis as Holder)[KEY];
}

/** The running server's runtime; pages that need it only work under server.ts. */
export function runtime(): Runtime {
  const r = publishedRuntime();
  if (!r) throw new Error("call records need the voice server: start it with `npm run dev` (server.ts), not `next dev`");
  return r;
}
