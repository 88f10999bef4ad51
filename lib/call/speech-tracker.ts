import type { VadFrame } from "../audio/vad";

export interface SpeechTrackerOptions {
  sampleRateHz: number;
  /** Consecutive voiced time before an utterance starts (rejects clicks). */
  minSpeechMs: number;
}

export type SpeechEvent =
  /** An utterance began; `startSample` is where its voiced run began. */
  | { type: "start"; startSample: number }
  /** A voiced frame inside an utterance. */
  | { type: "voiced"; endSample: number };

/**
 * Turns per-frame VAD decisions into utterances: where speech started, how much of it was
 * voiced, and the caller's last voiced sample. End of turn is decided by the session, because the
 * silence it waits for depends on what was heard so far.
 */
export class SpeechTracker {
  private runSamples = 0;
  private runStart = 0;
  inUtterance = false;
  utteranceStartSample = 0;
  lastVoicedSample = 0;
  voicedSamples = 0;

  constructor(private readonly options: SpeechTrackerOptions) {}

  update(frames: readonly VadFrame[], frameSamples: (f: VadFrame) => number): SpeechEvent[] {
    const events: SpeechEvent[] = [];
    const minRun = (this.options.minSpeechMs / 1000) * this.options.sampleRateHz;
    for (const f of frames) {
      const n = frameSamples(f);
      if (!f.voiced) {
        this.runSamples = 0;
        continue;
      }
      if (this.runSamples === 0) this.runStart = f.endSample - n;
      this.runSamples += n;
      if (this.inUtterance) {
        this.voicedSamples += n;
        this.lastVoicedSample = f.endSample;
        events.push({ type: "voiced", endSample: f.endSample });
      } else if (this.runSamples >= minRun) {
        this.inUtterance = true;
        this.utteranceStartSample = this.runStart;
        this.voicedSamples = this.runSamples;
        this.lastVoicedSample = f.endSample;
        events.push({ type: "start", startSample: this.runStart });
      }
    }
    return events;
  }

  voicedMs(): number {
    return (this.voicedSamples / this.options.sampleRateHz) * 1000;
  }

  endUtterance(): void {
    this.inUtterance = false;
    this.voicedSamples = 0;
    this.runSamples = 0;
  }
}
