import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FlowSchema, type Flow, type Question } from "./flow-schema";
import { BACKCHANNEL_PHRASES } from "./intents";
import type { Understanding } from "./types";
import { isBackchannel, isCompleteAnswer, normalizeWords, understand } from "./understand";

const load = (file: string): Flow => FlowSchema.parse(JSON.parse(readFileSync(file, "utf8")));
const flows = { quickrupee: load("flows/quickrupee.json"), reno: load("flows/home-renovation.json") };
type FlowName = keyof typeof flows;

function questionOf(flowName: FlowName, id: string): Question {
  const question = flows[flowName].questions.find((q) => q.id === id);
  if (!question) throw new Error(`no question ${id} in ${flowName}`);
  return question;
}

const yes: Understanding = { kind: "answer", value: true };
const no: Understanding = { kind: "answer", value: false };
const noMatch: Understanding = { kind: "no_match" };
const value = (v: number | string): Understanding => ({ kind: "answer", value: v });
const faq = (faqId: string): Understanding => ({ kind: "faq", faqId });
const intent = (i: "repeat" | "agent" | "stop" | "hold"): Understanding => ({ kind: "intent", intent: i });

type Case = [FlowName, string, string, Understanding];

const cases: Case[] = [
  // yes/no question, recognizer words and typed text
  ["quickrupee", "salaried", "yes", yes],
  ["quickrupee", "salaried", "yes(2)", yes],
  ["quickrupee", "salaried", "<sil> yes [noise]", yes],
  ["quickrupee", "salaried", "Yes!!!", yes],
  ["quickrupee", "salaried", "yeah sure", yes],
  ["quickrupee", "salaried", "YEP 👍", yes],
  ["quickrupee", "salaried", "👍", yes],
  ["quickrupee", "salaried", "ya", yes],
  ["quickrupee", "salaried", "yesss", yes],
  ["quickrupee", "salaried", "haan", yes],
  ["quickrupee", "salaried", "haan ji", yes],
  ["quickrupee", "salaried", "ji haan", yes],
  ["quickrupee", "salaried", "haanji", yes],
  // backchannels: a yes after a yes/no question, nothing to any other
  ["quickrupee", "salaried", "mm hmm", yes],
  ["quickrupee", "salaried", "Uh-huh.", yes],
  ["quickrupee", "salary", "mhm", yes],
  ["quickrupee", "city", "um mm hmm", yes],
  ["quickrupee", "salaried", "hmm", noMatch],
  ["quickrupee", "salaried", "ji", yes],
  ["quickrupee", "salaried", "um yes please", yes],
  ["quickrupee", "salaried", "well, of course", yes],
  ["quickrupee", "salaried", "that's right", yes],
  ["quickrupee", "salaried", "i am", yes],
  ["quickrupee", "salaried", "I'm", yes],
  ["quickrupee", "salaried", "yeah, I'm salaried", yes],
  ["quickrupee", "salaried", "I am a salaried employee", yes],
  ["quickrupee", "salaried", "yes I'm a sales representative", yes],
  ["quickrupee", "salaried", "okay yes", yes],
  ["quickrupee", "salaried", "no", no],
  ["quickrupee", "salaried", "No.", no],
  ["quickrupee", "salaried", "nope", no],
  ["quickrupee", "salaried", "nahi", no],
  ["quickrupee", "salaried", "nahi ji", no],
  ["quickrupee", "salaried", "ji nahi", no],
  ["quickrupee", "salaried", "nhi", no],
  ["quickrupee", "salaried", "👎", no],
  ["quickrupee", "salaried", "i am not", no],
  ["quickrupee", "salaried", "I'm not", no],
  ["quickrupee", "salaried", "no i am not", no],
  ["quickrupee", "salaried", "no, I'm self employed", no],
  ["quickrupee", "salaried", "not really", no],
  ["quickrupee", "salaried", "absolutely not", no],
  ["quickrupee", "salaried", "of course not", no],
  ["quickrupee", "salaried", "I'm not salaried, I run a shop", no],
  ["quickrupee", "salaried", "I'm self-employed", noMatch],
  ["quickrupee", "salaried", "i am not sure", noMatch],
  ["quickrupee", "salaried", "I don't know", noMatch],
  ["quickrupee", "salaried", "maybe", noMatch],
  ["quickrupee", "salaried", "no idea", noMatch],
  ["quickrupee", "salaried", "okay", noMatch],
  ["quickrupee", "salaried", "hello?", noMatch],
  ["quickrupee", "salaried", "", noMatch],
  ["quickrupee", "salaried", "🙂", noMatch],
  ["quickrupee", "salaried", "I work in human resources", noMatch],
  ["reno", "owner", "yes we do", yes],
  ["reno", "owner", "I do own it", yes],
  ["reno", "owner", "i do", yes],
  ["reno", "owner", "i don't", no],
  ["reno", "owner", "no, we rent", no],
  ["reno", "owner", "not yet", no],
  ["reno", "owner", "i do rent it", noMatch],
  // amounts
  ["quickrupee", "salary", "about thirty thousand", value(30_000)],
  ["quickrupee", "salary", "thirty thousand", value(30_000)],
  ["quickrupee", "salary", "around 30k", value(30_000)],
  ["quickrupee", "salary", "₹45,000 a month", value(45_000)],
  ["quickrupee", "salary", "My salary is Rs. 45000 per month", value(45_000)],
  ["quickrupee", "salary", "i earn one lakh", value(100_000)],
  ["quickrupee", "salary", "yes, thirty five thousand", value(35_000)],
  ["quickrupee", "salary", "no, about twenty thousand", value(20_000)],
  ["quickrupee", "salary", "twenty to thirty thousand", value(20_000)],
  ["quickrupee", "salary", "more than thirty thousand", value(30_001)],
  ["quickrupee", "salary", "less than twenty five thousand", value(24_999)],
  ["quickrupee", "salary", "not less than twenty five thousand", value(25_000)],
  ["quickrupee", "salary", "at least 25k", value(25_000)],
  ["quickrupee", "salary", "thirty", noMatch],
  ["quickrupee", "salary", "twenty five", noMatch],
  ["quickrupee", "salary", "fifty crore", noMatch],
  ["quickrupee", "salary", "yes", yes],
  ["quickrupee", "salary", "yeah it is", yes],
  ["quickrupee", "salary", "it is", yes],
  ["quickrupee", "salary", "no it is less than that", no],
  ["quickrupee", "salary", "haan ji", yes],
  ["quickrupee", "salary", "why do you need my salary?", faq("why_salary")],
  ["quickrupee", "salary", "but why are you asking", faq("why_salary")],
  ["reno", "budget", "fifteen thousand dollars", value(15_000)],
  ["reno", "budget", "$15,000", value(15_000)],
  ["reno", "budget", "twenty grand", value(20_000)],
  ["reno", "budget", "about 1.2 million", value(1_200_000)],
  ["reno", "budget", "yes it is over ten thousand", value(10_001)],
  ["reno", "budget", "under ten thousand", value(9_999)],
  ["reno", "budget", "fifty", noMatch],
  ["reno", "budget", "yup", yes],
  ["reno", "budget", "why do you need my budget", faq("why_budget")],
  // choices
  ["quickrupee", "city", "Mumbai", value("Mumbai")],
  ["quickrupee", "city", "I'm in Navi Mumbai", value("Mumbai")],
  ["quickrupee", "city", "i live in bombay", value("Mumbai")],
  ["quickrupee", "city", "New Delhi", value("Delhi")],
  ["quickrupee", "city", "bengaluru", value("Bangalore")],
  ["quickrupee", "city", "yes, I live in Chennai", value("Chennai")],
  ["quickrupee", "city", "no, I live in Pune", value("Pune")],
  ["quickrupee", "city", "not mumbai, pune", value("Pune")],
  ["quickrupee", "city", "I'm not in Mumbai, I'm in Delhi", value("Delhi")],
  ["quickrupee", "city", "delhi or mumbai", noMatch],
  ["quickrupee", "city", "yes", yes],
  ["quickrupee", "city", "yes i do", yes],
  ["quickrupee", "city", "no", no],
  ["quickrupee", "city", "i do not live in mumbai", no],
  ["quickrupee", "city", "I live in a small village", noMatch],
  // durations
  ["reno", "timeline", "within three months", value(3)],
  ["reno", "timeline", "next month", value(1)],
  ["reno", "timeline", "right away", value(0)],
  ["reno", "timeline", "ASAP!", value(0)],
  ["reno", "timeline", "in six months", value(6)],
  ["reno", "timeline", "not yet, maybe in six months", value(6)],
  ["reno", "timeline", "yes, within two months", value(2)],
  ["reno", "timeline", "we can start next week", value(0.25)],
  ["reno", "timeline", "not yet", noMatch],
  ["reno", "timeline", "not now", noMatch],
  ["reno", "timeline", "yes we can", yes],
  ["reno", "timeline", "yes", yes],
  ["reno", "timeline", "no", no],
  ["reno", "timeline", "I can't", no],
  ["reno", "timeline", "in three", noMatch],
  // FAQs and intents win over answers
  ["quickrupee", "salaried", "what is this call about", faq("what_is_call")],
  ["quickrupee", "city", "sorry, who is this?", faq("what_is_call")],
  ["reno", "timeline", "Who are you?", faq("what_is_call")],
  ["quickrupee", "salaried", "why do you need my salary?", noMatch],
  ["quickrupee", "salaried", "can I talk to a human", intent("agent")],
  ["quickrupee", "salary", "I want to speak to an agent", intent("agent")],
  ["quickrupee", "salary", "agent", intent("agent")],
  ["quickrupee", "salary", "give me an agent", intent("agent")],
  ["quickrupee", "salaried", "repeat that please", intent("repeat")],
  ["quickrupee", "city", "sorry, can you repeat that?", intent("repeat")],
  ["reno", "budget", "pardon", intent("repeat")],
  ["quickrupee", "salaried", "wait a minute", intent("hold")],
  ["quickrupee", "salary", "um hold on", intent("hold")],
  ["quickrupee", "city", "give me a second", intent("hold")],
  ["reno", "budget", "one moment", intent("hold")],
  ["reno", "timeline", "just a second", intent("hold")],
  ["quickrupee", "salaried", "bye", intent("stop")],
  ["quickrupee", "salaried", "ok bye", intent("stop")],
  ["quickrupee", "salaried", "okay thank you bye", intent("stop")],
  ["quickrupee", "salaried", "not interested", intent("stop")],
  ["quickrupee", "salaried", "no I'm not interested", intent("stop")],
  ["reno", "timeline", "don't call me again", intent("stop")],
  ["quickrupee", "salary", "thirty thousand, but why do you ask", faq("why_salary")],
];

