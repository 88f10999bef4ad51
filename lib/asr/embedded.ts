import { Denoiser, loadDenoiser, type DenoiseModel } from "../audio/denoise";
import { concatInt16, int16ToFloat32, powerToDbfs, rmsDbfs } from "../audio/pcm";
import type { QuestionGrammar } from "../bot/grammar";
import { DecoderPool, modelDir, type PooledDecoder } from "./decoder-pool";
import { compileJsgf, type WordAutomaton } from "./fsg";
import { writeDictionary } from "./dictionary";
import { heaviestGroup } from "./alternatives";
import { CepstralPrior, parseCmnInit, speechCepstralMean } from "./cepstral-mean";
import { cleanSpeechMean, noiseLogMel, subtractNoise } from "./noise-compensation";
import { ASR_SAMPLE_RATE_HZ, type RecognitionResult, type Recognizer, type FrontEndVote, type RecognizerStartOptions, type RecognizerStream, type SpeakerState } from "./types";

/**
 * Out-of-grammar rejection. A grammar decoder always returns the closest sentence it knows, so
 * "please send me an email" comes back as "please repeat". Each grammar is therefore wrapped in a
 * garbage model, a loop over the 39 phones of the acoustic model, that may precede or follow the
 * answer or replace it:
 *
 *   <utterance> = [<garbage>] <answer> [<garbage>] | <garbage>
 *
 * Around the answer, garbage soaks up what is not the answer: background noise (which the silence
 * model fits badly), a cough, or the words of a sentence that merely contains something grammar-
 * like. What matters is *how much speech* the garbage took: the recognizer keeps the energy of
 * every 10 ms of audio it decoded, and an utterance is rejected when garbage segments cover more
 * than `maxGarbageSpeechMs` of frames at speech level (or more than `maxGarbageShare` of them), an
 * answer word's lattice posterior is under `minConfidence`, or nothing but garbage was heard. Noise
 * before a "yes" is below speech level and costs nothing; "I do not know" leaves "know" to
 * garbage and is rejected instead of being taken for "I do not". bench/understanding.ts measures
 * accuracy and out-of-domain rejection for any setting.
 */
const PHONES = "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split(" ");
const GARBAGE_PREFIX = "gbg_";
const garbageWord = (phone: string) => `${GARBAGE_PREFIX}${phone.toLowerCase()}`;
const GARBAGE_WORDS: Record<string, string> = Object.fromEntries(PHONES.map((p) => [garbageWord(p), p]));
const ENERGY_FRAME = ASR_SAMPLE_RATE_HZ / 100;
/** Audio of an utterance kept for learning the caller's cepstral mean. */
const ADAPT_MAX_SAMPLES = 6 * ASR_SAMPLE_RATE_HZ;
/** How many utterances' worth of history a prior averages over before it starts to forget. */
export const SPEAKER_PRIOR_WEIGHT = 5;
const GLOBAL_PRIOR_WEIGHT = 50;
/**
 * While the caller speaks, the partial hypothesis is refreshed once per this much decoded audio;
 * once they pause, after every chunk. Asking the decoder for its hypothesis (a backtrace through
 * the garbage loop) after every 20 ms frame was a sizeable share of decoding: with this, decoding
 * took 15.8 instead of 16.9 % of real time (bench/understanding.ts, clean, same answers). While
 * the caller speaks only the transcript shown to them uses the partial; the end of turn is decided
 * on the partial of a paused caller, which stays current.
 */
const PARTIAL_EVERY_SAMPLES = ASR_SAMPLE_RATE_HZ / 10;
/**
 * The clean mean a compensated model is moved from is the mean the model's normalization would
 * subtract on a quiet line: over the caller's pauses as well as their speech. `cleanSpeechMean`
 * measures only frames clear of the noise, which are louder by about this much c0 (~3.4 nepers,
 * 15 dB, per band). Chosen with bench/understanding.ts (awb, pink noise, one compensated decode
 * alone, answers %): 8 -> 75.6, 15 -> 84.4, 20 -> 80.0, 25 -> 71.1.
 */
const CLEAN_PAUSE_C0 = 15;
/** Utterances with less speech than this say too little about a caller's line to learn from. */
const MIN_ADAPT_SPEECH_MS = 200;

