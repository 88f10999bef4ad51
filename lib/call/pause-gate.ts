/** Caller audio as the session hands it to a recognizer: 16 kHz PCM16, and the carrier's coding of it. */
export interface CallerChunk {
  samples: Int16Array;
  coded?: Uint8Array;
}

/**
 * How much of a pause in the caller's speech the recognizer hears. A decoder needs a little
 * silence after the last word, not the whole end-of-turn window: audio past `heardMs` of silence
 * is held, and handed on (before the new audio, so the recognizer hears the pause whole) only if
 * the caller speaks again before the turn ends.
 */
export class PauseGate {
  private held: CallerChunk[] = [];

  constructor(private readonly heardMs: number) {}

  /**
   * The chunks to hand the recognizer now, oldest first. `silenceMs` is the silence from the
   * caller's last voiced sample to the end of `chunk` (0 while they speak).
   */
  pass(chunk: CallerChunk, silenceMs: number): CallerChunk[] {
    if (silenceMs > this.heardMs) {
      this.held.push(chunk);
      return [];
    }
    const out = this.held;
    this.held = [];
    out.push(chunk);
    return out;
  }

  /** Samples held back so far. */
  get heldSamples(): number {
    return this.held.reduce((n, c) => n + c.samples.length, 0);
  }

  /** Forgets the held audio (the turn ended, or a new utterance began). */
  reset(): void {
    this.held = [];
  }
}
