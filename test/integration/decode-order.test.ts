import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/**
 * The decode order on a real recognizer thread (lib/asr/decode-queue.ts is unit-tested alone; this
 * checks the worker follows it). The scenario runs in its own process: see fixtures/decode-order.ts.
 */
describe("recognizer thread decode order", () => {
  it("answers a caller who has stopped talking before working through another caller's backlog", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "test/integration/fixtures/decode-order.ts"], { timeout: 120_000 });
    const r = JSON.parse(stdout.trim().split("\n").pop()!) as { longMs: number; b: string; queuedMsAtB: number; a: string; aRejected: boolean };
    expect(r.b).toBe("yes");
    // In arrival order, all of the long utterance would have been decoded before the "yes":
    // nothing queued. Served first, the "yes" comes back with most of it still waiting.
    expect(r.queuedMsAtB).toBeGreaterThan(r.longMs / 2);
    // The long utterance is then decoded in full (three sentences of salary talk are no yes or no: rejected).
    expect(r.aRejected).toBe(true);
  }, 130_000);
});
