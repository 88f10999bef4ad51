import { describe, expect, it } from "vitest";
import { loadFlows } from "../bot/flows";
import { buildFlowGrammars } from "../bot/grammar";
import { compileJsgf, expandJsgf, parseJsgf, type WordAutomaton } from "./fsg";

/** Best log prior of a word sentence (Viterbi over the automaton, null transitions included); -Infinity if it cannot be said. */
function sentenceLogProb(a: WordAutomaton, words: readonly string[]): number {
  const close = (m: Map<number, number>) => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const arc of a.arcs) {
        if (arc.word !== null || !m.has(arc.from)) continue;
        const c = m.get(arc.from)! + arc.logProb;
        if (c > (m.get(arc.to) ?? -Infinity) + 1e-12) {
          m.set(arc.to, c);
          changed = true;
        }
      }
    }
    return m;
  };
  let cur = close(new Map([[a.start, 0]]));
  for (const w of words) {
    const next = new Map<number, number>();
    for (const arc of a.arcs) {
      if (arc.word !== w || !cur.has(arc.from)) continue;
      const c = cur.get(arc.from)! + arc.logProb;
      if (c > (next.get(arc.to) ?? -Infinity)) next.set(arc.to, c);
    }
    cur = close(next);
  }
  return cur.get(a.final) ?? -Infinity;
}

/** Random sentences of an automaton, by walking it (a seeded generator, so failures repeat). */
function sampleSentences(a: WordAutomaton, count: number, seed = 1): string[][] {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: string[][] = [];
  for (let n = 0; n < count; n++) {
    let s = a.start;
    const words: string[] = [];
    for (let steps = 0; s !== a.final && steps < 200; steps++) {
      const arcs = a.arcs.filter((arc) => arc.from === s);
      const arc = arcs[Math.floor(random() * arcs.length)]!;
      if (arc.word) words.push(arc.word);
      s = arc.to;
    }
    if (s === a.final) out.push(words);
  }
  return out;
}

const GARBAGE = "a | b | c";
const wrap = (rules: string) =>
  `#JSGF V1.0;\ngrammar g;\npublic <s> = [<garbage>] <v>;\n<v> = /1/ <answer> [<garbage>] | /2e-5/ <NULL>;\n${rules}\n<garbage> = <phone> <tail>;\n<tail> = /1/ <NULL> | /1e-4/ <garbage>;\n<phone> = ${GARBAGE};\n`;

describe("grammar automata", () => {
  it("parse groups, optionals, weights and references as the reference compiler does", () => {
    const { rules, publicRule } = parseJsgf("#JSGF V1.0;\ngrammar g;\npublic <s> = /3/ yes [please] | /1/ <n>;\n<n> = (one | two) thousand;\n");
    expect(publicRule).toBe("<s>");
    expect(rules.get("<s>")!.map((alt) => alt.map((a) => `${a.kind}:${a.name}:${a.weight}`))).toEqual([["word:yes:3", "ref:<#0>:1"], ["ref:<n>:1"]]);
    // An optional is a rule of <NULL> and its alternatives, each of weight 1 before normalization.
    expect(rules.get("<#0>")!.map((alt) => alt.map((a) => a.name))).toEqual([["<NULL>"], ["please"]]);
    const a = compileJsgf("#JSGF V1.0;\ngrammar g;\npublic <s> = /3/ yes [please] | /1/ <n>;\n<n> = (one | two) thousand;\n");
    expect(sentenceLogProb(a, ["yes"])).toBeCloseTo(Math.log(0.75 * 0.5), 9);
    expect(sentenceLogProb(a, ["yes", "please"])).toBeCloseTo(Math.log(0.75 * 0.5), 9);
    expect(sentenceLogProb(a, ["two", "thousand"])).toBeCloseTo(Math.log(0.25 * 0.5), 9);
    expect(sentenceLogProb(a, ["thousand"])).toBe(-Infinity);
  });

  it("keep every sentence's prior, a right-recursive loop included, in fewer states", () => {
    const text = wrap("<answer> = [um | uh] (/1/ <number> | /6/ <phrase>);\n<phrase> = yes (<NULL> | please) | no;\n<d> = one | two | three;\n<number> = <d> [thousand [<d>]] [dollars];");
    const reference = expandJsgf(text);
    const compiled = compileJsgf(text);
    expect(compiled.states).toBeLessThan(reference.states / 2);
    // Only null transitions into the final state remain.
    expect(compiled.arcs.filter((a) => a.word === null).every((a) => a.to === compiled.final)).toBe(true);
    const sentences = [...sampleSentences(reference, 300), ["a", "b", "c", "c", "a"], ["b", "yes", "please", "c"], ["uh", "two", "thousand", "three", "dollars"]];
    for (const words of sentences) expect(sentenceLogProb(compiled, words), words.join(" ")).toBeCloseTo(sentenceLogProb(reference, words), 6);
    for (const words of [["yes", "yes"], ["thousand"], ["please"], ["dollars"]]) expect(sentenceLogProb(compiled, words)).toBe(-Infinity);
  });

  it("compile every question of the shipped flows to a fraction of the reference states, same priors", () => {
    for (const flow of loadFlows("flows").values()) {
      for (const grammar of buildFlowGrammars(flow).values()) {
        const text = wrap(grammar.rules);
        const reference = expandJsgf(text);
        const compiled = compileJsgf(text);
        expect(compiled.states).toBeLessThan(reference.states / 3);
        expect(new Set(compiled.words)).toEqual(new Set(reference.words));
        for (const words of sampleSentences(reference, 60, 7)) expect(sentenceLogProb(compiled, words), words.join(" ")).toBeCloseTo(sentenceLogProb(reference, words), 6);
      }
    }
  });

  it("refuses what the reference compiler refuses", () => {
    expect(() => compileJsgf("#JSGF V1.0;\ngrammar g;\n<s> = yes;\n")).toThrow(/no public rule/);
    expect(() => compileJsgf("#JSGF V1.0;\ngrammar g;\npublic <s> = <missing>;\n")).toThrow(/undefined rule <missing>/);
    expect(() => compileJsgf("#JSGF V1.0;\ngrammar g;\npublic <s> = <s> yes | no;\n")).toThrow(/only right recursion/);
    expect(() => compileJsgf("#JSGF V1.0;\ngrammar g;\npublic <s> = (yes | ;\n")).toThrow(/JSGF/);
  });
});
