/**
 * Amounts and time spans from what callers say or type: recognizer words ("twenty five thousand"),
 * typed text ("₹45,000 a month", "30k") and the mix of both ("2 lakh 50 thousand"). Pure functions.
 *
 * The word tables are exported so the grammar generator offers the recognizer exactly the vocabulary
 * this parser understands.
 */

/** Spoken number vocabulary. `scales` multiply what precedes them; "hundred" binds tighter than the rest. */
export const NUMBER_WORDS = {
  units: { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9 },
  teens: {
    ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
    eighteen: 18, nineteen: 19,
  },
  tens: { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 },
  scales: {
    hundred: 100, thousand: 1_000, lakh: 100_000, lakhs: 100_000, crore: 10_000_000, crores: 10_000_000,
    million: 1_000_000, k: 1_000, grand: 1_000,
  },
} as const satisfies Record<string, Record<string, number>>;

/** Words that join number words inside one amount ("one hundred and twenty", "one and a half lakh"). */
export const AMOUNT_JOINERS = ["and", "a", "an", "half", "point"] as const;

/** Spelling people type but nobody says; kept out of NUMBER_WORDS so they never reach a grammar. */
const TYPED_NUMBER_WORDS: Record<string, number> = { fourty: 40 };
const TYPED_SCALES: Record<string, number> = {
  thousands: 1_000, hazar: 1_000, hazaar: 1_000, lac: 100_000, lacs: 100_000, l: 100_000, cr: 10_000_000,
  crs: 10_000_000, millions: 1_000_000, mn: 1_000_000,
};
/** Scales that only mean something right after a number: "30k" but never "k" or "a k" on its own. */
const SUFFIX_SCALES = new Set(["k", "l", "cr", "crs", "mn", "grand"]);
/** Suffix scales that still follow "a": "a grand". */
const A_SCALES = new Set(["grand"]);

const SMALL: Record<string, number> = { ...NUMBER_WORDS.units, ...NUMBER_WORDS.teens, ...NUMBER_WORDS.tens, ...TYPED_NUMBER_WORDS };
const SCALES: Record<string, number> = { ...NUMBER_WORDS.scales, ...TYPED_SCALES };
const DIGITS = /^\d+(\.\d+)?$/;