export interface EmbeddedRecognizerOptions {
  /** Every grammar the recognizer will be asked to use; their words form the dictionary. */
  grammars: Iterable<QuestionGrammar>;
  poolMinSize?: number;
  poolMaxSize?: number;
  /** Prior weight of the all-garbage branch against the grammar (1). Lower accepts more. */
  garbageWeight?: number;
  /** Weight of each further garbage phone against ending the loop (1). */
  garbageLoopWeight?: number;
  /**
   * Lowest word posterior accepted. The posteriors come from the lattice, where the garbage loop
   * competes with the grammar: when out-of-domain speech is forced onto grammar words, those
   * words share their probability with garbage paths and fall below this.
   */
  minConfidence?: number;
  /** Speech-level audio that garbage may cover before the utterance is rejected. */
  maxGarbageSpeechMs?: number;
  /** Share of the utterance's speech-level audio that garbage may cover (1: no limit beyond maxGarbageSpeechMs). */
  maxGarbageShare?: number;
  /** Phones of the garbage loop (ARPAbet); see DEFAULT_TUNING. */
  garbagePhones?: readonly string[];
  /**
   * Run RNNoise on the audio before decoding: always on wideband lines, on narrowband (8 kHz
   * phone) lines only when they are noisy (see `noisyAboveDbfs`); noisy lines of either kind are
   * decoded by several front ends at once (see `noisyLineEnsemble`). Only the audio the
   * recognizer hears (pre-roll, speech, end-of-turn silence) is denoised, a quarter of the CPU of
   * denoising whole calls; the 300 ms pre-roll is enough for RNNoise to settle on the background.
   */
  denoise?: boolean;
  /**
   * An utterance is on a noisy line when its background is louder than this: the quietest 10 ms
   * of its first 200 ms (the pre-roll, before the caller spoke). A narrowband utterance is denoised
   * only then, and any noisy one gets the ensemble. RNNoise, trained on
   * full-band audio, cost 1.4 points of answers on clean 8 kHz μ-law speech (bench/understanding.ts,
   * phone and twilio, 95.3 -> 93.9 %) while it gained 1.1 on clean wideband speech (95.0 -> 96.1 %).
   * On noisy narrowband speech it pays: pink noise at 15 dB SNR through the phone band, whose
   * background is far above -55 dBFS, gave 86.1 % of answers denoised against 76.9 % not
   * (bench/understanding.ts --conditions phone-noise, 2026-12-02).
   * Below -120 (the level of digital silence) every utterance counts as noisy.
   */
  noisyAboveDbfs?: number;
  /**
   * Decode noisy lines through three front ends at once and take the answer most agree on
   * (NOISY_LINE_FRONT_ENDS). Pink noise at 15 dB SNR (bench/understanding.ts --conditions noise,
   * with --ensemble 0 and without), answers / out-of-domain rejected: 88.3 / 91.7 -> 93.6 / 90.8 %
   * on the noise the front ends and limits were chosen on, 84.2 / 92.9 -> 90.0 / 92.3 % on another
   * draw of it (--seed 1000), 88.6 / 92.1 -> 89.7 / 92.0 % on a third (--seed 500, before the
   * bench waited between answers). Decoding such utterances took 57-62 instead of 20-23 % of real
   * time. Needs `denoise`; off, noisy lines get the classic RNNoise model alone.
   */
  noisyLineEnsemble?: boolean;
  /**
   * On noisy lines, one more front end: the raw audio, decoded by a model whose means are moved
   * into the line's noise as measured on the utterance's pre-roll (noise-compensation.ts). It
   * errs on other answers than the denoised front ends and joins their vote under its own rule
   * (DEFAULT_TUNING.compensatedVoter), and counts fully toward an agreement of front ends
   * (DEFAULT_TUNING.agreement). Needs `denoise` (which decides the line is noisy). On by default
   * since the agreement rule: with it, in pink noise at 15 dB SNR, answers / out-of-domain rejected
   * 93.1 / 90.5 -> 95.3 / 90.8 % (re-vote of bench/understanding.ts --compensate 1 --sweep);
   * without it the agreement rule reached at most 94.7 %. It costs a fourth decode per noisy
   * utterance. Alone, in place of the denoised front ends (an intermediate build), it did worse
   * (answers / out-of-domain rejected: awb 84.4 / 86.9 against 86.7 / 88.1 %, kal16 88.9 / 73.8
   * against 96.7 / 90.5 %).
   */
  noiseCompensation?: boolean;
  /**
   * How far (ms of audio) the thread decoding is behind real time, when it decodes for many
   * callers (embedded-worker.ts); see LoadMeter.
   */
  backlogMs?: () => number;
  shedAboveMs?: number;
  /**
   * Speech to start the shared cepstral prior from (16 kHz), before any caller has been heard;
   * the bot's greeting does. Without it the first callers are normalized by the model's default
   * mean, which fits synthetic and telephone speech poorly.
   */
  seedSpeech?: Int16Array;
  /** Extra decoder settings (beams); see DEFAULT_DECODER_CONFIG. */
  decoderConfig?: Record<string, number | string | boolean>;
}

/**
 * Decoder settings over the library's defaults. Narrower phone and word-exit beams (`pbeam` 1e-30
 * and `wbeam` 1e-20, library defaults 1e-48 and 7e-29) prune the garbage loop's many short-lived
 * phone paths: decoding took 21.2 instead of 25.6 % of real time, and answers in clean speech rose
 * from 95.8 to 97.6 % (noise 85.8 -> 84.9 %, out-of-domain rejection unchanged within a point;
 * bench/understanding.ts, clean and noise). `topn` 8 (Gaussians scored per frame, default 4) on
 * top of these beams gains ~2 points of answers in noise but decodes ~25 % slower (26.8 % of real
 * time), and decoding CPU is what limits concurrent callers, so it stays at 4.
 */
export const DEFAULT_DECODER_CONFIG: Record<string, number> = { pbeam: 1e-30, wbeam: 1e-20 };

/**
 * Rejection settings measured with bench/understanding.ts. The garbage loop is kept dear (1e-5 for
 * the all-garbage branch, 1e-4 per further phone): with 1e-4/1e-3 a free phone loop outscored
 * short answers said with an unusual vowel or a long /s/ (a Scottish "yes" came back as seven
 * garbage phones), costing 3 to 7 points of answers on such voices for 1 to 2 points of
 * out-of-domain rejection gained.
 */
export const DEFAULT_TUNING: Tuning = {
  garbageWeight: 1e-5,
  loopWeight: 1e-4,
  // Rejection (bench/understanding.ts): more than 300 ms of garbage speech, or more than 60 % of the
  // utterance's speech, or an answer word under 0.7 posterior. Chosen from a sweep over decodes
  // without rejection, then run: in noise, against 250 ms alone, answers 86.7 -> 88.3 % and
  // out-of-domain rejection 91.2 -> 91.7 %. The share catches short sentences mostly forced onto
  // garbage, the floor sentences forced onto grammar words. A 0.5 floor gained no answers and
  // rejected 0.5-0.7 points fewer out-of-domain sentences (clean, phone, fast).
  minConfidence: 0.7,
  maxGarbageSpeechMs: 300,
  maxGarbageShare: 0.6,
  denoise: false,
  noisyAboveDbfs: -55,
  noisyLineEnsemble: true,
  noiseCompensation: true,
  // With several front ends, each one's hypothesis is a chance for out-of-domain speech to pass, so
  // each must pass a stricter garbage test than a lone decode to vote. Their agreement is what
  // lets an answer through that a lone decode's limits would pass: three front ends that mean the
  // same, each within the lone decode's own limits (`agreement`), make the answer whatever the
  // vote said (byMeaning, alternatives.ts). Noise garbles denoised speech so that right answers
  // often carry 200-400 ms of garbage, on every front end alike, while out-of-domain speech mostly
  // lands on different words in each. Chosen offline, as before: the noisy corpus decoded once
  // per front end with rejection off (bench/understanding.ts --compensate 1 --sweep), every rule
  // re-voted over the samples, on two draws of the noise. Answers / out-of-domain rejected, pink
  // noise 15 dB SNR, from 170 ms / 0.4 for the denoised ones, the compensated one at 100 ms / 0.4 /
  // p0.9 / half weight, and no agreement rule: 93.6 / 89.9 -> 95.3 / 90.8 % (--seed 0) and
  // 89.7 / 90.6 -> 92.2 / 91.7 % (--seed 1000) (2026-12-03); runs of the recognizer itself: 95.3 / 90.8 and
  // 91.9 / 91.7 %.
  ensemble: { maxGarbageSpeechMs: 120, maxGarbageShare: 0.4 },
  // The compensated front end errs differently from the denoised ones (it hears the raw audio, so
  // its right answers carry far less garbage), but as a full voter it lets out-of-domain speech
  // through (86.8 instead of 90.8 % rejected under the ensemble's limits). So alone it votes only
  // on a nearly garbage-free decode, at half weight; in an agreement it counts fully.
  compensatedVoter: { maxGarbageSpeechMs: 50, maxGarbageShare: 0.3, minConfidence: 0.8, weight: 0.5 },
  agreement: { maxGarbageSpeechMs: 300, maxGarbageShare: 0.6, minConfidence: 0.7, frontEnds: 3 },
  garbagePhones: PHONES,
};
/** Compiled grammars by their JSGF: a few per flow, shared by every recognizer of the thread. */
const COMPILED = new Map<string, WordAutomaton>();
/** Audio at the start of an utterance whose quietest 10 ms decides whether it is denoised. */
export const NOISE_PROBE_SAMPLES = ASR_SAMPLE_RATE_HZ / 5;

