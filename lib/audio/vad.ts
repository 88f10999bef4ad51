/**
 * Energy-based voice activity detection against an adaptive noise floor, in 10 ms analysis
 * frames. It decides per frame only; turning decisions into utterances (hangover, end-of-turn
 * silence) is the caller's job, which is why every frame carries the sample count at its end.
 *
 * A frame is voiced when it is louder than an absolute floor (quiet rooms never trigger) and
 * `thresholdDb` above the tracked noise floor. The floor follows the minimum energy: it falls
 * fast when the input gets quieter, and rises slowly otherwise so that a long utterance does not
 * raise it to speech level. A slow rise alone would need many seconds to learn a noisy room, so
 * when the recent energy has been steady (speech never is: syllables come and go several times
 * a second) the floor jumps to that steady level at once.
 *
 * A frame's energy is the lower of its level as is and its level above about 100 Hz. Below
 * 100 Hz there is no speech to speak of, only DC offset, hum and rumble, whose slow wander would
 * make real room noise (pink or browner) look unsteady and never be learnt; the unfiltered level
 * vetoes the filter's own ringing after a loud sound stops abruptly, which would otherwise
 * stretch a click into the next frame.
 */
import { powerToDbfs } from "./pcm";

export type VadOptions = {
  sampleRateHz?: number;
  /** Voiced time before a run of voiced frames counts as speech (rejects clicks and bumps). */
  minSpeechMs?: number;
  /** How far above the noise floor a frame must be to be voiced. */
  thresholdDb?: number;
  /** Frames quieter than this are never voiced, whatever the noise floor. */
  absoluteFloorDbfs?: number;
  initialNoiseFloorDbfs?: number;
  /** How long the energy must stay within a few dB before it is taken as the noise floor. */
  noiseAdaptMs?: number;
};

export type VadFrame = {
  /** This 10 ms frame is loud enough above the noise to be (part of) speech. */
  voiced: boolean;
  /** Voiced, and the current run of consecutive voiced frames has lasted `minSpeechMs`. */
  speech: boolean;
  /** Level of the frame, the lower of unfiltered and above 100 Hz (see above), floored at -120. */
  energyDbfs: number;
  /** The noise floor this frame was judged against. */
  noiseFloorDbfs: number;
  /** Total samples consumed by the detector at the end of this frame (since construction or reset). */
  endSample: number;
};

const FRAME_MS = 10;
/** Fraction of the gap closed per frame when the energy drops below the floor (30 ms time constant). */
const FLOOR_FALL = 0.3;
/**
 * Rise of the floor while the energy is above it: quicker for frames that are not voiced (they
 * are near the floor, so probably noise), slow for voiced ones so that even a long utterance
 * without pauses (5 s moves it 2.5 dB) keeps being detected.
 */
const FLOOR_RISE_DB_PER_S = 3;
const FLOOR_RISE_WHILE_VOICED_DB_PER_S = 0.5;
/**
 * Largest max-min spread of 30 ms energies, over the adaptation window, that still counts as
 * steady noise. Measured over 500 ms windows: white noise spreads up to 1.6 dB, pink noise up to
 * 3.2 dB, speech under a syllable envelope 8 dB and more.
 */
const STEADY_SPREAD_DB = 5;
const STEADY_SMOOTHING_FRAMES = 3;
const HIGH_PASS_HZ = 100;
/**
 * Zero-crossing rate above which a frame is hiss-like (white noise gives 0.5, voiced speech under
 * 0.2); such frames need `HISS_EXTRA_DB` more above the floor, so breath and fan bursts do not
 * pass as speech while loud fricatives still do.
 */
const HISS_ZERO_CROSSING_RATE = 0.35;
const HISS_EXTRA_DB = 10;

export class Vad {
  readonly sampleRateHz: number;
  readonly frameSamples: number;
  private readonly minSpeechFrames: number;
  private readonly thresholdDb: number;
  private readonly absoluteFloorDbfs: number;
  private readonly initialNoiseFloorDbfs: number;
  /** A floor below this changes no decision (the absolute floor already rules), so it stops here. */
  private readonly lowestNoiseFloorDbfs: number;
  private readonly floorRiseDbPerFrame: number;
  private readonly floorRiseWhileVoicedDbPerFrame: number;
  /** Pole of the first-order high-pass filter applied before measuring. */
  private readonly highPassPole: number;

  private readonly pending: Int16Array;
  private pendingLength = 0;
  private consumed = 0;
  private noiseFloorDbfs: number;
  private voicedRunFrames = 0;
  /** High-pass state; undefined until the first sample, so a constant DC offset causes no step. */
  private highPassInput: number | undefined;
  private highPassOutput = 0;
  /** Mean-square values of the last few frames, smoothed into the steadiness ring. */
  private readonly recentPowers = new Float64Array(STEADY_SMOOTHING_FRAMES);
  private recentPowerCount = 0;
  /** Ring of the most recent smoothed energies (dBFS), for the steadiness test. */
  private readonly recentDbfs: Float64Array;
  private recentCount = 0;
  private recentNext = 0;

