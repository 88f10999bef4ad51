import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import createModule, { type Decoder, type SoundSwallowerModule } from "soundswallower";
import type { WordAutomaton } from "./fsg";
import { MeansCompensator, parseS3Means } from "./noise-compensation";

export interface DecoderPoolOptions {
  /** Dictionary file holding every word the grammars use (see dictionary.ts). */
  dictPath: string;
  /** Decoders created up front. */
  minSize: number;
  /** Decoders never exceed this; further utterances wait (their audio is buffered, then caught up). */
  maxSize: number;
  /** Extra decoder configuration (beams, weights). */
  config?: Record<string, string | number | boolean>;
  /** Make decoders' means replaceable (see `compensate`); costs a scan of the WASM heap per decoder created. */
  noiseCompensation?: boolean;
}

export interface PooledDecoder {
  decoder: Decoder;
  /** Grammar currently loaded, so reloading the same grammar is skipped. */
  grammarId: string | undefined;
  /** Where this decoder's Gaussian means live in the WASM heap (a float index); undefined if not found. */
  meansAt: number | undefined;
  /** Its means are compensated for noise (see `compensate`), not the model's own. */
  compensated: boolean;
}

/** The engine's C functions for building a grammar automaton (exported by soundswallower 0.6.3, not typed). */
interface NativeFsg {
  HEAPU8: Uint8Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _decoder_logmath(decoder: number): number;
  _logmath_log(lmath: number, p: number): number;
  _fsg_model_init(name: number, lmath: number, lw: number, states: number): number;
  _fsg_model_word_add(fsg: number, word: number): number;
  _fsg_model_trans_add(fsg: number, from: number, to: number, logp: number, wid: number): void;
  _fsg_model_null_trans_add(fsg: number, from: number, to: number, logp: number): number;
  _fsg_set_states(fsg: number, start: number, final: number): void;
  _decoder_set_fsg(decoder: number, fsg: number): number;
}

export function modelDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("soundswallower")), "model", "en-us");
}

/**
 * Decoders are expensive (~11 MB, ~20 ms to create) and an utterance needs one only while the
 * caller speaks, so calls lease one per utterance. All decoders share one WASM instance.
 */
export class DecoderPool {
  private readonly idle: PooledDecoder[] = [];
  private readonly waiting: Array<(d: PooledDecoder) => void> = [];
  private created = 0;
  private creating = 0;
  private closed = false;

  private constructor(
    private readonly module: SoundSwallowerModule,
    private readonly options: DecoderPoolOptions,
  ) {}

  /** The model's own starting cepstral mean, for callers nothing is known about yet. */
  defaultCmnInit = "40,3,-1";
  /** Moves the model's means into a caller's noise; undefined when the model's means cannot be used so. */
  compensator: MeansCompensator | undefined;
  /** Where decoders' means are, so a new decoder's are told from theirs. */
  private readonly claimedMeans = new Set<number>();
  private scratchMeans: Float32Array | undefined;

  static async create(options: DecoderPoolOptions): Promise<DecoderPool> {
    const dir = modelDir();
    const module = await createModule({
      modelBase: `${path.dirname(dir)}/`,
      // The engine logs through these; errors it reports are surfaced by our own checks instead.
      print: () => {},
      printErr: () => {},
    } as Partial<SoundSwallowerModule>);
    const pool = new DecoderPool(module, options);
    if (options.noiseCompensation) {
      try {
        const filters = Number(JSON.parse(readFileSync(path.join(dir, "feat_params.json"), "utf8")).nfilt);
        pool.compensator = new MeansCompensator(parseS3Means(readFileSync(path.join(dir, "means"))), filters);
      } catch {
        // A model whose means this cannot read or move: noisy lines go without the compensated front end.
        pool.compensator = undefined;
      }
    }
    for (let i = 0; i < options.minSize; i++) pool.idle.push(await pool.createDecoder());
    const first = pool.idle[0]?.decoder;
    if (first) pool.defaultCmnInit = String(first.get_config("cmninit"));
    return pool;
  }