function composeJsgf(grammar: QuestionGrammar, tuning: Tuning): string {
  const { garbageWeight, loopWeight } = tuning;
  return [
    "#JSGF V1.0;",
    "grammar utterance;",
    // Garbage before an answer and garbage alone (the rejection) share one copy of the phone loop:
    // the grammar compiler copies a rule per reference, and "/1/ [<garbage>] <answer> [<garbage>] |
    // /w/ <garbage>" kept two copies live from the first frame: ~13 % less decoding CPU. Nearly
    // the same words come out: two voices' corpus, clean and noisy, compared line by line, was
    // identical; the full understanding run lost 2 of 1760 answers (awb's "yes" heard as garbage)
    // with the same out-of-domain rejection. The optional leading loop halves the garbage-alone
    // prior; 2w restores it.
    `public <utterance> = [<garbage>] <verdict>;`,
    `<verdict> = /1/ <answer> [<garbage>] | /${2 * garbageWeight}/ <NULL>;`,
    grammar.rules,
    // The loop goes back to <garbage> rather than repeating <phone> in its tail: the same
    // sentences and priors, with half the phone paths for the decoder to follow.
    `<garbage> = <phone> <garbage_tail>;`,
    `<garbage_tail> = /1/ <NULL> | /${loopWeight}/ <garbage>;`,
    `<phone> = ${tuning.garbagePhones.map(garbageWord).join(" | ")};`,
    "",
  ].join("\n");
}

function validGarbagePhones(phones: readonly string[]): readonly string[] {
  const unknown = phones.filter((p) => !PHONES.includes(p));
  if (phones.length === 0 || unknown.length > 0) throw new Error(`garbage phones must be ARPAbet phones of the model, got ${phones.join(",")}`);
  return phones;
}

/** Strips pronunciation-variant markers ("yes(2)"). */
const cleanWord = (word: string) => word.replace(/\(\d+\)$/, "");
const isGarbageWord = (word: string) => word.startsWith(GARBAGE_PREFIX);
/** Answer words of a hypothesis: garbage and variant markers removed. */
const answerText = (hyp: string) =>
  hyp
    .split(" ")
    .filter((w) => w && !isGarbageWord(w))
    .map(cleanWord)
    .join(" ");
/** Hesitations the grammars allow; they say nothing about whether the answer was heard right. */
const FILLERS = new Set(["um", "uh", "oh", "well", "so", "okay"]);

interface AlignmentWord {
  t: string;
  /** Start and duration, seconds from the start of the utterance. */
  b: number;
  d: number;
  /** Posterior probability from the lattice. */
  p: number;
}

/**
 * Frames at speech level: above the utterance's own noise (10th percentile) by 8 dB and within
 * 30 dB of its loud frames. Relative, so the same rule holds for a quiet phone line and a loud mic.
 */
function speechFrames(energiesDb: number[]): boolean[] {
  if (energiesDb.length === 0) return [];
  const sorted = [...energiesDb].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const threshold = Math.max(at(0.1) + 8, at(0.95) - 30);
  return energiesDb.map((e) => e >= threshold);
}

interface Tuning {
  garbageWeight: number;
  loopWeight: number;
  minConfidence: number;
  maxGarbageSpeechMs: number;
  maxGarbageShare: number;
  denoise: boolean;
  noisyAboveDbfs: number;
  noisyLineEnsemble: boolean;
  noiseCompensation: boolean;
  /** Rejection limits for each front end of an ensemble. */
  ensemble: { maxGarbageSpeechMs: number; maxGarbageShare: number };
  /** Rejection limits for the compensated front end, and its say in the vote. */
  compensatedVoter: RejectionLimits & { weight: number };
  /** Limits within which front ends count toward an agreement, and how many make one. */
  agreement: RejectionLimits & { frontEnds: number };
  garbagePhones: readonly string[];
}

export class EmbeddedRecognizer implements Recognizer {
  readonly id = "embedded";

  /** Cepstral mean of recent callers' accepted speech: the start point for a caller's first utterance. */
  private readonly recentCallers = new CepstralPrior(GLOBAL_PRIOR_WEIGHT);
  private constructor(
    private readonly pool: DecoderPool,
    private readonly tuning: Tuning,
    private readonly meter: LoadMeter,
  ) {}

