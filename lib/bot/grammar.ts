import { createHash } from "node:crypto";
import type { Flow, Question } from "./flow-schema";
import { BACKCHANNEL_PHRASES, HEDGE_PHRASES, INTENT_PHRASES, NO_PHRASES, TYPED_ONLY_PHRASES, YES_PHRASES } from "./intents";
import { DURATION_PHRASES, NUMBER_WORDS } from "./numbers";

/**
 * The answers one question accepts, as JSGF rules with the public entry `<answer>`. A grammar
 * recognizer can only hear what is listed here; `understand()` maps every sentence it can produce
 * back to a value, and a test proves that for sampled sentences, except hedges (HEDGE_PHRASES):
 * "i do not know" and the like, listed so they are heard as what they are and understood as no
 * answer.
 */
export interface QuestionGrammar {
  /** Stable hash of the rules, so a decoder already holding this grammar skips reloading it. */
  id: string;
  /** JSGF rule definitions (no header); the entry rule is `<answer>`. */
  rules: string;
  /** Every word the rules use. */
  words: string[];
}

/**
 * Lists of phrases written as one prefix tree: "yes | yes please | yes i am | yes i do" becomes
 * "yes (<NULL> | please | i (am | do))". Both say the same, but a grammar decoder gives every
 * written alternative its own path: listed flat, "yes" is followed on four paths at once, and "i"
 * in a yes/no grammar on seventeen. Factored, each spoken prefix has one path.
 *
 * The decoder also scores each path by its prior, the product of the weights of the alternatives
 * taken (normalized per group). A flat list gives each phrase 1/n; written as a tree with equal
 * weights, a phrase with a rare first word would get far more than one sharing it. So every
 * alternative is weighted by the phrases under it, and each phrase keeps the prior it had as one of
 * `lists` (each list one alternative of a flat rule, its phrases sharing its weight equally).
 * `weight` is the tree's total, the weight of all the lists next to other alternatives of weight 1.
 */
export function phraseTree(lists: ReadonlyArray<Iterable<string>>): { text: string; weight: number } {
  const root: TrieNode = { end: 0, total: 0, next: new Map() };
  let weight = 0;
  for (const list of lists) {
    const spoken = [...new Set(list)].filter((p) => !TYPED_ONLY_PHRASES.has(p));
    if (spoken.length === 0) continue;
    weight += 1;
    for (const phrase of spoken) addPhrase(root, phrase.split(" ").filter((w) => w !== ""), 1 / spoken.length);
  }
  return { text: alternatives(root).join(" | "), weight };
}

/** One list of phrases as a prefix tree (see phraseTree). */
export const factorPhrases = (phrases: Iterable<string>): string => phraseTree([phrases]).text;

interface TrieNode {
  /** Weight of the phrases that end here. */
  end: number;
  /** Weight of every phrase through this node. */
  total: number;
  next: Map<string, TrieNode>;
}

function addPhrase(root: TrieNode, words: string[], weight: number): void {
  let node = root;
  node.total += weight;
  for (const word of words) {
    let child = node.next.get(word);
    if (!child) node.next.set(word, (child = { end: 0, total: 0, next: new Map() }));
    child.total += weight;
    node = child;
  }
  node.end += weight;
}

/** What may follow `node`, as JSGF alternatives (`<NULL>` where a phrase may end). */
function alternatives(node: TrieNode): string[] {
  const options: Array<{ weight: number; text: string }> = [...node.next].map(([word, child]) => {
    if (child.next.size === 0) return { weight: child.total, text: word };
    const rest = alternatives(child);
    return { weight: child.total, text: rest.length > 1 ? `${word} (${rest.join(" | ")})` : `${word} ${rest[0]}` };
  });
  if (node.end > 0 && node.next.size > 0) options.unshift({ weight: node.end, text: "<NULL>" });
  if (options.length === 1) return [options[0]!.text];
  const equal = options.every((o) => Math.abs(o.weight - options[0]!.weight) < 1e-9);
  return options.map((o) => (equal ? o.text : `/${jsgfWeight(o.weight)}/ ${o.text}`));
}

const jsgfWeight = (w: number) => String(Number(w.toPrecision(4)));

const alt = factorPhrases;

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
    // Left-factored: every word sequence has one path, so the decoder follows "thirty" once rather
    // than once per rule it could start (hundreds, thousands, lakhs, millions).
    `<head> = <n99> [hundred [[and] <n99>]] | [a] hundred [[and] <n99>];`,
    // What may follow a scale word: no leading "a"/bare "hundred" ("a lakh a hundred" is not said).
    `<rest> = <d1> hundred [[and] <n99>] | <n99>;`,
    `<small> = (thousand | grand) [[and] <rest>];`,
    `<big> = (lakh | lakhs | million) [[and] <rest> [(thousand | k) [[and] <rest>]]];`,
    `<amount> = <head> [<small> | k [[and] <rest>] | <big>] | a (<small> | <big>);`,
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
  const rules: string[] = [];
  /** The answer type's own rule, next to the listed phrases (yes/no questions have none). */
  let typed: string | undefined;
  // Every listed phrase of the question in one prefix tree (see phraseTree): yes, no, FAQs, global
  // intents and hedges share first words ("i am", "i am not", "i am not sure").
  const lists: string[][] = [];
  if (acceptsYesNo) {
    // "Not yet" is no to "are you…?" but says nothing about *when* at a duration question.
    const no = question.type === "duration" ? NO_PHRASES.filter((p) => p !== "not yet") : NO_PHRASES;
    lists.push(YES_PHRASES, no);
  }
  if (question.type === "number") {
    rules.push(numberRules(question));
    typed = "<number>";
  } else if (question.type === "choice") {
    rules.push(choiceRules(question));
    typed = "<choice>";
  } else if (question.type === "duration") {
    rules.push(durationRules());
    typed = "<duration>";
  }
  lists.push(faqPhrases, intentPhrases, HEDGE_PHRASES, BACKCHANNEL_PHRASES);
  const phrases = phraseTree(lists);
  rules.push(`<phrase> = ${phrases.text};`, `<filler> = ${FILLER};`);
  const answer = typed ? `(/1/ ${typed} | /${jsgfWeight(phrases.weight)}/ <phrase>)` : "<phrase>";
  const body = [`<answer> = [<filler>] ${answer};`, ...rules].join("\n");
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
