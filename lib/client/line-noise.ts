import { activeFrameRanges, pinkNoise } from "../audio/degrade";
import { CALLER_RATE_HZ } from "./caller";

/** Long enough not to repeat in step with a caller's answers. */
const LOOP_SECONDS = 7.3;

/**
 * Background noise for a simulated caller's microphone (CallerOptions.lineNoise): looped pink
 * noise `snrDb` under the speech level of `speech` (over its active frames, as
 * addNoiseAtSnr measures it). Throws a RangeError when there is no speech to set it against.
 */
export function lineNoise(speech: readonly Int16Array[], snrDb: number, seed = 1): Float32Array {
  let energy = 0;
  let count = 0;
  for (const samples of speech) {
    for (const [start, end] of activeFrameRanges(samples, CALLER_RATE_HZ)) {
      for (let i = start; i < end; i++) energy += samples[i]! * samples[i]!;
      count += end - start;
    }
  }
  if (count === 0 || !Number.isFinite(snrDb)) throw new RangeError("line noise needs spoken answers and a finite SNR");
  const gain = Math.sqrt(energy / count) / 10 ** (snrDb / 20);
  return pinkNoise(Math.round(LOOP_SECONDS * CALLER_RATE_HZ), seed).map((x) => x * gain);
}
