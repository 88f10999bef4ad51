/**
 * The bot's audio between the socket and the speaker: a jitter buffer for one bot turn at a time.
 * Plain JavaScript because AudioWorklet modules are served as they are (no bundler); it runs in
 * the playback worklet and in unit tests (jitter-buffer.test.ts).
 *
 * - A turn starts playing once `targetMs` of audio is buffered (or the turn's audio is complete),
 *   so network jitter under that depth is never heard.
 * - Running dry mid-turn fades out (no click) and waits; if more audio of that turn then arrives,
 *   that was an underrun: it is counted and the buffer refills to the target before playing on,
 *   with a fade-in. Running dry at the turn's end is not an underrun, so the end marker may come
 *   after the last sample has played.
 * - Each underrun deepens the target by `growMs` (up to `maxTargetMs`) for the rest of the call:
 *   a connection that stalls once is likely to stall again, and a little more delay is better
 *   than another gap.
 * - `flush()` (the bot was interrupted) fades out over a few milliseconds and drops the rest.
 *
 * Input is PCM16 at `inputRateHz`; output is float at `outputRateHz` (linear interpolation when
 * they differ: the page asks for a 16 kHz AudioContext, so normally they do not).
 */
export class JitterBuffer {
  /**
   * @param {{ outputRateHz: number, inputRateHz?: number, targetMs?: number, maxTargetMs?: number, growMs?: number, fadeMs?: number }} options
   */
  constructor({ outputRateHz, inputRateHz = 16000, targetMs = 60, maxTargetMs = 180, growMs = 40, fadeMs = 4 }) {
    this.outputRateHz = outputRateHz;
    this.step = inputRateHz / outputRateHz;
    this.targetSamples = Math.round((targetMs * outputRateHz) / 1000);
    this.maxTargetSamples = Math.max(this.targetSamples, Math.round((maxTargetMs * outputRateHz) / 1000));
    this.growSamples = Math.round((growMs * outputRateHz) / 1000);
    this.fadeSamples = Math.max(1, Math.round((fadeMs * outputRateHz) / 1000));
    /** @type {Float32Array[]} */
    this.chunks = [];
    this.chunkOffset = 0;
    this.buffered = 0;
    this.turnId = -1;
    /** "idle" | "buffering" | "playing" | "starved" */
    this.mode = "idle";
    this.ended = false;
    this.playedSamples = 0;
    this.underruns = 0;
    this.fadeIn = 0;
    this.lastSample = 0;
    /** Samples of fade-out still to render after a flush or while starving. */
    this.fadeOut = 0;
    this.resamplePos = 0;
    this.resamplePrev = 0;
  }

  /** A new bot turn: anything left of the previous one is dropped. */
  start(turnId) {
    this.dropAll();
    this.turnId = turnId;
    this.mode = "buffering";
    this.ended = false;
    this.playedSamples = 0;
    this.underruns = 0;
    this.fadeIn = 0;
    this.resamplePos = 0;
    this.resamplePrev = 0;
  }

  /** Audio of a turn, PCM16. Audio of any other turn than the current one is ignored. */
  push(turnId, pcm16) {
    if (turnId !== this.turnId || this.mode === "idle" || this.ended) return;
    const samples = this.convert(pcm16);
    if (samples.length === 0) return;
    this.chunks.push(samples);
    this.buffered += samples.length;
    if (this.mode === "starved") {
      this.underruns++;
      this.targetSamples = Math.min(this.maxTargetSamples, this.targetSamples + this.growSamples);
      this.mode = "buffering";
    }
  }

  /** No more audio for this turn: play out what is buffered. */
  end(turnId) {
    if (turnId !== this.turnId || this.mode === "idle") return;
    this.ended = true;
  }

  /** Stop now: a short fade from the current position, then silence. */
  flush() {
    const fade = this.mode === "playing" ? this.fadeSamples : 0;
    this.fadeOut = fade;
    this.flushTail = fade > 0 ? this.peek(fade) : undefined;
    this.dropAll();
    this.mode = "idle";
  }

