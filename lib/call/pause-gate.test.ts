import { describe, expect, it } from "vitest";
import { PauseGate, type CallerChunk } from "./pause-gate";

const chunk = (value: number): CallerChunk => ({ samples: new Int16Array(320).fill(value), coded: new Uint8Array([value]) });

describe("PauseGate", () => {
  it("hands on speech and the start of a pause at once", () => {
    const gate = new PauseGate(300);
    expect(gate.pass(chunk(1), 0)).toEqual([chunk(1)]);
    expect(gate.pass(chunk(2), 300)).toEqual([chunk(2)]);
    expect(gate.heldSamples).toBe(0);
  });

  it("holds a pause past the limit and drops it when the turn ends", () => {
    const gate = new PauseGate(300);
    for (let ms = 20; ms <= 300; ms += 20) expect(gate.pass(chunk(ms), ms)).toHaveLength(1);
    for (let ms = 320; ms <= 700; ms += 20) expect(gate.pass(chunk(ms), ms)).toEqual([]);
    expect(gate.heldSamples).toBe(20 * 320);
    gate.reset();
    expect(gate.heldSamples).toBe(0);
    expect(gate.pass(chunk(9), 0)).toEqual([chunk(9)]);
  });

  it("hands on the held pause, in order and before the new speech, when the caller speaks again", () => {
    const gate = new PauseGate(100);
    gate.pass(chunk(1), 0);
    gate.pass(chunk(2), 120);
    gate.pass(chunk(3), 140);
    const out = gate.pass(chunk(4), 0);
    expect(out.map((c) => c.samples[0])).toEqual([2, 3, 4]);
    expect(out.map((c) => c.coded?.[0])).toEqual([2, 3, 4]);
    expect(gate.heldSamples).toBe(0);
  });
});
