import type { Flow, Question } from "./flow-schema";
import { INTENT_PHRASES, NO_PHRASES, YES_PHRASES } from "./intents";
import { AMOUNT_JOINERS, NUMBER_WORDS, findAmount, parseDurationMonths, tokenize } from "./numbers";
import type { GlobalIntent, Understanding } from "./types";

/**
 * Rule-based understanding of one caller turn, for recognizer output ("yes(2)", lowercase words),
 * typed text and cloud transcripts alike ("Yeah, I'm salaried.", "₹45,000 a month", "Mm-hmm.").
 * Pure: the flow and question say what can be meant; nothing here knows a question by its id.
 *
 * Order, first hit wins:
 *  1. a FAQ phrase (flow + question), then a global intent phrase, said as the whole turn or, for
 *     phrases of two words or more, anywhere in it ("can I talk to a human"), synonyms allowed
 *     ("I want to talk to somebody"). "not interested" is the stop intent even after "no": the
 *     caller wants out, whatever the question.
 *  2. the answer for the question's type; at a yes/no question, restating it counts ("We own it.").
 *  3. a one-word intent or FAQ phrase at the start or end of a longer turn ("give me an agent",
 *     "thank you bye"). One word inside an answer is not enough: "yes, I'm a sales representative"
 *     is a yes, not a request for a representative.
 */

