import { describe, expect, it } from "vitest";
import { DURATION_PHRASES, NUMBER_WORDS, parseAmount, parseDurationMonths, tokenize } from "./numbers";

describe("parseAmount", () => {
  it.each<[string, number]>([
    // English number words
    ["thirty thousand", 30_000],
    ["twenty five thousand", 25_000],
    ["twenty-five thousand five hundred", 25_500],
    ["one hundred and twenty thousand", 120_000],
    ["one hundred twenty thousand", 120_000],
    ["forty five hundred", 4_500],
    ["twelve hundred", 1_200],
    ["a hundred thousand", 100_000],
    ["a thousand", 1_000],
    ["two hundred and fifty", 250],
    ["nine hundred ninety nine thousand", 999_000],
    ["fifteen thousand", 15_000],
    ["eighteen thousand five hundred", 18_500],
    ["one million two hundred thousand", 1_200_000],
    ["three hundred million", 300_000_000],
    ["one thousand and fifty", 1_050],
    ["two and a half thousand", 2_500],
    ["one point five lakh", 150_000],
    // Indian units
    ["one lakh", 100_000],
    ["a lakh", 100_000],
    ["two lakh fifty thousand", 250_000],
    ["two lakhs", 200_000],
    ["1.5 lakh", 150_000],
    ["one and a half lakh", 150_000],
    ["a lakh and a half", 150_000],
    ["ten lakh", 1_000_000],
    ["a crore", 10_000_000],
    ["one crore twenty lakh", 12_000_000],
    ["2 lakh 50 thousand", 250_000],
    ["2.5 lakhs", 250_000],
    ["5 lac", 500_000],
    ["5L", 500_000],
    ["1 cr", 10_000_000],
    ["30 hazar", 30_000],
    // k, grand, million
    ["30k", 30_000],
    ["30 K", 30_000],
    ["thirty k", 30_000],
    ["1.5k", 1_500],
    ["twenty grand", 20_000],
    ["a grand", 1_000],
    ["1.2 million", 1_200_000],
    ["one million", 1_000_000],
    ["half a million", 500_000],
    ["half a lakh", 50_000],
    // digits, separators, currency
    ["30000", 30_000],
    ["30,000", 30_000],
    ["1,50,000", 150_000],
    ["₹45,000", 45_000],
    ["₹45000/-", 45_000],
    ["Rs. 45000", 45_000],
    ["rs 45000", 45_000],
    ["Rs45000", 45_000],
    ["$15,000", 15_000],
    ["15000 dollars", 15_000],
    ["INR 30000", 30_000],
    ["30 thousand", 30_000],
    // filler around the amount
    ["about thirty thousand", 30_000],
    ["around 30k", 30_000],
    ["roughly twenty thousand rupees", 20_000],
    ["approximately 45,000 per month", 45_000],
    ["maybe fifty thousand bucks", 50_000],
    ["my salary is thirty five thousand", 35_000],
    ["i earn 45k a month", 45_000],
    ["it's 40000 monthly", 40_000],
    ["₹45,000 a month", 45_000],
    ["fourty thousand", 40_000],
    // ranges give the lower bound, borrowing the upper bound's scale
    ["between twenty and thirty thousand", 20_000],
    ["twenty to thirty thousand", 20_000],
    ["twenty five to thirty thousand", 25_000],
    ["20-30k", 20_000],
    ["35–40k", 35_000],
    ["two or three lakh", 200_000],
    ["between 20000 and 30000", 20_000],
    ["one thousand and two thousand", 1_000],
    // separate numbers: the first one counts
    ["thirty thousand thirty thousand", 30_000],
    ["twenty thirty", 20],
    ["i earn 45000 and i am 30", 45_000],
    ["thirty", 30],
    ["yes(2) thirty thousand", 30_000],
  ])("%s → %d", (text, expected) => {
    expect(parseAmount(text)).toBe(expected);
  });

  it.each([
    "", "yes", "no", "i do not know", "a month", "k", "half", "rupees", "about a month", "why do you need my salary",
    "and", "a few",
  ])("%j has no amount", (text) => {
    expect(parseAmount(text)).toBeNull();
  });
});