describe("understand", () => {
  it.each(cases)("%s/%s: %j", (flowName, questionId, text, expected) => {
    expect(understand(flows[flowName], questionOf(flowName, questionId), text)).toEqual(expected);
  });
});

describe("isBackchannel", () => {
  it("is a whole turn of listening sounds, not an answer that starts with one", () => {
    for (const t of [...BACKCHANNEL_PHRASES, "Mm-hmm.", "Uh-huh!", "okay uh huh", "<s> mm hmm </s>"]) expect(isBackchannel(t), t).toBe(true);
    for (const t of ["", "yes", "hmm", "mm", "uh", "huh", "mm hmm yes", "uh huh I am salaried", "yes mm hmm"]) expect(isBackchannel(t), t).toBe(false);
  });

  it("answers nothing to a question not asked as yes/no", () => {
    const city = { ...questionOf("quickrupee", "city"), yesNo: false } as Question;
    expect(understand(flows.quickrupee, city, "mm hmm")).toEqual(noMatch);
    expect(understand(flows.quickrupee, city, "Mumbai")).toEqual(value("Mumbai"));
  });
});

describe("normalizeWords", () => {
  it.each<[string, string[]]>([
    ["I'm not", ["i", "am", "not"]],
    ["Don't call me", ["do", "not", "call", "me"]],
    ["I can't", ["i", "can", "not"]],
    ["dont", ["do", "not"]],
    ["it’s ₹45,000", ["it", "is", "45000"]],
    ["yes(2) no(3)", ["yes", "no"]],
    ["Haanji 🙏", ["haan", "ji"]],
    ["y do u need it", ["why", "do", "you", "need", "it"]],
    ["Mm-hmm.", ["yes"]],
    ["Uh-huh, yes", ["yes", "yes"]],
    ["Uh-uh.", ["no"]],
    ["Hmm, bilkul nahi", ["hmm", "absolutely", "nahi"]],
  ])("%j → %j", (text, words) => {
    expect(normalizeWords(text)).toEqual(words);
  });
});

