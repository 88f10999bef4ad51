import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody, startLocalHttp } from "../../testing/local-http";
import { mulawEncode } from "../../audio/mulaw";
import { int16ToBytes } from "../../audio/pcm";
import { resample } from "../../audio/resample";
import { fliteSynthesize } from "../flite";

/**
 * A local stand-in for the cloud TTS APIs, speaking their wire formats: ElevenLabs
 * `POST /v1/text-to-speech/{voice_id}/stream?output_format=pcm_16000|ulaw_8000` (key in
 * `xi-api-key`, JSON `{ text, model_id }`, raw PCM or G.711 μ-law streamed back) and OpenAI `POST /v1/audio/speech` (Bearer
 * key, JSON `{ model, input, voice, response_format: "pcm" }`, 24 kHz PCM streamed back), with
 * each service's error body. The speech is real (a flite voice), streamed in 100 ms chunks.
 * `behaviour` can be changed at any time to inject latency, errors, disconnects and garbage.
 */
export interface FakeTtsBehaviour {
  /** Delay before the response starts. */
  firstByteDelayMs: number;
  /** Delay between chunks (0 = as fast as the socket takes them). */
  chunkDelayMs: number;
  /** Answer with this HTTP status and the service's error body instead of audio. */
  status?: number;
  /** Cut the connection after this many audio bytes. */
  disconnectAfterBytes?: number;
  /** Answer 200 with an HTML page instead of audio. */
  garbage?: boolean;
}

export interface FakeTtsServer {
  url: string;
  behaviour: FakeTtsBehaviour;
  /** Every request; `firstByteMs` is the fake's own time from request to first audio byte (the provider latency). */
  requests: Array<{ service: "elevenlabs" | "openai"; text: string; key: string | undefined; path: string; body: Record<string, unknown>; firstByteMs?: number; audio?: Uint8Array }>;
  close(): Promise<void>;
}

const CHUNK_MS = 100;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readBody(req)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The exact bytes the fake streams for `text` in a format (tests compare what reaches a caller with them). */
export function fakeSpeech(text: string, voice: string, format: "pcm_16000" | "ulaw_8000" | "pcm_24000"): Uint8Array {
  if (format === "ulaw_8000") return mulawEncode(fliteSynthesize(text, voice, 1, 8000));
  const speech16k = fliteSynthesize(text, voice);
  return int16ToBytes(format === "pcm_16000" ? speech16k : resample(speech16k, 16000, 24000));
}

export async function startFakeTts(o: { apiKey: string; voice?: string } & Partial<FakeTtsBehaviour>): Promise<FakeTtsServer> {
  const behaviour: FakeTtsBehaviour = { firstByteDelayMs: o.firstByteDelayMs ?? 0, chunkDelayMs: o.chunkDelayMs ?? 0, ...o };
  const requests: FakeTtsServer["requests"] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const eleven = /^\/v1\/text-to-speech\/([^/]+)\/stream$/.exec(url.pathname);
    const service = eleven ? "elevenlabs" : url.pathname === "/v1/audio/speech" ? "openai" : undefined;
    if (!service || req.method !== "POST") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ detail: "Not Found" }));
      return;
    }
    const receivedAt = performance.now();
    const body = await readJson(req);
    const key = service === "elevenlabs" ? (req.headers["xi-api-key"] as string | undefined) : req.headers.authorization?.replace(/^Bearer /, "");
    const text = String(service === "elevenlabs" ? body.text : body.input);
    const request: FakeTtsServer["requests"][number] = { service, text, key, path: req.url ?? "", body };
    requests.push(request);
    const error = (status: number, message: string) => {
      const payload =
        service === "elevenlabs"
          ? { detail: { status: status === 401 ? "invalid_api_key" : "internal_error", message } }
          : { error: { message, type: status === 401 ? "invalid_request_error" : "server_error", param: null, code: status === 401 ? "invalid_api_key" : null } };
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    };
    if (key !== o.apiKey) return error(401, "Invalid API key");
    const b = behaviour;
    await sleep(b.firstByteDelayMs);
    if (b.status) return error(b.status, "The fake was told to fail");
    if (b.garbage) {
      res.writeHead(200, { "content-type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>");
      return;
    }
    const format = service === "elevenlabs" ? url.searchParams.get("output_format") : body.response_format;
    if (service === "elevenlabs" && format !== "pcm_16000" && format !== "ulaw_8000") return error(422, "this fake speaks pcm_16000 and ulaw_8000 only");
    if (service === "openai" && format !== "pcm") return error(400, "this fake speaks pcm only");
    const bytes = fakeSpeech(text, o.voice ?? "awb", format === "pcm_16000" ? "pcm_16000" : format === "ulaw_8000" ? "ulaw_8000" : "pcm_24000");
    request.audio = bytes;
    const bytesPerMs = format === "ulaw_8000" ? 8 : format === "pcm_16000" ? 32 : 48;
    res.writeHead(200, { "content-type": format === "ulaw_8000" ? "audio/basic" : "audio/pcm", "transfer-encoding": "chunked" });
    const step = bytesPerMs * CHUNK_MS + 1; // odd: PCM chunks split samples, as the network may
    for (let at = 0; at < bytes.length; at += step) {
      if (at === 0) request.firstByteMs = performance.now() - receivedAt;
      if (b.disconnectAfterBytes !== undefined && at >= b.disconnectAfterBytes) {
        // Let what was written reach the client first: a drop mid-stream, not a refused request.
        await sleep(20);
        res.socket?.destroy();
        return;
      }
      res.write(bytes.subarray(at, at + step));
      if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
    }
    res.end();
  };

  const { port, close } = await startLocalHttp(handle);
  return {
    url: `http://127.0.0.1:${port}`,
    behaviour,
    requests,
    close,
  };
}
