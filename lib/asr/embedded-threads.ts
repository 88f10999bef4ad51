import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { QuestionGrammar } from "../bot/grammar";
import type { CepstralPriorSnapshot } from "./cepstral-mean";
import { concatInt16 } from "../audio/pcm";
import { DEFAULT_TUNING, lineIsNoisy, mergeParts, NOISE_PROBE_SAMPLES, type EmbeddedRecognizerOptions, type FrontEndPart } from "./embedded";
import type { RecognitionResult, Recognizer, RecognizerStartOptions, RecognizerStream, SpeakerState } from "./types";

/**
 * The embedded recognizer on worker threads. Decoding costs ~15–20 % of real time per utterance;
 * on the thread that also paces every call's audio, a burst of utterances would stall pacing and
 * end-of-turn decisions for all calls. Each worker owns a WASM instance and a decoder pool; an
 * utterance goes to the worker with the fewest utterances in flight. A worker behind real time
 * decodes finished and paused utterances first (decode-queue.ts).
 *
 * A noisy line's utterance is decoded several ways (the ensemble, ~130 % of one core's real time
 * for a number question: more than one thread keeps up with), so it is spread over two threads:
 * one decodes the lead front ends, another the rest (FrontEndPart), and the answer is voted here
 * over both parts' decodes, as one thread would have voted.
 */

export type WorkerInbound =
  | { op: "start"; id: number; grammarId: string; speaker: CepstralPriorSnapshot; options: RecognizerStartOptions; part: FrontEndPart }
  | { op: "push"; id: number; samples: ArrayBuffer }
  | { op: "paused"; id: number; paused: boolean }
  | { op: "finish"; id: number }
  | { op: "cancel"; id: number };

export type WorkerOutbound =
  | { op: "ready" }
  | { op: "stats"; stats: Record<string, number> }
  | { op: "partial"; id: number; text: string }
  | { op: "result"; id: number; result: RecognitionResult }
  | { op: "speaker"; id: number; speaker: CepstralPriorSnapshot }
  | { op: "failed"; id: number; message: string };

export interface ThreadedOptions extends Omit<EmbeddedRecognizerOptions, "grammars"> {
  threads: number;
  /** How long a noisy line's answer waits for the rest of its front ends (default REST_GRACE_MS). */
  restGraceMs?: number;
}

interface Pending {
  stream: ThreadStream;
  speaker: SpeakerState;
}

class RecognizerThread {
  readonly pending = new Map<number, Pending>();
  stats: Record<string, number> = {};
  private worker!: Worker;
  private ready!: Promise<void>;
  private closing = false;

  constructor(
    private readonly grammars: QuestionGrammar[],
    private readonly options: Omit<EmbeddedRecognizerOptions, "grammars">,
    private readonly log: Logger | undefined,
  ) {
    this.spawn();
  }

