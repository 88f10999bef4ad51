import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { addNoiseAtSnr, phoneBand } from "../lib/audio/degrade";
import { mulawEncode } from "../lib/audio/mulaw";
import { concatInt16, silence } from "../lib/audio/pcm";
import { Resampler, resample } from "../lib/audio/resample";
import { twilioWire } from "../lib/transport/twilio";
import { byMeaning, heaviestGroup } from "../lib/asr/alternatives";
import { DEFAULT_TUNING, EmbeddedRecognizer, type RejectionLimits, withinLimits } from "../lib/asr/embedded";
import type { SpeakerState } from "../lib/asr/types";
import type { Flow, Question } from "../lib/bot/flow-schema";
import { buildFlowGrammars } from "../lib/bot/grammar";
import { loadFlows } from "../lib/bot/flows";
import type { Understanding } from "../lib/bot/types";
import { understand } from "../lib/bot/understand";
import { fliteSynthesize } from "../lib/tts/flite";
import { IN_DOMAIN, OUT_OF_DOMAIN } from "./corpus";
import { printTable, writeJson } from "./report";

/**
 * Answer understanding through the real embedded recognizer: every corpus answer spoken by
 * flite voices other than the bot's, under five conditions (clean, pink noise at 15 dB SNR,
 * 15 % faster speech, 8 kHz μ-law phone band, and a Twilio call: 20 ms μ-law media messages
 * through the /ws/twilio parser and the call path's streaming resampler), decoded in 20 ms frames
 * against its question's grammar and understood by the same code the calls use. Out-of-domain
 * sentences must be rejected. A sixth condition, `phone-noise` (pink noise at 15 dB SNR, then the
 * phone band), runs only when named: it measures whether noisy narrowband lines should be
 * denoised (`--noisy-above`).
 *
 *   npm run bench:understanding [-- --voices kal16,rms --conditions clean,noise --garbage 1e-4 --loop 1e-3]
 *
 * `--behind 1` measures what callers get while the server is overloaded: every utterance decoded
 * as by a recognizer thread behind real time (LoadMeter sheds RNNoise on quiet lines and all but
 * the first front end on noisy ones).
 *
 * Voices are decoded in `--jobs` processes at once (default: one per core, at most one per
 * voice); the figures are the same as with `--jobs 1`, since each voice's decodes run in order.
 */
const { values } = parseArgs({
  options: {
    voices: { type: "string", default: "kal16,rms,awb,kal" },
    conditions: { type: "string", default: "clean,noise,fast,phone,twilio" },
    garbage: { type: "string" },
    loop: { type: "string" },
    "min-confidence": { type: "string" },
    "max-garbage-ms": { type: "string" },
    "max-garbage-share": { type: "string" },
    /** Comma-separated ARPAbet phones for the garbage loop (default: all 39). */
    "garbage-phones": { type: "string" },
    sweep: { type: "boolean", default: false },
    denoise: { type: "string", default: "1" },
    ensemble: { type: "string", default: "1" },
    compensate: { type: "string", default: "1" },
    seed: { type: "string", default: "0" },
    "noisy-above": { type: "string" },
    decoder: { type: "string", default: "{}" },
    /** 1: decode as a recognizer thread far behind real time does (LoadMeter): quiet lines without RNNoise, noisy lines one front end. */
    behind: { type: "string", default: "0" },
    "show-errors": { type: "boolean", default: false },
    out: { type: "string", default: "understanding" },
    jobs: { type: "string" },
    /** Internal: decode only, and write the samples to this file for the parent process. */
    "samples-to": { type: "string" },
  },
});

type Condition = "clean" | "noise" | "fast" | "phone" | "twilio" | "phone-noise";

/** What the recognizer hears of a Twilio caller: the carrier's 8 kHz μ-law media, as /ws/twilio decodes it. */
function throughTwilio(s16k: Int16Array): Int16Array {
  const narrow = resample(s16k, 16000, 8000);
  const up = new Resampler({ fromHz: 8000, toHz: 16000 });
  const out: Int16Array[] = [];
  for (let i = 0; i < narrow.length; i += 160) {
    const payload = Buffer.from(mulawEncode(narrow.subarray(i, i + 160))).toString("base64");
    const e = twilioWire.parse(JSON.stringify({ event: "media", streamSid: "MZ0", media: { track: "inbound", payload } }));
    if (e.kind === "media") out.push(up.push(e.samples));
  }
  return concatInt16(out);
}

