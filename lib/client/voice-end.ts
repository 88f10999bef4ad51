import { powerToDbfs } from "../audio/pcm";
import { Vad } from "../audio/vad";

/**
 * The browser's own view of when the caller stopped talking: the same VAD the server runs, fed
 * with the microphone frames as they leave the capture worklet, each stamped with the
 * AudioContext time of its last sample. `lastVoicedTime` is where the voice-to-voice clock
 * starts; the playback worklet's first played sample (same clock) is where it stops.
 */
export class VoiceEndTracker {
  private readonly vad: Vad;
  private consumed = 0;
  /** AudioContext time (s) of the end of the last speech frame, or null before any speech. */
  lastVoicedTime: number | null = null;
  /** Level of the latest frame, dBFS. */
  levelDbfs = -120;

  constructor(readonly sampleRateHz = 16000) {
    this.vad = new Vad({ sampleRateHz });
  }

  push(pcm: Int16Array, endTime: number): void {
    let sum = 0;
    for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
    this.levelDbfs = powerToDbfs(pcm.length ? sum / pcm.length / (32768 * 32768) : 0);
    this.consumed += pcm.length;
    for (const frame of this.vad.process(pcm)) {
      if (frame.speech) this.lastVoicedTime = endTime - (this.consumed - frame.endSample) / this.sampleRateHz;
    }
  }
}

/** A meter position 0–1 for a level in dBFS (−60 dB and below is empty). */
export const meterLevel = (dbfs: number): number => Math.min(1, Math.max(0, (dbfs + 60) / 60));