/**
 * Lowercase words and numbers, nothing else. Digit groupings ("30,000", "1,50,000") and decimals
 * survive; currency signs, punctuation and emojis go; "30k" and "rs45000" split into two tokens;
 * "20-30k" and "20–30k" become a range ("20 to 30 k"). Apostrophes are dropped, so expand contractions before.
 */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\(\d+\)/g, " ")
    .replace(/(\d),(?=\d)/g, "$1")
    .replace(/(\d)\s*[-\u2013\u2014]\s*(?=\d)/g, "$1 to ")
    .replace(/(\d)\.(?=\d)/g, "$1\u0000")
    .replace(/['\u2019]/g, "")
    .replace(/[^a-z0-9\u0000]+/g, " ")
    .replace(/\u0000/g, ".")
    .replace(/(\d)(?=[a-z])/g, "$1 ")
    .replace(/([a-z])(?=\d)/g, "$1 ")
    .split(" ")
    .filter((t) => t !== "");
}

interface NumberSpan {
  value: number;
  /** Token range [start, end) the number came from. */
  start: number;
  end: number;
  /** A scale or "hundred" took part ("thirty thousand", "five hundred"), as opposed to "thirty". */
  multiplied: boolean;
  /** The scale the span ends with, if it ends with one: "thirty thousand" → 1000. */
  trailingScale: number | null;
}

type Prev =
  | "none" | "small" | "digit" | "hundred" | "scale" | "and" | "a" | "andA" | "half" | "point" | "decimal"
  | "halfDone";

/** Kinds after which a multiplier (hundred, thousand, lakh…) may follow. */
const MULTIPLIABLE: ReadonlySet<Prev> = new Set(["small", "digit", "a", "half", "decimal", "halfDone"]);

function isNumberToken(t: string | undefined): boolean {
  return t !== undefined && (DIGITS.test(t) || t in SMALL);
}

/** Float noise off ("1.2 million"), keeping what callers can say: halves, quarters, eighths of a month. */
const round = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * Reads the longest well-formed number starting at `start`, or null. Well-formed means in the
 * order people say numbers: "twenty five", "forty five hundred", "two lakh fifty thousand". A scale
 * that is not smaller than the previous one starts a new number ("thirty thousand thirty thousand"
 * is two numbers), and so does a word that cannot follow ("twenty thirty").
 */
function readNumber(tokens: readonly string[], start: number): NumberSpan | null {
  let total = 0;
  let current = 0;
  let prev: Prev = "none";
  let beforeAnd: Prev = "none";
  let lastScale = Infinity;
  let decimalDiv = 1;
  let multiplied = false;
  let best: NumberSpan | null = null;
  let atLastScale: NumberSpan | null = null;
  // tens and units share a segment ("twenty five") but never repeat within it ("twenty thirty")
  let segmentHasTens = false;
  let segmentHasUnit = false;

  const snap = (i: number, trailingScale: number | null): void => {
    best = { value: round(total + current), start, end: i + 1, multiplied, trailingScale };
  };

  for (let i = start; i < tokens.length; i++) {
    const w = tokens[i] as string;
    const next = tokens[i + 1];

    if (DIGITS.test(w)) {
      if (prev !== "none" && prev !== "scale" && prev !== "and") break;
      current = Number(w);
      prev = "digit";
      snap(i, null);
      continue;
    }

    const small = SMALL[w];
    if (small !== undefined) {
      if (prev === "point" || prev === "decimal") {
        if (small > 9) break;
        decimalDiv *= 10;
        current += small / decimalDiv;
        prev = "decimal";
        snap(i, null);
        continue;
      }
      const isUnit = small < 10;
      const isTens = small >= 20;
      const fresh = prev === "none" || prev === "hundred" || prev === "scale" || prev === "and";
      const afterTens = prev === "small" && isUnit && segmentHasTens && !segmentHasUnit;
      if (!fresh && !afterTens) break;
      if (fresh) {
        segmentHasTens = false;
        segmentHasUnit = false;
      }
      if (isTens) segmentHasTens = true;
      else segmentHasUnit = true;
      current += small;
      prev = "small";
      snap(i, null);
      continue;
    }

    if (w === "hundred" || w === "hundreds") {
      if (prev === "none") current = 100;
      else if (MULTIPLIABLE.has(prev) && current < 100) current *= 100;
      else break;
      multiplied = true;
      prev = "hundred";
      segmentHasTens = false;
      segmentHasUnit = false;
      snap(i, 100);
      continue;
    }

    const scale = SCALES[w];
    if (scale !== undefined) {
      if (prev === "none") {
        if (SUFFIX_SCALES.has(w)) break;
        current = 1;
      } else if (!MULTIPLIABLE.has(prev) && prev !== "hundred") break;
      if (scale >= lastScale) return atLastScale;
      total += current * scale;
      current = 0;
      lastScale = scale;
      multiplied = true;
      prev = "scale";
      snap(i, scale);
      atLastScale = best;
      continue;
    }

    if (w === "and") {
      const halfFollows = next === "a" && tokens[i + 2] === "half";
      if ((prev === "hundred" || prev === "scale") && isNumberToken(next)) {
        beforeAnd = prev;
        prev = "and";
        continue;
      }
      if (halfFollows && (prev === "small" || prev === "digit" || prev === "scale")) {
        beforeAnd = prev;
        prev = "and";
        continue;
      }
      break;
    }

    if (w === "a" || w === "an") {
      const multiplierNext =
        next !== undefined && (next === "hundred" || (next in SCALES && (!SUFFIX_SCALES.has(next) || A_SCALES.has(next))));
      if (prev === "none" && multiplierNext) {
        current = 1;
        prev = "a";
        continue;
      }
      if (prev === "and" && next === "half") {
        prev = "andA";
        continue;
      }
      if (prev === "half" && multiplierNext) continue;
      break;
    }

    if (w === "half") {
      if (prev === "none") {
        // only a number once a multiplier follows: "half a million", never "half" alone
        current = 0.5;
        prev = "half";
        continue;
      }
      if (prev === "andA") {
        // "a lakh and a half" adds half the scale; "one and a half" adds a half to the count
        if (beforeAnd === "scale") {
          total += lastScale / 2;
          prev = "scale";
        } else {
          current += 0.5;
          prev = "halfDone";
        }
        snap(i, null);
        continue;
      }
      break;
    }

    if (w === "point") {
      const nextSmall = next === undefined ? undefined : SMALL[next];
      if ((prev === "small" || (prev === "digit" && Number.isInteger(current))) && nextSmall !== undefined && nextSmall < 10) {
        prev = "point";
        decimalDiv = 1;
        continue;
      }
      break;
    }

    break;
  }
  return best;
}

export interface AmountMatch {
  value: number;
  /** Token range [start, end) of the amount itself (a range's second half is not included). */
  start: number;
  end: number;
}

const RANGE_WORDS = new Set(["to", "or", "and", "till", "until"]);

/**
 * The first amount in the tokens. For a range ("between twenty and thirty thousand", "20-30k",
 * "two or three lakh") that is the lower bound, and it borrows the upper bound's scale when it has
 * none of its own: "twenty to thirty thousand" → 20000, not 20. The lower bound is the cautious
 * reading for "at least" rules; callers who state a range are usually asked again anyway.
 */
export function findAmount(tokens: readonly string[]): AmountMatch | null {
  for (let i = 0; i < tokens.length; i++) {
    const span = readNumber(tokens, i);
    if (!span) continue;
    let value = span.value;
    const connector = tokens[span.end];
    if (!span.multiplied && connector !== undefined && RANGE_WORDS.has(connector)) {
      const upper = readNumber(tokens, span.end + 1);
      if (upper?.trailingScale != null) value = round(value * upper.trailingScale);
    }
    return { value, start: span.start, end: span.end };
  }
  return null;
}

/**
 * The amount in `text`, or null. Words around it are ignored ("about", "my salary is", "rupees",
 * "a month"), so the first number wins: "I earn 45000 and I'm 30" → 45000.
 */
export function parseAmount(text: string): number | null {
  return findAmount(tokenize(text))?.value ?? null;
}

/** How many months one of each unit is. Days count as a thirtieth of a month. */
const DURATION_UNITS: Record<string, number> = {
  day: 1 / 30, days: 1 / 30,
  week: 0.25, weeks: 0.25, wk: 0.25, wks: 0.25,
  month: 1, months: 1, mo: 1, mos: 1, mnth: 1, mnths: 1, mth: 1, mths: 1,
  year: 12, years: 12, yr: 12, yrs: 12,
  fortnight: 0.5, fortnights: 0.5,
};

/** "next month", "the coming week": one unit from now. */
const NEXT_WORDS = new Set(["next", "coming", "following"]);

/** Start as soon as possible. Looked for only when no other time span is said ("six months from now"). */
const IMMEDIATE_PHRASES = [
  "right away", "right now", "straight away", "straightaway", "immediately", "as soon as possible", "asap",
  "now", "today", "tonight", "tomorrow", "at once",
].map((p) => p.split(" "));

function countBefore(tokens: readonly string[], unitAt: number): number | null {
  const before = tokens[unitAt - 1];
  if (before === undefined) return null;
  if (before === "a" || before === "an") return tokens[unitAt - 2] === "half" ? 0.5 : 1;
  // "not for another year": one more unit from now
  if (before === "another") return 1;
  if (before === "couple" || (before === "of" && tokens[unitAt - 2] === "couple")) return 2;
  if (before === "few") return 3;
  for (let s = Math.max(0, unitAt - 8); s < unitAt; s++) {
    const span = readNumber(tokens, s);
    if (span?.end !== unitAt) continue;
    // a range ("two to three months") counts from its lower bound, as amounts do
    const connector = tokens[s - 1];
    if (connector !== undefined && RANGE_WORDS.has(connector)) {
      for (let r = Math.max(0, s - 7); r < s - 1; r++) {
        const lower = readNumber(tokens, r);
        if (lower?.end === s - 1) return lower.value;
      }
    }
    return span.value;
  }
  return null;
}

/**
 * How many months until the caller can start, or null. "in three months" = 3, "next week" = 0.25,
 * "a couple of months" = 2, "right away" = 0, "this month" = 0.5 (half of the current unit, so "this
 * year" = 6). The first time span said counts; a range counts from its lower bound; "now" and its kin
 * count only when no span is said and they are not negated ("not now" is no answer).
 */
export function parseDurationMonths(text: string): number | null {
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const unit = DURATION_UNITS[tokens[i] as string];
    if (unit === undefined) continue;
    const before = tokens[i - 1];
    let count = countBefore(tokens, i);
    if (count === null && before !== undefined && NEXT_WORDS.has(before)) count = 1;
    if (count === null && before === "this") count = 0.5;
    if (count === null) continue;
    const andAHalf = tokens[i + 1] === "and" && tokens[i + 2] === "a" && tokens[i + 3] === "half";
    return round((count + (andAHalf ? 0.5 : 0)) * unit);
  }
  for (let i = 0; i < tokens.length; i++) {
    for (const phrase of IMMEDIATE_PHRASES) {
      if (!phrase.every((w, k) => tokens[i + k] === w)) continue;
      const negated = tokens[i - 1] === "not" || (tokens[i - 1] === "right" && tokens[i - 2] === "not");
      const fromNow = phrase[0] === "now" && tokens[i - 1] === "from";
      if (!negated && !fromNow) return 0;
    }
  }
  return null;
}

