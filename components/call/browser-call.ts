import { MicCapture, MicError } from "@/components/audio/mic-capture";
import { Player } from "@/components/audio/player";
import type { CallEvent } from "@/lib/client/call-view";
import type { LinkCommand, LinkEvent } from "@/lib/client/voice-link";
import type { InitMessage } from "./voice-link.worker";

const RATE_HZ = 16000;
const TYPING_EVERY_MS = 1000;

export interface BrowserCallOptions {
  bot: string;
  /** ws(s)://…/ws/voice; defaults to this page's host. */
  url?: string;
  dispatch: (e: CallEvent) => void;
  onLevel: (level: number) => void;
}

export function voiceUrl(): string {
  const configured = process.env.NEXT_PUBLIC_VOICE_WS_URL;
  if (configured) return configured;
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/voice`;
}

/**
 * One call from this browser: the AudioContext, microphone and player on the page, and the
 * socket in a Web Worker (voice-link.worker.ts) wired straight to both worklets, so audio never
 * waits for React to render. It turns what the worker reports into CallEvents for the store and
 * decides nothing about the conversation itself.
 */
export class BrowserCall {
  private ctx: AudioContext | null = null;
  private worker: Worker | null = null;
  private readonly mic = new MicCapture();
  private readonly player = new Player();
  private lastTypingAt = 0;
  private closed = false;

  constructor(private readonly o: BrowserCallOptions) {}

  /**
   * Start a call. Must be called from a click (audio may only start after a user gesture).
   * Resolves false when the microphone could not be opened: no call was started then.
   */
  async start(mode: "voice" | "text"): Promise<boolean> {
    const { dispatch } = this.o;
    this.ctx = createAudioContext();
    // The call's worker loads while the microphone opens and the worklets load (on a busy
    // machine, most of the time to connect); it opens the socket only when sent `init` below.
    const worker = new Worker(new URL("./voice-link.worker.ts", import.meta.url), { type: "module" });
    this.worker = worker;
    worker.onmessage = (e: MessageEvent<LinkEvent>) => this.onLinkEvent(e.data);
    worker.onerror = (e) => {
      dispatch({ kind: "socket_closed", code: 1006, reason: `call worker failed: ${e.message}` });
      this.teardown();
    };
    if (mode === "voice") {
      dispatch({ kind: "mic", status: "requesting" });
      try {
        await this.mic.start(this.ctx, RATE_HZ);
      } catch (err) {
        const e = err instanceof MicError ? err : new MicError("error", String(err));
        dispatch({ kind: "mic", status: e.status, message: e.message });
        this.teardown();
        return false;
      }
      if (this.closed) {
        // The worker failed while the microphone was opening: the call is over already.
        this.mic.stop();
        return true;
      }
      dispatch({ kind: "mic", status: "on" });
    }
    dispatch({ kind: "starting", inputMode: mode });
    await this.player.init(this.ctx, RATE_HZ);
    if (this.closed) return true;
    const capture = mode === "voice" ? this.mic.link() : null;
    const playback = this.player.link();
    const init: InitMessage = { type: "init", url: this.o.url ?? voiceUrl(), bot: this.o.bot, rateHz: RATE_HZ, capture, playback };
    worker.postMessage(init, capture ? [capture, playback] : [playback]);
    return true;
  }

  sendText(text: string): void {
    this.command({ type: "text", text, at: this.ctx?.currentTime ?? null });
  }

  /** The caller is typing: keeps the server's no-input reprompt from firing meanwhile. */
  typing(): void {
    const now = performance.now();
    if (now - this.lastTypingAt < TYPING_EVERY_MS) return;
    this.lastTypingAt = now;
    this.command({ type: "typing" });
  }

  end(): void {
    if (this.worker) this.command({ type: "end" });
    else this.teardown();
  }

  /** Release everything now (the page is going away). */
  dispose(): void {
    // The worker closes the socket and then itself; terminating it is only the backstop.
    this.command({ type: "close" });
    this.teardown(1000);
  }

  private command(c: LinkCommand): void {
    this.worker?.postMessage(c);
  }

  private onLinkEvent(e: LinkEvent): void {
    if (e.kind === "level") {
      this.o.onLevel(e.level);
      return;
    }
    this.o.dispatch(e);
    if (e.kind === "socket_closed") this.teardown(400);
  }

  /** Stop the microphone now; close audio after `graceMs` so the last buffered words still play. */
  private teardown(graceMs = 0): void {
    if (this.closed) return;
    this.closed = true;
    this.mic.stop();
    this.o.onLevel(0);
    const { ctx, player, worker } = this;
    this.worker = null;
    setTimeout(() => {
      worker?.terminate();
      player.close();
      void ctx?.close().catch(() => undefined);
    }, graceMs);
  }
}

function createAudioContext(): AudioContext {
  try {
    return new AudioContext({ sampleRate: RATE_HZ, latencyHint: "interactive" });
  } catch {
    // Some browsers only run at the device rate; the worklets resample.
    return new AudioContext({ latencyHint: "interactive" });
  }
}