/** `inputSampleRateHz`: the caller's line rate, as the session tells the recognizer (phone lines are 8 kHz). */
const CONDITIONS: Record<Condition, { label: string; rate: number; apply: (s: Int16Array, seed: number) => Int16Array; inputSampleRateHz?: number }> = {
  clean: { label: "clean", rate: 1, apply: (s) => s },
  noise: { label: "pink noise 15 dB SNR", rate: 1, apply: (s, seed) => addNoiseAtSnr(s, 15, seed) },
  fast: { label: "15 % faster", rate: 1.15, apply: (s) => s },
  phone: { label: "8 kHz μ-law phone band", rate: 1, apply: (s) => phoneBand(s), inputSampleRateHz: 8000 },
  twilio: { label: "Twilio media stream (μ-law 8 kHz)", rate: 1, apply: throughTwilio, inputSampleRateHz: 8000 },
  // Not in the default run: measures the narrowband denoise threshold (--noisy-above).
  "phone-noise": { label: "pink noise 15 dB SNR, then phone band", rate: 1, apply: (s, seed) => phoneBand(addNoiseAtSnr(s, 15, seed)), inputSampleRateHz: 8000 },
};

const voices = values.voices!.split(",");
const conditions = values.conditions!.split(",") as Condition[];
const flows = loadFlows("flows");
const grammars = new Map([...flows.values()].map((f) => [f.id, buildFlowGrammars(f)]));

const RECOGNIZER_OPTIONS: Parameters<typeof EmbeddedRecognizer.create>[0] = {
  grammars: [...grammars.values()].flatMap((m) => [...m.values()]),
  // A noisy line's utterance leases one decoder per front end.
  poolMinSize: 4,
  poolMaxSize: 4,
  decoderConfig: JSON.parse(values.decoder!) as Record<string, number>,
  denoise: values.denoise === "1",
  noisyLineEnsemble: values.ensemble === "1",
  noiseCompensation: values.compensate === "1",
  ...(values.behind === "1" ? { backlogMs: () => Infinity } : {}),
  ...(values["noisy-above"] ? { noisyAboveDbfs: Number(values["noisy-above"]) } : {}),
  ...(values.garbage ? { garbageWeight: Number(values.garbage) } : {}),
  ...(values.loop ? { garbageLoopWeight: Number(values.loop) } : {}),
  ...(values["garbage-phones"] ? { garbagePhones: values["garbage-phones"].split(",") } : {}),
  // A sweep decodes once with no confidence floor and applies each candidate floor afterwards.
  ...(values.sweep ? { minConfidence: 0, maxGarbageSpeechMs: 1e9, maxGarbageShare: 1 } : {}),
  ...(!values.sweep && values["min-confidence"] ? { minConfidence: Number(values["min-confidence"]) } : {}),
  ...(!values.sweep && values["max-garbage-ms"] ? { maxGarbageSpeechMs: Number(values["max-garbage-ms"]) } : {}),
  ...(!values.sweep && values["max-garbage-share"] ? { maxGarbageShare: Number(values["max-garbage-share"]) } : {}),
};

/** One decode, also for the confidence sweep. */
interface Sample {
  ood: boolean;
  voice: string;
  condition: Condition;
  /** Noise suppression ran on it (the recognizer denoises noisy lines only). */
  denoised: boolean;
  /** Front ends that decoded it at once (several on noisy lines). */
  frontEnds: number;
  /** Decoded by a model moved into the line's noise. */
  compensated: boolean;
  confidence: number;
  garbageSpeechMs: number;
  speechMs: number;
  /** What it was understood as when accepted. */
  got: string;
  expect: string;
  /** The line printed by --show-errors when it was not understood as expected. */
  error?: string;
  /** With --sweep, every front end's decode of a noisy line, understood, for re-voting offline. */
  votes?: Vote[];
}

interface Vote {
  /** What the front end's hypothesis was understood as (describe()). */
  meaning: string;
  confidence: number;
  speechMs: number;
  garbageSpeechMs: number;
  compensated: boolean;
}

const LEAD = silence(300, 16000);
const CALL_LENGTH = 4;
const TAIL = silence(400, 16000);

function describe(u: Understanding): string {
  if (u.kind === "answer") return `answer:${String(u.value)}`;
  if (u.kind === "intent") return `intent:${u.intent}`;
  if (u.kind === "faq") return `faq:${u.faqId}`;
  return "no_match";
}

