import { describe, expect, it } from "vitest";
import { concatInt16, rmsDbfs } from "../audio/pcm";
import { CircuitBreaker } from "../resilience/circuit-breaker";
import { FallbackSynthesizer, type FallbackReason } from "./fallback";
import { FliteSynthesizer } from "./flite";
import { TTS_SAMPLE_RATE_HZ, type SynthesisOptions, type Synthesizer } from "./types";

/** What a scripted synthesizer does for one request. */
interface Script {
  /** Chunks it yields when nothing goes wrong. */
  chunks?: number;
  /** Wait this long before the first chunk. */
  firstChunkDelayMs?: number;
  /** Throw after yielding this many chunks (0 = before any audio). */
  throwAfter?: number;
  /** The HTTP status the thrown error carries (absent: 400, a failure not worth retrying; undefined: none, as a dropped connection). */
  status?: number | undefined;
  /** After this many chunks, go silent until aborted. */
  stallAfter?: number;
}

interface Call {
  text: string;
  voice: string;
  rate: number | undefined;
  /** Whether the request's signal ended up aborted (the request was cancelled). */
  aborted: () => boolean;
}

/** Where each chunk came from, so a test can tell whose audio the caller heard. */
const origin = new WeakMap<Int16Array, { provider: string; text: string }>();

/** Rejects when the signal aborts, as a fetch does. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException("This operation was aborted", "AbortError"));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new DOMException("This operation was aborted", "AbortError"));
      },
      { once: true },
    );
  });
}

/** A small in-test provider that does what its script says for each request. */
class ScriptedSynth implements Synthesizer {
  readonly voices = ["v1", "v2"];
  readonly calls: Call[] = [];

  constructor(
    readonly id: string,
    private readonly script: (text: string, call: number) => Script = () => ({}),
  ) {}

  async *stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    const signal = options.signal;
    this.calls.push({ text, voice: options.voice, rate: options.rate, aborted: () => signal?.aborted ?? false });
    const s = this.script(text, this.calls.length - 1);
    const chunks = s.chunks ?? 3;
    if (s.firstChunkDelayMs) await sleep(s.firstChunkDelayMs, signal);
    for (let i = 0; i < chunks; i++) {
      if (s.throwAfter === i) throw Object.assign(new Error(`${this.id} failed`), { status: "status" in s ? s.status : 400 });
      // Bounded so a broken implementation fails the test instead of hanging it.
      if (s.stallAfter === i) await sleep(30_000, signal);
      if (signal?.aborted) return;
      const chunk = new Int16Array(1600).fill(1000 + i); // 100 ms
      origin.set(chunk, { provider: this.id, text });
      yield chunk;
      await Promise.resolve();
    }
  }
}

const THREE = "First sentence here. Second one now. Third one too.";
const FALLBACK_VOICE = "kal16";

function setup(primary: Synthesizer, fallback: Synthesizer, o: { failures?: number; now?: () => number; timeoutMs?: number } = {}) {
  const breaker = new CircuitBreaker(o.failures ?? 3, 60_000, o.now);
  const fallbacks: Array<{ provider: string; reason: FallbackReason; error?: unknown }> = [];
  const synth = new FallbackSynthesizer(primary, fallback, FALLBACK_VOICE, {
    firstAudioTimeoutMs: o.timeoutMs ?? 100,
    stallTimeoutMs: o.timeoutMs ?? 100,
    breaker,
    onFallback: (e) => fallbacks.push(e),
  });
  return { synth, breaker, fallbacks };
}

/** Speaks `text`, noting every provider `served` reports and every chunk heard. */
async function speak(synth: Synthesizer, text: string, options: Partial<SynthesisOptions> = {}) {
  const served: string[] = [];
  const chunks: Int16Array[] = [];
  for await (const chunk of synth.stream(text, { voice: "v1", ...options, served: (id) => served.push(id) })) chunks.push(chunk);
  return { served, chunks, sources: chunks.map((c) => origin.get(c)) };
}

