import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { encodeWav } from "../../lib/audio/wav";
import { concatInt16, silence } from "../../lib/audio/pcm";
import { loadFlows } from "../../lib/bot/flows";
import { initialState, transition, type MachineState } from "../../lib/bot/machine";
import { understand } from "../../lib/bot/understand";
import { fliteSynthesize } from "../../lib/tts/flite";
import { chunkText } from "../../lib/tts/chunk-text";

const RATE_HZ = 16000;
const BOT_VOICE = "slt";
/**
 * Time from the microphone opening to the bot's first sound: worklets, call worker, socket, start,
 * ready, first frames. About 0.3 s on an idle machine; 2-3.5 s while the run's other call and
 * browser compete for the CPU, which only makes the caller answer earlier into the first question
 * (still taken) — except for a barge-in timed into the greeting (see scenarios.ts).
 */
const CONNECT_MS = 400;
/** Upper bound on the bot's reply time after an answer ends (long endpoint window + processing). */
const REPLY_MS = 1100;
/** Pause between the bot finishing a question and the caller answering. */
const THINK_MS = 600;

export interface Answer {
  text: string;
  /** Speak this answer this far into the bot's turn (a barge-in) instead of after it. */
  bargeInAtMs?: number;
}

const ms = (samples: number) => (samples * 1000) / RATE_HZ;

/** How long the bot speaks `texts` as one turn: the same chunks and voice the server synthesizes. */
function botTurnMs(texts: string[]): number {
  let samples = 0;
  for (const t of texts) for (const c of chunkText(t)) samples += fliteSynthesize(c, BOT_VOICE).length;
  return ms(samples);
}

/**
 * The microphone recording of a caller who answers a flow: silence while the bot talks, each
 * answer in a caller voice unlike the bot's. The bot's turns are found by running the flow's own
 * state machine on the answers and timed by synthesizing them with the bot's voice, so each answer
 * starts THINK_MS after its question ends — or, for a barge-in, partway through it. Estimates err
 * late (a caller who waits), never early, except where a barge-in is asked for.
 */
export function conversationWav(flowId: string, answers: Answer[], file: string, callerVoice = "kal16"): { file: string; answersAtMs: number[] } {
  const flow = loadFlows(path.join(process.cwd(), "flows")).get(flowId);
  if (!flow) throw new Error(`no flow ${flowId}`);
  let state: MachineState = initialState();
  const say = (actions: ReturnType<typeof transition>["actions"]) => actions.flatMap((a) => (a.type === "say" ? [a.text] : []));
  let step = transition(flow, state, { type: "start" });
  state = step.state;
  let botTexts = say(step.actions);
  const parts: Int16Array[] = [silence(CONNECT_MS, RATE_HZ)];
  let at = CONNECT_MS;
  const answersAtMs: number[] = [];
  for (const answer of answers) {
    const botMs = botTurnMs(botTexts);
    const wait = answer.bargeInAtMs !== undefined ? Math.min(answer.bargeInAtMs, botMs) : botMs + THINK_MS;
    parts.push(silence(wait, RATE_HZ));
    at += wait;
    answersAtMs.push(Math.round(at));
    const voice = fliteSynthesize(answer.text, callerVoice);
    parts.push(voice, silence(REPLY_MS, RATE_HZ));
    at += ms(voice.length) + REPLY_MS;
    const question = flow.questions[state.questionIndex];
    if (!question || state.phase !== "asking") throw new Error(`the flow has ended before "${answer.text}"`);
    step = transition(flow, state, { type: "understood", understanding: understand(flow, question, answer.text) });
    state = step.state;
    botTexts = say(step.actions);
  }
  // The closing message, then a little silence.
  parts.push(silence(botTurnMs(botTexts) + 1000, RATE_HZ));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, encodeWav(concatInt16(parts), RATE_HZ));
  return { file, answersAtMs };
}
