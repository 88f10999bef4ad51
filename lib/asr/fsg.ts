/**
 * Grammars as small word automata for the decoder.
 *
 * soundswallower compiles JSGF the way the JSGF reference compiler does: every rule reference is a
 * fresh copy of the rule, joined by empty (null) transitions, so our number grammar becomes ~1,600
 * states. Its search then pays for states whether or not they are active: at the end of every 10 ms
 * frame it walks a list per state and per phone (fsg_history_end_frame), which alone took a third
 * of the decoding CPU of a salary answer (a CPU profile of the decoder's WASM, 2026-12-03).
 *
 * So we compile the JSGF here, to the same weighted language, and hand the decoder the smallest
 * automaton we can: the reference compiler's construction (same weights, normalized per group, same
 * right recursion), null transitions removed, determinized and minimized in the (max, +) semiring
 * the decoder's Viterbi search scores paths in. Each word sentence keeps the log prior of its best
 * path; the decoder finds the same best sentence with a fraction of the states.
 *
 * Only the JSGF we write is read (lib/bot/grammar.ts and the recognizer's garbage wrapper): rules,
 * alternatives with /weights/, groups, optional [ ], <NULL> and right recursion.
 */

/** A compiled grammar: states 0..states-1, one start and one final state; log priors are natural logs. */
export interface WordAutomaton {
  states: number;
  start: number;
  final: number;
  /** `word` null is a null (empty) transition; the only ones lead into `final`. */
  arcs: ReadonlyArray<{ from: number; to: number; word: string | null; logProb: number }>;
  words: readonly string[];
}

interface Atom {
  kind: "word" | "ref" | "null";
  name: string;
  weight: number;
}
type Rhs = Atom[][];

const NULL_RULE = "<NULL>";

