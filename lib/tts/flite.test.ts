import { describe, expect, it } from "vitest";
import { rmsDbfs } from "../audio/pcm";
import { bandShareDb, powerSpectrum } from "../audio/testing/spectrum";
import { FLITE_VOICES, FliteError, FliteSynthesizer, fliteSynthesize } from "./flite";
import { TTS_SAMPLE_RATE_HZ } from "./types";

const seconds = (samples: Int16Array) => samples.length / TTS_SAMPLE_RATE_HZ;
const SENTENCE = "Is your monthly salary at least twenty five thousand rupees?";

async function collect(stream: AsyncIterable<Int16Array>): Promise<Int16Array[]> {
  const chunks: Int16Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("fliteSynthesize", () => {
  it("says a single word (flite would take it for a file name without -t)", () => {
    const yes = fliteSynthesize("yes", "slt");
    expect(seconds(yes)).toBeGreaterThan(0.2);
    expect(seconds(yes)).toBeLessThan(2);
    expect(rmsDbfs(yes)).toBeGreaterThan(-40);
  });

  it.each(FLITE_VOICES)("speaks with voice %s as 16 kHz audio", (voice) => {
    const yes = fliteSynthesize("yes", voice);
    expect(seconds(yes)).toBeGreaterThan(0.2);
    const sentence = fliteSynthesize(SENTENCE, voice);
    expect(seconds(sentence)).toBeGreaterThan(2);
    expect(seconds(sentence)).toBeLessThan(8);
    expect(rmsDbfs(sentence)).toBeGreaterThan(-40);
  });

  it("resamples the 8 kHz kal voice to 16 kHz: same timing as kal16, nothing above 4 kHz", () => {
    const kal = fliteSynthesize(SENTENCE, "kal");
    const kal16 = fliteSynthesize(SENTENCE, "kal16");
    expect(seconds(kal) / seconds(kal16)).toBeGreaterThan(0.85);
    expect(seconds(kal) / seconds(kal16)).toBeLessThan(1.15);
    expect(bandShareDb(powerSpectrum(kal, TTS_SAMPLE_RATE_HZ), 4200, 8000)).toBeLessThan(-50);
    expect(bandShareDb(powerSpectrum(kal16, TTS_SAMPLE_RATE_HZ), 4200, 8000)).toBeGreaterThan(-40);
  });

  it("runs voice after voice in one process without crashing (kal16, slt, rms, repeated)", () => {
    for (let round = 0; round < 3; round++) {
      for (const voice of ["kal16", "slt", "rms"]) expect(seconds(fliteSynthesize("hello there", voice))).toBeGreaterThan(0.3);
    }
  });

  it("speaks faster at a higher rate", () => {
    const normal = seconds(fliteSynthesize(SENTENCE, "slt"));
    const fast = seconds(fliteSynthesize(SENTENCE, "slt", 1.5));
    expect(fast / normal).toBeGreaterThan(0.55);
    expect(fast / normal).toBeLessThan(0.8);
  });

  it("refuses an unknown voice", () => {
    expect(() => fliteSynthesize("yes", "robot")).toThrow(FliteError);
    expect(() => fliteSynthesize("yes", "robot")).toThrow('unknown flite voice "robot"');
    try {
      fliteSynthesize("yes", "robot");
    } catch (err) {
      expect((err as FliteError).code).toBe("tts_failed");
    }
  });
});

describe("FliteSynthesizer", () => {
  const synth = new FliteSynthesizer();

  it("streams a chunk per sentence, so the first one can play before the rest is ready", async () => {
    const chunks = await collect(synth.stream("Hi, this is QuickRupee. Are you a salaried employee?", { voice: "slt" }));
    expect(chunks).toHaveLength(2);
    for (const chunk of chunks) expect(seconds(chunk)).toBeGreaterThan(0.5);
    expect(synth.voices).toEqual(FLITE_VOICES);
  });

  it("stops synthesizing once aborted", async () => {
    const controller = new AbortController();
    const chunks: Int16Array[] = [];
    for await (const chunk of synth.stream("One. Two. Three. Four.", { voice: "slt", signal: controller.signal })) {
      chunks.push(chunk);
      controller.abort();
    }
    expect(chunks).toHaveLength(1);
  });
});
