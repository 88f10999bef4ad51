import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildFlowGrammars } from "../bot/grammar";
import { loadFlows } from "../bot/flows";
import { OpenAIFileRecognizer } from "./openai-file";
import { startFakeRealtime, type FakeRealtimeServer } from "./testing/fake-realtime-server";

const KEY = "sk-file-test";
const grammar = buildFlowGrammars(loadFlows("flows").get("quickrupee")!).get("salary")!;
let fake: FakeRealtimeServer;

beforeAll(async () => {
  fake = await startFakeRealtime({ apiKey: KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  Object.assign(fake.behaviour, { latencyMs: 0, fail: false, disconnect: false, garbage: false });
  fake.transcripts.length = 0;
});

/** One second of a 200 Hz tone, as 16 kHz PCM in 20 ms frames. */
function pushSecond(stream: { push(s: Int16Array): void }): void {
  for (let f = 0; f < 50; f++) {
    const frame = new Int16Array(320);
    for (let i = 0; i < 320; i++) frame[i] = Math.round(8000 * Math.sin((2 * Math.PI * 200 * (f * 320 + i)) / 16000));
    stream.push(frame);
  }
}

const recognizer = (apiKey = KEY) => new OpenAIFileRecognizer({ apiKey, baseUrl: fake.baseUrl, model: "gpt-4o-mini-transcribe", language: "en" });

describe("OpenAIFileRecognizer", () => {
  it("posts the utterance as a WAV with the model and returns the transcript", async () => {
    fake.transcripts.push("  About 30,000 a month. ");
    const stream = recognizer().start(grammar);
    pushSecond(stream);
    const r = await stream.finish();
    expect(r).toMatchObject({ text: "About 30,000 a month.", rejected: false, provider: "openai:gpt-4o-mini-transcribe" });
    expect(r.audioMs).toBe(1000);
    const sent = fake.files.at(-1)!;
    expect(sent.model).toBe("gpt-4o-mini-transcribe");
    // 1 s of 16 kHz PCM16 plus its WAV header and the multipart envelope.
    expect(sent.bytes).toBeGreaterThan(32_000);
  });

  it("rejects an empty transcript as nothing understood", async () => {
    const stream = recognizer().start(grammar);
    pushSecond(stream);
    expect(await stream.finish()).toMatchObject({ text: "", rejected: true });
  });

  it.each([
    ["a 500", { fail: true }],
    ["a dropped connection", { disconnect: true }],
    ["an HTML page instead of JSON", { garbage: true }],
  ])("fails on %s, so the fallback can take the turn", async (_name, behaviour) => {
    Object.assign(fake.behaviour, behaviour);
    fake.transcripts.push("yes");
    const stream = recognizer().start(grammar);
    pushSecond(stream);
    await expect(stream.finish()).rejects.toThrow();
  });

  it("fails with a wrong key", async () => {
    const stream = recognizer("sk-wrong").start(grammar);
    pushSecond(stream);
    await expect(stream.finish()).rejects.toThrow();
  });

  it("aborts the upload when the utterance is cancelled", async () => {
    fake.behaviour.latencyMs = 5000;
    const r = recognizer();
    const stream = r.start(grammar);
    pushSecond(stream);
    const pending = stream.finish();
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.cancel();
    await expect(pending).rejects.toThrow();
    expect(r.stats().inFlight).toBe(0);
  });
});
