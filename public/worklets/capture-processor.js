/**
 * Microphone capture: the first input channel, converted to PCM16 mono at `targetRateHz` in
 * frames of `frameMs`, each posted (transferred) to the page with the AudioContext time of its
 * last sample, which is the clock the playback processor reports on too.
 *
 * The page asks for a 16 kHz AudioContext, so the browser resamples and this is a copy. Where the
 * context runs at another rate, the input is low-passed (a moving average over one output
 * sample's span, which nulls what would alias) and linearly interpolated down or up.
 *
 * Messages out: { type: "frame", pcm: Int16Array, time: number }
 * Messages in:  { type: "stop" } ends the processor; { type: "connect", port: MessagePort } sends
 *               frames to that port from then on (the page hands it to the call's worker, so
 *               frames never wait for the page's main thread).
 */
class CaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { targetRateHz = 16000, frameMs = 20 } = options.processorOptions ?? {};
    this.step = sampleRate / targetRateHz;
    this.frameSamples = (targetRateHz * frameMs) / 1000;
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.running = true;
    // Moving-average low-pass for downsampling: a ring of the last `span` input samples.
    this.span = this.step > 1 ? Math.max(1, Math.round(this.step)) : 1;
    this.ring = new Float32Array(this.span);
    this.ringIndex = 0;
    this.ringSum = 0;
    this.pos = 0;
    this.prev = 0;
    /** Where frames go: the node's port, or a port handed over with `connect`. */
    this.out = this.port;
    this.port.onmessage = (event) => {
      if (event.data?.type === "stop") this.running = false;
      if (event.data?.type === "connect") this.out = event.data.port;
    };
  }

  emit(value, inputIndex) {
    const v = Math.max(-1, Math.min(1, value));
    this.frame[this.filled++] = v < 0 ? v * 32768 : v * 32767;
    if (this.filled === this.frameSamples) {
      const pcm = this.frame;
      this.out.postMessage({ type: "frame", pcm, time: currentTime + (inputIndex + 1) / sampleRate }, [pcm.buffer]);
      // The transfer detaches the buffer: every frame gets a new one.
      this.frame = new Int16Array(this.frameSamples);
      this.filled = 0;
    }
  }

  process(inputs) {
    if (!this.running) return false;
    const input = inputs[0]?.[0];
    if (!input) return true;
    if (this.step === 1) {
      for (let i = 0; i < input.length; i++) this.emit(input[i], i);
      return true;
    }
    // Filter in place into a copy, then interpolate at `step` spacing. `pos` is measured from the
    // previous block's last (filtered) sample, index -1.
    const filtered = new Float32Array(input.length);
    for (let i = 0; i < input.length; i++) {
      this.ringSum += input[i] - this.ring[this.ringIndex];
      this.ring[this.ringIndex] = input[i];
      this.ringIndex = (this.ringIndex + 1) % this.span;
      filtered[i] = this.ringSum / this.span;
    }
    let pos = this.pos;
    while (pos <= filtered.length - 1) {
      const base = Math.floor(pos);
      const frac = pos - base;
      const a = base < 0 ? this.prev : filtered[base];
      const b = base + 1 < filtered.length ? filtered[base + 1] : a;
      this.emit(a + (b - a) * frac, Math.max(0, base));
      pos += this.step;
    }
    this.pos = pos - filtered.length;
    this.prev = filtered[filtered.length - 1];
    return true;
  }
}

registerProcessor("capture-processor", CaptureProcessor);