describe("FallbackSynthesizer", () => {
  it("passes the primary's audio through when it works: no fallback, served reports only the primary", async () => {
    const primary = new ScriptedSynth("cloud");
    const fallback = new ScriptedSynth("embedded");
    const { synth, breaker, fallbacks } = setup(primary, fallback);
    expect(synth.id).toBe("cloud");
    expect(synth.voices).toEqual(primary.voices);

    const { served, chunks, sources } = await speak(synth, THREE, { rate: 1.15 });
    expect(primary.calls.map((c) => c.text)).toEqual(["First sentence here.", "Second one now.", "Third one too."]);
    expect(primary.calls.every((c) => c.voice === "v1" && c.rate === 1.15)).toBe(true);
    expect(chunks).toHaveLength(9);
    expect(sources.every((s) => s?.provider === "cloud")).toBe(true);
    expect(new Set(served)).toEqual(new Set(["cloud"]));
    expect(fallback.calls).toHaveLength(0);
    expect(fallbacks).toHaveLength(0);
    expect(breaker.state).toBe("closed");
  });

  it("lets the embedded voice speak when the primary's first audio is late (reason timeout), and cancels the late request", async () => {
    const primary = new ScriptedSynth("cloud", () => ({ firstChunkDelayMs: 10_000 }));
    const fallback = new FliteSynthesizer();
    const { synth, fallbacks } = setup(primary, fallback);

    const { served, chunks } = await speak(synth, "Are you a salaried employee?");
    const audio = concatInt16(chunks);
    expect(audio.length / TTS_SAMPLE_RATE_HZ).toBeGreaterThan(0.8);
    expect(rmsDbfs(audio)).toBeGreaterThan(-40);
    expect(chunks.some((c) => origin.get(c))).toBe(false); // nothing from the primary
    expect(fallbacks).toEqual([{ provider: "cloud", reason: "timeout", error: expect.any(Error) }]);
    expect(served).toEqual(["flite"]);
    expect(primary.calls).toHaveLength(1);
    expect(primary.calls[0]!.aborted()).toBe(true);
  });

  it("falls back when the primary fails (reason error, with the error)", async () => {
    const primary = new ScriptedSynth("cloud", () => ({ throwAfter: 0 }));
    const fallback = new ScriptedSynth("embedded");
    const { synth, fallbacks } = setup(primary, fallback);

    const { served, sources } = await speak(synth, "Do you live in a metro city?");
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((s) => s?.provider === "embedded" && s.text === "Do you live in a metro city?")).toBe(true);
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]!.reason).toBe("error");
    expect(fallbacks[0]!.provider).toBe("cloud");
    expect((fallbacks[0]!.error as Error).message).toBe("cloud failed");
    expect(served).toEqual(["embedded"]);
  });

  it("retries once a sentence that fails at once with a 5xx or a dropped connection, and plays the retry", async () => {
    for (const status of [503, undefined]) {
      const primary = new ScriptedSynth("cloud", (_text, call) => (call === 0 ? { throwAfter: 0, status } : {}));
      const fallback = new ScriptedSynth("embedded");
      const { synth, fallbacks } = setup(primary, fallback);
      const { served, sources } = await speak(synth, "Do you own the home?");
      expect(primary.calls).toHaveLength(2);
      expect(fallback.calls).toHaveLength(0);
      expect(fallbacks).toEqual([]);
      expect(served).toEqual(["cloud"]);
      expect(sources.every((x) => x?.provider === "cloud")).toBe(true);
    }
  });

  it("does not retry a 4xx, and falls back when the retry fails too", async () => {
    const refused = new ScriptedSynth("cloud", () => ({ throwAfter: 0, status: 401 }));
    const r1 = setup(refused, new ScriptedSynth("embedded"));
    await speak(r1.synth, "Hello there.");
    expect(refused.calls).toHaveLength(1);

    const down = new ScriptedSynth("cloud", () => ({ throwAfter: 0, status: 502 }));
    const r2 = setup(down, new ScriptedSynth("embedded"));
    const { served } = await speak(r2.synth, "Hello there.");
    expect(down.calls).toHaveLength(2);
    expect(served).toEqual(["embedded"]);
    expect(r2.fallbacks.map((f) => f.reason)).toEqual(["error"]);
  });

  it("counts a primary that ends without any audio as a failure", async () => {
    const primary = new ScriptedSynth("cloud", () => ({ chunks: 0 }));
    const fallback = new ScriptedSynth("embedded");
    const { synth, fallbacks } = setup(primary, fallback);
    const { sources } = await speak(synth, "Hello there.");
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((s) => s?.provider === "embedded")).toBe(true);
    expect(fallbacks.map((f) => f.reason)).toEqual(["error"]);
  });

  it("keeps the first sentence from the primary and lets the fallback say the rest when the primary fails on the second", async () => {
    const primary = new ScriptedSynth("cloud", (_text, call) => (call === 1 ? { throwAfter: 0 } : {}));
    const fallback = new ScriptedSynth("embedded");
    const { synth, fallbacks } = setup(primary, fallback);

    const { served, sources } = await speak(synth, THREE);
    expect(primary.calls.map((c) => c.text)).toEqual(["First sentence here.", "Second one now."]);
    expect(fallback.calls.map((c) => c.text)).toEqual(["Second one now. Third one too."]);
    expect(sources.map((s) => `${s?.provider}:${s?.text}`)).toEqual([
      ...Array(3).fill("cloud:First sentence here."),
      ...Array(3).fill("embedded:Second one now. Third one too."),
    ]);
    expect(served).toEqual(["cloud", "embedded"]);
    expect(fallbacks.map((f) => f.reason)).toEqual(["error"]);
  });

  it("says a sentence again from its start when the primary fails part-way through it", async () => {
    const primary = new ScriptedSynth("cloud", (_text, call) => (call === 1 ? { throwAfter: 2 } : {}));
    const fallback = new ScriptedSynth("embedded");
    const { synth } = setup(primary, fallback);

    const { sources } = await speak(synth, THREE);
    expect(sources.map((s) => `${s?.provider}:${s?.text}`)).toEqual([
      ...Array(3).fill("cloud:First sentence here."),
      ...Array(2).fill("cloud:Second one now."),
      ...Array(3).fill("embedded:Second one now. Third one too."),
    ]);
  });

  it("falls back when the primary stalls mid-sentence longer than stallTimeoutMs, and cancels the stalled request", async () => {
    const primary = new ScriptedSynth("cloud", () => ({ stallAfter: 1 }));
    const fallback = new ScriptedSynth("embedded");
    const { synth, fallbacks } = setup(primary, fallback);

    const { served, sources } = await speak(synth, "Is your monthly salary above twenty five thousand rupees?");
    expect(sources.map((s) => s?.provider)).toEqual(["cloud", "embedded", "embedded", "embedded"]);
    expect(fallbacks.map((f) => f.reason)).toEqual(["timeout"]);
    expect(served).toEqual(["cloud", "embedded"]);
    expect(primary.calls[0]!.aborted()).toBe(true);
  });

  it("asks the fallback for fallbackVoice, keeping the other options", async () => {
    const primary = new ScriptedSynth("cloud", () => ({ throwAfter: 0 }));
    const fallback = new ScriptedSynth("embedded");
    const { synth } = setup(primary, fallback);
    await speak(synth, "Hello there.", { voice: "v2", rate: 1.15 });
    expect(primary.calls[0]).toMatchObject({ voice: "v2", rate: 1.15 });
    expect(fallback.calls).toHaveLength(1);
    expect(fallback.calls[0]).toMatchObject({ text: "Hello there.", voice: FALLBACK_VOICE, rate: 1.15 });
  });

  it("opens the breaker after `failures` failed turns: the primary is then not called at all (reason circuit_open)", async () => {
    let t = 0;
    const primary = new ScriptedSynth("cloud", () => ({ throwAfter: 0 }));
    const fallback = new FliteSynthesizer();
    const { synth, breaker, fallbacks } = setup(primary, fallback, { failures: 2, now: () => t });

    await speak(synth, "Yes.");
    await speak(synth, "No.");
    expect(primary.calls).toHaveLength(2);
    expect(breaker.state).toBe("open");

    const { served, chunks } = await speak(synth, "Thank you for your time.");
    expect(primary.calls).toHaveLength(2);
    expect(served).toEqual(["flite"]);
    expect(concatInt16(chunks).length / TTS_SAMPLE_RATE_HZ).toBeGreaterThan(0.5);
    expect(fallbacks.map((f) => f.reason)).toEqual(["error", "error", "circuit_open"]);
  });

  it("tries the primary again after the cooldown and goes back to it when the trial works", async () => {
    let t = 0;
    let broken = true;
    const primary = new ScriptedSynth("cloud", () => (broken ? { throwAfter: 0 } : {}));
    const fallback = new ScriptedSynth("embedded");
    const { synth, breaker, fallbacks } = setup(primary, fallback, { failures: 1, now: () => t });

    await speak(synth, "One.");
    expect(breaker.state).toBe("open");
    await speak(synth, "Two.");
    expect(primary.calls).toHaveLength(1);

    t += 60_000;
    broken = false;
    const { served } = await speak(synth, THREE);
    expect(served).toEqual(["cloud", "cloud", "cloud"]); // one report per sentence
    expect(primary.calls).toHaveLength(4);
    expect(breaker.state).toBe("closed");
    expect(fallbacks.map((f) => f.reason)).toEqual(["error", "circuit_open"]);
  });

  it("stops without calling the fallback when options.signal aborts while waiting for the primary", async () => {
    const primary = new ScriptedSynth("cloud", () => ({ firstChunkDelayMs: 10_000 }));
    const fallback = new ScriptedSynth("embedded");
    // A timeout long enough that only the abort can end the wait.
    const { synth, breaker, fallbacks } = setup(primary, fallback, { timeoutMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const { chunks } = await speak(synth, THREE, { signal: controller.signal });
    expect(chunks).toHaveLength(0);
    expect(primary.calls).toHaveLength(1);
    expect(primary.calls[0]!.aborted()).toBe(true);
    expect(fallback.calls).toHaveLength(0);
    expect(fallbacks).toHaveLength(0);
    // A barge-in is not the provider's fault.
    expect(breaker.state).toBe("closed");
  });

  it("stops mid-turn when options.signal aborts during the primary's audio, without calling the fallback", async () => {
    const primary = new ScriptedSynth("cloud", () => ({ chunks: 50 }));
    const fallback = new ScriptedSynth("embedded");
    const { synth, fallbacks } = setup(primary, fallback);
    const controller = new AbortController();
    const chunks: Int16Array[] = [];
    for await (const chunk of synth.stream(THREE, { voice: "v1", signal: controller.signal })) {
      chunks.push(chunk);
      if (chunks.length === 2) controller.abort();
    }
    expect(chunks.length).toBeLessThan(5);
    expect(primary.calls).toHaveLength(1);
    expect(fallback.calls).toHaveLength(0);
    expect(fallbacks).toHaveLength(0);
  });
});