/** FNV-1a of the text, times 1000: room for each sentence's own seed. */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return (h % 1_000_000) * 1000;
}

/** Decodes every corpus sentence of `myVoices` under every condition, in order. */
async function decodeVoices(myVoices: string[]): Promise<Decoded> {
  const recognizer = await EmbeddedRecognizer.create(RECOGNIZER_OPTIONS);
  const out: Decoded = { samples: [], decodeMs: 0, decodedAudioMs: 0 };

  async function decode(audio: Int16Array, flow: Flow, question: Question, condition: Condition, speaker: SpeakerState = {}) {
    const stream = recognizer.start(grammars.get(flow.id)!.get(question.id)!, speaker, { inputSampleRateHz: CONDITIONS[condition].inputSampleRateHz });
    const t0 = performance.now();
    for (let i = 0; i < audio.length; i += 320) stream.push(audio.subarray(i, i + 320));
    // As the call session does: several front ends' hypotheses are weighed by what they mean.
    const r = byMeaning(await stream.finish(), (text) => JSON.stringify(understand(flow, question, text)));
    out.decodeMs += performance.now() - t0;
    // A caller's next answer comes seconds later, after the recognizer has learned this one's
    // cepstral mean (deferred past the result) and released its decoders. Without this wait the
    // next utterance started on a prior one answer behind, and on whichever decoder was idle.
    await new Promise((resolve) => setImmediate(resolve));
    out.decodedAudioMs += audio.length / 16;
    const votes = values.sweep
      ? r.votes?.map((v) => ({ meaning: v.text ? describe(understand(flow, question, v.text)) : "no_match", confidence: v.confidence, speechMs: v.speechMs, garbageSpeechMs: v.garbageSpeechMs, compensated: v.compensated }))
      : undefined;
    return { heard: r.rejected ? (r.rejectedText ? `(rejected) ${r.rejectedText}` : "") : r.text, text: r.text, rejected: r.rejected, confidence: r.confidence, garbageSpeechMs: r.garbageSpeechMs ?? 0, speechMs: r.speechMs ?? 0, denoised: r.denoised ?? false, frontEnds: r.frontEnds ?? 1, compensated: r.compensated ?? false, ...(votes ? { votes } : {}) };
  }

  const synthCache = new Map<string, Int16Array>();
  function speech(text: string, voice: string, rate: number): Int16Array {
    const key = `${voice}|${rate}|${text}`;
    let s = synthCache.get(key);
    if (!s) {
      s = concatInt16([LEAD, fliteSynthesize(text, voice, rate), TAIL]);
      synthCache.set(key, s);
    }
    return s;
  }

  for (const condition of conditions) {
    const c = CONDITIONS[condition];
    for (const voice of myVoices) {
      // The noise depends only on what is decoded (not on the other voices, conditions or jobs of the run).
      let seed = seedOf(`${condition}|${voice}`) + Number(values.seed);
      // Callers answer a few questions each: a new speaker every CALL_LENGTH answers, as in calls.
      let speaker: SpeakerState = {};
      for (const [index, item] of IN_DOMAIN.entries()) {
        if (index % CALL_LENGTH === 0) speaker = {};
        const flow = flows.get(item.flow)!;
        const question = flow.questions.find((q) => q.id === item.question)!;
        const audio = c.apply(speech(item.text, voice, c.rate), seed++);
        const r = await decode(audio, flow, question, condition, speaker);
        const got = r.rejected ? "no_match" : describe(understand(flow, question, r.text));
        out.samples.push({
          ood: false, voice, condition, denoised: r.denoised, frontEnds: r.frontEnds, compensated: r.compensated, confidence: r.confidence, garbageSpeechMs: r.garbageSpeechMs, speechMs: r.speechMs, got, expect: item.expect, ...(r.votes ? { votes: r.votes } : {}),
          ...(got === item.expect ? {} : { error: `${voice} ${item.question} "${item.text}" heard "${r.heard}" → ${got} (want ${item.expect})` }),
        });
      }
      for (const text of OUT_OF_DOMAIN) {
        const audio = c.apply(speech(text, voice, c.rate), seed++);
        for (const flow of flows.values()) {
          for (const question of flow.questions) {
            const r = await decode(audio, flow, question, condition);
            const got = r.rejected ? "no_match" : describe(understand(flow, question, r.text));
            out.samples.push({
              ood: true, voice, condition, denoised: r.denoised, frontEnds: r.frontEnds, compensated: r.compensated, confidence: r.confidence, garbageSpeechMs: r.garbageSpeechMs, speechMs: r.speechMs, got, expect: "no_match", ...(r.votes ? { votes: r.votes } : {}),
              ...(got === "no_match" ? {} : { error: `${voice} OOD@${question.id} "${text}" heard "${r.heard}" → ${got}` }),
            });
          }
        }
      }
    }
  }
  await recognizer.close();
  return out;
}