  get stats() {
    return {
      size: this.created,
      idle: this.idle.length,
      busy: this.created - this.idle.length,
      waiting: this.waiting.length,
      wasmMb: Math.round((this.module.HEAPU8.length / 1048576) * 10) / 10,
    };
  }

  /** Decoders are created one at a time, so each new one's means are told from the others' (see findMeans). */
  private creation: Promise<unknown> = Promise.resolve();

  private createDecoder(): Promise<PooledDecoder> {
    const next = this.creation.then(() => this.createNow());
    this.creation = next.catch(() => {});
    return next;
  }

  private async createNow(): Promise<PooledDecoder> {
    const decoder = new this.module.Decoder({
      loglevel: "FATAL",
      samprate: 16000,
      dict: this.options.dictPath,
      ...this.options.config,
    });
    await decoder.initialize();
    this.created++;
    return { decoder, grammarId: undefined, meansAt: this.findMeans(), compensated: false };
  }

  /**
   * The WASM heap holds a decoder's means as one float block in file order (gauden's buffer),
   * which its mixture scoring reads on every frame, so they can be swapped in place. A new
   * decoder's block is the one matching the model's means that no other decoder owns and that a
   * pointer refers to (a freed copy of the file, left behind by loading it, has none).
   */
  private findMeans(): number | undefined {
    const original = this.compensator?.means.data;
    if (!original) return undefined;
    const heap = new Uint32Array(this.module.HEAPU8.buffer);
    const want = new Uint32Array(original.buffer, original.byteOffset, original.length);
    for (let at = heap.indexOf(want[0]!); at >= 0; at = heap.indexOf(want[0]!, at + 1)) {
      if (this.claimedMeans.has(at) || at + want.length > heap.length) continue;
      let same = true;
      for (let k = 0; k < want.length && same; k += 61) same = heap[at + k] === want[k];
      if (!same || heap[at + want.length - 1] !== want[want.length - 1] || heap.indexOf(at * 4) < 0) continue;
      this.claimedMeans.add(at);
      return at;
    }
    return undefined;
  }

  /**
   * Moves a leased decoder's means into a noise for one utterance (see MeansCompensator; the
   * next `prepare` puts the model's own back). Prepare it with `removeNoise` false first. False
   * when this decoder's means were not found (then it decodes with the model's own).
   */
  compensate(d: PooledDecoder, noise: ArrayLike<number>, cleanMean: ArrayLike<number>, cmn: ArrayLike<number>): boolean {
    if (d.meansAt === undefined || !this.compensator) return false;
    this.scratchMeans ??= new Float32Array(this.compensator.means.data.length);
    this.compensator.compensate(noise, cleanMean, cmn, this.scratchMeans);
    new Float32Array(this.module.HEAPU8.buffer).set(this.scratchMeans, d.meansAt);
    d.compensated = true;
    return true;
  }

  /** A decoder now, or undefined when all are busy (then use `wait`). */
  tryAcquire(): PooledDecoder | undefined {
    if (this.closed) return undefined;
    const d = this.idle.pop();
    if (!d && this.created + this.creating < this.options.maxSize) this.grow();
    return d;
  }

  /**
   * Calls `onDecoder` with a decoder as soon as one is free (synchronously if one is idle).
   * Returns a function that withdraws the request if it has not been served yet.
   */
  request(onDecoder: (d: PooledDecoder) => void): () => void {
    const now = this.tryAcquire();
    if (now) {
      onDecoder(now);
      return () => {};
    }
    this.waiting.push(onDecoder);
    return () => {
      const i = this.waiting.indexOf(onDecoder);
      if (i >= 0) this.waiting.splice(i, 1);
    };
  }

