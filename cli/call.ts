import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { resample } from "../lib/audio/resample";
import { readWav } from "../lib/audio/wav";
import { CALLER_RATE_HZ, runCaller, type CallerAnswer, type CallerResult } from "../lib/client/caller";
import { parseAnswers, recordedAnswer } from "../lib/client/answers";
import { lineNoise } from "../lib/client/line-noise";
import { runPhoneCaller } from "../lib/client/phone-caller";
import { DEV_TWILIO_AUTH_TOKEN } from "../lib/server/telephony";
import type { ServerMessage } from "../lib/transport/protocol";

/**
 * The caller CLI: holds a call with the server over the public /ws/voice protocol, or over the
 * phone through a simulated carrier (--channel twilio|exotel).
 *   npm run call -- --bot quickrupee --answers "yes;about thirty thousand;Mumbai"
 *   npm run call -- --bot home-renovation --wav a.wav --wav b.wav --wav c.wav --json
 *   npm run call -- --channel twilio --url http://localhost:3000 --bot quickrupee --answers "yes;dtmf:30000#;Mumbai"
 */
const USAGE = `usage: npm run call -- --bot <id> (--answers "a;b;c" | --wav a.wav [--wav b.wav ...]) [options]
  --answers "a;b;c"   answers spoken with flite (a caller voice), one per question; "-" stays silent;
                      "dtmf:30000#" keys digits on the phone keypad (--channel twilio|exotel)
  --wav FILE          a recording per turn (any PCM WAV, any rate; resampled)
  --typed             send --answers as typed text instead of speech
  --voice NAME        caller voice: kal16 (default), rms, awb, kal, slt
  --rate N            caller speaking rate (1 = normal, 1.15 = 15 % faster)
  --channel C         cli (default: /ws/voice), twilio or exotel (a simulated carrier calls the server)
  --url URL           default ws://localhost:3000/ws/voice; for twilio/exotel the server's http://host:port
                      (TWILIO_AUTH_TOKEN signs the webhook, EXOTEL_USERNAME/PASSWORD authenticate, ADMIN_TOKEN reads the record)
  --barge-in MS       answer MS after the bot starts talking instead of after it finishes
  --snr DB            a noisy line: pink noise DB under the answers' speech, throughout the call (cli channel)
  --json              print one JSON object instead of the conversation
  --timeout MS        give up after MS (default 120000)`;

const { values } = parseArgs({
  options: {
    bot: { type: "string" },
    answers: { type: "string" },
    wav: { type: "string", multiple: true },
    typed: { type: "boolean", default: false },
    voice: { type: "string", default: "kal16" },
    rate: { type: "string", default: "1" },
    url: { type: "string" },
    channel: { type: "string", default: "cli" },
    "barge-in": { type: "string" },
    snr: { type: "string" },
    json: { type: "boolean", default: false },
    timeout: { type: "string", default: "120000" },
    help: { type: "boolean", default: false },
  },
});

function die(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.bot) die("--bot is required");
if (!values.answers && !values.wav?.length) die("give --answers or --wav");
const channel = values.channel!;
if (channel !== "cli" && channel !== "twilio" && channel !== "exotel") die(`--channel is cli, twilio or exotel, not "${channel}"`);
const phone = channel === "twilio" || channel === "exotel";

function answersFromText(text: string): CallerAnswer[] {
  try {
    return parseAnswers(text, { typed: values.typed, voice: values.voice, rate: Number(values.rate), keypad: phone });
  } catch (err) {
    die((err as Error).message);
  }
}

function answersFromWavs(files: string[]): CallerAnswer[] {
  return files.map((file) => {
    let wav;
    try {
      wav = readWav(readFileSync(file));
    } catch (err) {
      die(`${file}: ${(err as Error).message}`);
    }
    return recordedAnswer(resample(wav.samples, wav.sampleRateHz, CALLER_RATE_HZ), file);
  });
}

