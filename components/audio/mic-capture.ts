import type { MicStatus } from "@/lib/client/call-view";

/** Why the microphone could not be opened, in words a caller can act on. */
export class MicError extends Error {
  constructor(
    readonly status: Exclude<MicStatus, "off" | "requesting" | "on">,
    message: string,
  ) {
    super(message);
  }
}

export function micErrorFrom(err: unknown): MicError {
  const name = (err as { name?: string } | null)?.name ?? "";
  switch (name) {
    case "NotAllowedError":
    case "SecurityError":
      return new MicError(
        "denied",
        "Microphone access is blocked. Allow it from the lock icon in the address bar, then try again — or type your answers instead.",
      );
    case "NotFoundError":
    case "OverconstrainedError":
      return new MicError("no_device", "No microphone was found. Plug one in and try again, or type your answers instead.");
    case "NotReadableError":
    case "AbortError":
      return new MicError(
        "in_use",
        "Your microphone is busy in another app or tab. Close that app or tab and try again, or type your answers instead.",
      );
    default:
      return new MicError("error", `The microphone could not be started (${name || String(err)}). Type your answers instead.`);
  }
}

/**
 * Owns the microphone: getUserMedia with echo cancellation and noise suppression, a capture
 * worklet turning it into 16 kHz PCM16 frames of 20 ms, stamped with the AudioContext time.
 */
export class MicCapture {
  private stream: MediaStream | null = null;
  private source: MediaStreamAudioSourceNode | null = null;
  private node: AudioWorkletNode | null = null;
  private sink: GainNode | null = null;

  async start(ctx: AudioContext, targetRateHz = 16000): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new MicError("unsupported", "This browser cannot use a microphone here (it needs HTTPS or localhost). Type your answers instead.");
    }
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (err) {
      throw micErrorFrom(err);
    }
    await ctx.audioWorklet.addModule("/worklets/capture-processor.js");
    this.source = ctx.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(ctx, "capture-processor", {
      numberOfOutputs: 1,
      channelCount: 1,
      channelCountMode: "explicit",
      processorOptions: { targetRateHz, frameMs: 20 },
    });
    // A worklet only runs while pulled by the graph: route it into a silent gain.
    this.sink = ctx.createGain();
    this.sink.gain.value = 0;
    this.source.connect(this.node).connect(this.sink).connect(ctx.destination);
  }

  /**
   * A port that receives the frames from now on ({ type: "frame", pcm, time }), for the call's
   * worker: frames then never wait for the page's main thread.
   */
  link(): MessagePort {
    if (!this.node) throw new Error("microphone not started");
    const channel = new MessageChannel();
    this.node.port.postMessage({ type: "connect", port: channel.port2 }, [channel.port2]);
    return channel.port1;
  }

  stop(): void {
    this.node?.port.postMessage({ type: "stop" });
    this.node?.disconnect();
    this.source?.disconnect();
    this.sink?.disconnect();
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = this.source = this.node = this.sink = null;
  }
}
