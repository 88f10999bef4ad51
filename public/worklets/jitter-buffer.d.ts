/** Types for jitter-buffer.js (plain JavaScript, served to the AudioWorklet as is). */
export declare class JitterBuffer {
  constructor(options: { outputRateHz: number; inputRateHz?: number; targetMs?: number; maxTargetMs?: number; growMs?: number; fadeMs?: number });
  readonly turnId: number;
  readonly mode: "idle" | "buffering" | "playing" | "starved";
  readonly underruns: number;
  readonly playedMs: number;
  readonly bufferedMs: number;
  /** The depth a turn (or a refill after an underrun) waits for before playing. */
  readonly targetMs: number;
  start(turnId: number): void;
  push(turnId: number, pcm16: Int16Array): void;
  end(turnId: number): void;
  flush(): void;
  render(out: Float32Array): { startedAt: number; finished: boolean };
}
