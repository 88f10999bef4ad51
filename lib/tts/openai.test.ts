import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { concatInt16, rmsDbfs } from "../audio/pcm";
import { OpenAISynthesizer } from "./openai";
import { fliteSynthesize } from "./flite";
import { startFakeTts, type FakeTtsServer } from "./testing/fake-tts-server";
import { TTS_SAMPLE_RATE_HZ } from "./types";

const KEY = "sk-test-key";
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

function synth(apiKey = KEY): OpenAISynthesizer {
  return new OpenAISynthesizer({ apiKey, model: "gpt-4o-mini-tts", voice: "alloy", baseUrl: `${fake.url}/v1` });
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

describe("OpenAISynthesizer", () => {
  it("streams the sentence as several chunks of real speech, resampled from 24 kHz to 16 kHz", async () => {
    fake.behaviour.chunkDelayMs = 5;
    const tts = synth();
    expect(tts.id).toBe("openai:gpt-4o-mini-tts");
    expect(tts.voices).toEqual(["alloy"]);
    const chunks = await collect(tts.stream(SENTENCE, { voice: "alloy" }));
    expect(chunks.length).toBeGreaterThan(3);
    const audio = concatInt16(chunks);
    expect(seconds(audio)).toBeGreaterThan(1);
    expect(seconds(audio)).toBeLessThan(10);
    expect(rmsDbfs(audio)).toBeGreaterThan(-40);
  });

  it("speaks the service's wire format: Bearer key, POST /v1/audio/speech with model, voice, input and response_format pcm", async () => {
    await collect(synth().stream(SENTENCE, { voice: "alloy" }));
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request.service).toBe("openai");
    expect(request.key).toBe(KEY);
    expect(new URL(request.path, "http://fake").pathname).toBe("/v1/audio/speech");
    expect(request.body).toMatchObject({ model: "gpt-4o-mini-tts", voice: "alloy", input: SENTENCE, response_format: "pcm" });
    expect(request.text).toBe(SENTENCE);
  });

  it("gives the same length of speech as the 16 kHz service would: the 24 kHz stream is converted, not played fast", async () => {
    const audio = concatInt16(await collect(synth().stream(SENTENCE, { voice: "alloy" })));
    const reference = fliteSynthesize(SENTENCE, "awb");
    expect(audio.length / reference.length).toBeGreaterThan(0.98);
    expect(audio.length / reference.length).toBeLessThan(1.02);
  });

  it("rejects with a wrong key", async () => {
    const { chunks, error } = await collectSettled(synth("wrong-key").stream(SENTENCE, { voice: "alloy" }));
    expect(error).toBeInstanceOf(Error);
    expect((error as { status?: number }).status).toBe(401);
    expect(chunks).toHaveLength(0);
    expect(fake.requests[0]!.key).toBe("wrong-key");
  });

  it("rejects on a server error (500)", async () => {
    fake.behaviour.status = 500;
    const { chunks, error } = await collectSettled(synth().stream(SENTENCE, { voice: "alloy" }));
    expect(error).toBeInstanceOf(Error);
    expect((error as { status?: number }).status).toBe(500);
    expect(chunks).toHaveLength(0);
    // No retries: the fallback synthesizer decides what happens next.
    expect(fake.requests).toHaveLength(1);
  });

  it("rejects a 200 whose body is an HTML page, naming the provider, instead of playing it as noise", async () => {
    fake.behaviour.garbage = true;
    const { chunks, error } = await collectSettled(synth().stream(SENTENCE, { voice: "alloy" }));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/OpenAI/);
    expect(chunks).toHaveLength(0);
  });

  it("rejects when the connection drops mid-stream, after yielding the audio that arrived", async () => {
    fake.behaviour.chunkDelayMs = 5;
    fake.behaviour.disconnectAfterBytes = 4801 * 4;
    const { chunks, error } = await collectSettled(synth().stream(SENTENCE, { voice: "alloy" }));
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
        for await (const chunk of synth().stream(SENTENCE, { voice: "alloy", signal: controller.signal })) {
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
