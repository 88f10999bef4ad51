import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type ServerProcess } from "../../bench/server-process";
import { parseAnswers } from "../../lib/client/answers";
import { runCaller, type CallerResult } from "../../lib/client/caller";
import { startFakeTts, type FakeTtsServer } from "../../lib/tts/testing/fake-tts-server";

/**
 * Calls spoken by cloud voices, with the cloud played by a local fake of the ElevenLabs and
 * OpenAI speech APIs (their real wire formats): the reply audio comes from the provider, a
 * provider that fails mid-call hands its sentences to the embedded voice and the call goes on,
 * and a provider that is down at start does not stop the server.
 */
const KEY = "sk-fake-cloud-key";

let fake: FakeTtsServer;
let cached: ServerProcess;
let streamed: ServerProcess;
let openai: ServerProcess;
let unreachable: ServerProcess;

beforeAll(async () => {
  fake = await startFakeTts({ apiKey: KEY });
  const deadUrl = `http://127.0.0.1:${await freePort()}`;
  const eleven = { TTS_PROVIDER: "elevenlabs", ELEVENLABS_API_KEY: KEY, ELEVENLABS_BASE_URL: fake.url, TTS_FIRST_AUDIO_TIMEOUT_MS: "1000" };
  [cached, streamed, openai, unreachable] = await Promise.all([
    startServer(eleven),
    // Without the prompt cache every reply streams from the provider while the call runs.
    startServer({ ...eleven, PROMPT_CACHE: "0" }),
    startServer({ TTS_PROVIDER: "openai", OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${fake.url}/v1`, PROMPT_CACHE: "0" }),
    startServer({ ...eleven, ELEVENLABS_BASE_URL: deadUrl, TTS_FIRST_AUDIO_TIMEOUT_MS: "300" }),
  ]);
}, 240_000);
afterAll(async () => {
  await Promise.all([cached, streamed, openai, unreachable].map((s) => s?.stop()));
  await fake?.close();
});

const QUALIFYING = "yes;about thirty thousand;Mumbai";

/** `afterTurn` hears the text of each bot turn once its audio has all been sent. */
function call(server: ServerProcess, answers = QUALIFYING, afterTurn?: (text: string) => void): Promise<CallerResult> {
  let text = "";
  return runCaller({
    url: server.wsUrl,
    bot: "quickrupee",
    answers: parseAnswers(answers),
    timeoutMs: 120_000,
    onMessage: (m) => {
      if (m.type === "bot_text") text = m.text;
      if (m.type === "audio_end") afterTurn?.(text);
    },
  });
}

interface StoredCall {
  providers: Record<string, string>;
  turns: Array<{ ttsProvider: string | null; asrProvider: string | null }>;
}
const stored = async (server: ServerProcess, callId: string | null) => (await (await fetch(`${server.url}/api/calls/${callId}`)).json()) as StoredCall;

describe("cloud voices", () => {
  it("speaks every prompt with the configured cloud voice, cached at start or streamed per reply, or with the embedded voice when the provider is down", async () => {
    const before = fake.requests.length;
    const [fromCache, live, fromOpenAI, down] = await Promise.all([call(cached), call(streamed), call(openai), call(unreachable)]);
    for (const r of [fromCache, live, fromOpenAI]) {
      expect(r).toMatchObject({ outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
      expect(r.turns.every((t) => t.voiceToVoiceMs !== null)).toBe(true);
    }
    const cachedRecord = await stored(cached, fromCache.callId);
    expect(cachedRecord.providers.tts).toBe("elevenlabs:eleven_flash_v2_5:21m00Tcm4TlvDq8ikWAM");
    expect(cachedRecord.turns.map((t) => t.ttsProvider)).toEqual(["elevenlabs:eleven_flash_v2_5", "elevenlabs:eleven_flash_v2_5", "elevenlabs:eleven_flash_v2_5"]);
    expect(cachedRecord.turns.every((t) => t.asrProvider === "embedded")).toBe(true);
    expect((await stored(openai, fromOpenAI.callId)).turns.map((t) => t.ttsProvider)).toEqual(["openai:gpt-4o-mini-tts", "openai:gpt-4o-mini-tts", "openai:gpt-4o-mini-tts"]);

    // The streamed calls asked the provider for their replies, with the key, in its wire format.
    const during = fake.requests.slice(before);
    expect(during.some((q) => q.service === "elevenlabs" && q.text === "Is your monthly salary at least twenty five thousand rupees?")).toBe(true);
    expect(during.some((q) => q.service === "openai" && q.body.response_format === "pcm")).toBe(true);
    expect(during.every((q) => q.key === KEY)).toBe(true);

    // A provider that is down at start does not stop the server: its calls use the embedded voice.
    expect(down).toMatchObject({ outcome: "qualified" });
    expect((await stored(unreachable, down.callId)).turns.every((t) => t.ttsProvider === "flite")).toBe(true);
    expect(unreachable.logs.some((l) => l.includes('"code":"tts_fallback"'))).toBe(true);
  });

  it("falls back to the embedded voice when the provider fails mid-call, and the call completes", async () => {
    const r = await call(streamed, QUALIFYING, (text) => {
      // The salary question was spoken by the cloud; from here on the provider answers 500.
      if (text.startsWith("Is your monthly salary")) fake.behaviour.status = 500;
    });
    fake.behaviour.status = undefined;
    expect(r).toMatchObject({ outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
    const record = await stored(streamed, r.callId);
    expect(record.turns[0]!.ttsProvider).toBe("elevenlabs:eleven_flash_v2_5");
    expect(record.turns.slice(1).map((t) => t.ttsProvider)).toEqual(["flite", "flite"]);
    const metrics = await (await fetch(`${streamed.url}/metrics`)).text();
    expect(metrics).toMatch(/^voice_provider_fallbacks_total\{stage="tts",provider="elevenlabs:eleven_flash_v2_5",reason="error"\} [1-9]/m);
  });
});
