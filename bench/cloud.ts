import { parseArgs } from "node:util";
import { startFakeRealtime } from "../lib/asr/testing/fake-realtime-server";
import { parseAnswers } from "../lib/client/answers";
import { runCaller, type CallerResult } from "../lib/client/caller";
import { startFakeTts } from "../lib/tts/testing/fake-tts-server";
import { percentile, printTable, writeJson } from "./report";
import { startServer } from "./server-process";

/**
 * The cloud path against fakes with fixed delays (lib/tts/testing, lib/asr/testing):
 *  - what the server adds on top of a provider's own latency (TTS: reply requested → first
 *    chunk, minus the fake's request → first byte; ASR: end of turn → transcript, minus the
 *    fake's commit → transcript delay);
 *  - fallback: a provider that never answers, or fails at once, and how long after the
 *    configured timeout the caller hears the embedded engine instead.
 *
 *   npm run bench:cloud [-- --calls 4 --delay-ms 150 --timeout-ms 500]
 */
const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "4" },
    "delay-ms": { type: "string", default: "150" },
    "timeout-ms": { type: "string", default: "500" },
  },
});
const calls = Number(values.calls);
const delayMs = Number(values["delay-ms"]);
const timeoutMs = Number(values["timeout-ms"]);
const KEY = "sk-bench";
const ANSWERS = "yes;about thirty thousand;Mumbai";
const TRANSCRIPTS = ["Yes, I am.", "About 30,000.", "Mumbai."];

interface Row {
  scenario: string;
  stage: "tts" | "asr";
  providerMs: number | null;
  stageP50: number | null;
  stageP95: number | null;
  addedP50: number | null;
  overTimeoutP50: number | null;
  overTimeoutP95: number | null;
  v2vP50: number | null;
  v2vP95: number | null;
  failed: number;
}

async function runCalls(wsUrl: string, typed: boolean, before?: () => void): Promise<CallerResult[]> {
  const out: CallerResult[] = [];
  for (let i = 0; i < calls; i++) {
    before?.();
    out.push(await runCaller({ url: wsUrl, bot: "quickrupee", answers: parseAnswers(ANSWERS, { typed }), timeoutMs: 120_000 }));
  }
  return out;
}

const stat = (xs: number[], q: number) => {
  const p = percentile(xs, q);
  return p === null ? null : Math.round(p * 10) / 10;
};

function row(scenario: string, stage: Row["stage"], results: CallerResult[], providerMs: number | null, timeout: number | null): Row {
  const turns = results.flatMap((r) => r.turns);
  const stageMs = turns.map((t) => (stage === "tts" ? t.stages?.ttsFirstAudioMs : t.stages?.asrMs)).filter((x): x is number => x !== undefined);
  const v2v = turns.map((t) => t.voiceToVoiceMs).filter((x): x is number => x !== null);
  const p50 = stat(stageMs, 50);
  return {
    scenario,
    stage,
    providerMs,
    stageP50: p50,
    stageP95: stat(stageMs, 95),
    addedP50: providerMs !== null && p50 !== null ? Math.round((p50 - providerMs) * 10) / 10 : null,
    overTimeoutP50: timeout !== null ? stat(stageMs.map((x) => x - timeout), 50) : null,
    overTimeoutP95: timeout !== null ? stat(stageMs.map((x) => x - timeout), 95) : null,
    v2vP50: stat(v2v, 50),
    v2vP95: stat(v2v, 95),
    failed: results.filter((r) => r.outcome !== "qualified").length,
  };
}