  /**
   * Fill one render quantum. Returns what happened in it, for the processor to report:
   * `started` (the first sample of the turn was played at this index), `finished`.
   * @param {Float32Array} out
   */
  render(out) {
    out.fill(0);
    const result = { startedAt: -1, finished: false };
    let i = 0;
    if (this.fadeOut > 0) {
      const tail = this.flushTail;
      for (; i < out.length && this.fadeOut > 0; i++, this.fadeOut--) {
        const k = this.fadeSamples - this.fadeOut;
        const v = tail && k < tail.length ? tail[k] : this.lastSample;
        out[i] = (v * this.fadeOut) / this.fadeSamples;
      }
      if (this.fadeOut === 0) this.lastSample = 0;
    }
    if (this.mode === "buffering" && (this.buffered >= this.targetSamples || (this.ended && this.buffered > 0))) {
      if (this.playedSamples === 0) result.startedAt = i;
      else this.fadeIn = this.fadeSamples;
      this.mode = "playing";
    }
    if (this.mode === "playing") {
      for (; i < out.length && this.buffered > 0; i++) {
        let v = this.next();
        if (this.fadeIn > 0) {
          v *= 1 - this.fadeIn / this.fadeSamples;
          this.fadeIn--;
        }
        out[i] = v;
        this.lastSample = v;
        this.playedSamples++;
      }
      if (this.buffered === 0) {
        if (this.ended) {
          this.mode = "idle";
          result.finished = true;
        } else {
          this.mode = "starved";
          this.fadeOut = this.fadeSamples;
          this.flushTail = undefined;
        }
        for (; i < out.length && this.fadeOut > 0; i++, this.fadeOut--) {
          out[i] = (this.lastSample * this.fadeOut) / this.fadeSamples;
        }
        if (this.fadeOut === 0) this.lastSample = 0;
      }
    } else if ((this.mode === "buffering" || this.mode === "starved") && this.ended && this.buffered === 0) {
      this.mode = "idle";
      result.finished = this.playedSamples > 0;
    }
    return result;
  }

  get playedMs() {
    return (this.playedSamples * 1000) / this.outputRateHz;
  }

  get targetMs() {
    return (this.targetSamples * 1000) / this.outputRateHz;
  }

  get bufferedMs() {
    return (this.buffered * 1000) / this.outputRateHz;
  }

  next() {
    const chunk = this.chunks[0];
    const v = chunk[this.chunkOffset++];
    this.buffered--;
    if (this.chunkOffset >= chunk.length) {
      this.chunks.shift();
      this.chunkOffset = 0;
    }
    return v;
  }

  peek(n) {
    const out = new Float32Array(Math.min(n, this.buffered));
    let k = 0;
    for (let c = 0, off = this.chunkOffset; c < this.chunks.length && k < out.length; c++, off = 0) {
      const chunk = this.chunks[c];
      for (let j = off; j < chunk.length && k < out.length; j++) out[k++] = chunk[j];
    }
    return out;
  }

  dropAll() {
    this.chunks = [];
    this.chunkOffset = 0;
    this.buffered = 0;
  }

  /** PCM16 → float at the output rate. Linear interpolation carries its phase across chunks. */
  convert(pcm16) {
    if (this.step === 1) {
      const out = new Float32Array(pcm16.length);
      for (let j = 0; j < pcm16.length; j++) out[j] = pcm16[j] / 32768;
      return out;
    }
    const out = [];
    let pos = this.resamplePos;
    // pos is measured from the previous chunk's last sample (index -1 here).
    while (pos <= pcm16.length - 1) {
      const base = Math.floor(pos);
      const frac = pos - base;
      const a = base < 0 ? this.resamplePrev : pcm16[base] / 32768;
      const b = base + 1 < pcm16.length ? pcm16[base + 1] / 32768 : a;
      out.push(a + (b - a) * frac);
      pos += this.step;
    }
    this.resamplePos = pos - pcm16.length;
    this.resamplePrev = pcm16[pcm16.length - 1] / 32768;
    return Float32Array.from(out);
  }
}