  static async create(options: EmbeddedRecognizerOptions): Promise<EmbeddedRecognizer> {
    const garbagePhones = validGarbagePhones(options.garbagePhones ?? DEFAULT_TUNING.garbagePhones);
    const words = new Set<string>();
    for (const g of options.grammars) for (const w of g.words) words.add(w);
    const dictPath = writeDictionary(words, modelDir(), GARBAGE_WORDS);
    const ensemble = options.noisyLineEnsemble ?? DEFAULT_TUNING.noisyLineEnsemble;
    if (options.denoise) for (const m of new Set<DenoiseModel>(["classic", ...(ensemble ? NOISY_LINE_FRONT_ENDS.map((f) => f.model) : [])])) await loadDenoiser(m);
    const pool = await DecoderPool.create({
      dictPath,
      minSize: options.poolMinSize ?? 2,
      maxSize: options.poolMaxSize ?? 16,
      config: { ...DEFAULT_DECODER_CONFIG, ...options.decoderConfig },
      noiseCompensation: Boolean(options.denoise) && (options.noiseCompensation ?? DEFAULT_TUNING.noiseCompensation),
    });
    const recognizer = new EmbeddedRecognizer(pool, {
      garbageWeight: options.garbageWeight ?? DEFAULT_TUNING.garbageWeight,
      loopWeight: options.garbageLoopWeight ?? DEFAULT_TUNING.loopWeight,
      minConfidence: options.minConfidence ?? DEFAULT_TUNING.minConfidence,
      maxGarbageSpeechMs: options.maxGarbageSpeechMs ?? DEFAULT_TUNING.maxGarbageSpeechMs,
      maxGarbageShare: options.maxGarbageShare ?? DEFAULT_TUNING.maxGarbageShare,
      denoise: options.denoise ?? DEFAULT_TUNING.denoise,
      noisyAboveDbfs: options.noisyAboveDbfs ?? DEFAULT_TUNING.noisyAboveDbfs,
      noisyLineEnsemble: ensemble,
      noiseCompensation: options.noiseCompensation ?? DEFAULT_TUNING.noiseCompensation,
      ensemble: DEFAULT_TUNING.ensemble,
      compensatedVoter: DEFAULT_TUNING.compensatedVoter,
      agreement: DEFAULT_TUNING.agreement,
      garbagePhones,
    }, new LoadMeter(options.backlogMs ?? (() => 0), options.shedAboveMs ?? LoadMeter.SHED_ABOVE_MS));
    // Compiled up front, so no caller's first answer waits for its grammar.
    for (const g of options.grammars) recognizer.automaton(g);
    if (options.seedSpeech) recognizer.seed(options.seedSpeech);
    return recognizer;
  }

  private seed(speech: Int16Array): void {
    const lease = this.pool.tryAcquire();
    if (!lease) return;
    const spectrum = lease.decoder.spectrogram(int16ToFloat32(speech));
    this.pool.release(lease);
    const mean = speechCepstralMean(spectrum.data, spectrum.nfr, spectrum.nfeat);
    if (mean) this.recentCallers.add(mean);
  }

  /** This recognizer's automaton per grammar id, so an utterance's start composes no JSGF. */
  private readonly automata = new Map<string, WordAutomaton>();

  /** Each question's grammar (with this recognizer's garbage model), compiled once per thread (see fsg.ts). */
  private automaton(grammar: QuestionGrammar): WordAutomaton {
    let automaton = this.automata.get(grammar.id);
    if (automaton) return automaton;
    const jsgf = composeJsgf(grammar, this.tuning);
    automaton = COMPILED.get(jsgf) ?? compileJsgf(jsgf);
    COMPILED.set(jsgf, automaton);
    this.automata.set(grammar.id, automaton);
    return automaton;
  }

  stats(): Record<string, number> {
    return { ...this.pool.stats, shedFrontEnds: this.meter.shedFrontEnds, shedDenoisers: this.meter.shedDenoisers };
  }