const rows: Row[] = [];
const tts = await startFakeTts({ apiKey: KEY, firstByteDelayMs: delayMs });
const realtime = await startFakeRealtime({ apiKey: KEY, latencyMs: delayMs });
try {
  const eleven = {
    TTS_PROVIDER: "elevenlabs",
    ELEVENLABS_API_KEY: KEY,
    ELEVENLABS_BASE_URL: tts.url,
    PROMPT_CACHE: "0",
    TTS_FIRST_AUDIO_TIMEOUT_MS: String(timeoutMs),
    // Every failure takes the timeout path here; the breaker would skip it after a few.
    PROVIDER_BREAKER_FAILURES: "1000",
    LOG_LEVEL: "warn",
  };
  // TTS: every reply streamed from the provider (no prompt cache), typed answers.
  {
    const server = await startServer(eleven);
    try {
      const before = tts.requests.length;
      const results = await runCalls(server.wsUrl, true);
      const own = tts.requests.slice(before).map((r) => r.firstByteMs).filter((x): x is number => x !== undefined);
      rows.push(row(`ElevenLabs fake, first byte after ${delayMs} ms`, "tts", results, percentile(own, 50), null));
      tts.behaviour.firstByteDelayMs = 60_000;
      const hung = await runCalls(server.wsUrl, true);
      rows.push(row(`ElevenLabs never answers (timeout ${timeoutMs} ms)`, "tts", hung, null, timeoutMs));
      tts.behaviour.firstByteDelayMs = 0;
      tts.behaviour.status = 500;
      const broken = await runCalls(server.wsUrl, true);
      rows.push(row("ElevenLabs answers 500", "tts", broken, null, 0));
      tts.behaviour.status = undefined;
      tts.behaviour.firstByteDelayMs = delayMs;
    } finally {
      await server.stop();
    }
  }
  // Baseline: the embedded voice and recognizer alone.
  {
    const server = await startServer({ PROMPT_CACHE: "0", LOG_LEVEL: "warn" });
    try {
      rows.push(row("embedded voice (flite), no cache", "tts", await runCalls(server.wsUrl, true), null, null));
      rows.push(row("embedded recognizer", "asr", await runCalls(server.wsUrl, false), null, null));
    } finally {
      await server.stop();
    }
  }
  // ASR: spoken answers, the Realtime fake answering `delayMs` after the commit.
  {
    const server = await startServer({
      ASR_PROVIDER: "openai",
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: realtime.baseUrl,
      ASR_RESULT_TIMEOUT_MS: String(timeoutMs),
      PROVIDER_BREAKER_FAILURES: "1000",
      LOG_LEVEL: "warn",
    });
    try {
      const script = () => realtime.transcripts.push(...TRANSCRIPTS);
      rows.push(row(`OpenAI Realtime fake, transcript after ${delayMs} ms`, "asr", await runCalls(server.wsUrl, false, script), delayMs, null));
      realtime.behaviour.latencyMs = 60_000;
      rows.push(row(`OpenAI Realtime never answers (timeout ${timeoutMs} ms)`, "asr", await runCalls(server.wsUrl, false), null, timeoutMs));
      realtime.behaviour.latencyMs = delayMs;
      realtime.behaviour.fail = true;
      rows.push(row("OpenAI Realtime transcription failed", "asr", await runCalls(server.wsUrl, false), null, 0));
      realtime.behaviour.fail = false;
    } finally {
      await server.stop();
    }
  }
} finally {
  await Promise.all([tts.close(), realtime.close()]);
}

printTable(
  `Cloud path vs fakes (${calls} calls per scenario; stage = TTS first audio or ASR end-of-turn → transcript, server-measured)`,
  ["scenario", "stage", "provider ms", "stage p50", "stage p95", "added p50", "over timeout p50", "over timeout p95", "v2v p50", "v2v p95", "not qualified"],
  rows.map((r) => [r.scenario, r.stage, r.providerMs, r.stageP50, r.stageP95, r.addedP50, r.overTimeoutP50, r.overTimeoutP95, r.v2vP50, r.v2vP95, r.failed]),
);
console.log(`\nwrote ${writeJson("cloud", { at: new Date().toISOString(), calls, delayMs, timeoutMs, rows })}`);
process.exit(rows.every((r) => r.failed === 0) ? 0 : 1);