const answers = values.wav?.length ? answersFromWavs(values.wav) : answersFromText(values.answers!);
function noiseFor(snr: string): Float32Array {
  if (phone) die("--snr applies to the cli channel");
  try {
    return lineNoise(answers.flatMap((a) => (a.kind === "audio" ? [a.samples] : [])), Number(snr));
  } catch (err) {
    die(`--snr: ${(err as Error).message}`);
  }
}
const noise = values.snr === undefined ? undefined : noiseFor(values.snr);
const print = (line: string) => {
  if (!values.json) process.stdout.write(`${line}\n`);
};

const onMessage = (m: ServerMessage) => {
  switch (m.type) {
    case "ready":
      print(`connected: ${m.botName} (call ${m.callId})`);
      break;
    case "bot_text":
      print(`bot:    ${m.text}`);
      break;
    case "transcript":
      if (m.final) print(`caller: ${m.text || "(nothing recognized)"}  → ${m.understood}`);
      break;
    case "interrupt":
      print(`        (bot interrupted: ${m.reason})`);
      break;
    case "metrics":
      print(
        `        latency: voice-to-voice ${m.voiceToVoiceMs} ms (endpoint ${m.stages.endpointMs}, asr ${m.stages.asrMs}, decision ${m.stages.decisionMs}, tts ${m.stages.ttsFirstAudioMs})`,
      );
      break;
    case "result":
      print(`result: ${m.label} (${m.outcome}): ${m.reason}`);
      break;
    case "error":
      print(`error:  ${m.code}: ${m.message}`);
      break;
    default:
      break;
  }
};

const bargeIn = values["barge-in"] === undefined ? undefined : Number(values["barge-in"]);
const common = { answers, bargeInMs: bargeIn, timeoutMs: Number(values.timeout) };
const env = process.env;
const result: CallerResult = phone
  ? await runPhoneCaller({
      ...common,
      carrier: channel,
      baseUrl: (values.url ?? "http://localhost:3000").replace(/^ws/, "http"),
      bot: values.bot!,
      twilioAuthToken: env.TWILIO_AUTH_TOKEN ?? DEV_TWILIO_AUTH_TOKEN,
      exotelAuth: env.EXOTEL_USERNAME && env.EXOTEL_PASSWORD ? { username: env.EXOTEL_USERNAME, password: env.EXOTEL_PASSWORD } : undefined,
      adminToken: env.ADMIN_TOKEN,
      onEvent: (line) => print(`        (${line})`),
    })
  : await runCaller({ ...common, url: values.url ?? "ws://localhost:3000/ws/voice", bot: values.bot!, channel: "cli", onMessage, ...(noise ? { lineNoise: noise } : {}) });

if (phone && !values.json) {
  // A carrier hears only audio: what the server understood comes from its call record.
  for (const t of result.turns) {
    print(`bot:    ${t.prompt}`);
    print(`caller: ${t.heard || "(nothing recognized)"}  → ${t.understood}`);
    if (t.stages) print(`        latency: voice-to-voice ${t.voiceToVoiceMs} ms at the carrier, ${t.serverVoiceToVoiceMs} ms at the server`);
  }
  if (result.outcome) print(`result: ${result.outcome}: ${result.reason}`);
  for (const e of result.errors) print(`error:  ${e.code}: ${e.message}`);
}

if (values.json) {
  const out = {
    callId: result.callId,
    outcome: result.outcome,
    label: result.label,
    reason: result.reason,
    answers: result.answers,
    completed: result.completed,
    durationMs: result.durationMs,
    errors: result.errors,
    turns: result.turns.map((t) => ({
      prompt: t.prompt,
      said: t.said,
      heard: t.heard,
      understood: t.understood,
      voiceToVoiceMs: t.voiceToVoiceMs,
      serverVoiceToVoiceMs: t.serverVoiceToVoiceMs,
      bargeInMs: t.bargeInMs,
      stages: t.stages,
    })),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  const v2v = result.turns.map((t) => t.voiceToVoiceMs).filter((x): x is number => x !== null);
  if (v2v.length) print(`client voice-to-voice per turn: ${v2v.join(", ")} ms`);
}
process.exit(result.completed ? 0 : 1);
