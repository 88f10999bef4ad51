import { PROTOCOL_VERSION, ServerMessage, type ClientMessage } from "../transport/protocol";
import type { CallEvent } from "./call-view";
import { VoiceEndTracker, meterLevel } from "./voice-end";

/** What the playback worklet reports (public/worklets/playback-processor.js). */
export type PlayerEvent =
  | { type: "started"; turnId: number; time: number }
  | { type: "progress"; turnId: number; playedMs: number; underruns: number; bufferedMs: number }
  | { type: "finished"; turnId: number; playedMs: number; underruns: number }
  | { type: "flushed"; turnId: number; playedMs: number; underruns: number };

/** What the playback worklet accepts. */
export type PlayerCommand =
  | { type: "start"; turnId: number }
  | { type: "audio"; turnId: number; pcm: Int16Array }
  | { type: "end"; turnId: number }
  | { type: "flush" };

/** The page → link: what the caller does. `at` is the AudioContext time a typed answer was sent. */
export type LinkCommand = { type: "text"; text: string; at: number | null } | { type: "typing" } | { type: "end" } | { type: "close" };

/** Link → page: call events for the store, and the microphone level (0–1) for the meter. */
export type LinkEvent = CallEvent | { kind: "level"; level: number };

export interface LinkSocket {
  readonly readyState: number;
  send(data: string | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
}

export interface LinkOptions {
  bot: string;
  rateHz: number;
  socket: LinkSocket;
  /** Sends commands to the playback worklet. */
  playback: (command: PlayerCommand, transfer?: Transferable[]) => void;
  emit: (event: LinkEvent) => void;
  /** Post the meter level every this many microphone frames. */
  levelEveryFrames?: number;
}

const OPEN = 1;

/**
 * The real-time half of a browser call, run in a Web Worker (components/call/voice-link.worker.ts)
 * so that rendering on the page can never hold up audio: it owns the socket, feeds bot audio
 * straight to the playback worklet and microphone frames straight to the socket, reports playback
 * position to the server, and runs the voice detector that starts the voice-to-voice clock. The
 * page only sees validated server messages and playback events.
 */
export class VoiceLink {
  private readonly voice: VoiceEndTracker;
  private ready = false;
  private botTurn = -1;
  private typedAt: number | null = null;
  private micFrames = 0;

  constructor(private readonly o: LinkOptions) {
    this.voice = new VoiceEndTracker(o.rateHz);
  }

  onOpen(): void {
    this.send({ type: "start", protocol: PROTOCOL_VERSION, bot: this.o.bot, sampleRateHz: this.o.rateHz, channel: "browser" });
  }

  onClose(code: number, reason: string): void {
    this.ready = false;
    this.o.emit({ kind: "socket_closed", code, reason });
  }

  onCommand(c: LinkCommand): void {
    switch (c.type) {
      case "text":
        this.typedAt = c.at;
        return this.send({ type: "text", text: c.text });
      case "typing":
        return this.send({ type: "typing" });
      case "end":
        if (this.o.socket.readyState === OPEN) this.send({ type: "end" });
        else this.o.emit({ kind: "socket_closed", code: 1000, reason: "ended by client" });
        return;
      case "close":
        this.ready = false;
        this.o.socket.close(1000, "page closed");
        return;
    }
  }

  /** A microphone frame from the capture worklet, stamped with the AudioContext time of its end. */
  onMicFrame(pcm: Int16Array, time: number): void {
    this.voice.push(pcm, time);
    if (++this.micFrames % (this.o.levelEveryFrames ?? 2) === 0) this.o.emit({ kind: "level", level: meterLevel(this.voice.levelDbfs) });
    // The server counts the silence it receives to end turns: stream every frame from ready on.
    if (this.ready && this.o.socket.readyState === OPEN) this.o.socket.send(pcm);
  }

  onPlayerEvent(e: PlayerEvent): void {
    if (e.type === "started") {
      this.o.emit({ kind: "playback_started", turnId: e.turnId, time: e.time });
      return;
    }
    this.send({ type: "playback", turnId: e.turnId, playedMs: Math.round(e.playedMs), underruns: e.underruns });
    this.o.emit({ kind: "playback_progress", turnId: e.turnId, underruns: e.underruns });
  }

  onSocketMessage(data: string | ArrayBuffer): void {
    if (typeof data !== "string") {
      if (this.botTurn >= 0 && data.byteLength >= 2) {
        const pcm = new Int16Array(data, 0, data.byteLength >> 1);
        this.o.playback({ type: "audio", turnId: this.botTurn, pcm }, [pcm.buffer]);
      }
      return;
    }
    let parsed;
    try {
      parsed = ServerMessage.safeParse(JSON.parse(data));
    } catch {
      console.warn("voice socket: a text frame that is not JSON was ignored");
      return;
    }
    if (!parsed.success) {
      console.warn("voice socket: an unexpected message was ignored", parsed.error.issues);
      return;
    }
    const m = parsed.data;
    switch (m.type) {
      case "ready":
        this.ready = true;
        break;
      case "audio_start":
        this.botTurn = m.turnId;
        this.o.playback({ type: "start", turnId: m.turnId });
        break;
      case "audio_end":
        this.o.playback({ type: "end", turnId: m.turnId });
        break;
      case "interrupt":
        this.o.playback({ type: "flush" });
        break;
    }
    const voiceEndTime = m.type === "transcript" && m.final ? (m.source === "text" ? this.typedAt : this.voice.lastVoicedTime) : undefined;
    this.o.emit({ kind: "server", message: m, voiceEndTime });
  }

  private send(m: ClientMessage): void {
    if (this.o.socket.readyState === OPEN) this.o.socket.send(JSON.stringify(m));
  }
}