const COUNT_WORDS = [
  "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
] as const;

function countedPhrases(unit: string, months: number, upTo: number): Array<{ phrase: string; months: number }> {
  return COUNT_WORDS.slice(0, upTo).flatMap((word, i) => {
    const n = i + 1;
    const span = `${word} ${n === 1 ? unit : `${unit}s`}`;
    const phrases = [span, `in ${span}`, `within ${span}`, `after ${span}`, `${span} from now`];
    if (n > 1) phrases.push(`in the next ${span}`, `within the next ${span}`);
    return phrases.map((phrase) => ({ phrase, months: n * months }));
  });
}

/**
 * The spoken duration phrases a grammar offers the recognizer: lowercase words, numbers spelled out.
 * "asap" is left out (typed, not said). Every phrase parses back to its months (tested).
 */
export const DURATION_PHRASES: Array<{ phrase: string; months: number }> = [
  ...countedPhrases("month", 1, 12),
  ...countedPhrases("week", 0.25, 4),
  ...countedPhrases("year", 12, 4),
  ...([
    ["this week", 0.125], ["next week", 0.25], ["in a week", 0.25], ["within a week", 0.25],
    ["a couple of weeks", 0.5], ["in a couple of weeks", 0.5], ["a few weeks", 0.75], ["in a few weeks", 0.75],
    ["this month", 0.5], ["next month", 1], ["in a month", 1], ["within a month", 1], ["after a month", 1],
    ["a month and a half", 1.5], ["a couple of months", 2], ["in a couple of months", 2],
    ["within a couple of months", 2], ["in the next couple of months", 2], ["a few months", 3],
    ["in a few months", 3], ["within a few months", 3], ["in the next few months", 3], ["half a year", 6],
    ["in half a year", 6], ["this year", 6], ["next year", 12], ["in a year", 12], ["within a year", 12],
    ["after a year", 12], ["a year and a half", 18], ["right away", 0], ["right now", 0], ["straight away", 0],
    ["immediately", 0], ["as soon as possible", 0], ["now", 0], ["today", 0], ["tomorrow", 0],
  ] satisfies Array<[string, number]>).map(([phrase, months]) => ({ phrase, months })),
];