  /** `part`: the front ends this stream decodes (see FrontEndPart); all of them unless told. */
  start(grammar: QuestionGrammar, speaker: SpeakerState = {}, options: RecognizerStartOptions = {}, part: FrontEndPart = "all"): RecognizerStream {
    const automaton = this.automaton(grammar);
    if (!(speaker.adaptation instanceof CepstralPrior)) speaker.adaptation = new CepstralPrior(SPEAKER_PRIOR_WEIGHT);
    const narrowband = (options.inputSampleRateHz ?? ASR_SAMPLE_RATE_HZ) < ASR_SAMPLE_RATE_HZ;
    return new EmbeddedStream(this.pool, grammar, automaton, this.tuning, !narrowband, speaker.adaptation as CepstralPrior, this.recentCallers, part, this.meter);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * A noisy line is decoded three ways at once, each front end feeding its own decoder: the
 * classic RNNoise model, the same model on the audio 5 ms later (so RNNoise's and the decoder's
 * 10 ms frames fall differently), and RNNoise's large model. They misrecognize different answers:
 * pink noise at 15 dB SNR, 360 answers, 42 wrong with the first alone, 47 with the third, 17 in
 * common. The answer most front ends agree on wins (see `vote`). Each costs a decoder and a full
 * decode, so a noisy utterance costs ~2.5× the CPU of a quiet one; quiet lines decode once.
 * Voted offline over per-front-end decodes of that corpus (answers / out-of-domain rejected):
 * classic + large 91.4 / 91.7 %; classic with two shifted copies (5 ms before RNNoise, 5 ms after
 * it) at most 91.1 / 90.6 %; these three 94.4 / 90.3 %; adding the large model 5 ms later, 93.6 /
 * 92.0 %; classic + classic at half the level, 89.2 / 91.4 %.
 */
const NOISY_LINE_FRONT_ENDS: ReadonlyArray<{ model: DenoiseModel; skipSamples: number; part: "lead" | "rest"; cost: number }> = [
  { model: "classic", skipSamples: 0, part: "lead", cost: 1 },
  { model: "classic", skipSamples: ASR_SAMPLE_RATE_HZ / 200, part: "lead", cost: 1 },
  // The large model's RNNoise alone costs ~25 % of real time (the classic one ~6 %), so with its
  // decode it weighs about as much as the other two together: the natural second part.
  { model: "large", skipSamples: 0, part: "rest", cost: 1.5 },
];
/** Cost (see LoadMeter) of a quiet line's one front end, and of the compensated front end. */
const QUIET_FRONT_END_COST = 0.5;
const COMPENSATED_COST = 1;

/**
 * The decoding a recognizer (one thread) has taken on, in units of one denoised front end of a
 * noisy line decoding as the caller speaks: ~35 % of a core's real time on a number question
 * (RNNoise ~6 %, the decode of noisy audio ~30 %; the large RNNoise model costs 1.5 units, a quiet
 * line's decode half a unit). A noisy line's ensemble costs 3.5 units; two noisy callers talking
 * at once are more than two cores decode in real time, and every turn ending meanwhile waits for
 * the backlog (4 noisy callers, each utterance's front ends spread over both threads: p95 1.8 s).
 * So an ensemble (or its rest) is taken on only while the thread is not behind (`shedAboveMs` of
 * audio queued) and what is already in flight plus it stays within BUDGET; otherwise the utterance
 * is decoded by its first front end alone (the rest of an ensemble, by none). Fewer right answers
 * in noise while the server is overloaded, rather than every caller waiting seconds for each.
 * An utterance alone on its thread always gets its whole ensemble. (These units were measured
 * before grammars were compiled to minimal automata, which halved the decode and left RNNoise's
 * cost as it was; BUDGET was not re-tuned since.)
 */
export class LoadMeter {
  /** ~0.9 of a core's real time on a number question. */
  static readonly BUDGET = 2.5;
  /** Default `shedAboveMs` (ASR_SHED_ABOVE_MS). */
  static readonly SHED_ABOVE_MS = 300;
  inFlight = 0;
  /** Front ends of noisy lines' utterances left undecoded so far. */
  shedFrontEnds = 0;
  /** Quiet lines' utterances decoded without RNNoise so far. */
  shedDenoisers = 0;

  constructor(
    private readonly backlogMs: () => number,
    private readonly shedAboveMs: number,
  ) {}

  /** Takes on front ends costing `cost` unless the thread is too busy, when it counts `frontEnds` as shed. */
  admit(cost: number, frontEnds: number): boolean {
    if (this.behind() || (this.inFlight > 0 && this.inFlight + cost > LoadMeter.BUDGET)) {
      this.shedFrontEnds += frontEnds;
      return false;
    }
    this.inFlight += cost;
    return true;
  }

  /** Whether to decode a quiet line's utterance without RNNoise: only while the thread is behind. */
  shedDenoiser(): boolean {
    if (!this.behind()) return false;
    this.shedDenoisers++;
    return true;
  }

  private behind(): boolean {
    return this.backlogMs() > this.shedAboveMs;
  }

  /** Takes on front ends whatever the load (an utterance's one front end). */
  add(cost: number): void {
    this.inFlight += cost;
  }

  release(cost: number): void {
    this.inFlight = Math.max(0, this.inFlight - cost);
  }
}

/**
 * Which front ends of an utterance one stream decodes. `all`: every one, on one thread. To spread
 * a noisy line's utterance over two recognizer threads (embedded-threads.ts), one stream decodes
 * the `lead` part (the front ends marked so, the compensated one, and on a quiet line the only
 * one; its first front end gives the partial and teaches the caller's prior) and another the
 * `rest`, started only once the line is known to be noisy; the threads' caller votes over both.
 */
export type FrontEndPart = "all" | "lead" | "rest";

/** What the recognizer hears of one utterance through one front end, decoded by one leased decoder. */
class Channel {
  lease: PooledDecoder | undefined;
  readonly ready: Promise<PooledDecoder>;
  /** Audio that arrived before a decoder was free; decoded as soon as one is. */
  private backlog: Float32Array[] = [];
  private readonly withdraw: () => void;
  private done = false;
  hypothesis = "";
  /** Audio decoded since the partial was last refreshed. */
  private sincePartial = 0;
  /** Level of every 10 ms of audio decoded, for measuring how much speech garbage covered. */
  readonly energiesDb: number[] = [];
  private energyAcc = 0;
  private energyCount = 0;
  /** The audio decoded (bounded), for the second pass and to learn the caller's cepstral mean. */
  private recorded: Float32Array[] = [];
  recordedSamples = 0;

  constructor(
    private readonly pool: DecoderPool,
    onDecoder: (lease: PooledDecoder) => void,
    private readonly denoiser: Denoiser | undefined,
    /** Input samples still to drop before this front end hears anything. */
    private skip: number,
    /** The first front end: its hypothesis is the partial, its audio kept for the second pass and the caller's mean. */
    private readonly primary: boolean,
    /** Decodes the raw audio with the model moved into the line's noise; its audio is kept to learn the caller's clean speech. */
    readonly compensated = false,
  ) {
    let resolveReady!: (d: PooledDecoder) => void;
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    this.withdraw = pool.request((lease) => {
      if (this.done) {
        pool.release(lease);
        return;
      }
      this.lease = lease;
      onDecoder(lease);
      for (const chunk of this.backlog.splice(0)) lease.decoder.process_audio(chunk);
      if (this.primary) this.updatePartial();
      resolveReady(lease);
    });
  }

  get denoised(): boolean {
    return this.denoiser !== undefined;
  }

  /** Decodes `input`; refreshes the partial when `refresh` says so for the audio decoded since the last one. */
  feed(input: Int16Array, refresh?: (sincePartial: number) => boolean): void {
    if (this.skip > 0) {
      const dropped = Math.min(this.skip, input.length);
      this.skip -= dropped;
      input = input.subarray(dropped);
    }
    const samples = this.denoiser && input.length > 0 ? this.denoiser.process(input) : input;
    // The denoiser hands audio on in 10 ms blocks, so a push can yield nothing yet.
    if (samples.length === 0) return;
    this.measure(samples);
    const audio = int16ToFloat32(samples);
    // Kept for the second pass and for learning the caller's mean; past the bound, neither runs.
    if ((this.primary || this.compensated) && this.recordedSamples < ADAPT_MAX_SAMPLES) this.recorded.push(audio);
    this.recordedSamples += audio.length;
    if (!this.lease) {
      this.backlog.push(audio);
      return;
    }
    this.lease.decoder.process_audio(audio);
    this.sincePartial += audio.length;
    if (refresh?.(this.sincePartial)) this.updatePartial();
  }

  private measure(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]! / 32768;
      this.energyAcc += x * x;
      if (++this.energyCount === ENERGY_FRAME) {
        this.energiesDb.push(powerToDbfs(this.energyAcc / ENERGY_FRAME));
        this.energyAcc = 0;
        this.energyCount = 0;
      }
    }
  }

  updatePartial(): void {
    if (!this.lease) return;
    this.sincePartial = 0;
    this.hypothesis = answerText(this.lease.decoder.get_text());
  }

  get pendingPartial(): boolean {
    return this.lease !== undefined && this.sincePartial > 0;
  }

  recordedAudio(): Float32Array {
    const audio = new Float32Array(this.recordedSamples);
    let at = 0;
    for (const chunk of this.recorded) {
      audio.set(chunk, at);
      at += chunk.length;
    }
    return audio;
  }

