import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { spokenAnswer } from "../lib/client/answers";
import { lineNoise } from "../lib/client/line-noise";
import { runCaller, type CallerResult } from "../lib/client/caller";
import { runPhoneCaller } from "../lib/client/phone-caller";
import { referenceDecodePct } from "./reference-decode";
import { percentile, printTable, writeJson } from "./report";
import { cpuSeconds, machineCpuSeconds, rssMb, startServer, threadCpuSeconds, type ServerProcess } from "./server-process";

/**
 * Full spoken calls by simulated callers against the real server, N at a time, measured from the
 * caller's side (last voiced sample sent → first reply frame received) and the server's (/proc).
 *
 *   npm run bench -- --callers 1                 # default vs peer profile, side by side
 *   npm run bench -- --callers 50 --profile default
 *   npm run bench -- --callers 50 --total 1000 --profile default   # leak check: RSS before/after
 *   npm run bench -- --callers 1 --profile default --channel browser,twilio   # phone vs browser path
 *   npm run bench -- --callers 10 --total 40 --profile default --snr 15 [--compensate 1]   # noisy lines
 *
 * It also prints how fast the machine decodes just before and after the calls (reference-decode.ts):
 * on this shared 2-core machine it moved between 23.5 and 38.6 % of the audio within an hour
 * (2026-12-03), and a loaded run's latency moves with it. It measures the recognizer too: since
 * grammars are compiled to minimal automata (lib/asr/fsg.ts) it reads about half (10.7-17.5 %).
 *
 * Profiles: "default" is this product; "peer" reproduces what peer frameworks ship by default —
 * a fixed 800 ms end-of-turn silence and no prompt-audio cache (every reply synthesized on demand).
 * Channels: "cli" and "browser" call /ws/voice; "twilio" and "exotel" call through the simulated
 * carriers (lib/client/phone-caller.ts), measured at the carrier: the media message carrying the
 * caller's last voiced sample sent → first outbound media frame received. (The last voiced sample
 * is found in the caller's wideband speech, as on the browser path, so both start the clock when
 * the caller stops talking.)
 */
const { values } = parseArgs({
  options: {
    callers: { type: "string", default: "1" },
    total: { type: "string" },
    profile: { type: "string", default: "both" },
    channel: { type: "string", default: "cli" },
    "barge-in-every": { type: "string", default: "4" },
    // A call's script lasts about 20 s (greeting, two or three answers, the outcome). Spreading
    // starts over one script length puts callers at random points of their scripts, as on a live
    // line. Over half of it (10 s, the default until 2026-12-01), half the callers answer in the
    // same few seconds: with 50 callers the two cores are then saturated for seconds at a time
    // (p95 0.8–1.2 s against 0.37 s).
    "stagger-ms": { type: "string", default: "20000" },
    /** Pink noise at the callers' microphones, this many dB under their speech (cli and browser channels). */
    snr: { type: "string" },
    /** NOISE_COMPENSATION for the server (default: its own default). */
    compensate: { type: "string" },
    out: { type: "string" },
  },
});

const PROFILES: Record<string, Record<string, string>> = {
  default: {},
  peer: { ENDPOINT_MODE: "fixed", ENDPOINT_FIXED_MS: "800", PROMPT_CACHE: "0" },
};

const callers = Number(values.callers);
const total = Number(values.total ?? values.callers);
const bargeEvery = Number(values["barge-in-every"]);
const staggerMs = Number(values["stagger-ms"]);
const profiles = values.profile === "both" ? ["default", "peer"] : [values.profile!];
const CHANNELS = ["cli", "browser", "twilio", "exotel"] as const;
type BenchChannel = (typeof CHANNELS)[number];
const channels = values.channel!.split(",").map((c) => {
  if (!(CHANNELS as readonly string[]).includes(c)) throw new Error(`--channel takes ${CHANNELS.join(", ")}`);
  return c as BenchChannel;
});
const TWILIO_AUTH_TOKEN = "bench-twilio-auth-token";
const speech = (text: string) => spokenAnswer(text);
if (values.snr !== undefined && channels.some((c) => c === "twilio" || c === "exotel")) throw new Error("--snr applies to the cli and browser channels");
const STAGES = ["endpointMs", "asrMs", "decisionMs", "ttsFirstAudioMs", "recordMs"] as const;
type Stage = (typeof STAGES)[number];

