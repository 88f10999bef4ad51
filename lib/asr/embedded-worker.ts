import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import type { QuestionGrammar } from "../bot/grammar";
import { CepstralPrior } from "./cepstral-mean";
import { DecodeQueue } from "./decode-queue";
import { EmbeddedRecognizer, SPEAKER_PRIOR_WEIGHT, type EmbeddedRecognizerOptions } from "./embedded";
import type { WorkerInbound, WorkerOutbound } from "./embedded-threads";
import { ASR_SAMPLE_RATE_HZ, type RecognizerStream, type SpeakerState } from "./types";

/**
 * Worker thread hosting an embedded recognizer (its own WASM instance and decoder pool), so
 * decoding never blocks the thread that paces calls' audio. Speaks the messages declared in
 * embedded-threads.ts. Audio is queued on arrival and decoded in the order DecodeQueue gives, so
 * when the thread is behind, the callers waiting on a result are served first.
 */
const port = parentPort!;
const data = workerData as { grammars: QuestionGrammar[]; options: Omit<EmbeddedRecognizerOptions, "grammars"> };
const queue = new DecodeQueue<number>();
// How far behind this thread is: a noisy line's utterance starting then gets fewer front ends.
const backlogMs = () => queue.queuedSamples / (ASR_SAMPLE_RATE_HZ / 1000);
const recognizer = await EmbeddedRecognizer.create({ ...data.options, grammars: data.grammars, backlogMs });
const grammars = new Map(data.grammars.map((g) => [g.id, g]));
const streams = new Map<number, { stream: RecognizerStream; speaker: SpeakerState; partial: string }>();

let scheduled = false;
const post = (m: WorkerOutbound) => port.postMessage(m);
let lastStats = "";
function postStats(): void {
  const stats = { ...recognizer.stats(), queuedMs: Math.round(backlogMs()), heapMb: Math.round(getHeapStatistics().used_heap_size / 104857.6) / 10 };
  const key = JSON.stringify(stats);
  if (key !== lastStats) {
    lastStats = key;
    post({ op: "stats", stats });
  }
}

/** Decodes one piece of queued work, then yields so arriving messages (a finish, a pause) reorder the rest. */
function decodeNext(): void {
  scheduled = false;
  const job = queue.next();
  if (!job) return;
  const entry = streams.get(job.id);
  if (entry) {
    if (job.audio) {
      entry.stream.push(job.audio);
      postPartial(job.id, entry);
    }
    if (job.finish) finish(job.id, entry);
  }
  schedule();
}

function postPartial(id: number, entry: { stream: RecognizerStream; partial: string }): void {
  if (entry.stream.partial === entry.partial) return;
  entry.partial = entry.stream.partial;
  post({ op: "partial", id, text: entry.partial });
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(decodeNext);
}

function finish(id: number, entry: { stream: RecognizerStream; speaker: SpeakerState }): void {
  streams.delete(id);
  entry.stream.finish().then(
    (result) => {
      post({ op: "result", id, result });
      // Runs after the recognizer's own deferred adaptation and release.
      setImmediate(() => {
        post({ op: "speaker", id, speaker: (entry.speaker.adaptation as CepstralPrior).snapshot() });
        postStats();
      });
    },
    (err: unknown) => post({ op: "failed", id, message: (err as Error).message }),
  );
  postStats();
}

port.on("message", (m: WorkerInbound) => {
  switch (m.op) {
    case "start": {
      const speaker: SpeakerState = { adaptation: CepstralPrior.from(m.speaker, SPEAKER_PRIOR_WEIGHT) };
      streams.set(m.id, { stream: recognizer.start(grammars.get(m.grammarId)!, speaker, m.options, m.part), speaker, partial: "" });
      queue.add(m.id);
      postStats();
      return;
    }
    case "push":
      queue.push(m.id, new Int16Array(m.samples));
      schedule();
      return;
    case "paused": {
      queue.setPaused(m.id, m.paused);
      // The stream refreshes its partial from here on after every chunk (and now, for audio
      // already decoded), since the end of turn is decided on it.
      const entry = streams.get(m.id);
      if (entry) {
        entry.stream.paused?.(m.paused);
        postPartial(m.id, entry);
      }
      return;
    }
    case "finish":
      queue.finish(m.id);
      schedule();
      return;
    case "cancel": {
      queue.remove(m.id);
      streams.get(m.id)?.stream.cancel();
      streams.delete(m.id);
      postStats();
      return;
    }
  }
});

setInterval(postStats, 500).unref();
post({ op: "ready" });
postStats();