describe("isCompleteAnswer", () => {
  it.each<[FlowName, string, string, boolean]>([
    ["quickrupee", "salary", "thirty", false],
    ["quickrupee", "salary", "twenty five", false],
    ["quickrupee", "salary", "thirty thousand", true],
    ["quickrupee", "salary", "twenty five thousand rupees", true],
    ["quickrupee", "salary", "thirty k", true],
    ["quickrupee", "salary", "one lakh", true],
    ["quickrupee", "salary", "one lakh fifty", false],
    ["quickrupee", "salary", "one lakh and", false],
    ["quickrupee", "salary", "twenty thousand five hundred", true],
    ["quickrupee", "salary", "2 lakh 50", false],
    ["quickrupee", "salary", "30000", true],
    ["quickrupee", "salary", "thirty thousand i think", true],
    ["quickrupee", "salary", "yes", true],
    ["quickrupee", "salary", "why do you need my salary", true],
    ["reno", "budget", "five hundred", false],
    ["reno", "budget", "fifteen thousand dollars", true],
    ["reno", "timeline", "in three", false],
    ["reno", "timeline", "in three months", true],
    ["reno", "timeline", "a year and", false],
    ["reno", "timeline", "next month", true],
    ["quickrupee", "salaried", "yes", true],
    ["quickrupee", "salaried", "i am self", false],
    ["quickrupee", "city", "navi", false],
    ["quickrupee", "city", "navi mumbai", true],
    ["quickrupee", "city", "stop", true],
  ])("%s/%s: %j → %s", (flowName, questionId, words, expected) => {
    expect(isCompleteAnswer(flows[flowName], questionOf(flowName, questionId), words)).toBe(expected);
  });
});
