import { concatInt16, silence } from "../lib/audio/pcm";
import { EmbeddedRecognizer } from "../lib/asr/embedded";
import { buildFlowGrammars } from "../lib/bot/grammar";
import { loadFlows } from "../lib/bot/flows";
import { fliteSynthesize } from "../lib/tts/flite";

/**
 * How fast this machine decodes right now: the CPU the embedded recognizer (as the server runs
 * it, RNNoise on) takes for a fixed set of answers to the salary question, as a share of their
 * audio. On this shared 2-core machine the same code measured anywhere from 23.5 to 37.2 %
 * within half an hour (2026-12-03), and the decoding CPU is what a 50-caller run runs out of, so
 * the calls bench prints it, taken just before and just after the calls: a slow run on a slow
 * machine is told from a slow commit.
 */
const TEXTS = ["about thirty thousand", "yes I am", "fifteen thousand dollars", "in two months", "what is this call about"];

export async function referenceDecodePct(): Promise<number> {
  const flow = loadFlows("flows").get("quickrupee")!;
  const grammars = buildFlowGrammars(flow);
  const grammar = grammars.get("salary")!;
  const audio = TEXTS.map((t) => concatInt16([silence(300, 16000), fliteSynthesize(t, "awb"), silence(300, 16000)]));
  const recognizer = await EmbeddedRecognizer.create({ grammars: grammars.values(), poolMinSize: 1, poolMaxSize: 1, denoise: true });
  try {
    let cpuMs = 0;
    let audioMs = 0;
    // The first round warms the engine up; the second is measured.
    for (const measured of [false, true]) {
      for (const a of audio) {
        const before = process.cpuUsage();
        const stream = recognizer.start(grammar);
        for (let i = 0; i < a.length; i += 320) stream.push(a.subarray(i, i + 320));
        await stream.finish();
        const used = process.cpuUsage(before);
        if (measured) {
          cpuMs += (used.user + used.system) / 1000;
          audioMs += a.length / 16;
        }
        // The recognizer adapts to the caller after the result; let it, outside the measurement.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    return (100 * cpuMs) / audioMs;
  } finally {
    await recognizer.close();
  }
}
