import { describe, expect, it } from "vitest";
import type { QuestionGrammar } from "../bot/grammar";
import { CircuitBreaker } from "../resilience/circuit-breaker";
import { FallbackRecognizer, type AsrFallbackReason } from "./fallback";
import type { RecognitionResult, Recognizer, RecognizerStream, SpeakerState } from "./types";

const grammar = { id: "g", rules: "<answer> = yes | no;", words: ["yes", "no"] } as QuestionGrammar;

/** How one scripted utterance ends: a result, after an optional delay, or an error; "never" hangs until cancelled. */
interface Script {
  text?: string;
  delayMs?: number | "never";
  error?: Error;
  partial?: string;
}

class ScriptedStream implements RecognizerStream {
  readonly pushed: Int16Array[] = [];
  cancels = 0;
  finishes = 0;
  private released = false;
  private abort: (() => void) | undefined;

  constructor(
    private readonly provider: string,
    private readonly script: Script,
    private readonly owner: ScriptedRecognizer,
  ) {}

  get partial(): string {
    return this.script.partial ?? "";
  }

  get samples(): number {
    return this.pushed.reduce((n, s) => n + s.length, 0);
  }

  push(samples: Int16Array): void {
    this.pushed.push(samples.slice());
  }

  async finish(): Promise<RecognitionResult> {
    this.finishes++;
    const { delayMs = 0, error, text = "" } = this.script;
    try {
      if (delayMs === "never") await new Promise<void>((resolve) => (this.abort = resolve));
      else if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      if (error) throw error;
      return { text, confidence: 1, rejected: text === "", audioMs: (this.samples / 16000) * 1000, finalizeMs: 0, provider: this.provider };
    } finally {
      this.release();
    }
  }

  cancel(): void {
    this.cancels++;
    this.release();
    this.abort?.();
  }

  private release(): void {
    if (!this.released) this.owner.active--;
    this.released = true;
  }
}

/** A recognizer whose utterances end as scripted, in order; it records every stream it starts. */
class ScriptedRecognizer implements Recognizer {
  readonly streams: ScriptedStream[] = [];
  readonly scripts: Script[] = [];
  active = 0;
  closed = false;

  constructor(readonly id: string, private readonly extraStats: Record<string, number> = {}) {}

  start(_grammar: QuestionGrammar, _speaker?: SpeakerState): ScriptedStream {
    this.active++;
    const stream = new ScriptedStream(this.id, this.scripts.shift() ?? {}, this);
    this.streams.push(stream);
    return stream;
  }

