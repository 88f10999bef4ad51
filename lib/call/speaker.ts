import { OUTPUT_FRAME_MS, OUTPUT_SAMPLE_RATE_HZ } from "../transport/protocol";

const TICK_MS = 10;

export interface SpeakerSink {
  /** One 20 ms frame of bot audio (PCM16 at the speaker's rate). */
  frame(samples: Int16Array): void;
}

export type SpeakOutcome = { kind: "played" | "interrupted"; playedMs: number; durationMs: number };

/**
 * Sends one bot turn's audio in 20 ms frames paced in real time, never more than `leadMs` ahead
 * of what the caller has heard. Pacing (instead of sending everything at once) keeps the server's
 * idea of "what was heard" honest and leaves barge-in something to cut.
 */
export class Speaker {
  private buffer: Int16Array[] = [];
  private bufferedSamples = 0;
  private offset = 0;
  private sentSamples = 0;
  private startedAt = 0;
  private started = false;
  private inputDone = false;
  private timer: NodeJS.Timeout | undefined;
  private finish: ((o: SpeakOutcome) => void) | undefined;
  private firstFrame: (() => void) | undefined;
  private readonly frameSamples: number;

  constructor(
    private readonly sink: SpeakerSink,
    private readonly leadMs: number,
    private readonly now: () => number = () => performance.now(),
    private readonly sampleRateHz: number = OUTPUT_SAMPLE_RATE_HZ,
  ) {
    this.frameSamples = (sampleRateHz * OUTPUT_FRAME_MS) / 1000;
  }

  get active(): boolean {
    return this.finish !== undefined;
  }

  /** Milliseconds of this turn's audio the caller has heard so far (estimated from pacing). */
  get playedMs(): number {
    if (!this.active || !this.started) return 0;
    return Math.min((this.sentSamples / this.sampleRateHz) * 1000, this.now() - this.startedAt);
  }

  /**
   * Plays a turn: `audio` yields chunks as they are synthesized. Resolves once the last frame
   * has been heard, or at once when interrupted. `onFirstFrame` fires when the first frame leaves.
   */
  play(audio: AsyncIterable<Int16Array>, onFirstFrame: () => void): Promise<SpeakOutcome> {
    this.stopTimer();
    this.buffer = [];
    this.bufferedSamples = 0;
    this.offset = 0;
    this.sentSamples = 0;
    this.inputDone = false;
    this.firstFrame = onFirstFrame;
    this.started = false;
    const done = new Promise<SpeakOutcome>((resolve) => (this.finish = resolve));
    this.timer = setInterval(() => this.pump(), TICK_MS);
    void this.feed(audio, done);
    return done;
  }

  private async feed(audio: AsyncIterable<Int16Array>, done: Promise<SpeakOutcome>): Promise<void> {
    let stopped = false;
    void done.then(() => (stopped = true));
    try {
      for await (const chunk of audio) {
        if (stopped) return;
        this.buffer.push(chunk);
        this.bufferedSamples += chunk.length;
        this.pump();
      }
    } finally {
      this.inputDone = true;
      if (!stopped) this.pump();
    }
  }

  private takeFrame(): Int16Array {
    const frame = new Int16Array(this.frameSamples);
    let filled = 0;
    while (filled < this.frameSamples && this.buffer.length > 0) {
      const head = this.buffer[0]!;
      const n = Math.min(this.frameSamples - filled, head.length - this.offset);
      frame.set(head.subarray(this.offset, this.offset + n), filled);
      filled += n;
      this.offset += n;
      if (this.offset >= head.length) {
        this.buffer.shift();
        this.offset = 0;
      }
    }
    this.bufferedSamples -= filled;
    return filled === this.frameSamples ? frame : frame.subarray(0, filled);
  }

  private pump(): void {
    if (!this.finish) return;
    const now = this.now();
    while (this.bufferedSamples >= this.frameSamples || (this.inputDone && this.bufferedSamples > 0)) {
      if (!this.started) {
        this.started = true;
        this.startedAt = now;
      }
      const sentMs = (this.sentSamples / this.sampleRateHz) * 1000;
      if (sentMs - (now - this.startedAt) >= this.leadMs) break;
      const frame = this.takeFrame();
      this.sentSamples += frame.length;
      this.sink.frame(frame);
      if (this.firstFrame) {
        const first = this.firstFrame;
        this.firstFrame = undefined;
        first();
      }
    }
    const durationMs = (this.sentSamples / this.sampleRateHz) * 1000;
    if (this.inputDone && this.bufferedSamples === 0 && (!this.started || now - this.startedAt >= durationMs)) {
      this.settle({ kind: "played", playedMs: durationMs, durationMs });
    }
  }

  /** Stops at once: nothing more is sent. Resolves the pending `play` as interrupted. */
  interrupt(): SpeakOutcome | undefined {
    if (!this.finish) return undefined;
    const outcome: SpeakOutcome = {
      kind: "interrupted",
      playedMs: this.playedMs,
      durationMs: (this.sentSamples / this.sampleRateHz) * 1000,
    };
    this.settle(outcome);
    return outcome;
  }

  private settle(outcome: SpeakOutcome): void {
    this.stopTimer();
    const finish = this.finish;
    this.finish = undefined;
    this.firstFrame = undefined;
    this.buffer = [];
    this.bufferedSamples = 0;
    finish?.(outcome);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.interrupt();
  }
}
