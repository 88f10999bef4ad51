import { createRequire } from "node:module";
import path from "node:path";
import createModule, { type Decoder, type SoundSwallowerModule } from "soundswallower";

export interface DecoderPoolOptions {
  /** Dictionary file holding every word the grammars use (see dictionary.ts). */
  dictPath: string;
  /** Decoders created up front. */
  minSize: number;
  /** Decoders never exceed this; further utterances wait (their audio is buffered, then caught up). */
  maxSize: number;
  /** Extra decoder configuration (beams, weights). */
  config?: Record<string, string | number | boolean>;
}

export interface PooledDecoder {
  decoder: Decoder;
  /** Grammar currently loaded, so reloading the same grammar is skipped. */
  grammarId: string | undefined;
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

  static async create(options: DecoderPoolOptions): Promise<DecoderPool> {
    const dir = modelDir();
    const module = await createModule({
      modelBase: `${path.dirname(dir)}/`,
      // The engine logs through these; errors it reports are surfaced by our own checks instead.
      print: () => {},
      printErr: () => {},
    } as Partial<SoundSwallowerModule>);
    const pool = new DecoderPool(module, options);
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

  private async createDecoder(): Promise<PooledDecoder> {
    const decoder = new this.module.Decoder({
      loglevel: "FATAL",
      samprate: 16000,
      dict: this.options.dictPath,
      ...this.options.config,
    });
    await decoder.initialize();
    this.created++;
    return { decoder, grammarId: undefined };
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
   * `reinitialize_audio()` without its file read, synchronous and about 0.2 ms.
   */
  prepare(d: PooledDecoder, cmnInit: string): void {
    d.decoder.set_config("cmninit", cmnInit);
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
