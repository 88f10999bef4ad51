import { describe, expect, it } from "vitest";
import { LoadMeter } from "./embedded";

describe("LoadMeter (a recognizer thread's decoding load)", () => {
  it("gives an utterance alone on its thread its whole ensemble, whatever it costs", () => {
    const meter = new LoadMeter(() => 0, 300);
    expect(meter.admit(4.5, 3)).toBe(true);
    expect(meter).toMatchObject({ inFlight: 4.5, shedFrontEnds: 0 });
  });

  it("sheds front ends that would take the thread past its budget, and takes them again once others end", () => {
    const meter = new LoadMeter(() => 0, 300);
    expect(meter.admit(2, 1)).toBe(true);
    // One noisy caller's lead part in flight: another's rest (1.5) would exceed the budget of 2.5.
    expect(meter.admit(1.5, 1)).toBe(false);
    expect(meter).toMatchObject({ inFlight: 2, shedFrontEnds: 1 });
    // Its lone front end is decoded anyway.
    meter.add(0.5);
    expect(meter.admit(0.5, 1)).toBe(false);
    meter.release(2);
    expect(meter.admit(1.5, 1)).toBe(true);
    expect(meter).toMatchObject({ inFlight: 2, shedFrontEnds: 2 });
    meter.release(5);
    expect(meter.inFlight).toBe(0);
  });

  it("sheds while the thread is behind real time by more than the limit, even when nothing else is in flight", () => {
    let backlogMs = 301;
    const meter = new LoadMeter(() => backlogMs, 300);
    expect(meter.admit(1, 2)).toBe(false);
    expect(meter).toMatchObject({ inFlight: 0, shedFrontEnds: 2 });
    backlogMs = 300;
    expect(meter.admit(1, 2)).toBe(true);
  });
});
