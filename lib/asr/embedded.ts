import { int16ToFloat32 } from "../audio/pcm";
import type { QuestionGrammar } from "../bot/grammar";
import { DecoderPool, modelDir, type PooledDecoder } from "./decoder-pool";
import { writeDictionary } from "./dictionary";
import { ASR_SAMPLE_RATE_HZ, type RecognitionResult, type Recognizer, type RecognizerStream } from "./types";

/**
 * Out-of-grammar rejection. A grammar decoder always returns the closest sentence it knows, so
 * "the weather is lovely" would come back as "what is this call about". Each grammar therefore
 * competes with a garbage model: a loop over the 39 phones of the acoustic model. Speech that fits
 * the loop better than any sentence of the grammar decodes as garbage words and is rejected. The
 * weights penalize entering the loop and each extra phone; bench/understanding.ts measures both
 * in-grammar accuracy and rejection of out-of-domain sentences for a given setting.
 */
const PHONES = "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split(" ");
const GARBAGE_PREFIX = "gbg_";
const GARBAGE_WORDS: Record<string, string> = Object.fromEntries(PHONES.map((p) => [`${GARBAGE_PREFIX}${p.toLowerCase()}`, p]));

export interface EmbeddedRecognizerOptions {
  /** Every grammar the recognizer will be asked to use; their words form the dictionary. */
  grammars: Iterable<QuestionGrammar>;
  poolMinSize?: number;
  poolMaxSize?: number;
  /** Prior weight of the garbage branch against the grammar (1). Lower accepts more. */
  garbageWeight?: number;
  /** Weight of each further garbage phone against ending the loop (1). */
  garbageLoopWeight?: number;
  /**
   * Lowest word posterior accepted. The posteriors come from the lattice, where the garbage loop
   * competes with the grammar: when out-of-domain speech is forced onto grammar words, those
   * words share their probability with garbage paths and fall below this.
   */
  minConfidence?: number;
  /** Extra decoder settings (beams); see DEFAULT_DECODER_CONFIG. */
  decoderConfig?: Record<string, number | string | boolean>;
}

/**
 * Search beams. The library defaults (beam 1e-48, maxhmmpf 30000) are tuned for large
 * vocabularies; our grammars are small, and tighter beams cut decoding time several-fold at the
 * same accuracy (bench/understanding.ts measures both).
 */
export const DEFAULT_DECODER_CONFIG: Record<string, number> = {};

/** Rejection settings measured with bench/understanding.ts (see the README for the figures). */
export const DEFAULT_TUNING: Tuning = { garbageWeight: 1e-4, loopWeight: 1e-3, minConfidence: 0 };

function composeJsgf(grammar: QuestionGrammar, garbageWeight: number, loopWeight: number): string {
  return [
    "#JSGF V1.0;",
    "grammar utterance;",
    `public <utterance> = /1/ <answer> | /${garbageWeight}/ <garbage>;`,
    grammar.rules,
    `<garbage> = <phone> <garbage_tail>;`,
    `<garbage_tail> = /${loopWeight}/ <phone> <garbage_tail> | /1/ <NULL>;`,
    `<phone> = ${Object.keys(GARBAGE_WORDS).join(" | ")};`,
    "",
  ].join("\n");
}

/** Strips pronunciation-variant markers ("yes(2)"). */
const cleanWords = (text: string) => text.replace(/\(\d+\)/g, "").replace(/\s+/g, " ").trim();
const isGarbage = (text: string) => text.includes(GARBAGE_PREFIX);
/** Hesitations the grammars allow; they say nothing about whether the answer was heard right. */
const FILLERS = new Set(["um", "uh", "oh", "well", "so", "okay"]);

interface AlignmentWord {
  t: string;
  p: number;
}

interface Tuning {
  garbageWeight: number;
  loopWeight: number;
  minConfidence: number;
}

export class EmbeddedRecognizer implements Recognizer {
  readonly id = "embedded";

  private constructor(
    private readonly pool: DecoderPool,
    private readonly tuning: Tuning,
  ) {}