  stats(): Record<string, number> {
    return { active: this.active, ...this.extraStats };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

function fakeClock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function setup(o: { failures?: number; cooldownMs?: number; resultTimeoutMs?: number } = {}) {
  const clock = fakeClock();
  const breaker = new CircuitBreaker(o.failures ?? 3, o.cooldownMs ?? 10_000, clock.now);
  const cloud = new ScriptedRecognizer("openai:test", { sockets: 7 });
  const embedded = new ScriptedRecognizer("embedded", { decoders: 2 });
  const fallbacks: Array<{ provider: string; reason: AsrFallbackReason; error?: unknown }> = [];
  const recognizer = new FallbackRecognizer(cloud, embedded, {
    resultTimeoutMs: o.resultTimeoutMs ?? 1_000,
    breaker,
    onFallback: (e) => fallbacks.push(e),
  });
  return { clock, breaker, cloud, embedded, fallbacks, recognizer };
}

const frame = (value: number) => new Int16Array(320).fill(value);

/** One utterance: three frames, then finish(). */
async function utterance(recognizer: Recognizer) {
  const stream = recognizer.start(grammar);
  for (let i = 1; i <= 3; i++) stream.push(frame(i));
  return stream.finish();
}

describe("FallbackRecognizer", () => {
  it("uses the cloud transcript when it comes in time and drops the embedded decode", async () => {
    const { recognizer, cloud, embedded, breaker, fallbacks } = setup();
    cloud.scripts.push({ text: "yes I am", delayMs: 5 });
    embedded.scripts.push({ text: "yes" });
    const result = await utterance(recognizer);
    expect(result).toMatchObject({ text: "yes I am", provider: "openai:test", rejected: false });
    expect(recognizer.id).toBe("openai:test");
    expect(embedded.streams[0]!.cancels).toBe(1);
    expect(embedded.streams[0]!.finishes).toBe(0);
    expect(cloud.streams[0]!.cancels).toBe(0);
    expect(fallbacks).toEqual([]);
    expect(breaker.state).toBe("closed");
  });

  it("a cloud success resets the breaker's count of consecutive failures", async () => {
    const { recognizer, cloud, breaker } = setup({ failures: 2 });
    cloud.scripts.push({ error: new Error("boom") }, { text: "yes" }, { error: new Error("boom") });
    await utterance(recognizer);
    await utterance(recognizer);
    await utterance(recognizer);
    // Two failures, but not in a row: still closed.
    expect(breaker.state).toBe("closed");
  });

  it("falls back to the embedded result when the cloud is late, and cancels the cloud", async () => {
    const { recognizer, cloud, embedded, fallbacks } = setup({ resultTimeoutMs: 30 });
    cloud.scripts.push({ text: "too late", delayMs: "never" });
    embedded.scripts.push({ text: "no" });
    const started = Date.now();
    const result = await utterance(recognizer);
    // Generous: only proves the result waited for the timeout rather than skipping the cloud.
    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
    expect(result).toMatchObject({ text: "no", provider: "embedded" });
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatchObject({ provider: "openai:test", reason: "timeout" });
    expect(cloud.streams[0]!.cancels).toBe(1);
    expect(embedded.streams[0]!.finishes).toBe(1);
    expect(embedded.streams[0]!.cancels).toBe(0);
  });

  it("falls back to the embedded result when the cloud fails, reporting the error", async () => {
    const { recognizer, cloud, embedded, fallbacks } = setup();
    const error = new Error("realtime socket closed (1006)");
    cloud.scripts.push({ error, delayMs: 5 });
    embedded.scripts.push({ text: "yes" });
    const result = await utterance(recognizer);
    expect(result).toMatchObject({ text: "yes", provider: "embedded" });
    expect(fallbacks).toEqual([{ provider: "openai:test", reason: "error", error }]);
    expect(cloud.streams[0]!.cancels).toBe(1);
    expect(embedded.streams[0]!.finishes).toBe(1);
  });

  it("feeds every frame to both recognizers and takes the partial from the embedded one", async () => {
    const { recognizer, cloud, embedded } = setup();
    cloud.scripts.push({ text: "yes", partial: "cloud partial" });
    embedded.scripts.push({ text: "yes", partial: "yes i" });
    const stream = recognizer.start(grammar);
    for (let i = 1; i <= 5; i++) stream.push(frame(i));
    expect(stream.partial).toBe("yes i");
    const sent = [1, 2, 3, 4, 5].map((v) => frame(v));
    expect(cloud.streams[0]!.pushed).toEqual(sent);
    expect(embedded.streams[0]!.pushed).toEqual(sent);
    await stream.finish();
  });

  it("stops starting the cloud once the breaker opens, and tries it again after the cooldown", async () => {
    const { recognizer, cloud, embedded, breaker, clock, fallbacks } = setup({ failures: 2, cooldownMs: 5_000 });
    cloud.scripts.push({ error: new Error("503") }, { error: new Error("503") });
    embedded.scripts.push({ text: "a" }, { text: "b" }, { text: "c" }, { text: "d" });
    await utterance(recognizer);
    expect(breaker.state).toBe("closed");
    await utterance(recognizer);
    expect(breaker.state).toBe("open");
    expect(cloud.streams).toHaveLength(2);

    const result = await utterance(recognizer);
    expect(result).toMatchObject({ text: "c", provider: "embedded" });
    expect(cloud.streams).toHaveLength(2);
    expect(fallbacks.map((f) => f.reason)).toEqual(["error", "error", "circuit_open"]);
    expect(fallbacks[2]).toEqual({ provider: "openai:test", reason: "circuit_open" });

    clock.advance(5_000);
    expect(breaker.state).toBe("half_open");
    cloud.scripts.push({ text: "yes it works" });
    const trial = await utterance(recognizer);
    expect(cloud.streams).toHaveLength(3);
    expect(trial).toMatchObject({ text: "yes it works", provider: "openai:test" });
    expect(breaker.state).toBe("closed");
    expect(embedded.streams[3]!.cancels).toBe(1);
  });

  it("only one utterance at a time probes a half-open breaker", async () => {
    const { recognizer, cloud, breaker, clock, fallbacks } = setup({ failures: 1, cooldownMs: 1_000 });
    cloud.scripts.push({ error: new Error("down") });
    await utterance(recognizer);
    clock.advance(1_000);
    cloud.scripts.push({ text: "yes" });
    const trial = recognizer.start(grammar);
    const other = recognizer.start(grammar);
    expect(cloud.streams).toHaveLength(2);
    trial.push(frame(1));
    other.push(frame(1));
    await expect(other.finish()).resolves.toMatchObject({ provider: "embedded" });
    expect(fallbacks.at(-1)!.reason).toBe("circuit_open");
    await expect(trial.finish()).resolves.toMatchObject({ text: "yes", provider: "openai:test" });
    expect(breaker.state).toBe("closed");
  });

  it("a half-open trial cancelled before finish() lets the next utterance try the cloud", async () => {
    const { recognizer, cloud, breaker, clock } = setup({ failures: 1, cooldownMs: 1_000 });
    cloud.scripts.push({ error: new Error("down") });
    await utterance(recognizer);
    clock.advance(1_000);
    expect(breaker.state).toBe("half_open");

    const trial = recognizer.start(grammar);
    expect(cloud.streams).toHaveLength(2);
    trial.push(frame(1));
    trial.cancel();
    expect(cloud.streams[1]!.cancels).toBe(1);
    expect(breaker.state).toBe("half_open");

    cloud.scripts.push({ text: "yes" });
    const result = await utterance(recognizer);
    expect(cloud.streams).toHaveLength(3);
    expect(result).toMatchObject({ text: "yes", provider: "openai:test" });
    expect(breaker.state).toBe("closed");
  });

  it("cancel() before finish() releases both streams", () => {
    const { recognizer, cloud, embedded } = setup();
    const stream = recognizer.start(grammar);
    stream.push(frame(1));
    stream.cancel();
    expect(cloud.streams[0]!.cancels).toBe(1);
    expect(embedded.streams[0]!.cancels).toBe(1);
  });

  it("stats() reports the embedded engine's stats and the cloud's prefixed with cloud_", async () => {
    const { recognizer, cloud, embedded } = setup();
    const stream = recognizer.start(grammar);
    expect(recognizer.stats()).toEqual({ active: 1, decoders: 2, cloud_active: 1, cloud_sockets: 7 });
    await stream.finish();
    expect(recognizer.stats()).toEqual({ active: 0, decoders: 2, cloud_active: 0, cloud_sockets: 7 });
    await recognizer.close();
    expect(cloud.closed).toBe(true);
    expect(embedded.closed).toBe(true);
  });
});
