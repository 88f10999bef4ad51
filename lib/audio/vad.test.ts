import { describe, it, expect } from "vitest";
import { concatInt16, silence } from "./pcm";
import { mulberry32 } from "./prng";
import { pinkNoise } from "./degrade";
import { mix, speechLike, toInt16AtDbfs, whiteNoise } from "./testing/signals";
import { Vad, type VadFrame } from "./vad";

// Speed (tsx, Node 20, this 2-core machine, 20 ms chunks): about 2 µs per 10 ms frame at 16 kHz,
// including the returned objects, so 50 callers cost about 1 % of one core.

const RATE = 16000;
const ms = (milliseconds: number) => Math.round((milliseconds * RATE) / 1000);

/** Runs the detector over a signal in 20 ms chunks, as a transport would deliver it. */
function run(signal: Int16Array, vad = new Vad()): VadFrame[] {
  const frames: VadFrame[] = [];
  for (let offset = 0; offset < signal.length; offset += ms(20)) frames.push(...vad.process(signal.subarray(offset, offset + ms(20))));
  return frames;
}

const startMs = (frame: VadFrame) => ((frame.endSample - ms(10)) * 1000) / RATE;
const endMs = (frame: VadFrame) => (frame.endSample * 1000) / RATE;
const within = (frames: VadFrame[], fromMs: number, toMs: number) => frames.filter((f) => startMs(f) >= fromMs && endMs(f) <= toMs);
const voicedShare = (frames: VadFrame[]) => frames.filter((f) => f.voiced).length / frames.length;

