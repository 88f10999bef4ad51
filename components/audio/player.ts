/**
 * The playback worklet (jitter buffer of `targetMs`, instant flush, position and underrun
 * reports). `link()` hands its control over to a port, so bot audio reaches it from the call's
 * worker without passing through the page's main thread.
 */
export class Player {
  private node: AudioWorkletNode | null = null;

  async init(ctx: AudioContext, inputRateHz = 16000, targetMs = 60): Promise<void> {
    await ctx.audioWorklet.addModule("/worklets/playback-processor.js");
    this.node = new AudioWorkletNode(ctx, "playback-processor", {
      numberOfInputs: 0,
      outputChannelCount: [1],
      processorOptions: { inputRateHz, targetMs, reportEveryMs: 200 },
    });
    this.node.connect(ctx.destination);
  }

  /** A port that drives this player (commands in, events out); the worklet keeps the other end. */
  link(): MessagePort {
    if (!this.node) throw new Error("player not initialised");
    const channel = new MessageChannel();
    this.node.port.postMessage({ type: "connect", port: channel.port2 }, [channel.port2]);
    return channel.port1;
  }

  close(): void {
    this.node?.disconnect();
    this.node = null;
  }
}