  private spawn(): void {
    this.worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { grammars: this.grammars, options: this.options } });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: WorkerOutbound) => {
        if (m.op === "ready") {
          this.worker.off("error", reject);
          resolve();
        }
      };
      this.worker.on("message", onMessage);
      this.worker.once("error", reject);
    });
    this.worker.on("message", (m: WorkerOutbound) => this.onMessage(m));
    this.worker.on("error", (err) => this.log?.error({ err, code: "asr_worker_failed" }, "recognizer thread failed"));
    this.worker.on("exit", (code) => {
      // Utterances in flight on a dead thread fail (the session reprompts); new ones get a new thread.
      for (const p of this.pending.values()) p.stream.fail(new Error(`recognizer thread exited with ${code}`));
      this.pending.clear();
      if (!this.closing) {
        this.log?.error({ code: "asr_worker_exited", exitCode: code }, "recognizer thread exited; restarting it");
        this.spawn();
      }
    });
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  send(m: WorkerInbound, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private onMessage(m: WorkerOutbound): void {
    if (m.op === "ready") return;
    if (m.op === "stats") {
      this.stats = m.stats;
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.op) {
      case "partial":
        p.stream.partialText = m.text;
        return;
      case "result":
        p.stream.resolve(m.result);
        return;
      case "speaker":
        p.speaker.adaptation = m.speaker;
        this.pending.delete(m.id);
        return;
      case "failed":
        p.stream.fail(new Error(m.message));
        this.pending.delete(m.id);
        return;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}

/**
 * The worker is TypeScript like the rest of the server, but on Node 20 tsx's loader hooks do not
 * reach worker threads (neither inherited nor through --import); its programmatic import does.
 */
const WORKER_BOOTSTRAP = (() => {
  const entry = new URL("./embedded-worker.ts", import.meta.url).href;
  const tsxApi = import.meta.resolve("tsx/esm/api");
  return `const { tsImport } = await import(${JSON.stringify(tsxApi)}); await tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)});`;
})();

let nextId = 1;

/** One stream on one thread: an utterance, or one part of its front ends. */
class ThreadStream implements RecognizerStream {
  partialText = "";
  private readonly result: Promise<RecognitionResult>;
  private settle!: { resolve: (r: RecognitionResult) => void; reject: (e: Error) => void };
  private done = false;
  private finishedAt = 0;
  private isPaused = false;

  constructor(
    private readonly thread: RecognizerThread,
    readonly id: number,
  ) {
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    // A failure nobody awaits (a cancelled utterance) must not surface as an unhandled rejection.
    this.result.catch(() => {});
  }

  get partial(): string {
    return this.partialText;
  }

  push(samples: Int16Array): void {
    if (this.done || samples.length === 0) return;
    const copy = samples.slice();
    this.thread.send({ op: "push", id: this.id, samples: copy.buffer }, [copy.buffer]);
  }

  paused(paused: boolean): void {
    if (this.done || paused === this.isPaused) return;
    this.isPaused = paused;
    this.thread.send({ op: "paused", id: this.id, paused });
  }

  finish(): Promise<RecognitionResult> {
    if (!this.done) {
      this.done = true;
      this.finishedAt = performance.now();
      this.thread.send({ op: "finish", id: this.id });
    }
    return this.result;
  }

  resolve(r: RecognitionResult): void {
    // finalizeMs as the caller of finish() sees it: including the hop to the thread and back.
    this.settle.resolve({ ...r, finalizeMs: performance.now() - this.finishedAt });
  }

  fail(err: Error): void {
    this.settle.reject(err);
  }

  cancel(): void {
    if (this.done) return;
    this.done = true;
    this.thread.pending.delete(this.id);
    this.thread.send({ op: "cancel", id: this.id });
  }
}

/**
 * How long a noisy line's answer waits for the rest of its front ends once the lead's decodes are
 * in. The rest's thread decodes a finished utterance before anything else, so it is later than
 * this only when that thread is far behind; then the lead's own vote answers instead.
 */
export const REST_GRACE_MS = 100;

/**
 * An utterance that may be spread over two threads: the lead part from the first audio, and,
 * once its start shows the line noisy (judged here as the lead's thread judges it, on the same
 * samples), the rest on another thread, fed the same audio from the start.
 */
class SplitStream implements RecognizerStream {
  private probe: Int16Array[] | undefined = [];
  private probeSamples = 0;
  private rest: ThreadStream | undefined;
  private isPaused = false;
  private finishing: Promise<RecognitionResult> | undefined;

  constructor(
    private readonly lead: ThreadStream,
    private readonly startRest: () => ThreadStream,
    private readonly noisyAboveDbfs: number,
    private readonly restGraceMs: number,
  ) {}

  get partial(): string {
    return this.lead.partial;
  }

  push(samples: Int16Array): void {
    if (this.finishing || samples.length === 0) return;
    this.lead.push(samples);
    if (this.rest) this.rest.push(samples);
    else if (this.probe) {
      this.probe.push(samples.slice());
      this.probeSamples += samples.length;
      if (this.probeSamples >= NOISE_PROBE_SAMPLES) this.decide();
    }
  }

  private decide(): void {
    const held = this.probe!;
    this.probe = undefined;
    if (!lineIsNoisy(concatInt16(held), this.noisyAboveDbfs)) return;
    this.rest = this.startRest();
    for (const chunk of held) this.rest.push(chunk);
    if (this.isPaused) this.rest.paused(true);
  }

  paused(paused: boolean): void {
    this.isPaused = paused;
    this.lead.paused(paused);
    this.rest?.paused(paused);
  }

  finish(): Promise<RecognitionResult> {
    this.probe = undefined;
    this.finishing ??= this.finishBoth(performance.now());
    return this.finishing;
  }

  private async finishBoth(finishedAt: number): Promise<RecognitionResult> {
    const rest = this.rest?.finish().catch(() => undefined);
    const lead = await this.lead.finish();
    if (!rest) return lead;
    let late!: () => void;
    const grace = new Promise<undefined>((resolve) => (late = () => resolve(undefined)));
    const timer = setTimeout(late, this.restGraceMs);
    const more = await Promise.race([rest, grace]);
    clearTimeout(timer);
    return more ? mergeParts(lead, more, performance.now() - finishedAt) : lead;
  }

  cancel(): void {
    this.probe = undefined;
    this.lead.cancel();
    this.rest?.cancel();
  }
}

export class ThreadedEmbeddedRecognizer implements Recognizer {
  readonly id = "embedded";

  private constructor(
    private readonly threads: RecognizerThread[],
    /** Whether a noisy line's front ends are spread over two threads (see SplitStream). */
    private readonly split: boolean,
    private readonly noisyAboveDbfs: number,
    private readonly restGraceMs: number,
  ) {}

  static async create(grammars: Iterable<QuestionGrammar>, options: ThreadedOptions, log?: Logger): Promise<ThreadedEmbeddedRecognizer> {
    const { threads: count, restGraceMs = REST_GRACE_MS, ...rest } = options;
    const list = [...grammars];
    const threads = Array.from({ length: Math.max(1, count) }, () => new RecognizerThread(list, rest, log));
    await Promise.all(threads.map((t) => t.whenReady()));
    const ensemble = (options.denoise ?? DEFAULT_TUNING.denoise) && (options.noisyLineEnsemble ?? DEFAULT_TUNING.noisyLineEnsemble);
    return new ThreadedEmbeddedRecognizer(threads, ensemble && threads.length > 1, options.noisyAboveDbfs ?? DEFAULT_TUNING.noisyAboveDbfs, restGraceMs);
  }

  start(grammar: QuestionGrammar, speaker: SpeakerState = {}, options: RecognizerStartOptions = {}): RecognizerStream {
    const snapshot = (speaker.adaptation as CepstralPriorSnapshot | undefined) ?? { mean: null, weight: 0 };
    const leadThread = this.leastBusy();
    const open = (thread: RecognizerThread, part: FrontEndPart, owner: SpeakerState) => {
      const stream = new ThreadStream(thread, nextId++);
      thread.pending.set(stream.id, { stream, speaker: owner });
      thread.send({ op: "start", id: stream.id, grammarId: grammar.id, speaker: snapshot, options: { inputSampleRateHz: options.inputSampleRateHz }, part });
      return stream;
    };
    if (!this.split) return open(leadThread, "all", speaker);
    // The rest learns nothing about the caller, so what its thread reports is dropped.
    return new SplitStream(open(leadThread, "lead", speaker), () => open(this.leastBusy(leadThread), "rest", {}), this.noisyAboveDbfs, this.restGraceMs);
  }

  /** The thread with the fewest utterances in flight, other than `besides`. */
  private leastBusy(besides?: RecognizerThread): RecognizerThread {
    const candidates = this.threads.filter((t) => t !== besides);
    return candidates.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  /** Utterances (or parts of one) in flight on each thread, in thread order. */
  inFlight(): number[] {
    return this.threads.map((t) => t.pending.size);
  }

  stats(): Record<string, number> {
    const total: Record<string, number> = { threads: this.threads.length };
    for (const t of this.threads) for (const [k, v] of Object.entries(t.stats)) total[k] = (total[k] ?? 0) + v;
    return total;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