  /** Stops taking audio; the decoder, if one was leased, is still held (see `release`). */
  close(): void {
    this.done = true;
    this.withdraw();
    this.backlog = [];
    this.denoiser?.close();
  }

  release(): void {
    this.recorded = [];
    if (this.lease) this.pool.release(this.lease);
    this.lease = undefined;
  }
}

/** What a decode must stay within to be accepted (in an ensemble: to vote). */
export interface RejectionLimits {
  maxGarbageSpeechMs: number;
  maxGarbageShare: number;
  minConfidence: number;
}

/** Whether a decode's garbage speech and word confidence stay within `limits`. */
export function withinLimits(d: { confidence: number; garbageSpeechMs: number; speechMs: number }, limits: RejectionLimits): boolean {
  return d.garbageSpeechMs <= limits.maxGarbageSpeechMs && d.garbageSpeechMs <= limits.maxGarbageShare * d.speechMs && d.confidence >= limits.minConfidence;
}

/**
 * The answer of several front ends' decodes: the hypothesis whose accepting front ends' word
 * posteriors (times their weights) sum highest (so two that agree outweigh one that does not),
 * among those that pass rejection. Ties go to the earlier front end.
 */
export function vote(scores: readonly FrontEndVote[]): { winner: number; alternatives: NonNullable<RecognitionResult["alternatives"]> } {
  const accepted = scores.filter((s) => !s.rejected);
  const [first] = heaviestGroup(accepted, (s) => s.text, (s) => s.confidence * (s.weight ?? 1));
  return {
    winner: first ? scores.indexOf(first) : 0,
    alternatives: accepted.map(({ text, confidence, weight }) => ({ text, confidence, ...(weight !== undefined && weight !== 1 ? { weight: confidence * weight } : {}) })),
  };
}

/**
 * The result fields that come from the front ends' decodes: the vote's winner (its text only when
 * accepted), and every accepted hypothesis when more than one was.
 */
export function decideVotes(scores: readonly FrontEndVote[]): Pick<RecognitionResult, "text" | "confidence" | "rejected" | "garbageSpeechMs" | "speechMs" | "alternatives" | "rejectedText"> {
  const { winner, alternatives } = vote(scores);
  const { text, rejected, confidence, garbageSpeechMs, speechMs } = scores[winner]!;
  return {
    text: rejected ? "" : text,
    confidence,
    rejected,
    garbageSpeechMs,
    speechMs,
    ...(alternatives.length > 1 ? { alternatives } : {}),
    ...(rejected && text ? { rejectedText: text } : {}),
  };
}

/**
 * One result from the decodes of an utterance's `lead` and `rest` parts (FrontEndPart), voted as
 * one stream decoding them all would vote: in the same front-end order (the lead's denoised ones,
 * the rest's, then the compensated one), so that ties go the same way.
 */
export function mergeParts(lead: RecognitionResult, rest: RecognitionResult, finalizeMs: number): RecognitionResult {
  if (!lead.votes || !rest.votes?.length) return lead;
  const votes = [...lead.votes.filter((v) => !v.compensated), ...rest.votes, ...lead.votes.filter((v) => v.compensated)];
  const { alternatives: _alternatives, rejectedText: _rejectedText, ...base } = lead;
  return { ...base, ...decideVotes(votes), frontEnds: votes.length, votes, finalizeMs };
}

/**
 * Whether a line is noisy: the quietest 10 ms of an utterance's first NOISE_PROBE_SAMPLES (its
 * pre-roll, before the caller spoke) is louder than `noisyAboveDbfs`. Exactly those samples, however
 * the audio arrived in chunks, so that every thread decoding a part of the utterance agrees.
 */
export function lineIsNoisy(start: Int16Array, noisyAboveDbfs: number): boolean {
  const audio = start.subarray(0, NOISE_PROBE_SAMPLES);
  let quietestDbfs = Infinity;
  for (let at = 0; at + ENERGY_FRAME <= audio.length; at += ENERGY_FRAME) {
    quietestDbfs = Math.min(quietestDbfs, rmsDbfs(audio.subarray(at, at + ENERGY_FRAME)));
  }
  // Too little audio to measure (an utterance under 10 ms): treat the line as noisy.
  return quietestDbfs > noisyAboveDbfs;
}

class EmbeddedStream implements RecognizerStream {
  /** The first front end; its hypothesis is the partial, and its audio teaches the caller's mean. */
  private readonly channels: Channel[] = [];
  private samples = 0;
  private done = false;
  /** `finish` was called: a second call, even while the first still waits, is refused. */
  private finishing = false;
  private isPaused = false;
  /** The first audio, held until it shows whether the line is noisy; undefined once decided. */
  private probe: Int16Array[] | undefined;
  private probeSamples = 0;
  /** A noisy line's pre-roll, whose noise the model is moved into; undefined on a quiet line. */
  private noise: Int16Array | undefined;
  /** That noise's log mel spectrum, once measured. */
  private noiseMel: Float64Array | null = null;
  /** The line is noisy and decoded by the ensemble, wholly or in part. */
  private ensembleLine = false;
  /** What this utterance's front ends add to its thread's load (LoadMeter), until it ends. */
  private charged = 0;
  /** Settles when the utterance is cancelled, so a `finish` waiting for a decoder stops waiting. */
  private readonly cancelled: Promise<void>;
  private onCancel!: () => void;

  constructor(
    private readonly pool: DecoderPool,
    private readonly grammar: QuestionGrammar,
    private readonly automaton: WordAutomaton,
    private readonly tuning: Tuning,
    /** Front end of a quiet line: none, or the classic RNNoise model (wideband lines). */
    private readonly quietDenoise: boolean,
    private readonly speaker: CepstralPrior,
    private readonly recentCallers: CepstralPrior,
    private readonly part: FrontEndPart,
    /** The load of the recognizer's thread, which this utterance's front ends add to until it ends. */
    private readonly meter: LoadMeter,
  ) {
    this.cancelled = new Promise((resolve) => (this.onCancel = resolve));
    if (part === "rest") {
      // Started once the line showed itself noisy: its front ends decode from the first frame,
      // unless this thread is too busy, when the lead's front ends answer alone.
      this.ensembleLine = true;
      const rest = NOISY_LINE_FRONT_ENDS.filter((f) => f.part === "rest");
      if (this.charge(rest.reduce((n, f) => n + f.cost, 0), rest.length)) for (const f of rest) this.open(new Denoiser(f.model), f.skipSamples);
    } else if (tuning.denoise) this.probe = [];
    // Without noise handling there is nothing to decide, so audio decodes from the first frame.
    else this.open(undefined, 0);
  }