  constructor(options: VadOptions = {}) {
    const {
      sampleRateHz = 16000,
      minSpeechMs = 60,
      thresholdDb = 9,
      absoluteFloorDbfs = -50,
      initialNoiseFloorDbfs = -60,
      noiseAdaptMs = 500,
    } = options;
    const frameSamples = (sampleRateHz * FRAME_MS) / 1000;
    if (!Number.isInteger(frameSamples) || frameSamples < 2) {
      throw new RangeError(`Vad needs a sample rate that divides into 10 ms frames, got ${sampleRateHz} Hz`);
    }
    this.sampleRateHz = sampleRateHz;
    this.frameSamples = frameSamples;
    this.minSpeechFrames = Math.max(1, Math.ceil(minSpeechMs / FRAME_MS));
    this.thresholdDb = thresholdDb;
    this.absoluteFloorDbfs = absoluteFloorDbfs;
    this.initialNoiseFloorDbfs = initialNoiseFloorDbfs;
    this.lowestNoiseFloorDbfs = Math.min(initialNoiseFloorDbfs, absoluteFloorDbfs - thresholdDb);
    this.floorRiseDbPerFrame = (FLOOR_RISE_DB_PER_S * FRAME_MS) / 1000;
    this.floorRiseWhileVoicedDbPerFrame = (FLOOR_RISE_WHILE_VOICED_DB_PER_S * FRAME_MS) / 1000;
    this.highPassPole = Math.exp((-2 * Math.PI * HIGH_PASS_HZ) / sampleRateHz);
    this.pending = new Int16Array(frameSamples);
    this.recentDbfs = new Float64Array(Math.max(2, Math.round(noiseAdaptMs / FRAME_MS)));
    this.noiseFloorDbfs = initialNoiseFloorDbfs;
  }

  /** Feeds samples of any length; returns a decision for every 10 ms frame completed by them. */
  process(samples: Int16Array): VadFrame[] {
    const frames: VadFrame[] = [];
    const size = this.frameSamples;
    let offset = 0;
    if (this.pendingLength > 0) {
      const take = Math.min(size - this.pendingLength, samples.length);
      this.pending.set(samples.subarray(0, take), this.pendingLength);
      this.pendingLength += take;
      offset = take;
      if (this.pendingLength < size) return frames;
      frames.push(this.analyse(this.pending, 0));
      this.pendingLength = 0;
    }
    for (; offset + size <= samples.length; offset += size) frames.push(this.analyse(samples, offset));
    if (offset < samples.length) {
      this.pending.set(samples.subarray(offset));
      this.pendingLength = samples.length - offset;
    }
    return frames;
  }

  reset(): void {
    this.pendingLength = 0;
    this.consumed = 0;
    this.noiseFloorDbfs = this.initialNoiseFloorDbfs;
    this.voicedRunFrames = 0;
    this.highPassInput = undefined;
    this.highPassOutput = 0;
    this.recentPowerCount = 0;
    this.recentCount = 0;
    this.recentNext = 0;
  }

  private analyse(samples: Int16Array, start: number): VadFrame {
    const size = this.frameSamples;
    const pole = this.highPassPole;
    let input = this.highPassInput ?? samples[start]!;
    let output = this.highPassOutput;
    let rawSumSquares = 0;
    let sumSquares = 0;
    let crossings = 0;
    let previousNegative = output < 0;
    for (let i = start; i < start + size; i++) {
      const x = samples[i]!;
      output = pole * (output + x - input);
      input = x;
      rawSumSquares += x * x;
      sumSquares += output * output;
      const negative = output < 0;
      if (negative !== previousNegative) crossings++;
      previousNegative = negative;
    }
    this.highPassInput = input;
    this.highPassOutput = output;
    this.consumed += size;
    const meanSquare = Math.min(rawSumSquares, sumSquares) / size / (32768 * 32768);
    const energyDbfs = powerToDbfs(meanSquare);
    const zeroCrossingRate = crossings / size;

    const floor = this.noiseFloorDbfs;
    const requiredDb = this.thresholdDb + (zeroCrossingRate > HISS_ZERO_CROSSING_RATE ? HISS_EXTRA_DB : 0);
    const voiced = energyDbfs >= this.absoluteFloorDbfs && energyDbfs - floor >= requiredDb;
    this.voicedRunFrames = voiced ? this.voicedRunFrames + 1 : 0;
    this.updateNoiseFloor(energyDbfs, meanSquare, voiced);
    return {
      voiced,
      speech: voiced && this.voicedRunFrames >= this.minSpeechFrames,
      energyDbfs,
      noiseFloorDbfs: floor,
      endSample: this.consumed,
    };
  }

  private updateNoiseFloor(energyDbfs: number, meanSquare: number, voiced: boolean): void {
    const powers = this.recentPowers;
    powers[this.recentPowerCount % powers.length] = meanSquare;
    this.recentPowerCount++;
    const smoothedCount = Math.min(this.recentPowerCount, powers.length);
    let smoothed = 0;
    for (let i = 0; i < smoothedCount; i++) smoothed += powers[i]!;
    const recent = this.recentDbfs;
    recent[this.recentNext] = powerToDbfs(smoothed / smoothedCount);
    this.recentNext = (this.recentNext + 1) % recent.length;
    this.recentCount = Math.min(this.recentCount + 1, recent.length);

    let floor = this.noiseFloorDbfs;
    if (energyDbfs < floor) {
      floor += (energyDbfs - floor) * FLOOR_FALL;
    } else {
      const rise = voiced ? this.floorRiseWhileVoicedDbPerFrame : this.floorRiseDbPerFrame;
      floor += Math.min(rise, energyDbfs - floor);
    }
    if (this.recentCount === recent.length) {
      let min = recent[0]!;
      let max = min;
      for (let i = 1; i < recent.length; i++) {
        const value = recent[i]!;
        if (value < min) min = value;
        else if (value > max) max = value;
      }
      if (max - min <= STEADY_SPREAD_DB && min > floor) floor = min;
    }
    this.noiseFloorDbfs = Math.max(this.lowestNoiseFloorDbfs, floor);
  }
}
