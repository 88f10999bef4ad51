import { describe, expect, it } from "vitest";
import { mulberry32 } from "../audio/prng";
import type { Flow, Question } from "./flow-schema";
import { loadFlows } from "./flows";
import { buildFlowGrammars, buildQuestionGrammar, factorPhrases, phraseTree } from "./grammar";
import { BACKCHANNEL_PHRASES, HEDGE_PHRASES, INTENT_PHRASES, NO_PHRASES, TYPED_ONLY_PHRASES, YES_PHRASES } from "./intents";
import { DURATION_PHRASES, parseAmount } from "./numbers";
import { understand } from "./understand";

/**
 * A small reader for the JSGF subset the generator writes: one `<rule> = expansion;` per line,
 * alternatives `|`, optional `[...]`, groups `(...)`, rule references `<x>`, `<NULL>` (nothing), weights
 * `/w/` (ignored).
 * It lets the tests check the text is well formed, and generate or recognize sentences the way a
 * grammar-constrained recognizer would.
 */
type Node =
  | { kind: "alt"; options: Node[] }
  | { kind: "seq"; items: Node[] }
  | { kind: "opt"; body: Node }
  | { kind: "word"; word: string }
  | { kind: "ref"; name: string };

type Rules = Map<string, Node>;

function parseJsgf(text: string): Rules {
  const rules: Rules = new Map();
  for (const line of text.split("\n")) {
    const m = /^<([A-Za-z0-9_]+)> = (.+);$/.exec(line);
    if (!m) throw new Error(`not a rule definition: ${JSON.stringify(line)}`);
    const name = m[1]!;
    if (rules.has(name)) throw new Error(`<${name}> is defined twice`);
    const tokens = m[2]!.match(/<[^>]*>|\/[^/]*\/|[()[\]|]|[^\s()[\]|<>/;=]+|\S/g) ?? [];
    let pos = 0;
    const alt = (): Node => {
      const options = [seq()];
      while (tokens[pos] === "|") {
        pos++;
        options.push(seq());
      }
      return options.length === 1 ? options[0]! : { kind: "alt", options };
    };
    const seq = (): Node => {
      const items: Node[] = [];
      for (let t = tokens[pos]; t !== undefined && t !== "|" && t !== ")" && t !== "]"; t = tokens[pos]) {
        pos++;
        if (t.startsWith("/")) continue;
        if (t === "(" || t === "[") {
          const body = alt();
          if (tokens[pos++] !== (t === "(" ? ")" : "]")) throw new Error(`<${name}>: unbalanced "${t}"`);
          items.push(t === "(" ? body : { kind: "opt", body });
        } else if (t === "<NULL>") {
          items.push({ kind: "seq", items: [] });
        } else if (/^<[A-Za-z0-9_]+>$/.test(t)) {
          items.push({ kind: "ref", name: t.slice(1, -1) });
        } else if (/^[a-z][a-z']*$/.test(t)) {
          items.push({ kind: "word", word: t });
        } else {
          throw new Error(`<${name}>: unexpected token ${JSON.stringify(t)}`);
        }
      }
      if (items.length === 0) throw new Error(`<${name}>: empty alternative`);
      return items.length === 1 ? items[0]! : { kind: "seq", items };
    };
    const body = alt();
    if (pos !== tokens.length) throw new Error(`<${name}>: unexpected ${JSON.stringify(tokens[pos])}`);
    rules.set(name, body);
  }
  for (const node of rules.values()) {
    for (const ref of refsOf(node)) if (!rules.has(ref)) throw new Error(`<${ref}> is used but not defined`);
  }
  return rules;
}

function refsOf(node: Node): string[] {
  switch (node.kind) {
    case "word":
      return [];
    case "ref":
      return [node.name];
    case "opt":
      return refsOf(node.body);
    case "seq":
      return node.items.flatMap(refsOf);
    case "alt":
      return node.options.flatMap(refsOf);
  }
}

function wordsOf(node: Node): string[] {
  switch (node.kind) {
    case "word":
      return [node.word];
    case "ref":
      return [];
    case "opt":
      return wordsOf(node.body);
    case "seq":
      return node.items.flatMap(wordsOf);
    case "alt":
      return node.options.flatMap(wordsOf);
  }
}

const ruleOf = (rules: Rules, name: string): Node => {
  const node = rules.get(name);
  if (!node) throw new Error(`no rule <${name}>`);
  return node;
};

/** One random sentence: each alternative equally likely, each optional part half the time. */
function sample(rules: Rules, node: Node, random: () => number): string[] {
  switch (node.kind) {
    case "word":
      return [node.word];
    case "ref":
      return sample(rules, ruleOf(rules, node.name), random);
    case "opt":
      return random() < 0.5 ? sample(rules, node.body, random) : [];
    case "seq":
      return node.items.flatMap((n) => sample(rules, n, random));
    case "alt":
      return sample(rules, node.options[Math.floor(random() * node.options.length)]!, random);
  }
}

/** Every sentence of a finite language, or null once there would be more than `limit`. */
function enumerate(rules: Rules, node: Node, limit: number): string[][] | null {
  const product = (parts: string[][][]): string[][] | null => {
    let out: string[][] = [[]];
    for (const part of parts) {
      if (out.length * part.length > limit) return null;
      out = out.flatMap((a) => part.map((b) => [...a, ...b]));
    }
    return out;
  };
  switch (node.kind) {
    case "word":
      return [[node.word]];
    case "ref":
      return enumerate(rules, ruleOf(rules, node.name), limit);
    case "opt": {
      const body = enumerate(rules, node.body, limit - 1);
      return body && [[], ...body];
    }
    case "seq": {
      const parts = node.items.map((n) => enumerate(rules, n, limit));
      return parts.every((p) => p !== null) ? product(parts as string[][][]) : null;
    }
    case "alt": {
      const out: string[][] = [];
      for (const option of node.options) {
        const sentences = enumerate(rules, option, limit - out.length);
        if (!sentences) return null;
        out.push(...sentences);
      }
      return out;
    }
  }
}

/** Token positions where `node` can stop after matching from `from`. */
function ends(rules: Rules, node: Node, words: readonly string[], from: number): Set<number> {
  switch (node.kind) {
    case "word":
      return new Set(words[from] === node.word ? [from + 1] : []);
    case "ref":
      return ends(rules, ruleOf(rules, node.name), words, from);
    case "opt":
      return new Set([from, ...ends(rules, node.body, words, from)]);
    case "seq": {
      let at = new Set([from]);
      for (const item of node.items) at = new Set([...at].flatMap((p) => [...ends(rules, item, words, p)]));
      return at;
    }
    case "alt":
      return new Set(node.options.flatMap((o) => [...ends(rules, o, words, from)]));
  }
}

function accepts(rules: Rules, sentence: string, rule = "answer"): boolean {
  const words = sentence.split(" ");
  return ends(rules, ruleOf(rules, rule), words, 0).has(words.length);
}

const flows = loadFlows("flows");
/** Hesitations the grammars allow before any answer. */
const FILLER_WORDS = new Set(["um", "uh", "well", "so", "okay", "oh"]);

const allQuestions: Array<[string, Flow, Question]> = [...flows.values()].flatMap((flow) =>
  flow.questions.map((q) => [`${flow.id}/${q.id}`, flow, q] as [string, Flow, Question]),
);

function flowQuestion(flowId: string, questionId: string): [Flow, Question] {
  const flow = flows.get(flowId);
  const question = flow?.questions.find((q) => q.id === questionId);
  if (!flow || !question) throw new Error(`no question ${flowId}/${questionId}`);
  return [flow, question];
}

function cityQuestion(): [Flow, Extract<Question, { type: "choice" }>] {
  const [flow, city] = flowQuestion("quickrupee", "city");
  if (city.type !== "choice") throw new Error("quickrupee/city is not a choice question");
  return [flow, city];
}

/** Top-level alternatives of a JSGF expression with their weights (1 where none is written). */
function splitTop(text: string): Array<{ weight: number; text: string }> {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(" || ch === "[") depth++;
    if (ch === ")" || ch === "]") depth--;
    if (ch === "|" && depth === 0) {
      parts.push(current.trim());
      current = "";
    } else current += ch;
  }
  parts.push(current.trim());
  return parts.map((part) => {
    const m = /^\/([^/]+)\/ (.*)$/.exec(part);
    return m ? { weight: Number(m[1]), text: m[2]! } : { weight: 1, text: part };
  });
}

describe("factorPhrases", () => {
  const phrases = ["yes", "yes please", "yes i am", "yes i do", "yeah", "i am", "i am not sure", "no", "no i am not", "not sure"];

  it("writes the same phrases as a prefix tree, each first word once", () => {
    const text = factorPhrases(phrases);
    const rules = parseJsgf(`<x> = ${text};`);
    const sentences = enumerate(rules, ruleOf(rules, "x"), 1000)!.map((w) => w.join(" "));
    expect(new Set(sentences)).toEqual(new Set(phrases));
    expect(sentences).toHaveLength(phrases.length);
    expect(text).toBe(
      "/0.4/ yes (/0.1/ <NULL> | /0.1/ please | /0.2/ i (am | do)) | /0.1/ yeah | /0.2/ i am (<NULL> | not sure) | /0.2/ no (<NULL> | i am not) | /0.1/ not sure",
    );
  });

  it("weights each alternative so that every phrase keeps the prior it had in a flat list", () => {
    // Priors as the decoder computes them: at each group, an alternative's weight over the group's.
    const prior = (phrase: string, lists: string[][]) => {
      let text = phraseTree(lists).text;
      let p = 1;
      for (const word of phrase.split(" ")) {
        const group = splitTop(text);
        const option = group.find((o) => o.text.split(" ")[0] === word)!;
        p *= option.weight / group.reduce((sum, o) => sum + o.weight, 0);
        text = option.text.slice(word.length).trim().replace(/^\((.*)\)$/, "$1");
      }
      if (text !== "") {
        const group = splitTop(text);
        p *= group.find((o) => o.text === "<NULL>")!.weight / group.reduce((sum, o) => sum + o.weight, 0);
      }
      return p;
    };
    const yes = ["yes", "yes please", "yeah"];
    const no = ["no", "no i am not", "nope", "i am not"];
    const weight = phraseTree([yes, no]).weight;
    expect(weight).toBe(2);
    for (const p of yes) expect(prior(p, [yes, no])).toBeCloseTo(1 / 2 / yes.length, 3);
    for (const p of no) expect(prior(p, [yes, no])).toBeCloseTo(1 / 2 / no.length, 3);
  });

  it("drops duplicates and phrases only typed", () => {
    const typed = [...TYPED_ONLY_PHRASES][0]!;
    expect(factorPhrases(["no", "no", typed])).toBe("no");
  });
});

describe("buildQuestionGrammar", () => {
  it.each(allQuestions)("%s: rules are well-formed JSGF with an <answer> entry", (_name, flow, question) => {
    const grammar = buildQuestionGrammar(flow, question);
    const rules = parseJsgf(grammar.rules);
    expect(rules.has("answer")).toBe(true);
  });

  it.each(allQuestions)("%s: words lists exactly the words the rules use", (_name, flow, question) => {
    const grammar = buildQuestionGrammar(flow, question);
    const rules = parseJsgf(grammar.rules);
    const used = new Set([...rules.values()].flatMap(wordsOf));
    expect(new Set(grammar.words)).toEqual(used);
    expect(grammar.words).toHaveLength(new Set(grammar.words).size);
    for (const word of grammar.words) expect(word).toMatch(/^[a-z][a-z']*$/);
  });

  it.each(allQuestions)("%s: accepts yes/no when asked as yes/no, the FAQs and the global intents", (_name, flow, question) => {
    const rules = parseJsgf(buildQuestionGrammar(flow, question).rules);
    for (const p of [...flow.faq, ...question.faq].flatMap((f) => f.phrases)) expect(accepts(rules, p), p).toBe(true);
    for (const p of Object.values(INTENT_PHRASES).flat()) expect(accepts(rules, p), p).toBe(!TYPED_ONLY_PHRASES.has(p));
    const yesNo = question.type === "yesno" || question.yesNo;
    // "Not yet" is left out at duration questions on purpose: it says nothing about when.
    const noPhrases = question.type === "duration" ? NO_PHRASES.filter((p) => p !== "not yet") : NO_PHRASES;
    for (const p of [...YES_PHRASES, ...noPhrases]) expect(accepts(rules, p), p).toBe(yesNo && !TYPED_ONLY_PHRASES.has(p));
    expect(accepts(rules, "um yes")).toBe(yesNo);
    for (const p of BACKCHANNEL_PHRASES) expect(accepts(rules, p), p).toBe(true);
  });

  it("gives the same id for the same question and different ids to different questions", () => {
    for (const flow of flows.values()) {
      const grammars = buildFlowGrammars(flow);
      const ids = [...grammars.values()].map((g) => g.id);
      expect(new Set(ids).size).toBe(flow.questions.length);
      for (const q of flow.questions) expect(buildQuestionGrammar(flow, q)).toEqual(grammars.get(q.id));
    }
    const [flow, city] = cityQuestion();
    const moreCities: Question = { ...city, options: [...city.options, { value: "Surat", phrases: [] }] };
    expect(buildQuestionGrammar(flow, moreCities).id).not.toBe(buildQuestionGrammar(flow, city).id);
  });

  it.each([
    [
      "quickrupee",
      "salary",
      [
        "twenty five thousand",
        "two lakh fifty thousand rupees",
        "one lakh",
        "a lakh and twenty thousand",
        "my salary is thirty k a month",
        "forty five hundred rupees per month",
        "about fifty thousand rupees",
      ],
    ],
    [
      "home-renovation",
      "budget",
      ["fifteen thousand dollars", "twenty grand", "a million dollars", "about twelve thousand bucks", "over ten thousand"],
    ],
  ] as const)("%s/%s: hears amounts in thousands, lakhs and millions", (flowId, questionId, sentences) => {
    const [flow, question] = flowQuestion(flowId, questionId);
    const grammar = buildQuestionGrammar(flow, question);
    const rules = parseJsgf(grammar.rules);
    for (const word of ["thousand", "lakh", "lakhs", "hundred", "million", "k"]) expect(grammar.words).toContain(word);
    for (const sentence of sentences) expect(accepts(rules, sentence), sentence).toBe(true);
  });

  it("hears every option of a choice question, alone, after a lead-in and with 'city'", () => {
    const [flow, city] = cityQuestion();
    const rules = parseJsgf(buildQuestionGrammar(flow, city).rules);
    const phrases = city.options.flatMap((o) => [o.value.toLowerCase(), ...o.phrases]);
    expect(phrases).toContain("navi mumbai");
    for (const p of phrases) {
      expect(accepts(rules, p), p).toBe(true);
      expect(accepts(rules, `i live in ${p}`), p).toBe(true);
      expect(accepts(rules, `${p} city`), p).toBe(true);
    }
    expect(accepts(rules, "i live in surat")).toBe(false);
    expect(accepts(rules, "twenty thousand")).toBe(false);
  });

  it("hears every spoken duration phrase at a duration question", () => {
    const [flow, timeline] = flowQuestion("home-renovation", "timeline");
    const rules = parseJsgf(buildQuestionGrammar(flow, timeline).rules);
    for (const { phrase } of DURATION_PHRASES) expect(accepts(rules, phrase), phrase).toBe(true);
    expect(accepts(rules, "we can start in two months")).toBe(true);
  });
});

/** A number the question's range refuses makes "not understood" the right answer. */
function outOfRange(question: Question, sentence: string): boolean {
  if (question.type !== "number") return false;
  const value = parseAmount(sentence);
  if (value === null) return false;
  // "over ten million" is understood as ten million and one
  const above = /\b(more than|over|above)\b/.test(sentence) ? 1 : 0;
  return value < question.min || value + above > question.max;
}

describe("every sentence the recognizer can output is understood", () => {
  it.each(allQuestions)("%s", (_name, flow, question) => {
    const rules = parseJsgf(buildQuestionGrammar(flow, question).rules);
    const random = mulberry32(20240601);
    const sentences: string[] = [];
    // ~200 sentences from the whole grammar, as the recognizer would produce them…
    for (let i = 0; i < 200; i++) sentences.push(sample(rules, ruleOf(rules, "answer"), random).join(" "));
    // (hedges are heard so that they are not taken for an answer: see the next test)
    const hedges = new Set(HEDGE_PHRASES);
    // …and, because a uniform walk rarely reaches deep alternatives, each answer branch on its own:
    // all of it when it is finite and small, else 300 samples; with a random filler in front half the time.
    const answer = ruleOf(rules, "answer");
    const body = answer.kind === "seq" ? answer.items[1] : undefined;
    const branches = body?.kind === "alt" ? body.options : body ? [body] : [];
    expect(branches.length).toBe(question.type === "yesno" ? 1 : 2);
    for (const branch of branches) {
      const all = enumerate(rules, branch, 5000)?.map((w) => w.join(" "));
      const body = all ?? Array.from({ length: 300 }, () => sample(rules, branch, random).join(" "));
      for (const s of body) sentences.push(random() < 0.5 ? `${sample(rules, ruleOf(rules, "filler"), random).join(" ")} ${s}` : s);
    }
    const notUnderstood = [
      ...new Set(
        sentences.filter(
          (s) =>
            !hedges.has(s.split(" ").filter((w) => !FILLER_WORDS.has(w)).join(" ")) &&
            !outOfRange(question, s) &&
            understand(flow, question, s).kind === "no_match",
        ),
      ),
    ];
    expect({ count: notUnderstood.length, examples: notUnderstood.slice(0, 15) }).toEqual({ count: 0, examples: [] });
  });
});

describe("a hedge the recognizer hears is no answer", () => {
  it.each(allQuestions)("%s", (_name, flow, question) => {
    const rules = parseJsgf(buildQuestionGrammar(flow, question).rules);
    const hedges = HEDGE_PHRASES.filter((h) => !TYPED_ONLY_PHRASES.has(h));
    expect(hedges.length).toBeGreaterThan(5);
    for (const h of hedges) expect(accepts(rules, h), h).toBe(true);
    const understood = hedges.filter((h) => understand(flow, question, h).kind !== "no_match");
    expect(understood).toEqual([]);
  });
});
