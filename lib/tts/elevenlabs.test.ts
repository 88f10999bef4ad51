import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { concatInt16, rmsDbfs } from "../audio/pcm";
import { ElevenLabsSynthesizer } from "./elevenlabs";
import { mulawEncode } from "../audio/mulaw";
import { fakeSpeech, startFakeTts, type FakeTtsServer } from "./testing/fake-tts-server";
import { TTS_SAMPLE_RATE_HZ } from "./types";

const KEY = "xi-test-key";
const SENTENCE = "Is your monthly salary at least twenty five thousand rupees today?"; // ten words
const seconds = (samples: Int16Array) => samples.length / TTS_SAMPLE_RATE_HZ;

let fake: FakeTtsServer;

beforeAll(async () => {
  fake = await startFakeTts({ apiKey: KEY });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.behaviour.firstByteDelayMs = 0;
  fake.behaviour.chunkDelayMs = 0;
  fake.behaviour.status = undefined;
  fake.behaviour.disconnectAfterBytes = undefined;
  fake.behaviour.garbage = undefined;
  fake.requests.length = 0;
});

function synth(apiKey = KEY): ElevenLabsSynthesizer {
  return new ElevenLabsSynthesizer({ apiKey, voiceId: "voice123", modelId: "eleven_flash_v2_5", baseUrl: fake.url });
}

async function collect(stream: AsyncIterable<Int16Array>): Promise<Int16Array[]> {
  const chunks: Int16Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Collects until the stream ends or fails; the error (if any) and what arrived before it. */
async function collectSettled(stream: AsyncIterable<Int16Array>): Promise<{ chunks: Int16Array[]; error: unknown }> {
  const chunks: Int16Array[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
    return { chunks, error: undefined };
  } catch (error) {
    return { chunks, error };
  }
}

describe("ElevenLabsSynthesizer", () => {
  it("streams the sentence as several 16 kHz chunks of real speech", async () => {
    fake.behaviour.chunkDelayMs = 5;
    const tts = synth();
    expect(tts.id).toBe("elevenlabs:eleven_flash_v2_5");
    expect(tts.voices).toEqual(["voice123"]);
    const chunks = await collect(tts.stream(SENTENCE, { voice: "voice123" }));
    expect(chunks.length).toBeGreaterThan(3);
    const audio = concatInt16(chunks);
    expect(seconds(audio)).toBeGreaterThan(1);
    expect(seconds(audio)).toBeLessThan(10);
    expect(rmsDbfs(audio)).toBeGreaterThan(-40);
  });

  it("speaks the service's wire format: key in xi-api-key, pcm_16000 in the query, text and model_id in the body", async () => {
    await collect(synth().stream(SENTENCE, { voice: "voice123" }));
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request.service).toBe("elevenlabs");
    expect(request.key).toBe(KEY);
    const url = new URL(request.path, "http://fake");
    expect(url.pathname).toBe("/v1/text-to-speech/voice123/stream");
    expect(url.searchParams.get("output_format")).toBe("pcm_16000");
    expect(request.body.model_id).toBe("eleven_flash_v2_5");
    expect(request.body.text).toBe(SENTENCE);
    expect(request.text).toBe(SENTENCE);
  });

  it("asks for ulaw_8000 on a phone line, and its 8 kHz samples re-encode to exactly the bytes the service sent", async () => {
    fake.behaviour.chunkDelayMs = 5;
    const chunks = await collect(synth().stream(SENTENCE, { voice: "voice123", format: "ulaw_8000" }));
    expect(new URL(fake.requests[0]!.path, "http://fake").searchParams.get("output_format")).toBe("ulaw_8000");
    expect(chunks.length).toBeGreaterThan(3);
    const sent = fakeSpeech(SENTENCE, "awb", "ulaw_8000");
    const audio = concatInt16(chunks);
    expect(audio.length).toBe(sent.length);
    // G.711 decodes "negative zero" (0x7f) and zero (0xff) alike; every other byte comes back as it was.
    const back = mulawEncode(audio);
    expect(back.every((b, i) => b === sent[i] || (sent[i] === 0x7f && b === 0xff))).toBe(true);
    expect(rmsDbfs(audio)).toBeGreaterThan(-40);
  });

  it("rejects with a wrong key", async () => {
    const { chunks, error } = await collectSettled(synth("wrong-key").stream(SENTENCE, { voice: "voice123" }));
    expect(error).toBeInstanceOf(Error);
    expect((error as { statusCode?: number }).statusCode).toBe(401);
    expect(chunks).toHaveLength(0);
    expect(fake.requests[0]!.key).toBe("wrong-key");
  });

  it("rejects on a server error (500)", async () => {
    fake.behaviour.status = 500;
    const { chunks, error } = await collectSettled(synth().stream(SENTENCE, { voice: "voice123" }));
    expect(error).toBeInstanceOf(Error);
    expect((error as { statusCode?: number }).statusCode).toBe(500);
    expect(chunks).toHaveLength(0);
    // No retries: the fallback synthesizer decides what happens next.
    expect(fake.requests).toHaveLength(1);
  });

  it("rejects a 200 whose body is an HTML page, naming the provider, instead of playing it as noise", async () => {
    fake.behaviour.garbage = true;
    const { chunks, error } = await collectSettled(synth().stream(SENTENCE, { voice: "voice123" }));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/ElevenLabs/);
    expect(chunks).toHaveLength(0);
  });

  it("rejects when the connection drops mid-stream, after yielding the audio that arrived", async () => {
    fake.behaviour.chunkDelayMs = 5;
    fake.behaviour.disconnectAfterBytes = 3201 * 4;
    const { chunks, error } = await collectSettled(synth().stream(SENTENCE, { voice: "voice123" }));
    expect(error).toBeInstanceOf(Error);
    const audio = concatInt16(chunks);
    expect(audio.length).toBeGreaterThan(0);
    expect(seconds(audio)).toBeLessThan(1);
  });

  it("stops streaming when options.signal is aborted", async () => {
    fake.behaviour.chunkDelayMs = 20;
    const controller = new AbortController();
    const { chunks, error } = await collectSettled(
      (async function* () {
        for await (const chunk of synth().stream(SENTENCE, { voice: "voice123", signal: controller.signal })) {
          yield chunk;
          controller.abort();
        }
      })(),
    );
    // Whether the stream ends or rejects with an abort error, little of the sentence arrives.
    if (error !== undefined) expect((error as Error).name).toBe("AbortError");
    expect(chunks.length).toBeGreaterThan(0);
    expect(seconds(concatInt16(chunks))).toBeLessThan(1);
  });
});
