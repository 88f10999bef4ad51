import { describe, expect, it } from "vitest";
import { JitterBuffer } from "../../public/worklets/jitter-buffer.js";

const QUANTUM = 128;
const tone = (n: number, amplitude = 8000) => Int16Array.from({ length: n }, (_, i) => Math.round(amplitude * Math.sin(i / 5)));

/** Render `quanta` render quanta; returns every sample and the per-quantum results. */
function renderQuanta(b: JitterBuffer, quanta: number) {
  const out: number[] = [];
  const results = [];
  for (let q = 0; q < quanta; q++) {
    const block = new Float32Array(QUANTUM);
    results.push(b.render(block));
    out.push(...block);
  }
  return { out, results };
}

const maxStep = (s: number[]) => s.slice(1).reduce((m, v, i) => Math.max(m, Math.abs(v - s[i]!)), 0);

describe("JitterBuffer", () => {
  it("waits for the target depth, then plays every sample in order", () => {
    const b = new JitterBuffer({ outputRateHz: 16000, targetMs: 60 });
    b.start(1);
    b.push(1, tone(320)); // 20 ms: under the 60 ms target
    expect(renderQuanta(b, 1).out.every((v) => v === 0)).toBe(true);
    b.push(1, tone(640, 8000).subarray(320)); // now 40 ms
    b.push(1, tone(320)); // 60 ms
    const { out, results } = renderQuanta(b, 1);
    expect(results[0]!.startedAt).toBe(0);
    expect(out[1]).toBeCloseTo(Math.round(8000 * Math.sin(1 / 5)) / 32768, 6);
    expect(b.mode).toBe("playing");
  });

  it("starts at once when a short turn's audio is complete, and reports the end", () => {
    const b = new JitterBuffer({ outputRateHz: 16000 });
    b.start(2);
    b.push(2, tone(200));
    b.end(2);
    const { results } = renderQuanta(b, 2);
    expect(results[0]!.startedAt).toBe(0);
    expect(results[1]!.finished).toBe(true);
    expect(b.playedMs).toBe(12.5);
    expect(b.underruns).toBe(0);
  });

  it("counts an underrun only when audio of the turn arrives after running dry, and fades instead of clicking", () => {
    const b = new JitterBuffer({ outputRateHz: 16000, targetMs: 20, growMs: 0 });
    b.start(3);
    b.push(3, tone(400, 20000));
    const first = renderQuanta(b, 4).out; // 512 samples: 400 played, then dry
    expect(b.mode).toBe("starved");
    expect(b.underruns).toBe(0);
    expect(maxStep(first)).toBeLessThan(0.2);
    b.push(3, tone(400, 20000));
    expect(b.underruns).toBe(1);
    const second = renderQuanta(b, 4).out;
    expect(maxStep(second)).toBeLessThan(0.2);
    b.end(3);
    expect(renderQuanta(b, 1).results[0]!.finished).toBe(true);
    expect(b.underruns).toBe(1);
  });

  it("deepens its target after each underrun, up to the maximum, for later turns too", () => {
    const b = new JitterBuffer({ outputRateHz: 16000, targetMs: 60, growMs: 40, maxTargetMs: 120 });
    b.start(1);
    for (let k = 0; k < 3; k++) {
      b.push(1, tone(2000)); // over any target: plays, runs dry, then more arrives
      renderQuanta(b, 20);
      expect(b.mode).toBe("starved");
    }
    b.push(1, tone(160));
    expect(b.underruns).toBe(3);
    expect(b.targetMs).toBe(120);
    b.start(2);
    b.push(2, tone(1600)); // 100 ms: under the deepened target
    expect(renderQuanta(b, 1).results[0]!.startedAt).toBe(-1);
    b.push(2, tone(320));
    expect(renderQuanta(b, 1).results[0]!.startedAt).toBe(0);
  });

  it("running dry and then getting the end marker is no underrun", () => {
    const b = new JitterBuffer({ outputRateHz: 16000, targetMs: 20 });
    b.start(4);
    b.push(4, tone(320));
    renderQuanta(b, 3);
    b.end(4);
    expect(renderQuanta(b, 1).results[0]!.finished).toBe(true);
    expect(b.underruns).toBe(0);
    expect(b.playedMs).toBe(20);
  });

  it("flush fades out within a few milliseconds and drops the rest of the turn", () => {
    const b = new JitterBuffer({ outputRateHz: 16000, targetMs: 20, fadeMs: 4 });
    b.start(5);
    b.push(5, tone(16000, 20000));
    renderQuanta(b, 2);
    b.flush();
    const { out } = renderQuanta(b, 2);
    expect(out.slice(64).every((v) => v === 0)).toBe(true);
    expect(Math.abs(out[0]!)).toBeGreaterThan(0);
    expect(b.mode).toBe("idle");
    b.push(5, tone(320)); // late frames of the flushed turn are ignored
    expect(renderQuanta(b, 1).out.every((v) => v === 0)).toBe(true);
  });

  it("ignores audio of other turns and starts the next turn clean", () => {
    const b = new JitterBuffer({ outputRateHz: 16000, targetMs: 20 });
    b.start(6);
    b.push(7, tone(640));
    expect(b.bufferedMs).toBe(0);
    b.start(7);
    b.push(7, tone(640));
    expect(b.bufferedMs).toBe(40);
    expect(b.playedMs).toBe(0);
  });

  it("resamples 16 kHz input to a 48 kHz output without losing time", () => {
    const b = new JitterBuffer({ outputRateHz: 48000, inputRateHz: 16000, targetMs: 20 });
    b.start(8);
    for (let k = 0; k < 50; k++) b.push(8, tone(320)); // one second in 20 ms frames
    expect(Math.abs(b.bufferedMs - 1000)).toBeLessThan(0.1);
    const { out } = renderQuanta(b, 10);
    expect(maxStep(out)).toBeLessThan(0.1); // smooth across frame boundaries
  });
});
