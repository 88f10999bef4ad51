import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServers, type ServerProcess } from "../../bench/server-process";
import { parseAnswers } from "../../lib/client/answers";
import { runCaller, type CallerResult } from "../../lib/client/caller";
import { startFakeRealtime, type FakeRealtimeServer } from "../../lib/asr/testing/fake-realtime-server";
import { startFakeChat, type FakeChatServer } from "../../lib/bot/testing/fake-chat-server";
import { startFakeTts, type FakeTtsServer } from "../../lib/tts/testing/fake-tts-server";
import { runPhoneCaller } from "../../lib/client/phone-caller";

/**
 * Calls with cloud speech, the cloud played by local fakes speaking the real wire formats
 * (ElevenLabs and OpenAI speech over HTTP, OpenAI Realtime transcription over WebSocket): the
 * cloud serves when it works; a provider that fails mid-call, is late or is down hands the turn to
 * the embedded engine and the call goes on.
 */
const KEY = "sk-fake-cloud-key";

let fake: FakeTtsServer;
let realtime: FakeRealtimeServer;
let listening: ServerProcess;
let chat: FakeChatServer;
let thinking: ServerProcess;
let cached: ServerProcess;
let streamed: ServerProcess;
let openai: ServerProcess;
let unreachable: ServerProcess;
/** The listening server's voice (its own fake: nothing shared with the calls about voices). */
let listeningTts: FakeTtsServer;
const TWILIO_AUTH_TOKEN = "cloud-twilio-auth-token";

