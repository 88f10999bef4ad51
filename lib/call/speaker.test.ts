import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { concatInt16 } from "../audio/pcm";
import { Speaker, type SpeakOutcome } from "./speaker";

const RATE = 16000;
const FRAME = 320;
const LEAD_MS = 100;
const samplesOf = (ms: number) => (ms * RATE) / 1000;
const ramp = (n: number, from = 0) => Int16Array.from({ length: n }, (_, i) => (from + i) % 32768);

/** Records every frame with the time it left, in ms since play() was called. */
function recorder(now: () => number) {
  const frames: Array<{ at: number; samples: Int16Array }> = [];
  let t0 = 0;
  return {
    frames,
    start: () => (t0 = now()),
    sink: { frame: (samples: Int16Array) => frames.push({ at: now() - t0, samples: samples.slice() }) },
    sentMs: () => (frames.reduce((n, f) => n + f.samples.length, 0) / RATE) * 1000,
  };
}

async function* chunks(...parts: Int16Array[]): AsyncIterable<Int16Array> {
  for (const p of parts) yield p;
}

/** Yields `parts` with a real (fake-timer) delay before each, like a synthesizer working. */
async function* slowly(delayMs: number, parts: Int16Array[]): AsyncIterable<Int16Array> {
  for (const p of parts) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield p;
  }
}

function track(promise: Promise<SpeakOutcome>) {
  const state: { outcome?: SpeakOutcome } = {};
  void promise.then((o) => (state.outcome = o));
  return state;
}

describe("Speaker", () => {
  const now = () => Date.now();

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends 320-sample frames, the last one shorter, with every sample in order", async () => {
    const rec = recorder(now);
    const speaker = new Speaker(rec.sink, LEAD_MS, now);
    const audio = ramp(1000);
    const played = track(speaker.play(chunks(audio.subarray(0, 300), audio.subarray(300, 700), audio.subarray(700)), () => {}));
    await vi.advanceTimersByTimeAsync(200);
    expect(rec.frames.map((f) => f.samples.length)).toEqual([320, 320, 320, 40]);
    expect(concatInt16(rec.frames.map((f) => f.samples))).toEqual(audio);
    expect(played.outcome).toEqual({ kind: "played", playedMs: 62.5, durationMs: 62.5 });
  });

  it("keeps whole frames while synthesis is slower than real time, and sends the short rest at the end", async () => {
    const rec = recorder(now);
    const speaker = new Speaker(rec.sink, LEAD_MS, now);
    const parts = Array.from({ length: 20 }, (_, i) => ramp(100, i * 100));
    track(speaker.play(slowly(10, parts), () => {}));
    await vi.advanceTimersByTimeAsync(400);
    expect(rec.frames.map((f) => f.samples.length)).toEqual([320, 320, 320, 320, 320, 320, 80]);
    expect(concatInt16(rec.frames.map((f) => f.samples))).toEqual(concatInt16(parts));
  });

  it("paces frames in real time, never starting one leadMs or more ahead of what was heard", async () => {
    const rec = recorder(now);
    const speaker = new Speaker(rec.sink, LEAD_MS, now);
    rec.start();
    track(speaker.play(chunks(ramp(samplesOf(1000))), () => {}));
    await vi.advanceTimersByTimeAsync(0);
    // at once: exactly the lead, so playback can start without a gap
    expect(rec.sentMs()).toBe(LEAD_MS);
    await vi.advanceTimersByTimeAsync(500);
    expect(rec.sentMs()).toBeGreaterThanOrEqual(500 + LEAD_MS - 20);
    expect(rec.sentMs()).toBeLessThanOrEqual(500 + LEAD_MS + 20);
    await vi.advanceTimersByTimeAsync(600);
    let startMs = 0;
    for (const frame of rec.frames) {
      expect(startMs - frame.at).toBeLessThan(LEAD_MS);
      startMs += (frame.samples.length / RATE) * 1000;
    }
    expect(startMs).toBe(1000);
  });

  it("resolves 'played' once the audio has had time to play, and leaves no timer behind", async () => {
    const rec = recorder(now);
    const speaker = new Speaker(rec.sink, LEAD_MS, now);
    const played = track(speaker.play(chunks(ramp(samplesOf(1000))), () => {}));
    await vi.advanceTimersByTimeAsync(990);
    expect(played.outcome).toBeUndefined();
    expect(speaker.active).toBe(true);
    await vi.advanceTimersByTimeAsync(20);
    expect(played.outcome).toEqual({ kind: "played", playedMs: 1000, durationMs: 1000 });
    expect(speaker.active).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops sending at once when interrupted, and reports how much was heard", async () => {
    const rec = recorder(now);
    const speaker = new Speaker(rec.sink, LEAD_MS, now);
    const result = track(speaker.play(chunks(ramp(samplesOf(2000))), () => {}));
    await vi.advanceTimersByTimeAsync(300);
    expect(speaker.playedMs).toBe(300);
    const sentBefore = rec.frames.length;
    const outcome = speaker.interrupt();
    expect(outcome).toEqual({ kind: "interrupted", playedMs: 300, durationMs: rec.sentMs() });
    expect(rec.sentMs()).toBeLessThanOrEqual(300 + LEAD_MS + 20);
    await vi.advanceTimersByTimeAsync(2000);
    expect(rec.frames.length).toBe(sentBefore);
    expect(result.outcome).toEqual(outcome);
    expect(speaker.active).toBe(false);
    expect(speaker.interrupt()).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops pulling audio from the synthesizer once interrupted", async () => {
    const rec = recorder(now);
    const speaker = new Speaker(rec.sink, LEAD_MS, now);
    let pulled = 0;
    async function* endless(): AsyncIterable<Int16Array> {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        pulled++;
        yield ramp(FRAME);
      }
    }
    track(speaker.play(endless(), () => {}));
    await vi.advanceTimersByTimeAsync(200);
    speaker.interrupt();
    const at = pulled;
    await vi.advanceTimersByTimeAsync(1000);
    expect(pulled).toBeLessThanOrEqual(at + 1);
  });

  it("calls the first-frame callback once, when the first frame leaves", async () => {
    const rec = recorder(now);
    const speaker = new Speaker(rec.sink, LEAD_MS, now);
    let calls = 0;
    let framesAtCall = -1;
    const played = track(
      speaker.play(slowly(50, [ramp(samplesOf(200)), ramp(samplesOf(200))]), () => {
        calls++;
        framesAtCall = rec.frames.length;
      }),
    );
    await vi.advanceTimersByTimeAsync(40);
    expect(calls).toBe(0);
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toBe(1);
    expect(framesAtCall).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(played.outcome?.kind).toBe("played");
    expect(calls).toBe(1);
  });

  it("plays the next turn after an interrupted one", async () => {
    const rec = recorder(now);
    const speaker = new Speaker(rec.sink, LEAD_MS, now);
    track(speaker.play(chunks(ramp(samplesOf(1000))), () => {}));
    await vi.advanceTimersByTimeAsync(100);
    speaker.interrupt();
    const before = rec.frames.length;
    const next = track(speaker.play(chunks(ramp(samplesOf(100), 5)), () => {}));
    await vi.advanceTimersByTimeAsync(200);
    expect(concatInt16(rec.frames.slice(before).map((f) => f.samples))).toEqual(ramp(samplesOf(100), 5));
    expect(next.outcome).toEqual({ kind: "played", playedMs: 100, durationMs: 100 });
  });
});