describe("parseDurationMonths", () => {
  it.each<[string, number]>([
    ["within three months", 3],
    ["in three months", 3],
    ["3 months", 3],
    ["in 3 months' time", 3],
    ["next month", 1],
    ["this month", 0.5],
    ["by the end of this month", 0.5],
    ["next week", 0.25],
    ["in a week", 0.25],
    ["in two weeks", 0.5],
    ["right away", 0],
    ["immediately", 0],
    ["as soon as possible", 0],
    ["ASAP", 0],
    ["now", 0],
    ["right now", 0],
    ["today", 0],
    ["tomorrow", 0],
    ["in six months", 6],
    ["six months from now", 6],
    ["next year", 12],
    ["in a year", 12],
    ["a couple of months", 2],
    ["a couple months", 2],
    ["a few months", 3],
    ["in the next few months", 3],
    ["in two years", 24],
    ["not yet, maybe in six months", 6],
    ["after six months", 6],
    ["in a month", 1],
    ["one and a half years", 18],
    ["a year and a half", 18],
    ["half a year", 6],
    ["two to three months", 2],
    ["3-4 months", 3],
    ["in twenty four months", 24],
    ["in 10 days", 0.333],
    ["not now, maybe next month", 1],
    ["the coming month", 1],
    ["We could start in 2 weeks!", 0.5],
    ["in a fortnight", 0.5],
    ["not for another year", 12],
    ["6–8 weeks", 1.5],
  ])("%s → %d", (text, expected) => {
    expect(parseDurationMonths(text)).toBe(expected);
  });

  it.each(["", "not yet", "not now", "not right now", "in three", "soon", "months", "from now", "yes", "later"])(
    "%j has no time span",
    (text) => {
      expect(parseDurationMonths(text)).toBeNull();
    },
  );
});

describe("DURATION_PHRASES", () => {
  it.each(DURATION_PHRASES.map((p) => [p.phrase, p.months] as const))("%s parses back to %d", (phrase, months) => {
    expect(parseDurationMonths(phrase)).toBe(months);
  });

  it("are grammar-ready: lowercase words only, numbers spelled out, no duplicates", () => {
    for (const { phrase } of DURATION_PHRASES) expect(phrase).toMatch(/^[a-z]+( [a-z]+)*$/);
    expect(new Set(DURATION_PHRASES.map((p) => p.phrase)).size).toBe(DURATION_PHRASES.length);
  });

  it("cover one to twelve months and one to four weeks and years", () => {
    const phrases = new Set(DURATION_PHRASES.map((p) => p.phrase));
    for (const p of ["within one month", "within twelve months", "in four weeks", "in four years", "within three months"]) {
      expect(phrases).toContain(p);
    }
  });
});

describe("NUMBER_WORDS", () => {
  it("every word it offers a grammar parses, alone or after a number", () => {
    const { units, teens, tens, scales } = NUMBER_WORDS;
    for (const [word, value] of Object.entries({ ...units, ...teens, ...tens })) expect(parseAmount(word)).toBe(value);
    for (const [word, value] of Object.entries(scales)) expect(parseAmount(`two ${word}`)).toBe(2 * value);
  });
});

describe("tokenize", () => {
  it.each<[string, string[]]>([
    ["Rs. 45,000/-", ["rs", "45000"]],
    ["yes(2)", ["yes"]],
    ["30k", ["30", "k"]],
    ["1.5lakh", ["1.5", "lakh"]],
    ["20-30k", ["20", "to", "30", "k"]],
    ["twenty-five", ["twenty", "five"]],
    ["it's ₹1,50,000 😊", ["its", "150000"]],
  ])("%j → %j", (text, tokens) => {
    expect(tokenize(text)).toEqual(tokens);
  });
});
