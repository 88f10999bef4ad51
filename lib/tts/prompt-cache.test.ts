import { describe, expect, it } from "vitest";
import { concatInt16 } from "../audio/pcm";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PromptCache } from "./prompt-cache";
import { DiskPromptStore } from "./prompt-store";
import type { SynthesisOptions, Synthesizer } from "./types";

/** A synthesizer whose audio encodes what it was asked: one chunk per sentence, counted. */
class CountingSynth implements Synthesizer {
  readonly id = "fake";
  readonly voices = ["a", "b"];
  calls: string[] = [];

  async *stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    this.calls.push(`${options.voice}/${options.rate ?? 1}/${options.format ? `${options.format}/` : ""}${text}`);
    for (const sentence of text.split(". ")) {
      if (options.signal?.aborted) return;
      await Promise.resolve();
      yield audioFor(sentence, options);
    }
  }
}

/** Stands in for a fallback synthesizer: its id is the configured provider's, but it reports who served each request. */
class ServingSynth extends CountingSynth {
  /** Providers to report for a text, sentence by sentence; by default this synthesizer's own id. */
  servedBy: (text: string) => string[] = () => [this.id];

  override async *stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    const reports = this.servedBy(text);
    options.served?.(reports[0]!);
    let sentence = 0;
    for await (const chunk of super.stream(text, options)) {
      if (sentence > 0 && reports[sentence]) options.served?.(reports[sentence]!);
      sentence++;
      yield chunk;
    }
  }
}

function audioFor(text: string, options: SynthesisOptions): Int16Array {
  const seed = [...`${options.voice}${options.rate ?? 1}${text}`].reduce((h, c) => (h * 31 + c.charCodeAt(0)) & 0x7fff, 7);
  return Int16Array.from({ length: 160 + text.length }, (_, i) => (seed + i) & 0x7fff);
}

