import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { FrontEndVote } from "../../lib/asr/types";

const run = promisify(execFile);

interface Decoded {
  text: string;
  rejected: boolean;
  confidence: number;
  frontEnds: number;
  votes: FrontEndVote[] | null;
}

/**
 * A noisy line's front ends spread over two recognizer threads, against one stream decoding them
 * all (lib/asr/embedded.ts). The scenario runs in its own process: see fixtures/split-ensemble.ts.
 */
describe("noisy-line ensemble on two recognizer threads", () => {
  it("decodes a noisy line's utterance on both threads and answers as one thread decoding every front end", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", "test/integration/fixtures/split-ensemble.ts"], { timeout: 120_000 });
    const { results, busy } = JSON.parse(stdout.trim().split("\n").pop()!) as {
      results: Array<{ question: string; inFlight: number[]; split: Decoded; one: Decoded }>;
      busy: number;
    };
    expect(results).toHaveLength(4);
    for (const [i, { inFlight, split, one }] of results.entries()) {
      const noisy = i < 3;
      // Both threads hold a part of a noisy line's utterance; a quiet line's stays on one thread.
      expect([...inFlight].sort()).toEqual(noisy ? [1, 1] : [0, 1]);
      expect(split.frontEnds).toBe(noisy ? 3 : 1);
      expect(split).toMatchObject({ text: one.text, rejected: false, frontEnds: one.frontEnds });
      // The same front ends in the same order. Decodes may differ in the last digits: a thread
      // decodes its queued audio in larger pieces than 20 ms, which moves RNNoise's frames a little.
      expect(split.votes?.map((v) => v.text) ?? null).toEqual(one.votes?.map((v) => v.text) ?? null);
      for (const [k, v] of (split.votes ?? []).entries()) expect(v.confidence).toBeCloseTo(one.votes![k]!.confidence, 1);
    }
    expect(busy).toBe(0);
  }, 130_000);
});