  release(d: PooledDecoder): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next(d);
    else this.idle.push(d);
  }

  /**
   * Gives a leased decoder a fresh front end whose cepstral mean starts at `cmnInit`. Live
   * cepstral mean normalization adapts to each utterance and carries over to the next: without
   * this, a loud or noisy caller degrades recognition for whoever gets the decoder next ("thirty
   * thousand" heard as "thirteen thousand" after a burst of noise). This is
   * `reinitialize_audio()` without its file read, synchronous and about 0.2 ms. `removeNoise`
   * turns the front end's own noise removal (spectral subtraction) on or off; a compensated
   * model expects the noise to be there. Means compensated for the last utterance are restored.
   */
  prepare(d: PooledDecoder, cmnInit: string, removeNoise = true): void {
    if (d.compensated && d.meansAt !== undefined && this.compensator) {
      new Float32Array(this.module.HEAPU8.buffer).set(this.compensator.means.data, d.meansAt);
      d.compensated = false;
    }
    d.decoder.set_config("cmninit", cmnInit);
    d.decoder.set_config("remove_noise", removeNoise ? 1 : 0);
    const m = this.module as unknown as {
      _decoder_init_fe(d: number): number;
      _decoder_init_feat_s3file(d: number, lda: number): number;
      _acmod_reinit_feat(acmod: number, fe: number, fcb: number): number;
    };
    const native = d.decoder as unknown as { cdecoder: number; cacmod: number };
    const fe = m._decoder_init_fe(native.cdecoder);
    const fcb = m._decoder_init_feat_s3file(native.cdecoder, 0);
    if (fe === 0 || fcb === 0 || m._acmod_reinit_feat(native.cacmod, fe, fcb) < 0) {
      throw new Error("could not reset the decoder's audio front end");
    }
  }

  /**
   * Loads a compiled grammar (fsg.ts) into a leased decoder, in place of `set_grammar`'s own JSGF
   * compiler: the decoder gets the automaton's states and transitions as they are. Log priors go
   * in on the decoder's log scale, as its JSGF compiler puts them (no language weight applied here).
   */
  setGrammar(d: PooledDecoder, grammar: WordAutomaton, id: string): void {
    const m = this.module as unknown as NativeFsg;
    const native = d.decoder as unknown as { cdecoder: number };
    const lmath = m._decoder_logmath(native.cdecoder);
    const withString = <T>(text: string, use: (ptr: number) => T): T => {
      const bytes = new TextEncoder().encode(`${text}\0`);
      const ptr = m._malloc(bytes.length);
      m.HEAPU8.set(bytes, ptr);
      try {
        return use(ptr);
      } finally {
        m._free(ptr);
      }
    };
    const fsg = withString(id, (name) => m._fsg_model_init(name, lmath, Number(d.decoder.get_config("lw")), grammar.states));
    if (fsg === 0) throw new Error("could not create the grammar's automaton");
    const wids = new Map<string, number>();
    for (const word of grammar.words) wids.set(word, withString(word, (w) => m._fsg_model_word_add(fsg, w)));
    for (const arc of grammar.arcs) {
      const logp = m._logmath_log(lmath, Math.exp(arc.logProb));
      if (arc.word === null) m._fsg_model_null_trans_add(fsg, arc.from, arc.to, logp);
      else m._fsg_model_trans_add(fsg, arc.from, arc.to, logp, wids.get(arc.word)!);
    }
    m._fsg_set_states(fsg, grammar.start, grammar.final);
    if (m._decoder_set_fsg(native.cdecoder, fsg) < 0) throw new Error("the decoder refused the grammar's automaton");
    d.grammarId = id;
  }

  private grow(): void {
    this.creating++;
    this.createDecoder()
      .then((d) => this.release(d))
      .catch(() => {})
      .finally(() => this.creating--);
  }

  /**
   * Stops handing out decoders. They are not `delete()`d: soundswallower 0.6.3 sometimes faults
   * ("memory access out of bounds") freeing a decoder, and closing happens at shutdown, when the
   * process frees the WASM memory anyway.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.idle.splice(0);
  }
}