describe("Vad", () => {
  it("finds nothing in digital silence or in a quiet room", () => {
    expect(run(silence(2000, RATE)).some((f) => f.voiced)).toBe(false);
    expect(run(whiteNoise({ length: ms(2000), levelDbfs: -65, seed: 1 })).some((f) => f.voiced)).toBe(false);
  });

  it("covers a 1 s speech burst in silence to within 30 ms at both ends", () => {
    const signal = concatInt16([silence(500, RATE), speechLike({ sampleRateHz: RATE, durationMs: 1000, levelDbfs: -20 }), silence(500, RATE)]);
    const frames = run(signal);
    expect(frames.length).toBe(200);
    const voiced = frames.filter((f) => f.voiced);
    expect(Math.abs(startMs(voiced[0]!) - 500)).toBeLessThanOrEqual(30);
    expect(Math.abs(endMs(voiced.at(-1)!) - 1500)).toBeLessThanOrEqual(30);
    expect(voicedShare(within(frames, 500, 1500))).toBe(1);
  });

  it("reports speech only after minSpeechMs of voicing, and times it by samples", () => {
    const signal = concatInt16([silence(505, RATE), speechLike({ sampleRateHz: RATE, durationMs: 300, levelDbfs: -20 })]);
    const frames = run(signal, new Vad({ minSpeechMs: 60 }));
    const firstVoiced = frames.find((f) => f.voiced)!;
    const firstSpeech = frames.find((f) => f.speech)!;
    expect(firstSpeech.endSample - firstVoiced.endSample).toBe(ms(50));
    expect(frames.at(-1)!.endSample).toBe(signal.length - (signal.length % ms(10)));
  });

  it("learns stationary -40 dBFS white noise within 1 s and then stays quiet", () => {
    const frames = run(whiteNoise({ length: ms(3000), levelDbfs: -40, seed: 2 }));
    expect(within(frames, 1000, 3000).filter((f) => f.voiced)).toEqual([]);
    expect(frames.at(-1)!.noiseFloorDbfs).toBeGreaterThan(-43);
    expect(frames.at(-1)!.noiseFloorDbfs).toBeLessThan(-40);
  });

  it("learns pink room noise (stronger at low frequencies, less steady) just as fast", () => {
    for (const levelDbfs of [-45, -30]) {
      const frames = run(toInt16AtDbfs(pinkNoise(ms(3000), 5), levelDbfs));
      expect(within(frames, 1000, 3000).filter((f) => f.voiced)).toEqual([]);
    }
  });

  it("ignores a DC offset, and voice on top of one is still found", () => {
    const offset = new Int16Array(ms(2000)).fill(3000);
    expect(run(offset).some((f) => f.voiced)).toBe(false);
    const voice = speechLike({ sampleRateHz: RATE, durationMs: 500, levelDbfs: -30 });
    const frames = run(mix(offset, concatInt16([silence(1000, RATE), voice])));
    expect(frames.filter((f) => f.voiced).map(startMs)).toEqual(within(frames, 1000, 1500).map(startMs));
  });

  it("detects speech at 15 dB SNR over that noise, and the noise around it stays unvoiced", () => {
    const noise = whiteNoise({ length: ms(4000), levelDbfs: -40, seed: 3 });
    const speech = concatInt16([silence(1500, RATE), speechLike({ sampleRateHz: RATE, durationMs: 1000, levelDbfs: -25 })]);
    const frames = run(mix(noise, speech));
    expect(voicedShare(within(frames, 1500, 2500))).toBeGreaterThan(0.9);
    expect(within(frames, 1000, 1470).filter((f) => f.voiced)).toEqual([]);
    expect(within(frames, 2530, 4000).filter((f) => f.voiced)).toEqual([]);
  });

  it("keeps detecting a 5 s monologue without pauses (the floor does not creep up to it)", () => {
    const noise = whiteNoise({ length: ms(6000), levelDbfs: -45, seed: 4 });
    const speech = concatInt16([silence(1000, RATE), speechLike({ sampleRateHz: RATE, durationMs: 5000, levelDbfs: -27 })]);
    const frames = run(mix(noise, speech));
    const firstSecond = voicedShare(within(frames, 1000, 2000));
    expect(firstSecond).toBeGreaterThan(0.9);
    expect(voicedShare(within(frames, 5000, 6000))).toBeGreaterThanOrEqual(firstSecond - 0.02);
  });

  it("re-learns a quieter room quickly when the noise drops", () => {
    const loud = whiteNoise({ length: ms(2000), levelDbfs: -35, seed: 5 });
    const quiet = whiteNoise({ length: ms(1000), levelDbfs: -48, seed: 6 });
    // 18 dB above the quiet room but 5 dB under the loud one.
    const speech = speechLike({ sampleRateHz: RATE, durationMs: 500, levelDbfs: -30 });
    const frames = run(concatInt16([loud, quiet, mix(quiet.subarray(0, speech.length), speech)]));
    expect(within(frames, 2000, 2010)[0]!.noiseFloorDbfs).toBeGreaterThan(-37);
    expect(within(frames, 2200, 2210)[0]!.noiseFloorDbfs).toBeLessThan(-47);
    expect(voicedShare(within(frames, 3000, 3500))).toBe(1);
  });

  it("lets a 20 ms click through as at most 2 voiced frames and never as speech", () => {
    const click = whiteNoise({ length: ms(20), levelDbfs: -6, seed: 7 });
    const frames = run(concatInt16([silence(500, RATE), click, silence(500, RATE)]));
    expect(frames.filter((f) => f.voiced).length).toBeLessThanOrEqual(2);
    expect(frames.some((f) => f.speech)).toBe(false);
  });

  it("needs more level for hiss than for voice at the same distance above the floor", () => {
    // A -56 dBFS room, then 300 ms of either voice or a hiss burst at -40 dBFS, 16 dB above it.
    const room = whiteNoise({ length: ms(1300), levelDbfs: -56, seed: 8 });
    const onTop = (burst: Int16Array) => run(mix(room, concatInt16([silence(1000, RATE), burst])));
    const voice = onTop(speechLike({ sampleRateHz: RATE, durationMs: 300, levelDbfs: -40 }));
    const hiss = onTop(whiteNoise({ length: ms(300), levelDbfs: -40, seed: 9 }));
    expect(voicedShare(within(voice, 1000, 1300))).toBe(1);
    expect(voicedShare(within(hiss, 1000, 1300))).toBe(0);
    // The same hiss 10 dB louder is let through: it could be a loud fricative.
    const loudHiss = onTop(whiteNoise({ length: ms(300), levelDbfs: -30, seed: 9 }));
    expect(voicedShare(within(loudHiss, 1000, 1300))).toBe(1);
  });

  it("decides the same whatever the chunk sizes", () => {
    const signal = mix(
      whiteNoise({ length: ms(3000), levelDbfs: -45, seed: 9 }),
      concatInt16([silence(1200, RATE), speechLike({ sampleRateHz: RATE, durationMs: 800, levelDbfs: -25 })]),
    );
    const reference = new Vad().process(signal);
    const vad = new Vad();
    const random = mulberry32(10);
    const chunked: VadFrame[] = [];
    for (let offset = 0; offset < signal.length; ) {
      const size = Math.floor(random() * 700);
      chunked.push(...vad.process(signal.subarray(offset, offset + size)));
      offset += size;
    }
    expect(chunked).toEqual(reference);
  });

  it("starts over on reset", () => {
    const vad = new Vad();
    const signal = concatInt16([whiteNoise({ length: ms(1000), levelDbfs: -40, seed: 11 }), speechLike({ sampleRateHz: RATE, durationMs: 200, levelDbfs: -20 })]);
    const first = vad.process(signal.subarray(0, ms(1000) + 37));
    vad.reset();
    const second = vad.process(signal.subarray(0, ms(1000) + 37));
    expect(second).toEqual(first);
    expect(second.at(-1)!.endSample).toBe(ms(1000));
  });

  it("works at 8 kHz with 80-sample frames", () => {
    const rate = 8000;
    const vad = new Vad({ sampleRateHz: rate });
    const signal = concatInt16([silence(300, rate), speechLike({ sampleRateHz: rate, durationMs: 300, levelDbfs: -20 }), silence(300, rate)]);
    const frames = vad.process(signal);
    expect(frames.length).toBe(90);
    const voiced = frames.filter((f) => f.voiced);
    expect(voiced[0]!.endSample).toBe(2480);
    expect(voiced.at(-1)!.endSample).toBe(4800);
  });

  it("rejects a sample rate that does not divide into 10 ms frames", () => {
    expect(() => new Vad({ sampleRateHz: 22050 })).toThrow(RangeError);
  });
});
