import { concatInt16 } from "../audio/pcm";

/**
 * The order in which a recognizer thread decodes its utterances' audio when it is behind.
 *
 * A thread decodes for many calls. When a burst of callers speak at once it falls behind real
 * time, and decoding in arrival order makes every utterance wait for the whole backlog: the
 * caller who has just stopped talking waits behind the audio of callers still mid-sentence, whose
 * results nobody needs yet. So audio is queued per utterance and decoded by need:
 *
 * 1. utterances whose turn has ended (`finish`), in the order they ended: a caller waits on them;
 * 2. utterances whose caller has paused: the end of turn is decided on their partial hypothesis,
 *    which must catch up with the pause to end the turn on the short window;
 * 3. the rest, oldest queued audio first.
 *
 * The work is the same, only who waits for it changes: callers mid-sentence, whose audio is
 * caught up before their own turn ends.
 */

/** At most this much of one utterance's queued audio is decoded before others get a turn (16 kHz). */
export const SLICE_MAX_SAMPLES = 8000;

interface Queued {
  chunks: Int16Array[];
  samples: number;
  /** Arrival order of the oldest queued chunk (0 when nothing is queued). */
  since: number;
  paused: boolean;
  /** Order in which the turn ended, once it has. */
  finishedAt?: number;
}

export interface DecodeJob<K> {
  id: K;
  /** Audio to decode now (several queued chunks joined), if any is queued. */
  audio?: Int16Array;
  /** The utterance has ended and all its audio is in `audio`: finish it after decoding. */
  finish: boolean;
}

export class DecodeQueue<K> {
  private readonly entries = new Map<K, Queued>();
  private order = 0;

  add(id: K): void {
    this.entries.set(id, { chunks: [], samples: 0, since: 0, paused: false });
  }

  push(id: K, samples: Int16Array): void {
    const e = this.entries.get(id);
    if (!e || e.finishedAt !== undefined || samples.length === 0) return;
    if (e.chunks.length === 0) e.since = ++this.order;
    e.chunks.push(samples);
    e.samples += samples.length;
  }

  setPaused(id: K, paused: boolean): void {
    const e = this.entries.get(id);
    if (e) e.paused = paused;
  }

  finish(id: K): void {
    const e = this.entries.get(id);
    if (e && e.finishedAt === undefined) e.finishedAt = ++this.order;
  }

  /** Forgets an utterance (cancelled, or handed out finished). */
  remove(id: K): void {
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Audio queued across all utterances, in samples. */
  get queuedSamples(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.samples;
    return n;
  }

  /** The next piece of work, or undefined when every utterance is caught up. */
  next(): DecodeJob<K> | undefined {
    let best: [K, Queued] | undefined;
    let bestRank = Infinity;
    let bestKey = Infinity;
    for (const entry of this.entries) {
      const e = entry[1];
      const rank = e.finishedAt !== undefined ? 0 : e.samples === 0 ? Infinity : e.paused ? 1 : 2;
      if (rank === Infinity) continue;
      const key = rank === 0 ? e.finishedAt! : e.since;
      if (rank < bestRank || (rank === bestRank && key < bestKey)) {
        best = entry;
        bestRank = rank;
        bestKey = key;
      }
    }
    if (!best) return undefined;
    const [id, e] = best;
    if (e.finishedAt !== undefined) {
      this.entries.delete(id);
      return e.samples > 0 ? { id, audio: join(e.chunks), finish: true } : { id, finish: true };
    }
    return { id, audio: this.take(e), finish: false };
  }

  private take(e: Queued): Int16Array {
    let n = 0;
    let count = 0;
    while (count < e.chunks.length && (count === 0 || n + e.chunks[count]!.length <= SLICE_MAX_SAMPLES)) n += e.chunks[count++]!.length;
    const taken = e.chunks.splice(0, count);
    e.samples -= n;
    // What is left keeps its place: its audio arrived no later than anything queued after it.
    if (e.chunks.length === 0) e.since = 0;
    return join(taken);
  }
}

/** One chunk as it is (the usual case when the thread keeps up), several joined. */
const join = (chunks: Int16Array[]) => (chunks.length === 1 ? chunks[0]! : concatInt16(chunks));
