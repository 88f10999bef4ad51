import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addNoiseAtSnr } from "../audio/degrade";
import { concatInt16, silence } from "../audio/pcm";
import { buildFlowGrammars, type QuestionGrammar } from "../bot/grammar";
import { loadFlows } from "../bot/flows";
import { fliteSynthesize } from "../tts/flite";
import { DEFAULT_TUNING, EmbeddedRecognizer } from "./embedded";
import type { SpeakerState } from "./types";

/** The real soundswallower engine on speech synthesized by flite (a caller voice, not the bot's). */
const flows = loadFlows("flows");
const quickrupee = buildFlowGrammars(flows.get("quickrupee")!);
const salary = quickrupee.get("salary")!;
const salaried = quickrupee.get("salaried")!;
let recognizer: EmbeddedRecognizer;

beforeAll(async () => {
  recognizer = await EmbeddedRecognizer.create({ grammars: quickrupee.values(), poolMinSize: 1, poolMaxSize: 2 });
});
afterAll(async () => {
  await recognizer.close();
});

const spoken = (text: string, voice = "kal16") => concatInt16([silence(300, 16000), fliteSynthesize(text, voice), silence(400, 16000)]);

async function recognize(audio: Int16Array, grammar: QuestionGrammar, speaker?: SpeakerState, using = recognizer) {
  const stream = using.start(grammar, speaker);
  const partials = new Set<string>();
  for (let i = 0; i < audio.length; i += 320) {
    stream.push(audio.subarray(i, i + 320));
    if (stream.partial) partials.add(stream.partial);
  }
  const result = await stream.finish();
  return { ...result, partials: [...partials] };
}

/** Lets the deferred release (after adaptation) run. */
const settle = () => new Promise((r) => setImmediate(r));