/** Scenarios with the outcome each must reach; callers cycle through them. */
const SCENARIOS = [
  { bot: "quickrupee", answers: ["yes", "about thirty thousand", "Mumbai"].map(speech), outcome: "qualified" },
  { bot: "home-renovation", answers: ["yes", "fifteen thousand dollars", "next month"].map(speech), outcome: "qualified" },
  { bot: "quickrupee", answers: ["haan ji", "fifteen thousand"].map(speech), outcome: "not_qualified" },
  { bot: "home-renovation", answers: ["yes", "twenty thousand", "in six months"].map(speech), outcome: "not_qualified" },
];

// A noisy line (--snr): the same noise at every caller's microphone, under the scenarios' speech.
const noise = values.snr === undefined ? undefined : lineNoise(SCENARIOS.flatMap((s) => s.answers.map((a) => a.samples)), Number(values.snr));

interface ProfileResult {
  profile: string;
  calls: number;
  failed: number;
  failures: string[];
  voiceToVoiceMs: number[];
  serverVoiceToVoiceMs: number[];
  /** Time each reply waited for its turn's record to be written (call store). */
  recordMs: number[];
  /** Each measured turn's server-side stages, with its server voice-to-voice time. */
  stages: Array<Record<Stage, number> & { serverVoiceToVoiceMs: number }>;
  bargeInMs: number[];
  framesAfterInterrupt: number;
  cpuSeconds: number;
  /** The server's main thread (event loop) and its other threads (mostly the recognizer workers). */
  mainThreadCpuSeconds: number;
  otherThreadsCpuSeconds: number;
  /** The whole machine's busy share over the run, all cores (100 = every core busy): callers included. */
  machineBusyPct: number;
  /** Share of the machine's CPU time taken by the hypervisor for other machines (part of busy). */
  machineStealPct: number;
  wallSeconds: number;
  rssBaselineMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
  decodersBusyMax: number;
  decodersWaitingMax: number;
  /** Most audio queued on the recognizer threads together, waiting to be decoded (sampled every 250 ms). */
  decodeBacklogMaxMs: number;
  /** Share of samples in which the threads were behind real time by at least BEHIND_MS. */
  decodeBehindPct: number;
  /** WebAssembly memory of the recognizer threads (it never shrinks) at the baseline and at the end. */
  wasmBaselineMb: number;
  wasmAfterMb: number;
  /** Noisy lines' front ends left undecoded because a recognizer thread was too busy (ASR_SHED_ABOVE_MS). */
  frontEndsShed: number;
  /** Quiet lines' utterances decoded without RNNoise because a recognizer thread was behind. */
  denoisersShed: number;
  liveCallsMax: number;
  serverAtPeak: unknown;
  serverAtBaseline: unknown;
  /** Event-loop delay of this (caller) process: high values mean the callers themselves lagged. */
  callerLoopDelayP99Ms: number;
}

interface Peaks {
  rss: number;
  /** The server's /api/ready at the RSS peak (pool sizes, WASM and JS heaps). */
  atPeak?: unknown;
  decodersBusy: number;
  decodersWaiting: number;
  decodeBacklogMaxMs: number;
  samples: number;
  behindSamples: number;
  /** Calls live on the server at once. */
  calls: number;
}

interface ReadyStats {
  activeCalls: number;
  asr: { busy: number; waiting: number; queuedMs?: number; wasmMb?: number; shedFrontEnds?: number; shedDenoisers?: number };
}

const readyStats = async (server: ServerProcess) => (await (await fetch(`${server.url}/api/ready`)).json()) as ReadyStats;

/** Decoding this far behind real time delays every turn that ends meanwhile. */
const BEHIND_MS = 200;