  private open(denoiser: Denoiser | undefined, skipSamples: number, compensated = false): Channel {
    const channel = new Channel(this.pool, (lease) => this.begin(lease, compensated), denoiser, skipSamples, this.channels.length === 0, compensated);
    this.channels.push(channel);
    return channel;
  }

  private begin(lease: PooledDecoder, compensated: boolean): void {
    const cmnInit = this.speaker.toConfig() ?? this.recentCallers.toConfig() ?? this.pool.defaultCmnInit;
    this.pool.prepare(lease, cmnInit, !compensated);
    if (compensated && this.noise) this.compensate(lease, cmnInit, this.noise);
    if (lease.grammarId !== this.grammar.id) this.pool.setGrammar(lease, this.automaton, this.grammar.id);
    lease.decoder.start();
  }

  /**
   * Moves the decoder's model into the noise of the pre-roll, for speech like this caller's
   * clean speech as learned from their earlier utterances (`learnClean`), else recent callers'
   * (from the greeting on), else this line's mean with the noise's power taken out.
   */
  private compensate(lease: PooledDecoder, cmnInit: string, preRoll: Int16Array): void {
    const spectrum = lease.decoder.spectrogram(int16ToFloat32(preRoll));
    const noise = noiseLogMel(spectrum.data, spectrum.nfr, spectrum.nfeat);
    if (!noise) return;
    this.noiseMel = noise;
    const cmn = parseCmnInit(cmnInit);
    const clean = this.speaker.cleanVector() ?? this.recentCallers.cleanVector() ?? subtractNoise(cmn, noise);
    this.pool.compensate(lease, noise, clean, cmn);
  }

  push(input: Int16Array): void {
    if (this.done || input.length === 0) return;
    this.samples += input.length;
    if (this.probe) {
      this.probe.push(input);
      this.probeSamples += input.length;
      if (this.probeSamples >= NOISE_PROBE_SAMPLES) this.decideFrontEnds();
      return;
    }
    this.feed(input);
  }

  private feed(input: Int16Array): void {
    const refresh = (since: number) => this.isPaused || since >= PARTIAL_EVERY_SAMPLES;
    this.channels.forEach((c, i) => c.feed(input, i === 0 ? refresh : undefined));
  }

  /**
   * The line is noisy when the quietest 10 ms of its start (the pre-roll, before the caller
   * spoke) is louder than `denoiseAboveDbfs`. A noisy line gets the ensemble; a quiet wideband
   * line RNNoise alone (it gained on clean speech too), a quiet phone line no denoising (RNNoise
   * cost points on clean narrowband speech). Then decodes what was held.
   */
  private decideFrontEnds(): void {
    const held = this.probe!;
    this.probe = undefined;
    const audio = concatInt16(held);
    const noisy = lineIsNoisy(audio, this.tuning.noisyAboveDbfs);
    this.ensembleLine = noisy && this.tuning.noisyLineEnsemble;
    // A quiet line's RNNoise is a quarter of its decoding and gains about a point of answers:
    // the first thing a thread behind real time does without.
    if (!noisy) this.open(this.quietDenoise && !this.meter.shedDenoiser() ? new Denoiser("classic") : undefined, 0);
    else if (!this.ensembleLine) this.open(new Denoiser("classic"), 0);
    else {
      const mine = NOISY_LINE_FRONT_ENDS.filter((f) => this.part === "all" || f.part === "lead");
      const cost = mine.reduce((n, f) => n + f.cost, 0) + (this.compensating ? COMPENSATED_COST : 0);
      // Too busy: the first front end alone, decoded as a lone front end would be.
      if (!this.charge(cost, mine.length - 1 + (this.compensating ? 1 : 0))) {
        this.ensembleLine = false;
        mine.length = 1;
      }
      for (const f of mine) this.open(new Denoiser(f.model), f.skipSamples);
    }
    // A lone front end is decoded whatever the load.
    if (this.charged === 0) this.charge(noisy ? NOISY_LINE_FRONT_ENDS[0]!.cost : QUIET_FRONT_END_COST);
    if (noisy && this.compensating && (this.ensembleLine || !this.tuning.noisyLineEnsemble)) {
      this.noise = audio;
      this.open(undefined, 0, true);
    }
    for (const chunk of held) this.feed(chunk);
  }

  /**
   * Adds front ends costing `cost` to the thread's load, if it admits them (counting `frontEnds`
   * as shed if not); without `frontEnds`, whatever the load.
   */
  private charge(cost: number, frontEnds?: number): boolean {
    if (frontEnds === undefined) this.meter.add(cost);
    else if (!this.meter.admit(cost, frontEnds)) return false;
    this.charged += cost;
    return true;
  }

  private uncharge(): void {
    this.meter.release(this.charged);
    this.charged = 0;
  }

  private get compensating(): boolean {
    return this.tuning.noiseCompensation && this.pool.compensator !== undefined;
  }

  paused(paused: boolean): void {
    if (this.done || paused === this.isPaused) return;
    this.isPaused = paused;
    const first = this.channels[0];
    if (paused && first?.pendingPartial) first.updatePartial();
  }

  get partial(): string {
    return this.channels[0]?.hypothesis ?? "";
  }

