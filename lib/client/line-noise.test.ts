import { describe, expect, it } from "vitest";
import { silence } from "../audio/pcm";
import { fliteSynthesize } from "../tts/flite";
import { lineNoise } from "./line-noise";

describe("lineNoise (a simulated caller's noisy microphone)", () => {
  it("sits the given SNR under the answers' active speech, and loops several seconds", () => {
    const speech = fliteSynthesize("about thirty thousand", "kal16", 1);
    const active = Array.from(speech).filter((_, i) => Math.abs(speech[i]!) > 0);
    const speechRms = Math.sqrt(active.reduce((a, x) => a + x * x, 0) / active.length);
    for (const snrDb of [15, 25]) {
      const noise = lineNoise([speech, silence(500, 16000)], snrDb);
      expect(noise.length / 16000).toBeGreaterThan(5);
      const noiseRms = Math.sqrt(noise.reduce((a, x) => a + x * x, 0) / noise.length);
      // Active frames are the speech's louder 10 ms frames, so the measured level is near (not
      // exactly) the level over every nonzero sample.
      expect(20 * Math.log10(speechRms / noiseRms)).toBeGreaterThan(snrDb - 3);
      expect(20 * Math.log10(speechRms / noiseRms)).toBeLessThan(snrDb + 3);
    }
  });

  it("refuses answers with no speech, and an SNR that is not a number", () => {
    expect(() => lineNoise([silence(500, 16000)], 15)).toThrow(RangeError);
    expect(() => lineNoise([fliteSynthesize("yes", "kal16", 1)], Number("loud"))).toThrow(RangeError);
  });
});