/** Samples the server's RSS and decoder pool while calls run. */
async function sample(server: ServerProcess, into: Peaks, stop: { done: boolean }): Promise<void> {
  while (!stop.done) {
    const rss = rssMb(server.pid);
    try {
      const ready = await readyStats(server);
      into.calls = Math.max(into.calls, ready.activeCalls);
      if (rss > into.rss) into.atPeak = ready;
      into.decodersBusy = Math.max(into.decodersBusy, ready.asr.busy);
      into.decodersWaiting = Math.max(into.decodersWaiting, ready.asr.waiting);
      const queuedMs = ready.asr.queuedMs ?? 0;
      into.decodeBacklogMaxMs = Math.max(into.decodeBacklogMaxMs, queuedMs);
      into.samples++;
      if (queuedMs >= BEHIND_MS) into.behindSamples++;
    } catch {
      // a sample missed under load is fine
    }
    into.rss = Math.max(into.rss, rss);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const idle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `total` calls, `callers` at a time, each caller starting at a random point of a window. */
async function runBatch(
  server: ServerProcess,
  channel: BenchChannel,
  callers: number,
  total: number,
  into: Array<{ r: CallerResult; want: string; barge: boolean }>,
): Promise<void> {
  let next = 0;
  const worker = async (slot: number) => {
    // Spread starts so callers are not in lockstep: on a real line, calls are at random points
    // of their scripts, not all answering at the same moment (see --stagger-ms).
    await idle((((slot * 7919) % 1000) / 1000) * staggerMs);
    while (next < total) {
      const i = next++;
      const s = SCENARIOS[i % SCENARIOS.length]!;
      const barge = bargeEvery > 0 && i % bargeEvery === bargeEvery - 1;
      const common = { bot: s.bot, answers: s.answers, timeoutMs: 180_000, ...(barge ? { bargeInMs: 1500, bargeInAt: [0] } : {}) };
      const r =
        channel === "twilio" || channel === "exotel"
          ? await runPhoneCaller({ ...common, carrier: channel, baseUrl: server.url, twilioAuthToken: TWILIO_AUTH_TOKEN })
          : await runCaller({ ...common, url: server.wsUrl, channel, ...(noise ? { lineNoise: noise } : {}) });
      into.push({ r, want: s.outcome, barge });
    }
  };
  await Promise.all(Array.from({ length: Math.min(callers, total) }, (_, slot) => worker(slot)));
}

async function runProfile(profile: string, channel: BenchChannel): Promise<ProfileResult> {
  // Every simulated caller comes from 127.0.0.1: lift the per-address limit for the bench.
  const server = await startServer({
    ...PROFILES[profile],
    LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? "warn",
    MAX_CALLS: String(Math.max(100, callers * 2)),
    MAX_CONNECTIONS_PER_IP: String(Math.max(100, callers * 2)),
    // The decoder pool is capacity shared by all calls, sized by configuration: create it up
    // front so the baseline holds it and per-session RSS is what a live call adds.
    ASR_POOL_MIN: process.env.ASR_POOL_MAX ?? "40",
    TWILIO_AUTH_TOKEN,
    ...(values.compensate !== undefined ? { NOISE_COMPENSATION: values.compensate } : {}),
  });
  try {
    // Warm-up at the measured concurrency, so the baseline is a server whose pools (decoders,
    // each ~25 MB, shared by all calls) have grown to what this load needs and whose code is
    // JIT-compiled: what is left to measure is the memory each live call adds.
    await runBatch(server, channel, Math.min(callers, total), Math.min(callers, total), []);
    await idle(5000);
    const rssBaseline = rssMb(server.pid);
    const readyBaseline = await readyStats(server);
    const cpu0 = cpuSeconds(server.pid);
    const threads0 = threadCpuSeconds(server.pid);
    const machine0 = machineCpuSeconds();
    const wall0 = performance.now();
    const peak: Peaks = { rss: rssBaseline, decodersBusy: 0, decodersWaiting: 0, decodeBacklogMaxMs: 0, samples: 0, behindSamples: 0, calls: 0 };
    const stop = { done: false };
    const sampler = sample(server, peak, stop);
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();

    const results: Array<{ r: CallerResult; want: string; barge: boolean }> = [];
    await runBatch(server, channel, callers, total, results);
    const wallSeconds = (performance.now() - wall0) / 1000;
    lag.disable();
    const cpu = cpuSeconds(server.pid) - cpu0;
    const threads1 = threadCpuSeconds(server.pid);
    const machine1 = machineCpuSeconds();
    stop.done = true;
    await sampler;
    await idle(5000);
    const rssAfter = rssMb(server.pid);
    const readyAfter = await readyStats(server);

    const failures: string[] = [];
    for (const { r, want } of results) {
      if (!r.completed || r.outcome !== want) {
        failures.push(`${r.callId ?? "?"}: outcome ${r.outcome} (want ${want}) errors ${JSON.stringify(r.errors)} heard ${r.turns.map((t) => t.heard).join(" | ")}`);
      }
    }
    const turns = results.flatMap(({ r }) => r.turns);
    return {
      profile: channels.length > 1 || channel !== "cli" ? `${profile}/${channel}` : profile,
      calls: results.length,
      failed: failures.length,
      failures,
      voiceToVoiceMs: turns.map((t) => t.voiceToVoiceMs).filter((x): x is number => x !== null),
      serverVoiceToVoiceMs: turns.map((t) => t.serverVoiceToVoiceMs).filter((x): x is number => x !== null),
      recordMs: turns.map((t) => t.stages?.recordMs ?? null).filter((x): x is number => x !== null),
      stages: turns.flatMap((t) =>
        t.stages && t.serverVoiceToVoiceMs !== null
          ? [{ ...t.stages, recordMs: t.stages.recordMs ?? 0, serverVoiceToVoiceMs: t.serverVoiceToVoiceMs }]
          : [],
      ),
      bargeInMs: turns.map((t) => t.bargeInMs).filter((x): x is number => x !== null),
      framesAfterInterrupt: turns.reduce((n, t) => n + t.framesAfterInterrupt, 0),
      cpuSeconds: cpu,
      mainThreadCpuSeconds: threads1.main - threads0.main,
      otherThreadsCpuSeconds: threads1.others - threads0.others,
      machineBusyPct: (100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total),
      machineStealPct: (100 * (machine1.steal - machine0.steal)) / (machine1.total - machine0.total),
      wallSeconds,
      rssBaselineMb: rssBaseline,
      rssPeakMb: peak.rss,
      rssAfterMb: rssAfter,
      decodersBusyMax: peak.decodersBusy,
      decodersWaitingMax: peak.decodersWaiting,
      decodeBacklogMaxMs: peak.decodeBacklogMaxMs,
      decodeBehindPct: peak.samples ? (100 * peak.behindSamples) / peak.samples : 0,
      wasmBaselineMb: readyBaseline.asr.wasmMb ?? 0,
      wasmAfterMb: readyAfter.asr.wasmMb ?? 0,
      frontEndsShed: (readyAfter.asr.shedFrontEnds ?? 0) - (readyBaseline.asr.shedFrontEnds ?? 0),
      denoisersShed: (readyAfter.asr.shedDenoisers ?? 0) - (readyBaseline.asr.shedDenoisers ?? 0),
      liveCallsMax: peak.calls,
      serverAtPeak: peak.atPeak,
      serverAtBaseline: readyBaseline,
      callerLoopDelayP99Ms: lag.percentile(99) / 1e6,
    };
  } finally {
    await server.stop();
  }
}

const results: ProfileResult[] = [];
// The machine's speed varies (see reference-decode.ts): measured on both sides of the calls.
const speedBefore = await referenceDecodePct();
for (const p of profiles) for (const c of channels) results.push(await runProfile(p, c));
const speedAfter = await referenceDecodePct();

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
printTable(
  `Voice-to-voice, ${callers} concurrent caller(s), ${total} call(s) per profile (client-measured: last voiced sample sent → first reply frame received)`,
  ["profile", "calls", "failed", "turns", "p50 ms", "p95 ms", "p99 ms", "server p50", "server p95", "barge-in p50", "barge-in p95", "frames after stop", "record p50", "record p95"],
  results.map((r) => [
    r.profile, r.calls, r.failed, r.voiceToVoiceMs.length,
    r1(percentile(r.voiceToVoiceMs, 50)), r1(percentile(r.voiceToVoiceMs, 95)), r1(percentile(r.voiceToVoiceMs, 99)),
    r1(percentile(r.serverVoiceToVoiceMs, 50)), r1(percentile(r.serverVoiceToVoiceMs, 95)),
    r1(percentile(r.bargeInMs, 50)), r1(percentile(r.bargeInMs, 95)), r.framesAfterInterrupt,
    r1(percentile(r.recordMs, 50)), r1(percentile(r.recordMs, 95)),
  ]),
);
printTable(
  "Server resources",
  ["profile", "live calls max", "CPU % of one core", "main thread %", "other threads %", "machine busy %", "steal %", "RSS baseline MB", "RSS peak MB", "RSS per session MB", "RSS after MB", "after vs baseline %", "decoders busy max", "waiting max", "caller loop p99 ms"],
  results.map((r) => [
    r.profile,
    r.liveCallsMax,
    r1((100 * r.cpuSeconds) / r.wallSeconds),
    r1((100 * r.mainThreadCpuSeconds) / r.wallSeconds),
    r1((100 * r.otherThreadsCpuSeconds) / r.wallSeconds),
    r1(r.machineBusyPct),
    r1(r.machineStealPct),
    r1(r.rssBaselineMb),
    r1(r.rssPeakMb),
    r1((r.rssPeakMb - r.rssBaselineMb) / Math.min(callers, total)),
    r1(r.rssAfterMb),
    r1((100 * (r.rssAfterMb - r.rssBaselineMb)) / r.rssBaselineMb),
    r.decodersBusyMax,
    r.decodersWaitingMax,
    r1(r.callerLoopDelayP99Ms),
  ]),
);
// Decoding behind real time is what the slow turns of a loaded server wait for; the recognizer
// threads' WebAssembly memory grows with the most utterances decoded at once and never shrinks.
printTable(
  `Recognizer threads (sampled every 250 ms)`,
  ["profile", "decode backlog max ms", `behind ≥ ${BEHIND_MS} ms %`, "front ends shed", "RNNoise shed", "WASM baseline MB", "WASM after MB"],
  results.map((r) => [r.profile, r.decodeBacklogMaxMs, r1(r.decodeBehindPct), r.frontEndsShed, r.denoisersShed, r1(r.wasmBaselineMb), r1(r.wasmAfterMb)]),
);
// Where the time of a turn goes: each stage's median, and its mean over the slowest 5 % of
// turns (server-measured), which is what the p95 is made of.
printTable(
  "Turn stages (server): p50 / mean over the slowest 5 % of turns, ms",
  ["profile", ...STAGES.map((s) => s.replace(/Ms$/, ""))],
  results.map((r) => {
    const cut = percentile(r.stages.map((t) => t.serverVoiceToVoiceMs), 95) ?? Infinity;
    const slow = r.stages.filter((t) => t.serverVoiceToVoiceMs >= cut);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
    return [r.profile, ...STAGES.map((s) => `${r1(percentile(r.stages.map((t) => t[s]), 50))} / ${r1(mean(slow.map((t) => t[s])))}`)];
  }),
);
console.log(`\nMachine speed: a reference decode took ${r1(speedBefore)} % of its audio's duration in CPU before the calls, ${r1(speedAfter)} % after (lower is faster)`);
if (profiles.length === 2 && channels.length === 1) {
  const [a, b] = results;
  const ratio = (percentile(b!.voiceToVoiceMs, 50) ?? 0) / (percentile(a!.voiceToVoiceMs, 50) ?? 1);
  console.log(`\npeer / default voice-to-voice p50: ${ratio.toFixed(2)}×`);
}
if (channels.length > 1) {
  const [a, ...rest] = results.slice(0, channels.length);
  for (const b of rest) {
    const d = (q: number) => r1((percentile(b.voiceToVoiceMs, q) ?? 0) - (percentile(a!.voiceToVoiceMs, q) ?? 0));
    console.log(`\n${b.profile} vs ${a!.profile} voice-to-voice: p50 ${d(50)} ms, p95 ${d(95)} ms`);
  }
}
for (const r of results) for (const f of r.failures.slice(0, 10)) console.log(`  [${r.profile}] failed ${f}`);
const file = writeJson(values.out ?? `calls-${callers}x${total}`, {
  at: new Date().toISOString(),
  callers,
  total,
  snrDb: values.snr === undefined ? null : Number(values.snr),
  noiseCompensation: values.compensate ?? null,
  referenceDecodePct: { before: r1(speedBefore), after: r1(speedAfter) },
  results: results.map((r) => ({
    ...r,
    p50: percentile(r.voiceToVoiceMs, 50),
    p95: percentile(r.voiceToVoiceMs, 95),
    p99: percentile(r.voiceToVoiceMs, 99),
    bargeInP50: percentile(r.bargeInMs, 50),
    bargeInP95: percentile(r.bargeInMs, 95),
    recordP50: percentile(r.recordMs, 50),
    recordP95: percentile(r.recordMs, 95),
    rssPerSessionMb: (r.rssPeakMb - r.rssBaselineMb) / Math.min(callers, total),
  })),
});
console.log(`\nwrote ${file}`);
process.exit(results.every((r) => r.failed === 0) ? 0 : 1);