interface Decoded {
  samples: Sample[];
  decodeMs: number;
  decodedAudioMs: number;
}

/** Runs `jobs` copies of this bench, each on its share of the voices, and gathers their samples. */
async function decodeInJobs(jobs: number): Promise<Decoded> {
  const dir = mkdtempSync(path.join(tmpdir(), "understanding-"));
  const shares = Array.from({ length: jobs }, (_, j) => voices.filter((_, i) => i % jobs === j));
  try {
    const parts = await Promise.all(
      shares.map(async (share, j) => {
        const file = path.join(dir, `${j}.json`);
        const args = [path.resolve(process.argv[1]!), ...process.argv.slice(2), "--voices", share.join(","), "--jobs", "1", "--samples-to", file];
        await new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, [...process.execArgv, ...args], { stdio: ["ignore", "ignore", "inherit"] });
          child.on("error", reject);
          child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`job ${share.join(",")} exited with ${code}`))));
        });
        return JSON.parse(readFileSync(file, "utf8")) as Decoded;
      }),
    );
    return {
      // In the order of the voices list, as one process would have decoded them.
      samples: conditions.flatMap((c) => voices.flatMap((v) => parts.flatMap((p) => p.samples.filter((x) => x.condition === c && x.voice === v)))),
      decodeMs: parts.reduce((a, p) => a + p.decodeMs, 0),
      decodedAudioMs: parts.reduce((a, p) => a + p.decodedAudioMs, 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const started = performance.now();
const jobs = Math.max(1, Math.min(voices.length, Number(values.jobs ?? availableParallelism())));
const { samples, decodeMs, decodedAudioMs } = jobs > 1 ? await decodeInJobs(jobs) : await decodeVoices(voices);
if (values["samples-to"]) {
  writeFileSync(values["samples-to"], JSON.stringify({ samples, decodeMs, decodedAudioMs }));
  process.exit(0);
}

interface Row {
  condition: Condition;
  inDomain: { total: number; correct: number };
  outOfDomain: { total: number; rejected: number };
  denoisedPct: number;
  ensemblePct: number;
  compensatedPct: number;
  errors: string[];
}
const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((1000 * a) / b) / 10);
const rows: Row[] = conditions.map((condition) => {
  const mine = samples.filter((x) => x.condition === condition);
  const inD = mine.filter((x) => !x.ood);
  const ood = mine.filter((x) => x.ood);
  return {
    condition,
    inDomain: { total: inD.length, correct: inD.filter((x) => x.got === x.expect).length },
    outOfDomain: { total: ood.length, rejected: ood.filter((x) => x.got === "no_match").length },
    denoisedPct: pct(mine.filter((x) => x.denoised).length, mine.length),
    ensemblePct: pct(mine.filter((x) => x.frontEnds > 1).length, mine.length),
    compensatedPct: pct(mine.filter((x) => x.compensated).length, mine.length),
    errors: mine.flatMap((x) => (x.error ? [x.error] : [])),
  };
});

printTable(
  `Answer understanding — embedded recognizer, voices ${voices.join(", ")} (bot voice slt excluded)`,
  ["condition", "answers", "correct %", "out-of-domain", "rejected %", "denoised %", "ensemble %", "compensated %"],
  rows.map((r) => [
    CONDITIONS[r.condition].label,
    r.inDomain.total,
    pct(r.inDomain.correct, r.inDomain.total),
    r.outOfDomain.total,
    pct(r.outOfDomain.rejected, r.outOfDomain.total),
    r.denoisedPct,
    r.ensemblePct,
    r.compensatedPct,
  ]),
);
console.log(`\ndecode (denoise + recognize) time: ${((100 * decodeMs) / decodedAudioMs).toFixed(1)} % of audio duration`);
if (values.sweep) {
  const limits = [150, 200, 250, 300, 400, 1e9];
  const fractions = [0.2, 0.3, 0.4, 0.5, 1];
  const sweepRows: Array<Array<string | number>> = [];
  for (const condition of conditions) {
    for (const g of limits) {
      for (const fr of fractions) {
        const mine = samples.filter((x) => x.condition === condition);
        const accepted = (x: Sample) => x.garbageSpeechMs <= g && x.garbageSpeechMs <= fr * Math.max(1, x.speechMs);
        const inD = mine.filter((x) => !x.ood);
        const ood = mine.filter((x) => x.ood);
        const correct = inD.filter((x) => accepted(x) && x.got === x.expect).length;
        const rejected = ood.filter((x) => !accepted(x) || x.got === "no_match").length;
        sweepRows.push([condition, g >= 1e9 ? "∞" : g, fr, pct(correct, inD.length), pct(rejected, ood.length)]);
      }
    }
  }
  printTable("Rejection sweep (garbage speech limit ms × fraction of speech)", ["condition", "garbage ms", "fraction", "correct %", "ood rejected %"], sweepRows);
  revoteSweep();
  writeJson(`${values.out}-samples`, samples);
}
/** Limits one kind of front end's decode must pass to vote (a negative limit: it never votes); `weight` scales its confidence in the vote. */
type VoterRule = RejectionLimits & { weight: number };
/** How many front ends within these limits must mean the same to decide (see byMeaning); none: no agreement rule. */
type AgreementRule = (RejectionLimits & { frontEnds: number }) | undefined;

/**
 * The meaning the recognizer's vote (then byMeaning) would settle on with these rules. (Every
 * rule's confidence floor is above 0, the confidence of a decode that heard nothing.)
 */
function revote(votes: readonly Vote[], others: VoterRule, compensated: VoterRule, agreement: AgreementRule): string {
  if (agreement) {
    const agreed = heaviestGroup(votes.filter((v) => withinLimits(v, agreement)), (v) => v.meaning, () => 1);
    if (agreed.length >= agreement.frontEnds) return agreed[0]!.meaning;
  }
  const rule = (v: Vote) => (v.compensated ? compensated : others);
  const voting = votes.filter((v) => withinLimits(v, rule(v)));
  return heaviestGroup(voting, (v) => v.meaning, (v) => v.confidence * rule(v).weight)[0]?.meaning ?? "no_match";
}

/**
 * Re-votes the noisy lines' front-end decodes under rules for the denoised front ends, the
 * compensated one and their agreement (the recognizer's vote, minus its tie-breaking by words):
 * which rules keep the answers and the out-of-domain rejection.
 */
function revoteSweep(): void {
  const voted = samples.filter((x) => x.votes && x.votes.length > 1);
  if (voted.length === 0) return;
  const base: VoterRule = { ...DEFAULT_TUNING.ensemble, minConfidence: DEFAULT_TUNING.minConfidence, weight: 1 };
  const none: VoterRule = { ...base, maxGarbageSpeechMs: -1 };
  const tuned: VoterRule = DEFAULT_TUNING.compensatedVoter;
  const agreements: AgreementRule[] = [undefined, DEFAULT_TUNING.agreement, { ...DEFAULT_TUNING.agreement, maxGarbageSpeechMs: 400, maxGarbageShare: 0.8 }, { ...DEFAULT_TUNING.agreement, frontEnds: 4 }];
  const results: Array<{ others: VoterRule; compensated: VoterRule; agreement: AgreementRule; correct: number; oodRejected: number }> = [];
  const othersRules = [base, ...[120, 150, 170, 200].flatMap((ms) => [0.3, 0.4].map((share) => ({ ...base, maxGarbageSpeechMs: ms, maxGarbageShare: share })))];
  const compRules: VoterRule[] = [none, base, tuned];
  for (const maxGarbageSpeechMs of [0, 50, 100, 150, 200, 300])
    for (const maxGarbageShare of [0.1, 0.2, 0.3, 0.4, 0.6])
      for (const minConfidence of [0.7, 0.8, 0.9, 0.95]) for (const weight of [1, 0.5]) compRules.push({ maxGarbageSpeechMs, maxGarbageShare, minConfidence, weight });
  const inD = voted.filter((x) => !x.ood);
  const ood = voted.filter((x) => x.ood);
  for (const agreement of agreements) {
    for (const others of othersRules) {
      for (const compensated of compRules) {
        const correct = inD.filter((x) => revote(x.votes!, others, compensated, agreement) === x.expect).length;
        const oodRejected = ood.filter((x) => revote(x.votes!, others, compensated, agreement) === "no_match").length;
        results.push({ others, compensated, agreement, correct: pct(correct, inD.length), oodRejected: pct(oodRejected, ood.length) });
      }
    }
  }
  const describeRule = (r: VoterRule) => (r.maxGarbageSpeechMs < 0 ? "none" : `${r.maxGarbageSpeechMs}ms/${r.maxGarbageShare}/p${r.minConfidence}/w${r.weight}`);
  const describeAgreement = (a: AgreementRule) => (a ? `${a.frontEnds}×${a.maxGarbageSpeechMs}ms/${a.maxGarbageShare}/p${a.minConfidence}` : "none");
  const row = (r: (typeof results)[number]) => [describeRule(r.others), describeRule(r.compensated), describeAgreement(r.agreement), r.correct, r.oodRejected];
  const head = ["others", "compensated", "agreement", "correct %", "ood rejected %"];
  printTable(
    `Re-vote of ${voted.length} noisy-line decodes: without the compensated front end, as a full voter, as the recognizer weighs it; without and with the agreement rule`,
    head,
    results.filter((r) => r.others === base && [none, base, tuned].includes(r.compensated) && (r.agreement === undefined || r.agreement === DEFAULT_TUNING.agreement)).map(row),
  );
  for (const floor of [90, 89, 88]) {
    const best = results.filter((r) => r.oodRejected >= floor).sort((a, b) => b.correct - a.correct || b.oodRejected - a.oodRejected).slice(0, 12);
    printTable(`Best answers with out-of-domain rejection >= ${floor} %`, head, best.map(row));
  }
  writeJson(`${values.out}-revote`, results.map((r) => ({ others: describeRule(r.others), compensated: describeRule(r.compensated), agreement: describeAgreement(r.agreement), correct: r.correct, oodRejected: r.oodRejected })));
}

printTable(
  "Per voice (answers correct %)",
  ["condition", ...voices],
  rows.map((r) => [
    CONDITIONS[r.condition].label,
    ...voices.map((v) => {
      const mine = samples.filter((x) => !x.ood && x.voice === v && x.condition === r.condition);
      const ok = mine.filter((x) => x.got === x.expect && (values.sweep ? x.garbageSpeechMs <= Number(values["max-garbage-ms"] ?? DEFAULT_TUNING.maxGarbageSpeechMs) : true));
      return pct(ok.length, mine.length);
    }),
  ]),
);
if (values["show-errors"]) for (const r of rows) for (const e of r.errors) console.log(`  [${r.condition}] ${e}`);
const file = writeJson(values.out!, {
  at: new Date().toISOString(),
  voices,
  garbageWeight: values.garbage ?? "default",
  loopWeight: values.loop ?? "default",
  garbagePhones: values["garbage-phones"] ?? "all",
  minConfidence: values["min-confidence"] ?? "default",
  maxGarbageMs: values["max-garbage-ms"] ?? "default",
  maxGarbageShare: values["max-garbage-share"] ?? "default",
  seconds: Math.round((performance.now() - started) / 1000),
  denoise: values.denoise === "1",
  noisyLineEnsemble: values.ensemble === "1",
  noiseCompensation: values.compensate === "1",
  noisyAboveDbfs: values["noisy-above"] ? Number(values["noisy-above"]) : "default",
  seed: Number(values.seed),
  decoderConfig: JSON.parse(values.decoder!),
  behind: values.behind === "1",
  decodeRealTimePct: Math.round((1000 * decodeMs) / decodedAudioMs) / 10,
  conditions: rows.map((r) => ({
    condition: r.condition,
    label: CONDITIONS[r.condition].label,
    accuracyPct: pct(r.inDomain.correct, r.inDomain.total),
    answers: r.inDomain.total,
    outOfDomainRejectedPct: pct(r.outOfDomain.rejected, r.outOfDomain.total),
    outOfDomain: r.outOfDomain.total,
    denoisedPct: r.denoisedPct,
    ensemblePct: r.ensemblePct,
    compensatedPct: r.compensatedPct,
    errors: r.errors,
  })),
});
console.log(`\nwrote ${file}`);