/** Parses JSGF rule definitions into rules of alternatives; groups and optionals become anonymous rules, as in the reference parser. */
export function parseJsgf(text: string): { rules: Map<string, Rhs>; publicRule: string } {
  const body = text
    .split("\n")
    .filter((l) => !/^\s*(#JSGF|grammar\s)/.test(l))
    .join("\n");
  const tokens = body.match(/\/[^/]*\/|<[^>]+>|[()[\]|;=]|[^\s()[\]|;=<>/]+/g) ?? [];
  const rules = new Map<string, Rhs>();
  let publicRule: string | undefined;
  let anonymous = 0;
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (want?: string): string => {
    const t = tokens[pos++];
    if (t === undefined || (want !== undefined && t !== want)) throw new Error(`JSGF: expected ${want ?? "a token"} at token ${pos}, got ${t ?? "the end"}`);
    return t;
  };
  const define = (rhs: Rhs): string => {
    const name = `<#${anonymous++}>`;
    rules.set(name, rhs);
    return name;
  };
  const alternatives = (close: string): Rhs => {
    const rhs: Rhs = [];
    for (;;) {
      let weight = 1;
      if (peek()?.startsWith("/")) {
        weight = Number(take().slice(1, -1));
        if (!Number.isFinite(weight) || weight < 0) throw new Error(`JSGF: bad weight at token ${pos}`);
      }
      const atoms: Atom[] = [];
      while (peek() !== "|" && peek() !== close) {
        const t = take();
        if (t === "(") atoms.push({ kind: "ref", name: define(alternatives(")")), weight: 1 }), take(")");
        else if (t === "[") atoms.push({ kind: "ref", name: define([[{ kind: "null", name: NULL_RULE, weight: 1 }], ...alternatives("]")]), weight: 1 }), take("]");
        else if (t === NULL_RULE) atoms.push({ kind: "null", name: t, weight: 1 });
        else if (t.startsWith("<")) atoms.push({ kind: "ref", name: t, weight: 1 });
        else if (/^[()[\]|;=/]/.test(t)) throw new Error(`JSGF: unexpected ${t} at token ${pos}`);
        else atoms.push({ kind: "word", name: t, weight: 1 });
      }
      if (atoms.length === 0) throw new Error(`JSGF: empty alternative at token ${pos}`);
      atoms[0]!.weight = weight;
      rhs.push(atoms);
      if (peek() !== "|") return rhs;
      take("|");
    }
  };
  while (pos < tokens.length) {
    let isPublic = false;
    if (peek() === "public") isPublic = (take(), true);
    const name = take();
    if (!name.startsWith("<")) throw new Error(`JSGF: expected a rule name at token ${pos}, got ${name}`);
    take("=");
    rules.set(name, alternatives(";"));
    take(";");
    if (isPublic) publicRule ??= name;
  }
  if (!publicRule) throw new Error("JSGF: no public rule");
  return { rules, publicRule };
}

interface Nfa {
  states: number;
  start: number;
  final: number;
  /** word null: an empty transition. */
  arcs: Array<{ from: number; to: number; word: string | null; logProb: number }>;
}

/** The reference compiler's construction (jsgf.c expand_rule): a copy of a rule per reference, right recursion as a loop. */
function expand(rules: Map<string, Rhs>, top: string): Nfa {
  const arcs: Nfa["arcs"] = [];
  let states = 0;
  const onStack = new Map<string, number>();
  const RECURSION = -1;
  const rule = (name: string): { entry: number; exit: number } => {
    const rhs = rules.get(name);
    if (!rhs) throw new Error(`JSGF: undefined rule ${name}`);
    const entry = states++;
    const exit = states++;
    onStack.set(name, entry);
    const norm = rhs.reduce((s, atoms) => s + atoms[0]!.weight, 0) || 1;
    for (const atoms of rhs) {
      let last = entry;
      for (const [i, atom] of atoms.entries()) {
        const weight = i === 0 ? atom.weight / norm : atom.weight;
        const logProb = Math.log(weight);
        if (atom.kind === "word" || atom.kind === "null") {
          arcs.push({ from: last, to: states, word: atom.kind === "word" ? atom.name : null, logProb });
          last = states++;
        } else if (onStack.has(atom.name)) {
          if (i !== atoms.length - 1) throw new Error(`JSGF: only right recursion is allowed (${atom.name} in ${name})`);
          arcs.push({ from: last, to: onStack.get(atom.name)!, word: null, logProb });
          last = RECURSION;
        } else {
          const sub = rule(atom.name);
          arcs.push({ from: last, to: sub.entry, word: null, logProb });
          last = sub.exit;
        }
      }
      if (last !== RECURSION) arcs.push({ from: last, to: exit, word: null, logProb: 0 });
    }
    onStack.delete(name);
    return { entry, exit };
  };
  const { entry, exit } = rule(top);
  return { states, start: entry, final: exit, arcs };
}

/** A deterministic automaton without null transitions: final weights instead of a final state. */
interface Dfa {
  start: number;
  /** Per state: word → [target, logProb]. */
  next: Array<Map<string, [number, number]>>;
  /** Per state: log weight of ending there, or undefined. */
  finalWeight: Array<number | undefined>;
}

/** Residual weights are compared at this resolution (natural log): far below the decoder's integer log scale (1.0001). */
const quantize = (w: number) => Math.round(w * 1e7) / 1e7;

/** Removes null transitions, then determinizes (weighted subset construction, max-plus). */
function determinize(nfa: Nfa): Dfa {
  const eps: Array<Array<[number, number]>> = Array.from({ length: nfa.states }, () => []);
  const wordArcs: Array<Array<[string, number, number]>> = Array.from({ length: nfa.states }, () => []);
  for (const a of nfa.arcs) {
    if (a.word === null) eps[a.from]!.push([a.to, a.logProb]);
    else wordArcs[a.from]!.push([a.word, a.to, a.logProb]);
  }
  // Without null transitions, only the start and the states words lead to remain. Each takes the
  // word arcs and the final weight of what its best null paths reach (weights are log
  // probabilities <= 0, so relaxing along null paths ends).
  const kept = new Set<number>([nfa.start]);
  for (const arcs of wordArcs) for (const [, t] of arcs) kept.add(t);
  const arcsOf = new Map<number, Map<string, Map<number, number>>>();
  const finalOf = new Map<number, number>();
  for (const q of kept) {
    const best = new Map<number, number>([[q, 0]]);
    const stack = [q];
    while (stack.length > 0) {
      const from = stack.pop()!;
      for (const [t, w] of eps[from]!) {
        const cand = best.get(from)! + w;
        if (cand > (best.get(t) ?? -Infinity) + 1e-12) {
          best.set(t, cand);
          stack.push(t);
        }
      }
    }
    const byWord = new Map<string, Map<number, number>>();
    for (const [p, r] of best) {
      for (const [word, t, w] of wordArcs[p]!) {
        let targets = byWord.get(word);
        if (!targets) byWord.set(word, (targets = new Map()));
        if (r + w > (targets.get(t) ?? -Infinity)) targets.set(t, r + w);
      }
    }
    arcsOf.set(q, byWord);
    const final = best.get(nfa.final);
    if (final !== undefined) finalOf.set(q, final);
  }

  // Subsets of kept states, each with its residual weight: what its paths weigh beyond the arc into the subset.
  const dfa: Dfa = { start: 0, next: [], finalWeight: [] };
  const index = new Map<string, number>();
  const subsets: Array<Map<number, number>> = [];
  const add = (subset: Map<number, number>): number => {
    const states = [...subset.keys()].sort((a, b) => a - b);
    let key = "";
    for (const q of states) key += `${q}:${quantize(subset.get(q)!)},`;
    let id = index.get(key);
    if (id === undefined) {
      id = subsets.length;
      index.set(key, id);
      subsets.push(subset);
      dfa.next.push(new Map());
      dfa.finalWeight.push(undefined);
    }
    return id;
  };
  add(new Map([[nfa.start, 0]]));
  for (let id = 0; id < subsets.length; id++) {
    const subset = subsets[id]!;
    let final = -Infinity;
    const byWord = new Map<string, Map<number, number>>();
    for (const [q, r] of subset) {
      final = Math.max(final, r + (finalOf.get(q) ?? -Infinity));
      for (const [word, targets] of arcsOf.get(q)!) {
        let m = byWord.get(word);
        if (!m) byWord.set(word, (m = new Map()));
        for (const [t, w] of targets) if (r + w > (m.get(t) ?? -Infinity)) m.set(t, r + w);
      }
    }
    if (final > -Infinity) dfa.finalWeight[id] = final;
    for (const [word, targets] of byWord) {
      // The arc carries the best weight into the subset; each state keeps what is left.
      let best = -Infinity;
      for (const w of targets.values()) best = Math.max(best, w);
      const residual = new Map<number, number>();
      for (const [t, w] of targets) residual.set(t, w - best);
      dfa.next[id]!.set(word, [add(residual), best]);
    }
  }
  return dfa;
}

/** Merges states with the same future (Moore's partition refinement on arcs labelled word and weight). */
function minimize(dfa: Dfa): Dfa {
  const n = dfa.next.length;
  let ids = new Map<string, number>();
  let classOf = dfa.finalWeight.map((w) => (w === undefined ? "-" : String(quantize(w)))).map((c) => {
    if (!ids.has(c)) ids.set(c, ids.size);
    return ids.get(c)!;
  });
  for (;;) {
    ids = new Map();
    const next = Array.from({ length: n }, (_, s) => {
      const sig = [...dfa.next[s]!.entries()]
        .map(([word, [t, w]]) => `${word}/${quantize(w)}/${classOf[t]}`)
        .sort()
        .join(" ");
      const key = `${classOf[s]}|${sig}`;
      if (!ids.has(key)) ids.set(key, ids.size);
      return ids.get(key)!;
    });
    const stable = ids.size === new Set(classOf).size;
    classOf = next;
    if (stable) break;
  }
  const count = new Set(classOf).size;
  const out: Dfa = { start: classOf[dfa.start]!, next: Array.from({ length: count }, () => new Map()), finalWeight: new Array(count).fill(undefined) };
  for (let s = 0; s < n; s++) {
    const c = classOf[s]!;
    out.finalWeight[c] = dfa.finalWeight[s];
    for (const [word, [t, w]] of dfa.next[s]!) out.next[c]!.set(word, [classOf[t]!, w]);
  }
  return out;
}

/**
 * Pushes weights towards the start: each state's best way to end (its potential) moves onto the
 * arcs into it, so paths carry their cost as early as possible (better for the decoder's beam) and
 * more states share a future. Path weights are unchanged.
 */
function push(dfa: Dfa): Dfa {
  const n = dfa.next.length;
  const potential = new Array<number>(n).fill(-Infinity);
  // Longest-path (best) relaxation backwards; weights <= 0 apart from pushed residuals, cycles carry negative weight.
  for (let s = 0; s < n; s++) if (dfa.finalWeight[s] !== undefined) potential[s] = dfa.finalWeight[s]!;
  for (let changed = true, rounds = 0; changed && rounds < n + 1; rounds++) {
    changed = false;
    for (let s = 0; s < n; s++) {
      for (const [t, w] of dfa.next[s]!.values()) {
        const cand = w + potential[t]!;
        if (cand > potential[s]! + 1e-12) {
          potential[s] = cand;
          changed = true;
        }
      }
    }
  }
  const out: Dfa = { start: dfa.start, next: dfa.next.map(() => new Map()), finalWeight: [] };
  for (let s = 0; s < n; s++) {
    const ps = potential[s]!;
    out.finalWeight[s] = dfa.finalWeight[s] === undefined ? undefined : dfa.finalWeight[s]! - ps;
    // An arc into a state that cannot end leads nowhere: dropped.
    for (const [word, [t, w]] of dfa.next[s]!) if (potential[t]! > -Infinity) out.next[s]!.set(word, [t, w + potential[t]! - ps]);
  }
  // Every path now weighs less the start's potential (the best sentence's prior): it goes back on
  // the way out, which every sentence takes once, so scores stay as written.
  const startPotential = potential[dfa.start]!;
  out.finalWeight = out.finalWeight.map((w) => (w === undefined ? undefined : w + startPotential));
  return out;
}

/** Compiles JSGF (as we write it) to the smallest word automaton with the same weighted sentences. */
export function compileJsgf(text: string): WordAutomaton {
  const { rules, publicRule } = parseJsgf(text);
  const dfa = minimize(push(minimize(determinize(expand(rules, publicRule)))));
  const arcs: Array<WordAutomaton["arcs"][number]> = [];
  const final = dfa.next.length;
  const words = new Set<string>();
  for (let s = 0; s < final; s++) {
    for (const [word, [t, w]] of dfa.next[s]!) {
      arcs.push({ from: s, to: t, word, logProb: w });
      words.add(word);
    }
    if (dfa.finalWeight[s] !== undefined) arcs.push({ from: s, to: final, word: null, logProb: dfa.finalWeight[s]! });
  }
  return { states: final + 1, start: dfa.start, final, arcs, words: [...words] };
}

/** The same automaton, unoptimized (the reference construction with its null transitions): for tests. */
export function expandJsgf(text: string): WordAutomaton {
  const { rules, publicRule } = parseJsgf(text);
  const nfa = expand(rules, publicRule);
  return { ...nfa, words: [...new Set(nfa.arcs.flatMap((a) => (a.word ? [a.word] : [])))] };
}