describe("EmbeddedRecognizer", () => {
  it("hears an answer in its grammar, with partial hypotheses on the way", async () => {
    const r = await recognize(spoken("about thirty thousand"), salary);
    expect(r).toMatchObject({ text: "about thirty thousand", rejected: false, provider: "embedded" });
    expect(r.partials.length).toBeGreaterThan(1);
    expect(r.partials.at(-1)).toBe("about thirty thousand");
    expect(r.audioMs).toBeGreaterThan(1000);
    await settle();
  });

  it("refreshes the partial every 100 ms while the caller speaks, and after every chunk once they pause", async () => {
    const three = await EmbeddedRecognizer.create({ grammars: quickrupee.values(), poolMinSize: 3, poolMaxSize: 3 });
    try {
      const audio = spoken("about thirty thousand");
      // Streams on one prior, decoding the same audio: one paused throughout (current after
      // every 20 ms chunk), one throttled.
      const current = three.start(salary);
      current.paused!(true);
      const throttled = three.start(salary);
      const seen: Array<{ chunk: number; current: string; throttled: string }> = [];
      for (let i = 0, chunk = 1; i < audio.length; i += 320, chunk++) {
        current.push(audio.subarray(i, i + 320));
        throttled.push(audio.subarray(i, i + 320));
        seen.push({ chunk, current: current.partial, throttled: throttled.partial });
      }
      // Refreshed on every fifth chunk (100 ms), holding that partial in between.
      const lastRefresh = (chunk: number) => (chunk < 5 ? "" : seen[chunk - (chunk % 5) - 1]!.current);
      for (const s of seen) expect(s.throttled).toBe(lastRefresh(s.chunk));
      // A pause brings it up to date at once: replay up to a chunk where it lagged.
      const changedBetween = seen.find((s) => s.throttled !== s.current);
      expect(changedBetween).toBeDefined();
      const replay = three.start(salary);
      for (let i = 0; i < changedBetween!.chunk * 320; i += 320) replay.push(audio.subarray(i, i + 320));
      expect(replay.partial).not.toBe(changedBetween!.current);
      replay.paused!(true);
      expect(replay.partial).toBe(changedBetween!.current);
      replay.cancel();
      expect((await current.finish()).text).toBe("about thirty thousand");
      expect((await throttled.finish()).text).toBe("about thirty thousand");
      await settle();
    } finally {
      await three.close();
    }
  });

  it("refuses a garbage loop of phones the model does not have", async () => {
    await expect(EmbeddedRecognizer.create({ grammars: quickrupee.values(), garbagePhones: ["AA", "XX"] })).rejects.toThrow(/garbage phones/);
    await expect(EmbeddedRecognizer.create({ grammars: quickrupee.values(), garbagePhones: [] })).rejects.toThrow(/garbage phones/);
  });

  it("rejects speech that is not an answer instead of forcing it onto the grammar", async () => {
    const r = await recognize(spoken("please send me an email"), salaried);
    expect(r.rejected).toBe(true);
    expect(r.text).toBe("");
    expect(r.garbageSpeechMs).toBeGreaterThan(250);
    await settle();
  });

  it("rejects on each of its rules: garbage speech, garbage share of the speech, and answer-word posterior", async () => {
    const audio = spoken("yes please send me an email");
    async function decodeWith(rules: { maxGarbageSpeechMs: number; maxGarbageShare: number; minConfidence: number }) {
      const r = await EmbeddedRecognizer.create({ grammars: quickrupee.values(), poolMinSize: 1, poolMaxSize: 1, ...rules });
      try {
        return await recognize(audio, salaried, undefined, r);
      } finally {
        await r.close();
      }
    }
    const open = await decodeWith({ maxGarbageSpeechMs: 1e9, maxGarbageShare: 1, minConfidence: 0 });
    expect(open).toMatchObject({ rejected: false, passes: 1 });
    expect(open.text).toMatch(/^yes/);
    expect(open.garbageSpeechMs).toBeGreaterThan(100);
    const share = open.garbageSpeechMs! / open.speechMs!;
    expect((await decodeWith({ maxGarbageSpeechMs: open.garbageSpeechMs! - 10, maxGarbageShare: 1, minConfidence: 0 })).rejected).toBe(true);
    expect((await decodeWith({ maxGarbageSpeechMs: 1e9, maxGarbageShare: share - 0.02, minConfidence: 0 })).rejected).toBe(true);
    expect(open.confidence).toBeLessThan(0.99);
    expect((await decodeWith({ maxGarbageSpeechMs: 1e9, maxGarbageShare: 1, minConfidence: open.confidence + 0.01 })).rejected).toBe(true);
  });

  it("does not let one caller's noise degrade the next caller's recognition", async () => {
    const noise = Int16Array.from({ length: 16000 }, (_, i) => Math.round(Math.sin(i * 12.9898) * 43758.5453 % 1 * 20000));
    for (let i = 0; i < 6; i++) {
      await recognize(noise, salaried, {});
      await settle();
    }
    const r = await recognize(spoken("about thirty thousand"), salary, {});
    expect(r.text).toBe("about thirty thousand");
    await settle();
  });

  it("queues utterances when every decoder is busy and catches up once one is free", async () => {
    const streams = [recognizer.start(salaried), recognizer.start(salaried), recognizer.start(salaried)];
    // The pool grows to its maximum (2) in the background; the third utterance waits.
    await new Promise((r) => setTimeout(r, 300));
    expect(recognizer.stats()).toMatchObject({ size: 2, busy: 2, waiting: 1 });
    const audio = spoken("yes");
    for (let i = 0; i < audio.length; i += 320) for (const s of streams) s.push(audio.subarray(i, i + 320));
    const results = await Promise.all(streams.map((s) => s.finish()));
    expect(results.map((r) => r.text)).toEqual(["yes", "yes", "yes"]);
    await settle();
    await settle();
    expect(recognizer.stats()).toMatchObject({ busy: 0, waiting: 0 });
  });

  it("releases its decoder when an utterance is cancelled, including one still waiting", async () => {
    const a = recognizer.start(salaried);
    const b = recognizer.start(salaried);
    const c = recognizer.start(salaried);
    expect(recognizer.stats()).toMatchObject({ busy: 2, waiting: 1 });
    c.cancel();
    a.cancel();
    b.cancel();
    expect(recognizer.stats()).toMatchObject({ busy: 0, waiting: 0 });
  });

  it("refuses a second finish while the first is still waiting for a decoder", async () => {
    const a = recognizer.start(salaried);
    const b = recognizer.start(salaried);
    const c = recognizer.start(salaried);
    const finishing = c.finish();
    await expect(c.finish()).rejects.toThrow(/already finishing/);
    a.cancel();
    // a's decoder goes to c, whose first finish then completes as usual.
    await expect(finishing).resolves.toMatchObject({ provider: "embedded" });
    b.cancel();
    await settle();
    expect(recognizer.stats()).toMatchObject({ busy: 0, waiting: 0 });
  });

  it("rejects a finish that is still waiting for a decoder when the utterance is cancelled", async () => {
    const a = recognizer.start(salaried);
    const b = recognizer.start(salaried);
    const c = recognizer.start(salaried);
    const finishing = c.finish();
    c.cancel();
    await expect(finishing).rejects.toThrow(/cancelled/);
    await expect(c.finish()).rejects.toThrow(/cancelled or already finished/);
    a.cancel();
    b.cancel();
    expect(recognizer.stats()).toMatchObject({ busy: 0, waiting: 0 });
  });

  it("denoises wideband lines, and phone lines only when noisy; decodes noisy lines through three front ends", async () => {
    const denoising = await EmbeddedRecognizer.create({ grammars: quickrupee.values(), poolMinSize: 4, poolMaxSize: 4, denoise: true, noiseCompensation: false });
    const decode = async (audio: Int16Array, inputSampleRateHz = 8000, using = denoising) => {
      const stream = using.start(salary, {}, { inputSampleRateHz });
      for (let i = 0; i < audio.length; i += 320) stream.push(audio.subarray(i, i + 320));
      const result = await stream.finish();
      await settle();
      return result;
    };
    try {
      const clean = spoken("about thirty thousand");
      const noisy = addNoiseAtSnr(clean, 15, 7);
      expect(await decode(clean, 16000)).toMatchObject({ text: "about thirty thousand", denoised: true, frontEnds: 1, compensated: false });
      expect(await decode(clean)).toMatchObject({ text: "about thirty thousand", denoised: false, frontEnds: 1, compensated: false });
      for (const rate of [8000, 16000]) {
        const r = await decode(noisy, rate);
        expect(r).toMatchObject({ text: "about thirty thousand", denoised: true, frontEnds: 3, compensated: false });
        // Every front end that accepted is reported, so the session can weigh them by meaning.
        for (const a of r.alternatives ?? []) expect(a.text).toMatch(/thousand/);
      }
      expect(denoising.stats()).toMatchObject({ busy: 0, waiting: 0 });
      // Shorter than the 200 ms the decision looks at: decided at finish, and still decoded.
      expect(await decode(silence(100, 16000))).toMatchObject({ rejected: true, denoised: false, audioMs: 100 });
    } finally {
      await denoising.close();
    }
    // With one decoder, or the ensemble off, a noisy line is decoded once, by the classic model.
    // Noise compensation (on by default) adds the compensated model to whichever front ends there are.
    // A thread behind real time by more than `shedAboveMs` decodes a noisy line once (LoadMeter).
    const cases = [
      { options: { poolMaxSize: 1, noiseCompensation: true }, frontEnds: 1, compensated: false },
      { options: { poolMaxSize: 3, noisyLineEnsemble: false, noiseCompensation: false }, frontEnds: 1, compensated: false },
      { options: { poolMinSize: 2, poolMaxSize: 3, noisyLineEnsemble: false, noiseCompensation: true }, frontEnds: 2, compensated: true },
      { options: { poolMinSize: 4, poolMaxSize: 4 }, frontEnds: 4, compensated: true },
      { options: { poolMinSize: 4, poolMaxSize: 4, noiseCompensation: true, backlogMs: () => 400, shedAboveMs: 300 }, frontEnds: 1, compensated: false, shed: 3 },
      { options: { poolMinSize: 3, poolMaxSize: 3, noiseCompensation: false, backlogMs: () => 300, shedAboveMs: 300 }, frontEnds: 3, compensated: false },
    ];
    // Behind real time, a quiet wideband line goes without RNNoise too.
    const behind = await EmbeddedRecognizer.create({ grammars: quickrupee.values(), poolMinSize: 1, denoise: true, backlogMs: () => 400, shedAboveMs: 300 });
    try {
      expect(await decode(spoken("about thirty thousand"), 16000, behind)).toMatchObject({ text: "about thirty thousand", denoised: false, frontEnds: 1 });
      expect(behind.stats()).toMatchObject({ shedDenoisers: 1, shedFrontEnds: 0, busy: 0 });
    } finally {
      await behind.close();
    }
    for (const { options, frontEnds, compensated, shed = 0 } of cases) {
      // Created up front: a front end whose decoder is still being created when the caller stops is dropped.
      const single = await EmbeddedRecognizer.create({ grammars: quickrupee.values(), poolMinSize: 1, denoise: true, ...options });
      try {
        const r = await decode(addNoiseAtSnr(spoken("about thirty thousand"), 15, 7), 16000, single);
        expect(r).toMatchObject({ denoised: true, frontEnds, compensated });
        if (frontEnds === 1) expect(r.alternatives).toBeUndefined();
        // Every front end's decode is reported, in order, the compensated one last.
        if (frontEnds === 1) expect(r.votes).toBeUndefined();
        else expect(r.votes?.map((v) => v.compensated)).toEqual([...Array<boolean>(frontEnds - 1).fill(false), compensated]);
        // Several front ends may settle the answer by agreeing (byMeaning); one alone cannot.
        expect(r.agreementFrontEnds).toBe(frontEnds > 1 ? DEFAULT_TUNING.agreement.frontEnds : undefined);
        for (const v of r.votes ?? []) expect(v.speechMs).toBeGreaterThan(0);
        expect(single.stats()).toMatchObject({ busy: 0, waiting: 0, shedFrontEnds: shed });
      } finally {
        await single.close();
      }
    }
  });
});
