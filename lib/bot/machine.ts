import type { Flow, Question, Rule } from "./flow-schema";
import type { AnswerValue, Understanding } from "./types";

/**
 * The conversation as a pure state machine: (state, event) → (state, actions). It knows nothing
 * of audio, time or sockets; the call session feeds it understood turns and carries out the
 * actions (say, listen, record, end).
 */

export type Outcome = "qualified" | "not_qualified" | "transfer" | "stopped" | "incomplete";

export type SayPurpose = "greeting" | "question" | "reprompt" | "faq" | "hold" | "reason" | "outcome";

export type Action =
  | { type: "say"; text: string; purpose: SayPurpose }
  /** `hold`: the caller asked for a moment, so the no-input wait is the longer hold wait. */
  | { type: "listen"; questionId: string; hold?: boolean }
  | { type: "record"; questionId: string; value: AnswerValue; meetsRule: boolean }
  | { type: "end"; outcome: Outcome; reason: string };

export type MachineEvent =
  /** `keypad`: the caller has a phone keypad (DTMF), so reprompts say how to use it. */
  | { type: "start"; keypad?: boolean }
  | { type: "understood"; understanding: Understanding }
  | { type: "no_input" }
  /** The call reached its maximum duration. */
  | { type: "timeout" };

export interface MachineState {
  phase: "idle" | "asking" | "ended";
  questionIndex: number;
  /** Reprompts used at the current question (no-match and no-input together). */
  reprompts: number;
  answers: Record<string, AnswerValue>;
  /** The caller can answer with the keypad (phone calls). */
  keypad?: boolean;
  outcome?: Outcome;
  reason?: string;
}

export const initialState = (): MachineState => ({ phase: "idle", questionIndex: 0, reprompts: 0, answers: {} });

export function meetsRule(rule: Rule, value: number | string | boolean): boolean {
  switch (rule.op) {
    case "eq":
      return value === rule.value;
    case "in":
      return typeof value === "string" && rule.values.includes(value);
    case "gte":
      return typeof value === "number" && value >= rule.value;
    case "gt":
      return typeof value === "number" && value > rule.value;
    case "lte":
      return typeof value === "number" && value <= rule.value;
    case "lt":
      return typeof value === "number" && value < rule.value;
  }
}

/** A yes/no answer to a question phrased as yes/no means "the rule is (not) met". */
export function answerMeetsRule(question: Question, value: AnswerValue): boolean {
  if (typeof value === "boolean" && question.type !== "yesno") return value;
  return meetsRule(question.qualify, value);
}

const say = (text: string, purpose: SayPurpose): Action => ({ type: "say", text, purpose });
const listen = (q: Question, hold = false): Action => ({ type: "listen", questionId: q.id, ...(hold && { hold }) });

function end(flow: Flow, state: MachineState, outcome: Outcome, reason: string, lead: Action[] = []) {
  const message = {
    qualified: flow.outcomes.qualified,
    not_qualified: flow.outcomes.notQualified,
    transfer: flow.outcomes.transfer,
    stopped: flow.outcomes.stopped,
    incomplete: flow.outcomes.incomplete,
  }[outcome].message;
  return {
    state: { ...state, phase: "ended" as const, outcome, reason },
    actions: [...lead, say(message, "outcome"), { type: "end", outcome, reason } as Action],
  };
}

function ask(flow: Flow, state: MachineState, index: number, lead: Action[] = []) {
  const q = flow.questions[index]!;
  return {
    state: { ...state, phase: "asking" as const, questionIndex: index, reprompts: 0 },
    actions: [...lead, say(q.prompt, "question"), listen(q)],
  };
}

function reprompt(flow: Flow, state: MachineState, q: Question, kind: "no_match" | "no_input") {
  if (state.reprompts >= flow.maxReprompts) {
    return end(flow, state, "incomplete", kind === "no_input" ? `no answer to "${q.id}"` : `answer to "${q.id}" not understood`);
  }
  const lead = kind === "no_input" ? flow.prompts.noInput : flow.prompts.noMatch;
  const body = kind === "no_input" ? (q.noInputPrompt ?? q.prompt) : (q.reprompt ?? q.prompt);
  const hints = state.keypad ? keypadHints(flow, q) : [];
  return {
    state: { ...state, reprompts: state.reprompts + 1 },
    actions: [say(lead, "reprompt"), say(body, "reprompt"), ...hints.map((h) => say(h, "reprompt")), listen(q)],
  };
}

/** How a question can be answered on the keypad, if it can (see lib/bot/dtmf.ts). */
export function keypadHints(flow: Flow, q: Question): string[] {
  return [
    ...(q.type === "yesno" || q.yesNo ? [flow.prompts.dtmfYesNo] : []),
    ...(q.type === "number" ? [flow.prompts.dtmfNumber] : []),
  ];
}

export function transition(flow: Flow, state: MachineState, event: MachineEvent): { state: MachineState; actions: Action[] } {
  if (state.phase === "ended") return { state, actions: [] };
  if (event.type === "start") {
    if (state.phase !== "idle") return { state, actions: [] };
    return ask(flow, { ...state, keypad: event.keypad ?? false }, 0, [say(flow.greeting, "greeting")]);
  }
  if (state.phase !== "asking") return { state, actions: [] };
  if (event.type === "timeout") return end(flow, state, "incomplete", "maximum call duration reached");

  const q = flow.questions[state.questionIndex]!;
  if (event.type === "no_input") return reprompt(flow, state, q, "no_input");

  const u = event.understanding;
  switch (u.kind) {
    case "no_match":
      return reprompt(flow, state, q, "no_match");
    case "faq": {
      const faq = [...flow.faq, ...q.faq].find((f) => f.id === u.faqId);
      if (!faq) return reprompt(flow, state, q, "no_match");
      return { state, actions: [say(faq.answer, "faq"), say(q.prompt, "question"), listen(q)] };
    }
    case "intent":
      if (u.intent === "repeat") return { state, actions: [say(q.prompt, "question"), listen(q)] };
      if (u.intent === "agent") return end(flow, state, "transfer", "caller asked for an agent");
      if (u.intent === "hold") return { state, actions: [say(flow.prompts.hold, "hold"), listen(q, true)] };
      return end(flow, state, "stopped", "caller ended the call");
    case "answer": {
      const meets = answerMeetsRule(q, u.value);
      const answered: MachineState = { ...state, answers: { ...state.answers, [q.id]: u.value } };
      const record: Action = { type: "record", questionId: q.id, value: u.value, meetsRule: meets };
      if (!meets) return end(flow, answered, "not_qualified", q.disqualifyReason, [record, say(q.disqualifyReason, "reason")]);
      const next = state.questionIndex + 1;
      if (next >= flow.questions.length) return end(flow, answered, "qualified", "all answers qualify", [record]);
      return ask(flow, answered, next, [record]);
    }
  }
}

/** Every text the machine can say for a flow: the prompt cache synthesizes them all up front. */
export function fixedPrompts(flow: Flow): string[] {
  const texts = [flow.greeting, ...Object.values(flow.prompts), ...Object.values(flow.outcomes).map((o) => o.message)];
  for (const q of [...flow.questions]) {
    texts.push(q.prompt, q.reprompt ?? q.prompt, q.noInputPrompt ?? q.prompt, q.disqualifyReason);
    texts.push(...q.faq.map((f) => f.answer));
  }
  texts.push(...flow.faq.map((f) => f.answer));
  return [...new Set(texts)];
}
