import { JitterBuffer } from "./jitter-buffer.js";

/**
 * Plays the bot's audio. The page posts turn markers and PCM16 chunks; the processor reports
 * back when a turn's first sample is played (for voice-to-voice), its position every
 * `reportEveryMs` while playing, underruns, and when a turn has finished or was flushed.
 * Times are AudioContext seconds, the same clock the capture processor stamps frames with.
 *
 * Messages in:  { type: "start", turnId } | { type: "audio", turnId, pcm: Int16Array }
 *               | { type: "end", turnId } | { type: "flush" }
 *               | { type: "connect", port: MessagePort }: take messages from and report to that
 *                 port from then on (the call's worker holds its other end, so bot audio goes
 *                 socket → worker → here without waiting for the page's main thread).
 * Messages out: { type: "started", turnId, time } | { type: "progress", turnId, playedMs, underruns, bufferedMs }
 *               | { type: "finished", turnId, playedMs, underruns } | { type: "flushed", turnId, playedMs, underruns }
 */
class PlaybackProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { inputRateHz = 16000, targetMs = 60, reportEveryMs = 200 } = options.processorOptions ?? {};
    this.buffer = new JitterBuffer({ outputRateHz: sampleRate, inputRateHz, targetMs });
    this.reportEverySamples = Math.round((reportEveryMs * sampleRate) / 1000);
    this.sinceReport = 0;
    /** Where events go: the node's port, or a port handed over with `connect`. */
    this.out = this.port;
    this.port.onmessage = (event) => this.onMessage(event.data);
  }

  onMessage(m) {
    const b = this.buffer;
    switch (m.type) {
      case "connect":
        this.out = m.port;
        this.out.onmessage = (event) => this.onMessage(event.data);
        break;
      case "start":
        b.start(m.turnId);
        this.sinceReport = 0;
        break;
      case "audio":
        b.push(m.turnId, m.pcm);
        break;
      case "end":
        b.end(m.turnId);
        break;
      case "flush":
        if (b.turnId >= 0 && b.mode !== "idle") {
          this.out.postMessage({ type: "flushed", turnId: b.turnId, playedMs: b.playedMs, underruns: b.underruns });
        }
        b.flush();
        break;
    }
  }

  process(_inputs, outputs) {
    const out = outputs[0];
    const b = this.buffer;
    const wasPlaying = b.mode === "playing";
    const r = b.render(out[0]);
    for (let c = 1; c < out.length; c++) out[c].set(out[0]);
    if (r.startedAt >= 0) {
      this.out.postMessage({ type: "started", turnId: b.turnId, time: currentTime + r.startedAt / sampleRate });
    }
    if (wasPlaying || b.mode === "playing") {
      this.sinceReport += out[0].length;
      if (this.sinceReport >= this.reportEverySamples) {
        this.sinceReport = 0;
        this.out.postMessage({ type: "progress", turnId: b.turnId, playedMs: b.playedMs, underruns: b.underruns, bufferedMs: b.bufferedMs });
      }
    }
    if (r.finished) {
      this.out.postMessage({ type: "finished", turnId: b.turnId, playedMs: b.playedMs, underruns: b.underruns });
    }
    return true;
  }
}

registerProcessor("playback-processor", PlaybackProcessor);
