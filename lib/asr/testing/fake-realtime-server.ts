import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

/**
 * A local stand-in for OpenAI speech-to-text. Mainly the Realtime API in a transcription session
 * (`/v1/realtime?intent=transcription`, Bearer key), speaking its events:
 * transcription_session.created/updated, input_audio_buffer.committed,
 * conversation.item.input_audio_transcription.delta/completed/failed and error. It does not
 * recognize speech: each committed utterance gets the next scripted transcript (what a cloud
 * recognizer would have returned for it). Also the file-based endpoint, `POST
 * /v1/audio/transcriptions` (multipart, `{ text }` back), from the same script. `behaviour`
 * injects latency, failures, disconnects and garbage at any time.
 */
export interface FakeRealtimeBehaviour {
  /** From commit to the first transcript event. */
  latencyMs: number;
  /** Answer the commit with conversation.item.input_audio_transcription.failed. */
  fail?: boolean;
  /** Close the socket when the audio is committed. */
  disconnect?: boolean;
  /** Answer the commit with a frame that is not JSON. */
  garbage?: boolean;
}

export interface FakeRealtimeServer {
  /** The base URL to give the SDK / OPENAI_BASE_URL (http://127.0.0.1:port/v1). */
  baseUrl: string;
  behaviour: FakeRealtimeBehaviour;
  /** Transcripts for the next committed utterances, in order ("" when none is left). */
  transcripts: string[];
  /** Per connection: the key, the session update, audio appended, commits, and every client event type in order. */
  sessions: Array<{ key: string | undefined; update: unknown; appendedMs: number; audio: Buffer[]; committed: number; events: string[] }>;
  /** Requests to the file-based endpoint, POST /v1/audio/transcriptions. */
  files: Array<{ model: string; bytes: number }>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeRealtime(o: { apiKey: string; latencyMs?: number }): Promise<FakeRealtimeServer> {
  const behaviour: FakeRealtimeBehaviour = { latencyMs: o.latencyMs ?? 0 };
  const transcripts: string[] = [];
  const sessions: FakeRealtimeServer["sessions"] = [];
  const files: FakeRealtimeServer["files"] = [];
  // The file-based endpoint: POST /v1/audio/transcriptions (multipart: file, model, …) → { text }.
  const http: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => void transcribeFile(req, Buffer.concat(chunks), res));
  });
  async function transcribeFile(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const json = (status: number, payload: unknown): void => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    if (req.method !== "POST" || req.url !== "/v1/audio/transcriptions") return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${o.apiKey}`) {
      return json(401, { error: { message: "Incorrect API key provided", type: "invalid_request_error", param: null, code: "invalid_api_key" } });
    }
    const text = body.toString("latin1");
    const model = /name="model"\r\n\r\n([^\r]*)/.exec(text)?.[1];
    if (!String(req.headers["content-type"]).startsWith("multipart/form-data") || !model || !/name="file"; filename="[^"]+"/.test(text)) {
      return json(400, { error: { message: "file and model are required", type: "invalid_request_error", param: null, code: null } });
    }
    files.push({ model, bytes: body.length });
    await sleep(behaviour.latencyMs);
    if (behaviour.disconnect) return void req.socket.destroy();
    if (behaviour.garbage) return void res.writeHead(200, { "content-type": "text/html" }).end("<html>upstream connect error</html>");
    if (behaviour.fail) return json(500, { error: { message: "The server had an error", type: "server_error", param: null, code: null } });
    json(200, { text: transcripts.shift() ?? "", usage: { type: "duration", seconds: 1 } });
  }
  const wss = new WebSocketServer({ noServer: true });

  http.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const key = req.headers.authorization?.replace(/^Bearer /, "");
    if (url.pathname !== "/v1/realtime" || url.searchParams.get("intent") !== "transcription" || key !== o.apiKey) {
      const body = JSON.stringify({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } });
      socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, key));
  });

  function serve(ws: WebSocket, key: string | undefined): void {
    const session = { key, update: undefined as unknown, appendedMs: 0, audio: [] as Buffer[], committed: 0, events: [] as string[] };
    sessions.push(session);
    const send = (event: Record<string, unknown>): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event_id: `event_${randomUUID()}`, ...event }));
    };
    send({ type: "transcription_session.created", session: { id: `sess_${randomUUID()}`, object: "realtime.transcription_session" } });
    let buffered = 0;
    let previous: string | null = null;
    ws.on("message", (data) => {
      let e: { type?: string; session?: unknown; audio?: string };
      try {
        e = JSON.parse(String(data)) as typeof e;
      } catch {
        return send({ type: "error", error: { type: "invalid_request_error", code: "invalid_json", message: "Invalid JSON" } });
      }
      session.events.push(String(e.type));
      switch (e.type) {
        case "transcription_session.update":
          session.update = e.session;
          return send({ type: "transcription_session.updated", session: e.session });
        case "input_audio_buffer.append": {
          const audio = Buffer.from(e.audio ?? "", "base64");
          const bytes = audio.length;
          session.audio.push(audio);
          buffered += bytes;
          // pcm16 is 24 kHz 16-bit; g711_ulaw and g711_alaw are 8 kHz, a byte a sample.
          const format = (session.update as { input_audio_format?: string } | undefined)?.input_audio_format ?? "pcm16";
          session.appendedMs += format.startsWith("g711") ? bytes / 8 : (bytes / 2 / 24000) * 1000;
          return;
        }
        case "input_audio_buffer.commit": {
          if (buffered === 0) {
            return send({ type: "error", error: { type: "invalid_request_error", code: "input_audio_buffer_commit_empty", message: "buffer is empty" } });
          }
          buffered = 0;
          session.committed++;
          const itemId = `item_${randomUUID()}`;
          void answer(itemId, previous);
          previous = itemId;
          return;
        }
        default:
          return send({ type: "error", error: { type: "invalid_request_error", code: "unknown_event", message: `Unknown event ${e.type}` } });
      }
    });

    async function answer(itemId: string, previousItemId: string | null): Promise<void> {
      const b = behaviour;
      if (b.disconnect) return void ws.terminate();
      send({ type: "input_audio_buffer.committed", item_id: itemId, previous_item_id: previousItemId });
      await sleep(b.latencyMs);
      // The client gave up (timed out, hung up): nothing is transcribed for it.
      if (ws.readyState !== ws.OPEN) return;
      if (b.garbage) return void ws.send("<html>upstream connect error</html>");
      if (b.fail) {
        return send({
          type: "conversation.item.input_audio_transcription.failed",
          item_id: itemId,
          content_index: 0,
          error: { type: "transcription_error", code: "audio_unintelligible", message: "Audio could not be transcribed" },
        });
      }
      const transcript = transcripts.shift() ?? "";
      const words = transcript.split(/(?<= )/);
      for (const delta of words) send({ type: "conversation.item.input_audio_transcription.delta", item_id: itemId, content_index: 0, delta });
      send({ type: "conversation.item.input_audio_transcription.completed", item_id: itemId, content_index: 0, transcript });
    }
  }

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    behaviour,
    transcripts,
    sessions,
    files,
    close: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close(() => resolve());
      }),
  };
}
