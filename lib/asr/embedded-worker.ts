import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import type { QuestionGrammar } from "../bot/grammar";
import { CepstralPrior } from "./cepstral-mean";
import { EmbeddedRecognizer, SPEAKER_PRIOR_WEIGHT, type EmbeddedRecognizerOptions } from "./embedded";
import type { WorkerInbound, WorkerOutbound } from "./embedded-threads";
import type { RecognizerStream, SpeakerState } from "./types";

/**
 * Worker thread hosting an embedded recognizer (its own WASM instance and decoder pool), so
 * decoding never blocks the thread that paces calls' audio. Speaks the messages declared in
 * embedded-threads.ts.
 */
const port = parentPort!;
const data = workerData as { grammars: QuestionGrammar[]; options: Omit<EmbeddedRecognizerOptions, "grammars"> };
const recognizer = await EmbeddedRecognizer.create({ ...data.options, grammars: data.grammars });
const grammars = new Map(data.grammars.map((g) => [g.id, g]));
const streams = new Map<number, { stream: RecognizerStream; speaker: SpeakerState; partial: string }>();

const post = (m: WorkerOutbound) => port.postMessage(m);
let lastStats = "";
function postStats(): void {
  const stats = { ...recognizer.stats(), heapMb: Math.round(getHeapStatistics().used_heap_size / 104857.6) / 10 };
  const key = JSON.stringify(stats);
  if (key !== lastStats) {
    lastStats = key;
    post({ op: "stats", stats });
  }
}

port.on("message", (m: WorkerInbound) => {
  switch (m.op) {
    case "start": {
      const speaker: SpeakerState = { adaptation: CepstralPrior.from(m.speaker, SPEAKER_PRIOR_WEIGHT) };
      streams.set(m.id, { stream: recognizer.start(grammars.get(m.grammarId)!, speaker), speaker, partial: "" });
      postStats();
      return;
    }
    case "push": {
      const entry = streams.get(m.id);
      if (!entry) return;
      entry.stream.push(new Int16Array(m.samples));
      if (entry.stream.partial !== entry.partial) {
        entry.partial = entry.stream.partial;
        post({ op: "partial", id: m.id, text: entry.partial });
      }
      return;
    }
    case "finish": {
      const entry = streams.get(m.id);
      if (!entry) return;
      streams.delete(m.id);
      entry.stream.finish().then(
        (result) => {
          post({ op: "result", id: m.id, result });
          // Runs after the recognizer's own deferred adaptation and release.
          setImmediate(() => {
            post({ op: "speaker", id: m.id, speaker: (entry.speaker.adaptation as CepstralPrior).snapshot() });
            postStats();
          });
        },
        (err: unknown) => post({ op: "failed", id: m.id, message: (err as Error).message }),
      );
      postStats();
      return;
    }
    case "cancel": {
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
