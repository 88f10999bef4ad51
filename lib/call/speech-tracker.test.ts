import { describe, expect, it } from "vitest";
import type { VadFrame } from "../audio/vad";
import { SpeechTracker } from "./speech-tracker";

const RATE = 16000;
const FRAME_SAMPLES = 160; // 10 ms

/** VAD frames from a pattern: "x" voiced, "." not, each 10 ms, numbered from `firstFrame`. */
function frames(pattern: string, firstFrame = 0): VadFrame[] {
  return [...pattern].map((c, i) => ({
    voiced: c === "x",
    speech: false,
    energyDbfs: c === "x" ? -20 : -60,
    noiseFloorDbfs: -60,
    endSample: (firstFrame + i + 1) * FRAME_SAMPLES,
  }));
}

const sizeOf = () => FRAME_SAMPLES;
const tracker = () => new SpeechTracker({ sampleRateHz: RATE, minSpeechMs: 50 });

describe("SpeechTracker", () => {
  it("starts an utterance once speech has lasted minSpeechMs, from where that speech began", () => {
    const t = tracker();
    expect(t.update(frames("...xxxx"), sizeOf)).toEqual([]);
    expect(t.inUtterance).toBe(false);
    const events = t.update(frames("x", 7), sizeOf);
    expect(events).toEqual([{ type: "start", startSample: 3 * FRAME_SAMPLES }]);
    expect(t.inUtterance).toBe(true);
    expect(t.utteranceStartSample).toBe(3 * FRAME_SAMPLES);
    expect(t.voicedMs()).toBe(50);
    expect(t.lastVoicedSample).toBe(8 * FRAME_SAMPLES);
  });

  it("ignores clicks shorter than minSpeechMs", () => {
    const t = tracker();
    expect(t.update(frames("xxxx.xxxx.x.xx.xxx..."), sizeOf)).toEqual([]);
    expect(t.inUtterance).toBe(false);
  });

  it("reports voiced frames inside an utterance and counts only voiced time, across pauses", () => {
    const t = tracker();
    const events = t.update(frames("xxxxx..xx...x"), sizeOf);
    expect(events).toEqual([
      { type: "start", startSample: 0 },
      { type: "voiced", endSample: 8 * FRAME_SAMPLES },
      { type: "voiced", endSample: 9 * FRAME_SAMPLES },
      { type: "voiced", endSample: 13 * FRAME_SAMPLES },
    ]);
    expect(t.voicedMs()).toBe(80);
    expect(t.lastVoicedSample).toBe(13 * FRAME_SAMPLES);
    expect(t.inUtterance).toBe(true);
  });

  it("needs minSpeechMs again after the session ends an utterance", () => {
    const t = tracker();
    t.update(frames("xxxxxx"), sizeOf);
    t.endUtterance();
    expect(t.inUtterance).toBe(false);
    expect(t.voicedMs()).toBe(0);
    expect(t.update(frames("xxx", 6), sizeOf)).toEqual([]);
    expect(t.update(frames("xx", 9), sizeOf)).toEqual([{ type: "start", startSample: 6 * FRAME_SAMPLES }]);
  });

  it("counts a run of speech split across updates", () => {
    const t = tracker();
    const starts = [0, 1, 2, 3, 4].flatMap((i) => t.update(frames("x", i), sizeOf));
    expect(starts).toEqual([{ type: "start", startSample: 0 }]);
  });
});