  static async create(options: EmbeddedRecognizerOptions): Promise<EmbeddedRecognizer> {
    const words = new Set<string>();
    for (const g of options.grammars) for (const w of g.words) words.add(w);
    const dictPath = writeDictionary(words, modelDir(), GARBAGE_WORDS);
    const pool = await DecoderPool.create({
      dictPath,
      minSize: options.poolMinSize ?? 2,
      maxSize: options.poolMaxSize ?? 16,
      config: { ...DEFAULT_DECODER_CONFIG, ...options.decoderConfig },
    });
    return new EmbeddedRecognizer(pool, {
      garbageWeight: options.garbageWeight ?? DEFAULT_TUNING.garbageWeight,
      loopWeight: options.garbageLoopWeight ?? DEFAULT_TUNING.loopWeight,
      minConfidence: options.minConfidence ?? DEFAULT_TUNING.minConfidence,
    });
  }

  get poolStats() {
    return this.pool.stats;
  }

  start(grammar: QuestionGrammar): RecognizerStream {
    const jsgf = composeJsgf(grammar, this.tuning.garbageWeight, this.tuning.loopWeight);
    return new EmbeddedStream(this.pool, grammar, jsgf, this.tuning.minConfidence);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

class EmbeddedStream implements RecognizerStream {
  private lease: PooledDecoder | undefined;
  /** Audio that arrived before a decoder was free; decoded as soon as one is. */
  private backlog: Float32Array[] = [];
  private withdraw: () => void;
  private samples = 0;
  private done = false;
  private hypothesis = "";
  private readonly ready: Promise<PooledDecoder>;

  constructor(
    private readonly pool: DecoderPool,
    private readonly grammar: QuestionGrammar,
    private readonly jsgf: string,
    private readonly minConfidence: number,
  ) {
    let resolveReady!: (d: PooledDecoder) => void;
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    this.withdraw = pool.request((d) => {
      this.begin(d);
      resolveReady(d);
    });
  }

  private begin(lease: PooledDecoder): void {
    if (this.done) {
      this.pool.release(lease);
      return;
    }
    this.lease = lease;
    if (lease.grammarId !== this.grammar.id) {
      lease.decoder.set_grammar(this.jsgf);
      lease.grammarId = this.grammar.id;
    }
    lease.decoder.start();
    for (const chunk of this.backlog.splice(0)) lease.decoder.process_audio(chunk);
    this.updatePartial();
  }

  push(samples: Int16Array): void {
    if (this.done || samples.length === 0) return;
    this.samples += samples.length;
    const audio = int16ToFloat32(samples);
    if (!this.lease) {
      this.backlog.push(audio);
      return;
    }
    this.lease.decoder.process_audio(audio);
    this.updatePartial();
  }

  private updatePartial(): void {
    const text = cleanWords(this.lease!.decoder.get_text());
    this.hypothesis = isGarbage(text) ? "" : text;
  }

  get partial(): string {
    return this.hypothesis;
  }

  async finish(): Promise<RecognitionResult> {
    const started = performance.now();
    const lease = this.lease ?? (await this.ready);
    this.done = true;
    const { decoder } = lease;
    decoder.stop();
    const text = cleanWords(decoder.get_text());
    let confidence = 0;
    if (text && !isGarbage(text)) {
      const words = ((decoder.get_alignment().w ?? []) as AlignmentWord[]).filter((w) => !w.t.startsWith("<") && !w.t.startsWith("(") && !FILLERS.has(cleanWords(w.t)));
      confidence = words.length ? Math.min(...words.map((w) => w.p)) : 0;
    }
    this.lease = undefined;
    this.pool.release(lease);
    const rejected = text === "" || isGarbage(text) || confidence < this.minConfidence;
    return {
      text: rejected ? "" : text,
      confidence,
      rejected,
      audioMs: (this.samples / ASR_SAMPLE_RATE_HZ) * 1000,
      finalizeMs: performance.now() - started,
      provider: "embedded",
    };
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.withdraw();
    this.backlog = [];
    if (this.lease) {
      this.lease.decoder.stop();
      this.pool.release(this.lease);
      this.lease = undefined;
    }
  }
}