  async finish(): Promise<RecognitionResult> {
    const started = performance.now();
    if (this.done) throw new Error("recognition was cancelled or already finished");
    if (this.finishing) throw new Error("recognition is already finishing");
    this.finishing = true;
    if (this.probe) this.decideFrontEnds();
    if (this.channels.length === 0) {
      // The rest of an ensemble, left out because its thread was too busy (LoadMeter): nothing to vote with.
      this.done = true;
      return { text: "", confidence: 0, rejected: true, frontEnds: 0, votes: [], audioMs: (this.samples / ASR_SAMPLE_RATE_HZ) * 1000, finalizeMs: performance.now() - started, provider: "embedded" };
    }
    const [first, ...others] = this.channels as [Channel, ...Channel[]];
    await Promise.race([first.ready, this.cancelled]);
    // A decoder released just before this (by an utterance that finished an instant ago) goes to
    // a waiting front end on the next turn of the event loop.
    if (others.some((c) => !c.lease)) await new Promise((resolve) => setImmediate(resolve));
    // Cancelled while waiting (the caller hung up): its decoders are already back in the pool.
    if (this.done) throw new Error("recognition was cancelled while finishing");
    this.done = true;
    this.uncharge();
    // A further front end that still has no decoder (every decoder busy) is dropped rather than
    // waited for: the utterance is then decided by those that have one.
    const decoding = [first, ...others.filter((c) => c.lease)];
    for (const c of this.channels) c.close();
    for (const c of others) if (!c.lease) c.release();
    // A part of an ensemble votes with the ensemble's limits, even when it is one front end.
    const ensemble = decoding.length > 1 || (this.part !== "all" && this.ensembleLine);
    const scores = decoding.map((c) => {
      c.lease!.decoder.stop();
      return this.score(c, ensemble);
    });
    let passes = 1;
    // The streaming pass normalizes cepstra by a mean learned before this utterance, which can
    // be off (a caller's first words, a changed line). When its result is no answer, decode once
    // more with the utterance's own mean (batch normalization): a second chance that costs about
    // 7 % of the utterance's length, paid only on those turns. (Also running it for every first
    // utterance gained under 1 point of accuracy and cost 200+ ms at p95 with 50 callers.) An
    // ensemble already gives its utterances several chances, so it does without.
    if (!ensemble && scores[0]!.rejected && first.recordedSamples < ADAPT_MAX_SAMPLES) {
      const { decoder } = first.lease!;
      decoder.start();
      decoder.process_audio(first.recordedAudio(), false, true);
      decoder.stop();
      scores[0] = this.score(first, false);
      passes = 2;
    }
    const decided = decideVotes(scores);
    // The compensated front end's audio teaches the caller's clean speech after the result is out.
    const learner = decoding.find((_, i) => scores[i]!.compensated);
    for (const c of decoding.slice(1)) if (c !== learner) c.release();
    // After the result is out, so it costs the turn nothing. Every utterance teaches this
    // caller's prior (their line is their line, even when what they said was not an answer); the
    // shared prior for first utterances learns only from speech that matched grammar words, so
    // one caller's noise cannot steer it for others.
    // The rest of an ensemble learns nothing: the lead's first front end teaches the priors.
    const firstSpeechMs = this.part === "rest" ? 0 : scores[0]!.speechMs;
    const shareable = scores[0]!.text !== "";
    setImmediate(() => {
      if (firstSpeechMs >= MIN_ADAPT_SPEECH_MS) this.adapt(first, shareable);
      if (learner && learner.recordedSamples < ADAPT_MAX_SAMPLES) this.learnClean(learner, shareable);
      first.release();
      learner?.release();
    });
    return {
      ...decided,
      passes,
      denoised: first.denoised,
      compensated: learner !== undefined,
      frontEnds: decoding.length,
      ...(ensemble ? { votes: scores, agreementFrontEnds: this.tuning.agreement.frontEnds } : {}),
      audioMs: (this.samples / ASR_SAMPLE_RATE_HZ) * 1000,
      finalizeMs: performance.now() - started,
      provider: "embedded",
    };
  }

  /** A channel's hypothesis and how much speech-level audio the garbage model took. */
  private score(channel: Channel, ensemble: boolean): FrontEndVote {
    const { decoder } = channel.lease!;
    const text = answerText(decoder.get_text());
    const words = text ? ((decoder.get_alignment().w ?? []) as AlignmentWord[]) : [];
    const speech = speechFrames(channel.energiesDb);
    let garbageSpeechFrames = 0;
    let confidence = 1;
    for (const w of words) {
      if (isGarbageWord(w.t)) {
        const from = Math.max(0, Math.round(w.b * 100));
        const to = Math.min(speech.length, Math.round((w.b + w.d) * 100));
        for (let f = from; f < to; f++) if (speech[f]) garbageSpeechFrames++;
      } else if (!w.t.startsWith("<") && !w.t.startsWith("(") && !w.t.startsWith("[") && !FILLERS.has(cleanWord(w.t))) {
        confidence = Math.min(confidence, w.p);
      }
    }
    if (!text) confidence = 0;
    const garbageSpeechMs = garbageSpeechFrames * 10;
    const speechMs = speech.filter(Boolean).length * 10;
    const compensated = Boolean(channel.lease?.compensated);
    const { tuning } = this;
    const limits = compensated ? tuning.compensatedVoter : ensemble ? { ...tuning.ensemble, minConfidence: tuning.minConfidence } : tuning;
    const measured = { confidence, garbageSpeechMs, speechMs };
    const rejected = text === "" || !withinLimits(measured, limits);
    const agrees = ensemble && text !== "" && withinLimits(measured, tuning.agreement);
    return { text, rejected, confidence, garbageSpeechMs, speechMs, compensated, ...(compensated ? { weight: tuning.compensatedVoter.weight } : {}), ...(agrees ? { agrees } : {}) };
  }

  private adapt(channel: Channel, shareable: boolean): void {
    const spectrum = channel.lease!.decoder.spectrogram(channel.recordedAudio());
    const mean = speechCepstralMean(spectrum.data, spectrum.nfr, spectrum.nfeat);
    if (!mean) return;
    const quiet = this.noise === undefined;
    this.speaker.add(mean, quiet);
    if (shareable) this.recentCallers.add(mean, quiet);
  }

  /** Learns the caller's speech without the noise, from a compensated front end's raw audio. */
  private learnClean(channel: Channel, shareable: boolean): void {
    if (!this.noiseMel) return;
    const spectrum = channel.lease!.decoder.spectrogram(channel.recordedAudio());
    const clean = cleanSpeechMean(spectrum.data, spectrum.nfr, this.noiseMel);
    if (!clean) return;
    clean[0]! -= CLEAN_PAUSE_C0;
    this.speaker.addClean(clean);
    if (shareable) this.recentCallers.addClean(clean);
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.uncharge();
    this.onCancel();
    this.probe = undefined;
    for (const c of this.channels) {
      c.close();
      c.lease?.decoder.stop();
      c.release();
    }
  }
}