async function collect(stream: AsyncIterable<Int16Array>): Promise<Int16Array[]> {
  const chunks: Int16Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const slt = { voice: "a" };

describe("PromptCache", () => {
  it("warms fixed prompts once; speaking one then yields its whole audio in one chunk, without synthesis", async () => {
    const synth = new CountingSynth();
    const cache = new PromptCache(synth);
    const prompts = ["Hi. Welcome to QuickRupee", "Are you a salaried employee?", "Are you a salaried employee?"];
    expect(await cache.warm(prompts, slt)).toBe(2);
    expect(synth.calls).toHaveLength(2);
    expect(await cache.warm(prompts, slt)).toBe(0);
    expect(synth.calls).toHaveLength(2);

    const chunks = await collect(cache.speak("Hi. Welcome to QuickRupee", slt));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toEqual(concatInt16([audioFor("Hi", slt), audioFor("Welcome to QuickRupee", slt)]));
    expect(synth.calls).toHaveLength(2);
    expect(cache.has("Are you a salaried employee?", slt)).toBe(true);
    expect(cache.providerId).toBe("fake");
  });

  it("keys audio by voice and rate: another voice or rate is synthesized anew", async () => {
    const synth = new CountingSynth();
    const cache = new PromptCache(synth);
    await cache.warm(["Hello"], slt);
    expect(cache.has("Hello", { voice: "b" })).toBe(false);
    expect(cache.has("Hello", { voice: "a", rate: 1.15 })).toBe(false);
    expect(cache.has("Hello", { voice: "a", rate: 1 })).toBe(true);
    const other = await collect(cache.speak("Hello", { voice: "b" }));
    const faster = await collect(cache.speak("Hello", { voice: "a", rate: 1.15 }));
    expect(synth.calls).toEqual(["a/1/Hello", "b/1/Hello", "a/1.15/Hello"]);
    expect(other).toEqual([audioFor("Hello", { voice: "b" })]);
    expect(faster).toEqual([audioFor("Hello", { voice: "a", rate: 1.15 })]);
  });

  it("keys audio by output format: a voice that speaks μ-law itself is asked for the phone line's prompts", async () => {
    const synth = new CountingSynth();
    const cache = new PromptCache(synth);
    const phone = { voice: "a", format: "ulaw_8000" } as const;
    await cache.warm(["Hello"], slt);
    expect(cache.has("Hello", phone)).toBe(false);
    expect(await cache.warm(["Hello"], phone)).toBe(1);
    expect(synth.calls).toEqual(["a/1/Hello", "a/1/ulaw_8000/Hello"]);
    expect(await collect(cache.speak("Hello", phone))).toEqual([audioFor("Hello", phone)]);
    expect(synth.calls).toHaveLength(2);
  });

  it("derives narrowband prompts by resampling the wideband ones when the voice's narrowband is only a resample", async () => {
    const synth = Object.assign(new CountingSynth(), { narrowbandIsResampled: true });
    const cache = new PromptCache(synth);
    const phone = { voice: "a", format: "ulaw_8000" } as const;
    expect(await cache.warm(["Hello there"], phone)).toBe(1);
    // The wideband prompt was synthesized (once) and resampled; the synthesizer never saw a narrowband request.
    expect(synth.calls).toEqual(["a/1/pcm_16000/Hello there"]);
    expect(cache.has("Hello there", slt)).toBe(true);
    const [narrow] = await collect(cache.speak("Hello there", phone));
    const [wide] = await collect(cache.speak("Hello there", slt));
    expect(narrow!.length).toBe(Math.round(wide!.length / 2));
    expect(synth.calls).toHaveLength(1);
  });

  it("streams text it does not hold as the synthesizer produces it, then remembers it", async () => {
    const synth = new CountingSynth();
    const cache = new PromptCache(synth);
    const first = await collect(cache.speak("Thanks. Bye", slt));
    expect(first).toEqual([audioFor("Thanks", slt), audioFor("Bye", slt)]);
    const second = await collect(cache.speak("Thanks. Bye", slt));
    expect(second).toEqual([concatInt16(first)]);
    expect(synth.calls).toHaveLength(1);
  });

  it("does not remember audio cut short by an abort", async () => {
    const synth = new CountingSynth();
    const cache = new PromptCache(synth);
    const controller = new AbortController();
    for await (const _chunk of cache.speak("One. Two. Three", { ...slt, signal: controller.signal })) controller.abort();
    expect(cache.has("One. Two. Three", slt)).toBe(false);
    expect(await collect(cache.speak("One. Two. Three", slt))).toHaveLength(3);
  });

  it("bounds other text least-recently-used, and never drops warmed prompts", async () => {
    const synth = new CountingSynth();
    const cache = new PromptCache(synth, { maxDynamicEntries: 3 });
    await cache.warm(["Fixed prompt"], slt);
    for (const text of ["t1", "t2", "t3"]) await collect(cache.speak(text, slt));
    await collect(cache.speak("t1", slt)); // t1 is now the most recently used
    await collect(cache.speak("t4", slt)); // evicts t2, the least recently used
    expect(["t1", "t2", "t3", "t4"].map((t) => cache.has(t, slt))).toEqual([true, false, true, true]);
    for (let i = 5; i < 20; i++) await collect(cache.speak(`t${i}`, slt));
    expect(cache.size).toBe(4);
    expect(cache.has("Fixed prompt", slt)).toBe(true);
    const callsBefore = synth.calls.length;
    await collect(cache.speak("Fixed prompt", slt));
    expect(synth.calls.length).toBe(callsBefore);
  });

  it("does not pin a prompt a fallback voice said instead of the configured one", async () => {
    const synth = new ServingSynth();
    const cache = new PromptCache(synth);
    synth.servedBy = () => ["flite"];
    expect(await cache.warm(["Hi. Welcome to QuickRupee", "Are you a salaried employee?"], slt)).toBe(0);
    expect(cache.has("Hi. Welcome to QuickRupee", slt)).toBe(false);
    expect(cache.size).toBe(0);

    // A prompt the configured provider began but a fallback finished is not pinned either.
    synth.servedBy = () => ["fake", "flite"];
    expect(await cache.warm(["Hi. Welcome to QuickRupee"], slt)).toBe(0);
    expect(cache.has("Hi. Welcome to QuickRupee", slt)).toBe(false);

    // Once the configured provider speaks again, warming again pins what it says.
    synth.servedBy = () => ["fake"];
    expect(await cache.warm(["Hi. Welcome to QuickRupee", "Are you a salaried employee?"], slt)).toBe(2);
    expect(cache.has("Hi. Welcome to QuickRupee", slt)).toBe(true);
    expect(cache.has("Are you a salaried employee?", slt)).toBe(true);
  });

  it("warms what it can: only the prompts a fallback said are left out of the count", async () => {
    const synth = new ServingSynth();
    const cache = new PromptCache(synth);
    synth.servedBy = (text) => [text === "Two" ? "flite" : "fake"];
    expect(await cache.warm(["One", "Two", "Three"], slt)).toBe(2);
    expect(["One", "Two", "Three"].map((t) => cache.has(t, slt))).toEqual([true, false, true]);
  });

  it("streams a fallback's audio to the caller but does not remember it as this provider's", async () => {
    const synth = new ServingSynth();
    const cache = new PromptCache(synth);
    synth.servedBy = () => ["flite"];
    const served: string[] = [];
    const first = await collect(cache.speak("Thanks. Bye", { ...slt, served: (id) => served.push(id) }));
    expect(first).toEqual([audioFor("Thanks", slt), audioFor("Bye", slt)]);
    expect(served).toEqual(["flite"]);
    expect(cache.has("Thanks. Bye", slt)).toBe(false);
    expect(cache.size).toBe(0);

    synth.servedBy = () => ["fake"];
    await collect(cache.speak("Thanks. Bye", slt));
    expect(synth.calls).toHaveLength(2);
    expect(cache.has("Thanks. Bye", slt)).toBe(true);
  });

  it("reports its own synthesizer through options.served on a cache hit", async () => {
    const synth = new ServingSynth();
    const cache = new PromptCache(synth);
    await cache.warm(["Are you a salaried employee?"], slt);
    await collect(cache.speak("Thanks. Bye", slt));
    const callsBefore = synth.calls.length;
    for (const text of ["Are you a salaried employee?", "Thanks. Bye"]) {
      const served: string[] = [];
      const chunks = await collect(cache.speak(text, { ...slt, served: (id) => served.push(id) }));
      expect(chunks).toHaveLength(1);
      expect(served).toEqual(["fake"]);
    }
    expect(synth.calls).toHaveLength(callsBefore);
  });

  it("keeps warmed prompts on disk: a new cache (a restart) loads them instead of synthesizing, per engine version", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "prompt-store-"));
    try {
      const prompts = ["Hi. Welcome to QuickRupee", "Are you a salaried employee?"];
      const first = new CountingSynth();
      expect(await new PromptCache(first, { store: new DiskPromptStore(dir, "fake@1") }).warm(prompts, slt)).toBe(2);
      expect(first.calls).toHaveLength(2);
      expect(readdirSync(dir).filter((f) => f.endsWith(".pcm"))).toHaveLength(2);

      const restarted = new CountingSynth();
      const cache = new PromptCache(restarted, { store: new DiskPromptStore(dir, "fake@1") });
      expect(await cache.warm(prompts, slt)).toBe(2);
      expect(cache.loadedFromStore).toBe(2);
      expect(restarted.calls).toHaveLength(0);
      const spoken = concatInt16(await collect(cache.speak("Are you a salaried employee?", slt)));
      expect(spoken).toEqual(audioFor("Are you a salaried employee?", slt));

      // Another engine version misses every file; so does a torn one.
      const upgraded = new CountingSynth();
      expect(await new PromptCache(upgraded, { store: new DiskPromptStore(dir, "fake@2") }).warm(prompts, slt)).toBe(2);
      expect(upgraded.calls).toHaveLength(2);
      for (const f of readdirSync(dir)) writeFileSync(path.join(dir, f), new Uint8Array(3));
      const torn = new CountingSynth();
      await new PromptCache(torn, { store: new DiskPromptStore(dir, "fake@1") }).warm(prompts, slt);
      expect(torn.calls).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("still warms when the store cannot be written", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "prompt-store-")), "not-a-dir");
    writeFileSync(file, "x");
    const synth = new CountingSynth();
    const cache = new PromptCache(synth, { store: new DiskPromptStore(file, "fake@1") });
    expect(await cache.warm(["Hello"], slt)).toBe(1);
    expect(cache.has("Hello", slt)).toBe(true);
    rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
