import { VoiceLink, type LinkCommand, type LinkEvent, type PlayerEvent } from "@/lib/client/voice-link";

/**
 * Hosts a call's VoiceLink off the page's main thread. The page sends one `init` with the socket
 * URL and two ports: one to the capture worklet (microphone frames in) and one to the playback
 * worklet (bot audio out, playback events in). After that it sends LinkCommands and receives
 * LinkEvents.
 */
export type InitMessage = { type: "init"; url: string; bot: string; rateHz: number; capture: MessagePort | null; playback: MessagePort };

interface WorkerScope {
  onmessage: ((e: MessageEvent<InitMessage | LinkCommand>) => void) | null;
  postMessage(message: LinkEvent): void;
  close(): void;
}
const scope = self as unknown as WorkerScope;
let link: VoiceLink | null = null;

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type !== "init") {
    link?.onCommand(m);
    if (m.type === "close") scope.close();
    return;
  }
  if (link) return;
  const socket = new WebSocket(m.url);
  socket.binaryType = "arraybuffer";
  const playback = m.playback;
  const emit = (event: LinkEvent) => scope.postMessage(event);
  const current = new VoiceLink({
    bot: m.bot,
    rateHz: m.rateHz,
    socket,
    playback: (command, transfer) => playback.postMessage(command, transfer ?? []),
    emit,
  });
  link = current;
  socket.onopen = () => current.onOpen();
  socket.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => current.onSocketMessage(ev.data);
  socket.onclose = (ev) => current.onClose(ev.code, ev.reason);
  playback.onmessage = (ev: MessageEvent<PlayerEvent>) => current.onPlayerEvent(ev.data);
  if (m.capture) m.capture.onmessage = (ev: MessageEvent<{ type: "frame"; pcm: Int16Array; time: number }>) => current.onMicFrame(ev.data.pcm, ev.data.time);
};
