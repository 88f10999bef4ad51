import { describe, expect, it } from "vitest";
import { fliteSynthesize } from "../tts/flite";
import { pinkNoise } from "./degrade";
import { Denoiser, loadDenoiser, type DenoiseModel } from "./denoise";
import { concatInt16, rmsDbfs, silence } from "./pcm";
import { toInt16AtDbfs } from "./testing/signals";

const denoise = (model: DenoiseModel, audio: Int16Array) => {
  const d = new Denoiser(model);
  const out: Int16Array[] = [];
  for (let i = 0; i < audio.length; i += 320) out.push(d.process(audio.subarray(i, i + 320)));
  d.close();
  return concatInt16(out);
};

describe("Denoiser", () => {
  it.each<DenoiseModel>(["classic", "large"])("%s model: removes steady noise, keeps speech", async (model) => {
    await loadDenoiser(model);
    // The large model's browser build is loaded under a momentary `window`, which must not linger.
    expect("window" in globalThis).toBe(false);
    const noise = toInt16AtDbfs(pinkNoise(32000, 3), -35);
    const quieted = denoise(model, noise);
    // Within one 10 ms block of the input's length (the output lags).
    expect(quieted.length).toBeGreaterThan(noise.length - 320);
    expect(rmsDbfs(quieted.subarray(16000))).toBeLessThan(rmsDbfs(noise.subarray(16000)) - 15);
    const speech = concatInt16([silence(300, 16000), fliteSynthesize("about thirty thousand", "kal16")]);
    const kept = denoise(model, speech);
    expect(Math.abs(rmsDbfs(kept.subarray(4800)) - rmsDbfs(speech.subarray(4800, kept.length)))).toBeLessThan(3);
  });

  it("says which model to load first", () => {
    expect(() => new Denoiser("nope" as DenoiseModel)).toThrow(/loadDenoiser\("nope"\)/);
  });
});
