import { concatInt16 } from "../lib/audio/pcm";
import { loadConfig } from "../lib/config";
import { OpenAIRealtimeRecognizer } from "../lib/asr/openai-realtime";
import { buildFlowGrammars } from "../lib/bot/grammar";
import { loadFlows } from "../lib/bot/flows";
import { ElevenLabsSynthesizer } from "../lib/tts/elevenlabs";
import { OpenAISynthesizer } from "../lib/tts/openai";
import type { Synthesizer } from "../lib/tts/types";

/**
 * Live smoke test of the cloud providers, for a machine with real keys (it is not part of
 * `npm test`, which has none): each configured provider speaks a prompt, and OpenAI Realtime
 * transcribes what was spoken. Exits 0 when every provider with a key worked (or none has one).
 *
 *   OPENAI_API_KEY=… ELEVENLABS_API_KEY=… npm run smoke:cloud
 */
const config = loadConfig();
const SENTENCE = "Is your monthly salary at least twenty five thousand rupees?";
const checks: Array<[string, () => Promise<string>]> = [];

async function speak(synth: Synthesizer): Promise<Int16Array> {
  const chunks: Int16Array[] = [];
  const started = performance.now();
  let firstMs = 0;
  for await (const c of synth.stream(SENTENCE, { voice: synth.voices[0]! })) {
    if (!firstMs) firstMs = performance.now() - started;
    chunks.push(c);
  }
  const samples = concatInt16(chunks);
  if (samples.length < 16000) throw new Error(`only ${samples.length} samples of audio`);
  console.log(`  ${synth.id}: first audio after ${Math.round(firstMs)} ms, ${(samples.length / 16000).toFixed(1)} s of speech`);
  return samples;
}

if (config.ELEVENLABS_API_KEY) {
  const synth = new ElevenLabsSynthesizer({ apiKey: config.ELEVENLABS_API_KEY, voiceId: config.ELEVENLABS_VOICE_ID, modelId: config.ELEVENLABS_MODEL_ID, baseUrl: config.ELEVENLABS_BASE_URL });
  checks.push(["ElevenLabs speech", async () => `${(await speak(synth)).length} samples`]);
}
if (config.OPENAI_API_KEY) {
  const synth = new OpenAISynthesizer({ apiKey: config.OPENAI_API_KEY, model: config.OPENAI_TTS_MODEL, voice: config.OPENAI_TTS_VOICE, baseUrl: config.OPENAI_BASE_URL });
  const recognizer = new OpenAIRealtimeRecognizer({ apiKey: config.OPENAI_API_KEY, baseUrl: config.OPENAI_BASE_URL, model: config.OPENAI_TRANSCRIBE_MODEL, language: "en" });
  checks.push([
    "OpenAI speech, then Realtime transcription of it",
    async () => {
      const audio = await speak(synth);
      const flow = loadFlows(config.FLOWS_DIR).get("quickrupee")!;
      const stream = recognizer.start(buildFlowGrammars(flow).get("salary")!);
      for (let i = 0; i < audio.length; i += 320) stream.push(audio.subarray(i, i + 320));
      const result = await stream.finish();
      if (!/salary/i.test(result.text)) throw new Error(`transcript "${result.text}" does not say "salary"`);
      return `"${result.text}" in ${Math.round(result.finalizeMs)} ms after the commit`;
    },
  ]);
}

if (checks.length === 0) {
  console.log("No cloud keys (OPENAI_API_KEY, ELEVENLABS_API_KEY): nothing to check.");
  process.exit(0);
}
let failed = 0;
for (const [name, check] of checks) {
  try {
    console.log(`ok   ${name}: ${await check()}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${(err as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
