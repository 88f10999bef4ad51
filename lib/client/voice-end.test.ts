import { describe, expect, it } from "vitest";
import { VoiceEndTracker, meterLevel } from "./voice-end";

const RATE = 16000;
const frameOf = (amplitude: number, start: number) =>
  Int16Array.from({ length: 320 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 220 * (start + i)) / RATE)));

describe("VoiceEndTracker", () => {
  it("puts the voice end at the last speech frame, on the capture clock", () => {
    const t = new VoiceEndTracker(RATE);
    let sample = 0;
    let time = 5; // AudioContext time of the first frame's start
    const feed = (amplitude: number, frames: number) => {
      for (let k = 0; k < frames; k++) {
        time += 0.02;
        t.push(frameOf(amplitude, sample), time);
        sample += 320;
      }
    };
    feed(0, 25); // 0.5 s of silence
    expect(t.lastVoicedTime).toBeNull();
    feed(8000, 20); // 0.4 s of tone: 5.5 → 5.9
    feed(0, 30);
    expect(t.lastVoicedTime).not.toBeNull();
    expect(Math.abs(t.lastVoicedTime! - 5.9)).toBeLessThanOrEqual(0.011);
    expect(t.levelDbfs).toBe(-120);
  });

  it("maps levels onto a 0–1 meter", () => {
    expect(meterLevel(-120)).toBe(0);
    expect(meterLevel(-30)).toBe(0.5);
    expect(meterLevel(3)).toBe(1);
  });
});
