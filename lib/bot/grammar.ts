import { createHash } from "node:crypto";
import type { Flow, Question } from "./flow-schema";
import { HEDGE_PHRASES, INTENT_PHRASES, NO_PHRASES, TYPED_ONLY_PHRASES, YES_PHRASES } from "./intents";
import { DURATION_PHRASES, NUMBER_WORDS } from "./numbers";

/**
 * The answers one question accepts, as JSGF rules with the public entry `<answer>`. A grammar
 * recognizer can only hear what is listed here; `understand()` maps every sentence it can produce
 * back to a value, and a test proves that for sampled sentences, except `<hedge>`: "i do not know"
 * and the like, listed so they are heard as what they are and understood as no answer.
 */
export interface QuestionGrammar {
  /** Stable hash of the rules, so a decoder already holding this grammar skips reloading it. */
  id: string;
  /** JSGF rule definitions (no header); the entry rule is `<answer>`. */
  rules: string;
  /** Every word the rules use. */
  words: string[];
}

const alt = (phrases: Iterable<string>) => [...new Set(phrases)].filter((p) => !TYPED_ONLY_PHRASES.has(p)).join(" | ");

const FILLER = "um | uh | well | so | okay | oh";
const AMOUNT_LEAD = [
  "about", "around", "roughly", "approximately", "nearly", "almost", "more than", "over", "above", "just",
  "maybe", "it is", "it's", "my salary is", "i earn", "i make", "i get", "my budget is", "we have", "i have",
  "our budget is", "we can spend", "i can spend",
];
const AMOUNT_UNIT = { rupees: ["rupees", "rupee"], dollars: ["dollars", "dollar", "bucks"] } as const;
const AMOUNT_PERIOD = ["a month", "per month", "monthly", "every month"];
const CHOICE_LEAD = ["i live in", "i am in", "i'm in", "i am from", "i'm from", "in", "we live in", "i stay in", "it is", "it's"];
const DURATION_LEAD = ["maybe", "probably", "i think", "we can start", "i can start", "we could start", "hopefully", "not yet", "not yet maybe"];

function numberRules(question: Extract<Question, { type: "number" }>): string {
  const { units, teens, tens } = NUMBER_WORDS;
  return [
    `<d1> = ${alt(Object.keys(units))};`,
    `<teen> = ${alt(Object.keys(teens))};`,
    `<tens> = ${alt(Object.keys(tens))};`,
    `<n99> = <d1> | <teen> | <tens> [<d1>];`,
    `<n999> = [a | <d1>] hundred [[and] <n99>] | <n99>;`,
    // What may follow a scale word: no leading "a"/bare "hundred" ("a lakh a hundred" is not said).
    `<rest> = <d1> hundred [[and] <n99>] | <n99>;`,
    `<hundreds> = (<teen> | <tens> [<d1>]) hundred [[and] <n99>];`,
    `<thousands> = (a (thousand | grand) | <n999> (thousand | k | grand)) [[and] <rest>];`,
    `<lakhs> = (a | <n99>) (lakh | lakhs) [[and] (<n999> (thousand | k) [[and] <rest>] | <rest>)];`,
    `<millions> = (a | <n999>) million [[and] (<n999> (thousand | k) [[and] <rest>] | <rest>)];`,
    `<amount> = <n999> | <hundreds> | <thousands> | <lakhs> | <millions>;`,
    `<number> = [${alt(AMOUNT_LEAD)}] <amount> [${alt(AMOUNT_UNIT[question.unit])}] [${alt(AMOUNT_PERIOD)}];`,
  ].join("\n");
}

function choiceRules(question: Extract<Question, { type: "choice" }>): string {
  const phrases = question.options.flatMap((o) => [o.value.toLowerCase(), ...o.phrases]);
  return `<choice> = [${alt(CHOICE_LEAD)}] (${alt(phrases)}) [city];`;
}

function durationRules(): string {
  return `<duration> = [${alt(DURATION_LEAD)}] (${alt(DURATION_PHRASES.map((d) => d.phrase))});`;
}

export function buildQuestionGrammar(flow: Flow, question: Question): QuestionGrammar {
  const faqPhrases = [...flow.faq, ...question.faq].flatMap((f) => f.phrases);
  const intentPhrases = Object.values(INTENT_PHRASES).flat();
  const acceptsYesNo = question.type === "yesno" || question.yesNo;
  const branches: string[] = [];
  const rules: string[] = [];
  if (acceptsYesNo) {
    // "Not yet" is no to "are you…?" but says nothing about *when* at a duration question.
    const no = question.type === "duration" ? NO_PHRASES.filter((p) => p !== "not yet") : NO_PHRASES;
    rules.push(`<yes> = ${alt(YES_PHRASES)};`, `<no> = ${alt(no)};`);
    branches.push("<yes>", "<no>");
  }
  if (question.type === "number") {
    rules.push(numberRules(question));
    branches.push("<number>");
  } else if (question.type === "choice") {
    rules.push(choiceRules(question));
    branches.push("<choice>");
  } else if (question.type === "duration") {
    rules.push(durationRules());
    branches.push("<duration>");
  }
  if (faqPhrases.length > 0) {
    rules.push(`<faq> = ${alt(faqPhrases)};`);
    branches.push("<faq>");
  }
  rules.push(`<intent> = ${alt(intentPhrases)};`, `<hedge> = ${alt(HEDGE_PHRASES)};`, `<filler> = ${FILLER};`);
  branches.push("<intent>", "<hedge>");
  const body = [`<answer> = [<filler>] (${branches.join(" | ")});`, ...rules].join("\n");
  return {
    id: createHash("sha1").update(body).digest("hex").slice(0, 12),
    rules: body,
    words: grammarWords(body),
  };
}

/** Words of a JSGF body: everything that is not a rule reference, operator or weight. */
export function grammarWords(rules: string): string[] {
  const words = new Set<string>();
  for (const line of rules.split("\n")) {
    const rhs = line.slice(line.indexOf("=") + 1);
    for (const token of rhs.replace(/<[^>]+>/g, " ").replace(/\/[^/]*\//g, " ").split(/[\s|()[\];*+]+/)) {
      if (token) words.add(token);
    }
  }
  return [...words];
}

/** Every grammar of a flow, by question id. */
export function buildFlowGrammars(flow: Flow): Map<string, QuestionGrammar> {
  return new Map(flow.questions.map((q) => [q.id, buildQuestionGrammar(flow, q)]));
}