beforeAll(async () => {
  [fake, realtime, chat, listeningTts] = await Promise.all([
    startFakeTts({ apiKey: KEY }),
    startFakeRealtime({ apiKey: KEY, latencyMs: 60 }),
    startFakeChat({ apiKey: KEY }),
    startFakeTts({ apiKey: KEY }),
  ]);
  const deadUrl = `http://127.0.0.1:${await freePort()}`;
  const eleven = { TTS_PROVIDER: "elevenlabs", ELEVENLABS_API_KEY: KEY, ELEVENLABS_BASE_URL: fake.url, TTS_FIRST_AUDIO_TIMEOUT_MS: "1000" };
  [cached, streamed, openai, unreachable, listening, thinking] = await startServers([
    eleven,
    // Without the prompt cache every reply streams from the provider while the call runs.
    { ...eleven, PROMPT_CACHE: "0" },
    // What this server shows is which voice speaks, not the deadline (the unreachable one does):
    // under CI's load its first reply once took longer than the default 1.2 s and fell back.
    { TTS_PROVIDER: "openai", OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${fake.url}/v1`, PROMPT_CACHE: "0", TTS_FIRST_AUDIO_TIMEOUT_MS: "5000" },
    { ...eleven, ELEVENLABS_BASE_URL: deadUrl, TTS_FIRST_AUDIO_TIMEOUT_MS: "300" },
    // Both cloud engines, on browser calls and on a Twilio line; every reply streams from the voice.
    {
      ...eleven,
      ELEVENLABS_BASE_URL: listeningTts.url,
      PROMPT_CACHE: "0",
      ASR_PROVIDER: "openai",
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: realtime.baseUrl,
      ASR_RESULT_TIMEOUT_MS: "800",
      TWILIO_AUTH_TOKEN,
    },
    { LLM_UNDERSTANDING: "1", OPENAI_API_KEY: KEY, OPENAI_BASE_URL: chat.baseUrl, LLM_TIMEOUT_MS: "800" },
  ]);
}, 240_000);
afterAll(async () => {
  await Promise.all([cached, streamed, openai, unreachable, listening, thinking].map((s) => s?.stop()));
  await Promise.all([fake?.close(), realtime?.close(), chat?.close(), listeningTts?.close()]);
});

const QUALIFYING = "yes;about thirty thousand;Mumbai";
const run = promisify(execFile);

/** A call held by the caller CLI itself (`npm run call -- --typed --json`). */
async function cliCall(server: ServerProcess): Promise<CallerResult> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "cli/call.ts", "--url", server.wsUrl, "--bot", "quickrupee", `--answers=${QUALIFYING}`, "--typed", "--json"],
    { timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as CallerResult;
}

/**
 * `afterTurn` hears the text of each bot turn once its audio has all been sent. Calls about the
 * bot's voice type their answers (what is tested is what they hear); calls about recognition speak.
 */
function call(server: ServerProcess, answers = QUALIFYING, afterTurn?: (text: string) => void, typed = true, bot = "quickrupee"): Promise<CallerResult> {
  let text = "";
  return runCaller({
    url: server.wsUrl,
    bot,
    answers: parseAnswers(answers, { typed }),
    timeoutMs: 120_000,
    onMessage: (m) => {
      if (m.type === "bot_text") text = m.text;
      if (m.type === "audio_end") afterTurn?.(text);
    },
  });
}

interface StoredCall {
  providers: Record<string, string>;
  answers: Record<string, unknown>;
  turns: Array<{ heard: string; understood: string; ttsProvider: string | null; asrProvider: string | null }>;
}
const stored = async (server: ServerProcess, callId: string | null) => (await (await fetch(`${server.url}/api/calls/${callId}`)).json()) as StoredCall;

// The first test runs alone (it counts every request the TTS fake gets); the others use
// separate servers and fakes, so they run at once.
describe("cloud voices", () => {
  it("speaks every prompt with the configured cloud voice, cached at start or streamed per reply, or with the embedded voice when the provider is down", async () => {
    const before = fake.requests.length;
    const [fromCache, live, fromOpenAI, down] = await Promise.all([cliCall(cached), call(streamed), call(openai), call(unreachable)]);
    for (const r of [fromCache, live, fromOpenAI]) {
      expect(r).toMatchObject({ outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
      expect(r.turns.every((t) => t.voiceToVoiceMs !== null)).toBe(true);
    }
    const cachedRecord = await stored(cached, fromCache.callId);
    expect(cachedRecord.providers.tts).toBe("elevenlabs:eleven_flash_v2_5:21m00Tcm4TlvDq8ikWAM");
    expect(cachedRecord.turns.map((t) => t.ttsProvider)).toEqual(["elevenlabs:eleven_flash_v2_5", "elevenlabs:eleven_flash_v2_5", "elevenlabs:eleven_flash_v2_5"]);
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

  // Not concurrent with the test above: both use the same fake provider, and its calls asking for
  // the salary question would make this one fail the provider before its own request got there.
  it("falls back to the embedded voice when the provider fails mid-call, and the call completes", async () => {
    const before = fake.requests.length;
    const asked = () => fake.requests.slice(before).some((q) => q.text?.startsWith("Is your monthly salary"));
    // Once the cloud has been asked for the salary question, the provider answers 500. (Its text
    // can reach the client before the server's request reaches the provider.)
    const failAfterSalary = () => (asked() ? (fake.behaviour.status = 500) : setTimeout(failAfterSalary, 5));
    const r = await call(streamed, QUALIFYING, (text) => {
      if (text.startsWith("Is your monthly salary")) failAfterSalary();
    });
    fake.behaviour.status = undefined;
    expect(r).toMatchObject({ outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
    const record = await stored(streamed, r.callId);
    expect(record.turns[0]!.ttsProvider).toBe("elevenlabs:eleven_flash_v2_5");
    expect(record.turns.slice(1).map((t) => t.ttsProvider)).toEqual(["flite", "flite"]);
    const metrics = await (await fetch(`${streamed.url}/metrics`)).text();
    expect(metrics).toMatch(/^voice_provider_fallbacks_total\{stage="tts",provider="elevenlabs:eleven_flash_v2_5",reason="error"\} [1-9]/m);
  });

  it.concurrent("understands what the cloud transcriber heard, in free text, and falls back to the embedded recognizer when it fails or is late", async () => {
    // What a cloud transcriber prints for these answers (the fake is scripted; the audio is real).
    realtime.transcripts.push("Yeah, I'm salaried.", "Around 30k.", "I'm in Navi Mumbai.");
    const cloud = await call(listening, QUALIFYING, undefined, false);
    expect(cloud).toMatchObject({ outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
    const record = await stored(listening, cloud.callId);
    expect(record.turns.map((t) => [t.heard, t.understood, t.asrProvider])).toEqual([
      ["Yeah, I'm salaried.", "answer:true", "openai:gpt-4o-transcribe"],
      ["Around 30k.", "answer:30000", "openai:gpt-4o-transcribe"],
      ["I'm in Navi Mumbai.", "answer:Mumbai", "openai:gpt-4o-transcribe"],
    ]);
    // The session was a transcription session driven by our own end of turn, fed 24 kHz audio.
    const session = realtime.sessions.at(-1)!;
    expect(session.update).toMatchObject({ input_audio_format: "pcm16", input_audio_transcription: { model: "gpt-4o-transcribe" }, turn_detection: null });
    expect(session.key).toBe(KEY);
    expect(session.appendedMs).toBeGreaterThan(300);

    // Mid-call the provider first fails, then answers too late: the embedded recognizer's result is used.
    realtime.transcripts.push("Yes.");
    const fallback = await call(listening, QUALIFYING, (text) => {
      if (text.startsWith("Is your monthly salary")) realtime.behaviour.fail = true;
      if (text.startsWith("Do you live in a metro")) {
        realtime.behaviour.fail = false;
        realtime.behaviour.latencyMs = 3000;
      }
    }, false);
    realtime.behaviour.latencyMs = 60;
    expect(fallback).toMatchObject({ outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
    const turns = (await stored(listening, fallback.callId)).turns;
    expect(turns.map((t) => t.asrProvider)).toEqual(["openai:gpt-4o-transcribe", "embedded", "embedded"]);
    const metrics = await (await fetch(`${listening.url}/metrics`)).text();
    expect(metrics).toMatch(/^voice_provider_fallbacks_total\{stage="asr",provider="openai:gpt-4o-transcribe",reason="error"\} [1-9]/m);
    expect(metrics).toMatch(/^voice_provider_fallbacks_total\{stage="asr",provider="openai:gpt-4o-transcribe",reason="timeout"\} [1-9]/m);

    // On a Twilio line the transcriber gets the carrier's μ-law as it came, and ElevenLabs' ulaw_8000 reaches the caller byte for byte.
    realtime.transcripts.push("Haan ji.", "About 30k.", "Mumbai.");
    const sessionsBefore = realtime.sessions.length;
    const requestsBefore = listeningTts.requests.length;
    const received: Buffer[] = [];
    const line = await runPhoneCaller({
      carrier: "twilio",
      baseUrl: listening.url,
      bot: "quickrupee",
      answers: parseAnswers(QUALIFYING, { keypad: true }),
      twilioAuthToken: TWILIO_AUTH_TOKEN,
      timeoutMs: 120_000,
      onBotAudio: (payload) => received.push(payload),
    });
    expect(line).toMatchObject({ outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
    expect((await stored(listening, line.callId)).turns.map((t) => [t.heard, t.asrProvider, t.ttsProvider])).toEqual([
      ["Haan ji.", "openai:gpt-4o-transcribe", "elevenlabs:eleven_flash_v2_5"],
      ["About 30k.", "openai:gpt-4o-transcribe", "elevenlabs:eleven_flash_v2_5"],
      ["Mumbai.", "openai:gpt-4o-transcribe", "elevenlabs:eleven_flash_v2_5"],
    ]);
    // A g711_ulaw session per answer, fed 8 kHz bytes.
    const phoneSessions = realtime.sessions.slice(sessionsBefore);
    expect(phoneSessions.length).toBeGreaterThanOrEqual(3);
    for (const session of phoneSessions) {
      expect(session.update).toMatchObject({ input_audio_format: "g711_ulaw", turn_detection: null });
      expect(session.appendedMs).toBeGreaterThan(300);
    }
    // Every sentence was asked for in ulaw_8000, and its bytes are in what the caller received,
    // unchanged (G.711's two zeros, 0x7f and 0xff, aside).
    const spoken = listeningTts.requests.slice(requestsBefore);
    expect(spoken.length).toBeGreaterThanOrEqual(4);
    const zero = (b: Uint8Array) => Buffer.from(b.map((x) => (x === 0x7f ? 0xff : x)));
    const heard = zero(Buffer.concat(received));
    for (const q of spoken) {
      expect(new URL(q.path, "http://fake").searchParams.get("output_format")).toBe("ulaw_8000");
      expect(heard.indexOf(zero(q.audio!)), q.text).toBeGreaterThanOrEqual(0);
    }
  });

  it.concurrent("asks the LLM about answers the rules cannot decide, and reprompts when it is too slow", async () => {
    chat.behaviour.reply = (request) =>
      request.messages.at(-1)!.content.includes("father") ? { result: { kind: "answer", value: false } } : { result: { kind: "no_match" } };
    const decided = await call(thinking, "Owned by my father.", undefined, true, "home-renovation");
    expect(decided).toMatchObject({ outcome: "not_qualified", answers: { owner: false } });
    const request = chat.requests.at(-1)!;
    expect(request.key).toBe(KEY);
    expect(request.body.response_format).toMatchObject({ type: "json_schema", json_schema: { strict: true } });

    chat.behaviour.latencyMs = 3000;
    const slow = await call(thinking, "Owned by my father.;yes;yes;yes", undefined, true, "home-renovation");
    chat.behaviour.latencyMs = 0;
    expect(slow).toMatchObject({ outcome: "qualified" });
    expect(slow.turns[0]!.understood).toBe("no_match");
  });
});