/** Typed contractions and their apostrophe-less spellings, expanded so phrases match either way. */
const CONTRACTIONS: Array<[RegExp, string]> = [
  [/\bcan'?t\b/g, "can not"],
  [/\bcannot\b/g, "can not"],
  [/\bwon't\b/g, "will not"],
  [/\b(do|does|did|is|are|was|were|has|have|had|would|could|should|need)n'?t\b/g, "$1 not"],
  [/\bi'?m\b/g, "i am"],
  [/\b(you|we|they)'re\b/g, "$1 are"],
  [/\b(i|you|we|they)'ve\b/g, "$1 have"],
  [/\b(i|you|we|they|he|she|it)'ll\b/g, "$1 will"],
  [/\b(i|you|we|they|he|she)'d\b/g, "$1 would"],
  [/\b(it|that|what|who|there|here|he|she|where|how)'?s\b/g, "$1 is"],
  [/\blet's\b/g, "let us"],
];

/** Chat spellings and romanized Hindi variants, mapped to the words the phrase tables use. */
const SPELLINGS: Record<string, string> = {
  ya: "yeah", yah: "yeah", yea: "yeah", yeh: "yeah", yaa: "yeah", ok: "okay", okk: "okay",
  haa: "haan", han: "haan", haanji: "haan ji", hanji: "haan ji", nhi: "nahi", nai: "nahi", nahee: "nahi",
  nahii: "nahi", na: "no", naa: "no", pls: "please", plz: "please", u: "you", ur: "your", r: "are", y: "why",
  wat: "what", wht: "what", bilkul: "absolutely",
};

/** How transcribers spell the nasal grunts of agreement and refusal ("Mm-hmm.", "Uh-huh.", "Uh-uh."). */
const GRUNTS: Array<[RegExp, string]> = [
  [/\b(?:m+-?hm+|uh-huh)\b/g, " yes "],
  [/\buh-uh\b/g, " no "],
];

/** Recognizer markup in a hypothesis: "<sil>", "[noise]", "++garbage++". */
const RECOGNIZER_MARKUP = /<[^>]*>|\[[^\]]*\]|\+\+[^+]*\+\+/g;

/**
 * Lowercase word and number tokens: recognizer markup ("<sil>", "[noise]") removed, contractions
 * expanded ("i'm" → "i am"), chat spellings mapped; `tokenize` drops variant markers ("yes(2)").
 */
export function normalizeWords(text: string): string[] {
  let t = text
    .toLowerCase()
    .replace(RECOGNIZER_MARKUP, " ")
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\u{1F44D}/gu, " yes ")
    .replace(/\u{1F44E}/gu, " no ");
  for (const [pattern, expansion] of [...GRUNTS, ...CONTRACTIONS]) t = t.replace(pattern, expansion);
  return tokenize(t).flatMap((w) => (/^yes+$/.test(w) ? ["yes"] : (SPELLINGS[w]?.split(" ") ?? [w])));
}

/** Said around an answer without changing it; stripped from both ends only ("ji nahi", "haan ji"). */
const FILLERS = new Set([
  "um", "umm", "uh", "uhh", "uhm", "hmm", "hm", "er", "erm", "ah", "oh", "well", "so", "okay", "please", "ji",
  "actually", "sir", "madam", "maam", "mam", "hello", "hey", "hi",
]);

/** The turn without leading and trailing filler; a turn that is only filler is kept whole ("ji"). */
function stripFillers(tokens: string[]): string[] {
  let start = 0;
  let end = tokens.length;
  while (start < end && FILLERS.has(tokens[start] as string)) start++;
  while (end > start && FILLERS.has(tokens[end - 1] as string)) end--;
  return start === end ? tokens : tokens.slice(start, end);
}

interface Phrase<T> {
  words: string[];
  label: T;
}

interface Match<T> {
  start: number;
  length: number;
  label: T;
}

const phrase = <T>(text: string, label: T): Phrase<T> => ({ words: normalizeWords(text), label });

/**
 * Words that mean the same in a request or question, mapped to the one the phrase tables use, on
 * both sides, when matching FAQs and intents only: "I want to talk to somebody" is "speak to
 * someone", "what's this regarding" is "what is this about". Kept out of the tables so the
 * recognizer's grammars do not grow by every combination.
 */
const COMMAND_SYNONYMS: Record<string, string> = { speak: "talk", somebody: "someone", want: "need", regarding: "about" };

const commandWords = (words: readonly string[]): string[] => words.map((w) => COMMAND_SYNONYMS[w] ?? w);

function findAll<T>(tokens: readonly string[], phrases: ReadonlyArray<Phrase<T>>): Array<Match<T>> {
  const matches: Array<Match<T>> = [];
  for (const p of phrases) {
    if (p.words.length === 0) continue;
    for (let i = 0; i + p.words.length <= tokens.length; i++) {
      if (p.words.every((w, k) => tokens[i + k] === w)) matches.push({ start: i, length: p.words.length, label: p.label });
    }
  }
  return matches;
}

const contains = (tokens: readonly string[], words: readonly string[]): boolean =>
  findAll(tokens, [{ words: [...words], label: null }]).length > 0;

/** Tier 1: the whole turn is the phrase, or a phrase of two words or more is in it (longest wins). */
function matchCommand<T>(core: string[], phrases: ReadonlyArray<Phrase<T>>): T | null {
  const hits = findAll(core, phrases).filter((m) => m.length === core.length || m.length >= 2);
  hits.sort((a, b) => b.length - a.length || a.start - b.start);
  return hits[0]?.label ?? null;
}

/** Tier 3: a one-word phrase opening or closing a longer turn. */
function matchEdge<T>(core: string[], phrases: ReadonlyArray<Phrase<T>>): T | null {
  const hit = findAll(core, phrases).find((m) => m.length === 1 && (m.start === 0 || m.start === core.length - 1));
  return hit?.label ?? null;
}

type Command = { kind: "faq"; faqId: string } | { kind: "intent"; intent: GlobalIntent };

const commandPhrase = (text: string, label: Command): Phrase<Command> => ({ words: commandWords(normalizeWords(text)), label });

const INTENTS: Array<Phrase<Command>> = (Object.entries(INTENT_PHRASES) as Array<[GlobalIntent, string[]]>).flatMap(
  ([intent, phrases]) => phrases.map((p) => commandPhrase(p, { kind: "intent", intent })),
);

function faqPhrases(flow: Flow, question: Question): Array<Phrase<Command>> {
  return [...flow.faq, ...question.faq].flatMap((f) => f.phrases.map((p) => commandPhrase(p, { kind: "faq", faqId: f.id })));
}

/**
 * Yes phrases made only of a pronoun and a verb ("i am", "i do", "it is") and bare "ji"/"right". Said
 * alone they answer the question; followed by more words they only count when those words echo the
 * question: "I am a salaried employee" is a yes to "Are you a salaried employee?", "I'm self
 * employed" is not.
 */
const WEAK_WORDS = new Set(["i", "we", "it", "am", "is", "are", "do", "can", "ji", "right"]);

interface YesNo {
  yes: boolean;
  weak: boolean;
  text: string;
}

const YES_NO: Array<Phrase<YesNo>> = [
  ...YES_PHRASES.map((p) => phrase(p, { yes: true, weak: false, text: p })),
  ...NO_PHRASES.map((p) => phrase(p, { yes: false, weak: false, text: p })),
].map((p) => ({ ...p, label: { ...p.label, weak: p.label.yes && p.words.every((w) => WEAK_WORDS.has(w)) } }));

/**
 * A turn that hedges or declines is not a yes or a no ("not sure" would otherwise be "sure", "i do
 * not know" and "i can not talk right now" "i do not"/"i can not").
 */
const UNSURE = [
  "not sure", "do not know", "no idea", "no clue", "maybe", "perhaps", "not certain", "dunno", "can not say",
  "can not talk", "not comfortable",
].map((p) => normalizeWords(p));

const NEGATORS = new Set(["not", "never", "no", "nahi", "nor", "without"]);
/** "Not" in English and Hindi: after a yes it makes a no ("absolutely not", "bilkul nahi"). */
const NOT_WORDS = new Set(["not", "nahi", "nahin"]);

/** Declining to tell is no answer either: a negation, then one of these within a few words ("I don't want to tell you"). */
const TELL_WORDS = new Set(["tell", "say", "share", "disclose", "reveal"]);

function declines(core: readonly string[]): boolean {
  return core.some((w, i) => TELL_WORDS.has(w) && core.slice(Math.max(0, i - 4), i).some((b) => NEGATORS.has(b)));
}

/**
 * Callers answer for their household: "we do", "we're not", "we own it" answer as "I" would, so
 * one table of first-person phrases serves both.
 */
function asFirstPerson(core: readonly string[]): string[] {
  return core.map((w, i) => (w === "we" ? "i" : w === "are" && core[i - 1] === "we" ? "am" : w));
}

/** Endings a word may carry and still echo the question: "owner" echoes "own", "months" "month". */
const ENDINGS = ["s", "es", "d", "ed", "er", "ers", "ing"];

const sameWord = (word: string, base: string): boolean =>
  word === base || (word.startsWith(base) && ENDINGS.includes(word.slice(base.length)));

const echoes = (echo: ReadonlySet<string>, word: string): boolean => [...echo].some((base) => sameWord(word, base));

const STOPWORDS = new Set([
  "a", "an", "the", "you", "your", "are", "is", "am", "do", "does", "did", "to", "of", "in", "at", "on", "for", "or",
  "and", "it", "i", "my", "me", "we", "this", "that", "be", "with", "like", "please", "say", "so", "just", "what",
  "which", "how", "can", "could", "would", "will", "have", "has", "there", "here", "yes", "no", "not", "example",
]);

/** Content words of what the bot asked; a weak yes followed by one of them answers the question. */
/**
 * What depends on the question alone is worked out once per question: `understand` runs on every
 * partial hypothesis while the caller speaks (isCompleteAnswer picks the end-of-turn window).
 */
function perQuestion<T>(derive: (question: Question) => T): (question: Question) => T {
  const cache = new WeakMap<Question, T>();
  return (question) => {
    if (!cache.has(question)) cache.set(question, derive(question));
    return cache.get(question)!;
  };
}

const echoWords = perQuestion((question): Set<string> => {
  const words = normalizeWords(`${question.prompt} ${question.reprompt ?? ""}`);
  return new Set(words.filter((w) => !STOPWORDS.has(w)));
});

/**
 * The first yes or no said is the answer ("no, I'm self employed" is a no); at one position the
 * longest phrase wins ("i am not" over "i am"), and a yes followed by "not" is a no ("absolutely not").
 * "We" answers as "I" does. A turn that hedges or declines to tell has no yes or no in it.
 * `ignore` drops phrases that are no answer at this question ("not yet" when asked about timing).
 */
function yesNoOf(turn: string[], echo: Set<string>, ignore: readonly string[] = []): boolean | null {
  const core = asFirstPerson(turn);
  if (UNSURE.some((u) => contains(core, u)) || declines(core)) return null;
  const matches = findAll(core, YES_NO)
    .filter((m) => !ignore.includes(m.label.text))
    .sort((a, b) => a.start - b.start || b.length - a.length);
  for (const m of matches) {
    const after = core.slice(m.start + m.length);
    if (m.label.yes && NOT_WORDS.has(after[0] as string)) return false;
    if (m.label.weak && after.length > 0) {
      const echoed = after.some((w) => echoes(echo, w)) && !after.some((w) => NEGATORS.has(w));
      if (!echoed) continue;
    }
    return m.label.yes;
  }
  return null;
}

const ARTICLES = new Set(["a", "an", "the"]);

/**
 * The word a yes/no question turns on, right after "you": "salaried" in "Are you a salaried
 * employee?", "own" in "Do you own the home…?". Null when the prompt is not shaped that way.
 */
const predicateOf = perQuestion((question): string | null => {
  const words = normalizeWords(question.prompt);
  const you = words.indexOf("you");
  if (you < 0 || you > 1) return null;
  let k = you + 1;
  while (ARTICLES.has(words[k] as string)) k++;
  const word = words[k];
  return word !== undefined && !STOPWORDS.has(word) ? word : null;
});

/**
 * A turn that restates the question's predicate answers it without a yes or no: "Salaried.",
 * "we own it", "own house" are a yes; "not salaried" is a no. The predicate must open the turn
 * (after "I"/"we" at most), as the very word asked ("owned by my father" is not "own"), and
 * nothing in the turn may negate it.
 */
function restatementOf(turn: string[], predicate: string): boolean | null {
  const core = asFirstPerson(turn);
  const at = core.indexOf(predicate);
  if (at < 0) return null;
  if (NOT_WORDS.has(core[at - 1] as string)) return false;
  const opens = at === 0 || (at === 1 && core[0] === "i");
  return opens && !core.some((w) => NEGATORS.has(w)) ? true : null;
}

const CURRENCY_WORDS = new Set(["rs", "inr", "usd", "rupees", "rupee", "dollars", "dollar"]);
const ABOVE = ["more than", "greater than", "higher than", "over", "above", "upwards of", "excess of", "beyond"].map((p) => p.split(" "));
const BELOW = ["less than", "lower than", "fewer than", "under", "below"].map((p) => p.split(" "));

/**
 * "more than thirty thousand" is not thirty thousand: it becomes the smallest whole amount above
 * (30001), "under twenty thousand" the largest below (19999), so a rule like "over ten thousand"
 * judges "over ten thousand" right. "not more than X" and "not less than X" stay X.
 */
function boundedAmount(tokens: readonly string[], value: number, start: number): number {
  let k = start - 1;
  while (k >= 0 && CURRENCY_WORDS.has(tokens[k] as string)) k--;
  const endsAt = (words: string[]): boolean => words.every((w, j) => tokens[k - words.length + 1 + j] === w);
  for (const [words, delta] of [...ABOVE.map((w) => [w, 1] as const), ...BELOW.map((w) => [w, -1] as const)]) {
    if (!endsAt(words)) continue;
    return tokens[k - words.length] === "not" ? value : value + delta;
  }
  return value;
}

const NO_MATCH: Understanding = { kind: "no_match" };

function answer(value: boolean | number | string | null): Understanding {
  return value === null ? NO_MATCH : { kind: "answer", value };
}

/**
 * An option named within three words after "not"/"never" is ruled out ("i do not live in mumbai"),
 * unless another option stands between them ("not mumbai, pune" is Pune).
 */
function negatedAt(tokens: readonly string[], start: number, named: ReadonlySet<number>): boolean {
  for (let k = start - 1; k >= Math.max(0, start - 3) && !named.has(k); k--) {
    if (tokens[k] === "not" || tokens[k] === "never") return true;
  }
  return false;
}

function understandAnswer(question: Question, core: string[]): Understanding {
  const echo = echoWords(question);
  const yesNoFallback = (ignore?: string[]): Understanding => (question.yesNo ? answer(yesNoOf(core, echo, ignore)) : NO_MATCH);
  switch (question.type) {
    case "yesno": {
      const predicate = predicateOf(question);
      return answer(yesNoOf(core, echo) ?? (predicate === null ? null : restatementOf(core, predicate)));
    }
    case "number": {
      const amount = findAmount(core);
      if (!amount) return yesNoFallback();
      const value = boundedAmount(core, amount.value, amount.start);
      return value >= question.min && value <= question.max ? answer(value) : NO_MATCH;
    }
    case "choice": {
      const options = question.options.flatMap((o) => [o.value, ...o.phrases].map((p) => phrase(p, o.value)));
      const matches = findAll(core, options);
      const inLonger = (m: Match<string>): boolean =>
        matches.some((o) => o.length > m.length && o.start <= m.start && o.start + o.length >= m.start + m.length);
      const named = new Set(matches.flatMap((m) => Array.from({ length: m.length }, (_, k) => m.start + k)));
      const values = new Set(matches.filter((m) => !inLonger(m) && !negatedAt(core, m.start, named)).map((m) => m.label));
      if (values.size > 1) return NO_MATCH;
      const [value] = values;
      return value !== undefined ? answer(value) : yesNoFallback();
    }
    case "duration": {
      const months = parseDurationMonths(core.join(" "));
      // "not yet" asked about timing says nothing about when; without a time span it is no answer
      return months !== null ? answer(months) : yesNoFallback(["not yet"]);
    }
  }
}

/** A backchannel as recognizers and transcribers write it: "mm hmm", "mhm", "Mm-hmm.", "uh huh", "Uh-huh." */
const BACKCHANNEL = /^(?:m+[- ]?hm+|uh[- ]?huh)$/;

/**
 * The whole turn is a backchannel ("mm hmm", "okay uh huh"). Read from the raw words, before
 * GRUNTS makes them a yes and before fillers are stripped (they are made of fillers): only
 * fillers in front of one are dropped.
 */
export function isBackchannel(text: string): boolean {
  const words = text
    .toLowerCase()
    .replace(RECOGNIZER_MARKUP, " ")
    .replace(/[^a-z\s-]/g, " ")
    .split(/\s+/)
    .filter(Boolean);
  for (let k = 0; k < words.length; k++) {
    if (BACKCHANNEL.test(words.slice(k).join(" "))) return true;
    if (!FILLERS.has(words[k] as string)) return false;
  }
  return false;
}

export function understand(flow: Flow, question: Question, text: string): Understanding {
  const tokens = normalizeWords(text);
  if (tokens.length === 0) return NO_MATCH;
  // A backchannel after a yes/no question is a yes; to any other question it answers nothing.
  if (isBackchannel(text)) return question.type === "yesno" || question.yesNo ? answer(true) : NO_MATCH;
  const core = stripFillers(tokens);
  const asCommand = commandWords(core);
  const faqs = faqPhrases(flow, question);
  const command = matchCommand(asCommand, faqs) ?? matchCommand(asCommand, INTENTS);
  if (command) return command;
  const result = understandAnswer(question, core);
  if (result.kind !== "no_match") return result;
  return matchEdge(asCommand, faqs) ?? matchEdge(asCommand, INTENTS) ?? NO_MATCH;
}

/** Words after which a spoken number usually goes on: "twenty" (five thousand), "one lakh and" (fifty). */
const OPEN_ENDINGS = new Set<string>([
  ...Object.keys(NUMBER_WORDS.units),
  ...Object.keys(NUMBER_WORDS.teens),
  ...Object.keys(NUMBER_WORDS.tens),
  ...AMOUNT_JOINERS,
  "to",
  "or",
]);

const BIG_SCALES = new Set(Object.keys(NUMBER_WORDS.scales).filter((w) => w !== "hundred"));

/**
 * End-of-turn hint while the caller is still talking: does what they said so far already answer?
 * True for anything `understand` takes (a yes, a city, a FAQ, an intent) except a number that may
 * still grow. A number or time span is open while the last word is a number word or joiner ("thirty",
 * "twenty five", "one lakh and", "in one and a half"); "hundred" is open unless a larger scale came
 * before ("five hundred" may become "five hundred thousand", "twenty thousand five hundred" will
 * not); digits right after a scale are open ("2 lakh 50"). Time spans need their unit anyway: "in
 * three" is no answer yet, "in three months" is.
 */
export function isCompleteAnswer(flow: Flow, question: Question, words: string): boolean {
  const result = understand(flow, question, words);
  if (result.kind === "no_match") return false;
  if (result.kind !== "answer" || typeof result.value !== "number") return true;
  const tokens = stripFillers(normalizeWords(words));
  const last = tokens.at(-1);
  if (last === undefined || OPEN_ENDINGS.has(last)) return false;
  const before = tokens.slice(0, -1);
  if (last === "hundred") return before.some((w) => BIG_SCALES.has(w));
  if (/^\d/.test(last) && BIG_SCALES.has(before.at(-1) ?? "")) return false;
  return true;
}
