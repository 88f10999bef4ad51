import WebSocket from "ws";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { QuestionGrammar } from "../bot/grammar";
import { startFakeRealtime, type FakeRealtimeServer } from "./testing/fake-realtime-server";
import { OpenAIRealtimeRecognizer, realtimeUrl } from "./openai-realtime";
import type { RecognizerStream } from "./types";

const API_KEY = "sk-test-realtime";
const MODEL = "gpt-4o-mini-transcribe";
/** This recognizer transcribes free speech: the question's grammar is not used. */
const grammar = { id: "unused", rules: "", words: [] } as QuestionGrammar;

let fake: FakeRealtimeServer;
let recognizer: OpenAIRealtimeRecognizer;

beforeAll(async () => {
  fake = await startFakeRealtime({ apiKey: API_KEY });
  recognizer = new OpenAIRealtimeRecognizer({ apiKey: API_KEY, baseUrl: fake.baseUrl, model: MODEL, language: "en" });
});
afterAll(async () => {
  await recognizer.close();
  await fake.close();
});
beforeEach(() => {
  fake.behaviour.latencyMs = 0;
  fake.behaviour.fail = false;
  fake.behaviour.disconnect = false;
  fake.behaviour.garbage = false;
  fake.transcripts.length = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** One second of a 440 Hz tone at 16 kHz, as a caller's utterance would arrive. */
function tone(ms = 1000): Int16Array {
  const n = (16000 * ms) / 1000;
  return Int16Array.from({ length: n }, (_, i) => Math.round(Math.sin((2 * Math.PI * 440 * i) / 16000) * 8000));
}

/** Pushes in 20 ms frames, all at once (the socket is still connecting). */
function pushFrames(stream: RecognizerStream, audio: Int16Array): void {
  for (let i = 0; i < audio.length; i += 320) stream.push(audio.subarray(i, i + 320));
}

const waitFor = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("realtimeUrl", () => {
  it("derives the transcription WebSocket URL from the SDK base URL", () => {
    expect(realtimeUrl("https://api.openai.com/v1")).toBe("wss://api.openai.com/v1/realtime?intent=transcription");
    expect(realtimeUrl("https://api.openai.com/v1/")).toBe("wss://api.openai.com/v1/realtime?intent=transcription");
    expect(realtimeUrl()).toBe("wss://api.openai.com/v1/realtime?intent=transcription");
    expect(realtimeUrl("http://127.0.0.1:9/v1")).toBe("ws://127.0.0.1:9/v1/realtime?intent=transcription");
  });
});

describe("OpenAIRealtimeRecognizer", () => {
  it("transcribes an utterance whose audio was pushed before the socket opened", async () => {
    fake.transcripts.push("  yes I am salaried ");
    const before = fake.sessions.length;
    const stream = recognizer.start(grammar);
    expect(recognizer.stats().openSockets).toBe(1);
    pushFrames(stream, tone(1000));
    expect(stream.partial).toBe("");

    const result = await stream.finish();
    expect(result).toMatchObject({ text: "yes I am salaried", rejected: false, provider: `openai:${MODEL}`, confidence: 1 });
    expect(result.audioMs).toBeCloseTo(1000, 5);
    expect(recognizer.id).toBe(`openai:${MODEL}`);

    expect(fake.sessions.length).toBe(before + 1);
    const session = fake.sessions.at(-1)!;
    expect(session.key).toBe(API_KEY);
    expect(session.update).toMatchObject({
      input_audio_format: "pcm16",
      input_audio_transcription: { model: MODEL, language: "en" },
      turn_detection: null,
    });
    expect(session.committed).toBe(1);
    // 1 s at 16 kHz arrives as 1 s at 24 kHz: nothing queued before the handshake was lost.
    expect(session.appendedMs).toBeGreaterThan(950);
    expect(session.appendedMs).toBeLessThan(1050);
    // The session is configured before the audio queued while connecting, and committed last.
    expect(session.events[0]).toBe("transcription_session.update");
    expect(session.events.at(-1)).toBe("input_audio_buffer.commit");
    expect(recognizer.stats().openSockets).toBe(0);
  });

  it("on a Twilio line, appends the carrier's G.711 μ-law bytes as they came (g711_ulaw, no transcode)", async () => {
    fake.transcripts.push("haan ji");
    const audio = tone(1000);
    const stream = recognizer.start(grammar, {}, { codec: "g711_ulaw" });
    // Each 20 ms frame: the 16 kHz samples the session decodes, and the 160 carrier bytes they came from.
    const carrier = Uint8Array.from({ length: 8000 }, (_, i) => (i * 37) & 0xff);
    for (let f = 0; f < 50; f++) stream.push(audio.subarray(f * 320, (f + 1) * 320), carrier.subarray(f * 160, (f + 1) * 160));
    await expect(stream.finish()).resolves.toMatchObject({ text: "haan ji", rejected: false });
    const session = fake.sessions.at(-1)!;
    expect(session.update).toMatchObject({ input_audio_format: "g711_ulaw", turn_detection: null });
    expect(session.appendedMs).toBe(1000);
    expect(Buffer.concat(session.audio)).toEqual(Buffer.from(carrier));
  });

  it("builds the partial from the transcript deltas, and ends on the full transcript", async () => {
    fake.transcripts.push("no I am self employed");
    const stream = recognizer.start(grammar);
    // Frames of one chunk are handled in one go; look at the partial after each server event.
    const seen: string[] = [stream.partial];
    const emit = WebSocket.prototype.emit;
    vi.spyOn(WebSocket.prototype, "emit").mockImplementation(function (this: WebSocket, event: string | symbol, ...args: unknown[]) {
      const handled = emit.call(this, event, ...args);
      if (event === "message" && stream.partial !== seen.at(-1)) seen.push(stream.partial);
      return handled;
    });
    pushFrames(stream, tone(400));
    const result = await stream.finish();
    expect(seen).toEqual(["", "no ", "no I ", "no I am ", "no I am self ", "no I am self employed"]);
    expect(stream.partial).toBe("no I am self employed");
    expect(result.text).toBe("no I am self employed");
  });

  it("rejects an utterance with an empty transcript", async () => {
    fake.transcripts.push("   ");
    const stream = recognizer.start(grammar);
    pushFrames(stream, tone(300));
    const result = await stream.finish();
    expect(result).toMatchObject({ text: "", rejected: true, confidence: 0, provider: `openai:${MODEL}` });
  });

  it("rejects finish() when the transcription fails", async () => {
    fake.behaviour.fail = true;
    fake.transcripts.push("unused");
    const stream = recognizer.start(grammar);
    pushFrames(stream, tone(300));
    await expect(stream.finish()).rejects.toThrow(/transcription failed/);
    expect(recognizer.stats().openSockets).toBe(0);
  });

  it("rejects finish() when the server drops the connection", async () => {
    fake.behaviour.disconnect = true;
    const stream = recognizer.start(grammar);
    pushFrames(stream, tone(300));
    await expect(stream.finish()).rejects.toThrow(/closed/);
    expect(recognizer.stats().openSockets).toBe(0);
  });

  it("rejects finish() when the server sends a frame that is not JSON", async () => {
    fake.behaviour.garbage = true;
    const stream = recognizer.start(grammar);
    pushFrames(stream, tone(300));
    await expect(stream.finish()).rejects.toThrow(/non-JSON/);
    expect(recognizer.stats().openSockets).toBe(0);
  });

  it("rejects finish() when the key is refused (401)", async () => {
    const wrong = new OpenAIRealtimeRecognizer({ apiKey: "sk-wrong", baseUrl: fake.baseUrl, model: MODEL });
    const before = fake.sessions.length;
    const stream = wrong.start(grammar);
    pushFrames(stream, tone(300));
    await expect(stream.finish()).rejects.toThrow(/401/);
    expect(fake.sessions.length).toBe(before);
    expect(wrong.stats().openSockets).toBe(0);
  });

  it("rejects finish() when the connection fails before finish() is called", async () => {
    const wrong = new OpenAIRealtimeRecognizer({ apiKey: "sk-wrong", baseUrl: fake.baseUrl, model: MODEL });
    const stream = wrong.start(grammar);
    pushFrames(stream, tone(100));
    // Give the refused handshake time to be reported before the end of the turn.
    await new Promise((r) => setTimeout(r, 200));
    await expect(stream.finish()).rejects.toThrow(/401/);
    expect(wrong.stats().openSockets).toBe(0);
  });

  it("cancel() closes the socket, while connecting or once open, without unhandled errors", async () => {
    const connecting = recognizer.start(grammar);
    pushFrames(connecting, tone(100));
    connecting.cancel();
    connecting.cancel();
    expect(recognizer.stats().openSockets).toBe(0);

    const before = fake.sessions.length;
    const open = recognizer.start(grammar);
    pushFrames(open, tone(200));
    await waitFor(() => fake.sessions.length > before && fake.sessions.at(-1)!.appendedMs > 0);
    open.cancel();
    expect(recognizer.stats().openSockets).toBe(0);
    open.push(tone(100));

    // A server failure after the cancel (here a refused key) must not surface anywhere.
    const wrong = new OpenAIRealtimeRecognizer({ apiKey: "sk-wrong", baseUrl: fake.baseUrl, model: MODEL });
    const refused = wrong.start(grammar);
    refused.cancel();
    // Let the sockets finish closing; vitest fails the run on any unhandled error or rejection.
    await new Promise((r) => setTimeout(r, 100));
    expect(wrong.stats().openSockets).toBe(0);
  });

  it("does not leak sockets over many utterances", async () => {
    for (let i = 0; i < 10; i++) {
      fake.transcripts.push(`answer ${i}`);
      const stream = recognizer.start(grammar);
      pushFrames(stream, tone(100));
      if (i % 3 === 2) {
        stream.cancel();
        fake.transcripts.shift();
      } else {
        await expect(stream.finish()).resolves.toMatchObject({ text: `answer ${i}` });
      }
    }
    expect(recognizer.stats().openSockets).toBe(0);
  });
});
