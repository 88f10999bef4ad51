import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FlowSchema, type Flow, type Question } from "./flow-schema";
import type { GlobalIntent, Understanding } from "./types";
import { understand } from "./understand";

/**
 * Answers as a cloud transcriber prints them (OpenAI speech-to-text): capitalised, punctuated,
 * digits, ₹/Rs./$, "k" and "lakh", Hinglish and Indian English. Each row is what the caller meant;
 * "no_match" rows are turns the rules must not force into an answer (the bot asks again, or an LLM
 * fallback decides). Answers that need knowledge of the world rather than of the question ("we
 * rent", "I'm a student", "Thane") are no_match by the same convention as understand.test.ts.
 */

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
const intent = (i: GlobalIntent): Understanding => ({ kind: "intent", intent: i });

type Case = [FlowName, string, string, Understanding];

const cases: Case[] = [
  // quickrupee / salaried (yes/no)
  ["quickrupee", "salaried", "Yes.", yes],
  ["quickrupee", "salaried", "Yeah, I'm salaried.", yes],
  ["quickrupee", "salaried", "Yes, I am.", yes],
  ["quickrupee", "salaried", "Haan ji.", yes],
  ["quickrupee", "salaried", "Ji haan, I work at Infosys.", yes],
  ["quickrupee", "salaried", "Haan, salaried hoon.", yes],
  ["quickrupee", "salaried", "Yes, I'm working in a private company.", yes],
  ["quickrupee", "salaried", "I'm a salaried employee.", yes],
  ["quickrupee", "salaried", "Salaried.", yes],
  ["quickrupee", "salaried", "Salaried, in an IT company.", yes],
  ["quickrupee", "salaried", "Myself Rahul, I'm salaried.", yes],
  ["quickrupee", "salaried", "Correct.", yes],
  ["quickrupee", "salaried", "Mm-hmm.", yes],
  ["quickrupee", "salaried", "Uh, yeah.", yes],
  ["quickrupee", "salaried", "Bilkul.", yes],
  ["quickrupee", "salaried", "Yes sir, government job.", yes],
  ["quickrupee", "salaried", "No, I'm self-employed.", no],
  ["quickrupee", "salaried", "Nahi.", no],
  ["quickrupee", "salaried", "Nahi ji, business karta hoon.", no],
  ["quickrupee", "salaried", "No, I run my own business.", no],
  ["quickrupee", "salaried", "I'm not salaried.", no],
  ["quickrupee", "salaried", "Not salaried, I'm a freelancer.", no],
  ["quickrupee", "salaried", "Bilkul nahi.", no],
  ["quickrupee", "salaried", "No no, I'm a shopkeeper.", no],
  ["quickrupee", "salaried", "Not at all.", no],
  ["quickrupee", "salaried", "I'm a student.", noMatch],
  ["quickrupee", "salaried", "I'm not sure what you mean.", noMatch],
  ["quickrupee", "salaried", "I can't talk right now.", noMatch],
  ["quickrupee", "salaried", "I'm busy right now, call me later.", noMatch],
  ["quickrupee", "salaried", "My cat likes fish.", noMatch],
  ["quickrupee", "salaried", "What's the weather like today?", noMatch],
  ["quickrupee", "salaried", "Who gave you my number?", noMatch],
  ["quickrupee", "salaried", "Thank you for watching.", noMatch],
  ["quickrupee", "salaried", "...", noMatch],

  // quickrupee / salary (number in rupees, asked as yes/no)
  ["quickrupee", "salary", "Around 30k.", value(30_000)],
  ["quickrupee", "salary", "₹45,000 a month", value(45_000)],
  ["quickrupee", "salary", "I earn about thirty-five thousand rupees per month", value(35_000)],
  ["quickrupee", "salary", "Rs. 28000", value(28_000)],
  ["quickrupee", "salary", "Rs 28,000/- per month.", value(28_000)],
  ["quickrupee", "salary", "It's about 40,000.", value(40_000)],
  ["quickrupee", "salary", "Haan ji, 50 thousand.", value(50_000)],
  ["quickrupee", "salary", "My salary is 1.5 lakh.", value(150_000)],
  ["quickrupee", "salary", "1 lakh 20 thousand.", value(120_000)],
  ["quickrupee", "salary", "₹1,20,000 per month.", value(120_000)],
  ["quickrupee", "salary", "Twenty-two thousand.", value(22_000)],
  ["quickrupee", "salary", "Around ₹18k per month.", value(18_000)],
  ["quickrupee", "salary", "INR 60,000 per month.", value(60_000)],
  ["quickrupee", "salary", "45K in hand.", value(45_000)],
  ["quickrupee", "salary", "My in-hand salary is around 32k.", value(32_000)],
  ["quickrupee", "salary", "Nahi, only 20,000.", value(20_000)],
  ["quickrupee", "salary", "No, it's around 18 thousand.", value(18_000)],
  ["quickrupee", "salary", "Rupees twenty five thousand only.", value(25_000)],
  ["quickrupee", "salary", "30 hazaar.", value(30_000)],
  ["quickrupee", "salary", "It's more than 25,000.", value(25_001)],
  ["quickrupee", "salary", "Less than 25k.", value(24_999)],
  ["quickrupee", "salary", "Exactly 25,000.", value(25_000)],
  ["quickrupee", "salary", "Somewhere between 20 and 25k.", value(20_000)],
  ["quickrupee", "salary", "Between 35–40k.", value(35_000)],
  ["quickrupee", "salary", "Approx 2.5 lakh per month.", value(250_000)],
  ["quickrupee", "salary", "Yes.", yes],
  ["quickrupee", "salary", "Yeah, it's more than that.", yes],
  ["quickrupee", "salary", "Haan, zyada hai.", yes],
  ["quickrupee", "salary", "No, it's less than that.", no],
  ["quickrupee", "salary", "Nahi, kam hai.", no],
  ["quickrupee", "salary", "I don't earn that much.", no],
  ["quickrupee", "salary", "30.", noMatch],
  ["quickrupee", "salary", "I don't want to tell you.", noMatch],
  ["quickrupee", "salary", "I'm not going to tell you that.", noMatch],
  ["quickrupee", "salary", "I'm not comfortable sharing that.", noMatch],
  ["quickrupee", "salary", "I'd rather not say.", noMatch],
  ["quickrupee", "salary", "Is this a scam?", noMatch],
  ["quickrupee", "salary", "Why do you need my salary?", faq("why_salary")],
  ["quickrupee", "salary", "Why do you need to know that?", faq("why_salary")],
  ["quickrupee", "salary", "Why do you want to know?", faq("why_salary")],
  ["quickrupee", "salary", "Sorry, why are you asking?", faq("why_salary")],

  // quickrupee / city (choice, asked as yes/no)
  ["quickrupee", "city", "I'm in Navi Mumbai.", value("Mumbai")],
  ["quickrupee", "city", "Mumbai.", value("Mumbai")],
  ["quickrupee", "city", "Yes, Mumbai.", value("Mumbai")],
  ["quickrupee", "city", "I'm in Mumbai, Andheri East.", value("Mumbai")],
  ["quickrupee", "city", "Haan, Bombay.", value("Mumbai")],
  ["quickrupee", "city", "Yes, I live in Bengaluru.", value("Bangalore")],
  ["quickrupee", "city", "Bangalore, Whitefield.", value("Bangalore")],
  ["quickrupee", "city", "I stay in Hyderabad.", value("Hyderabad")],
  ["quickrupee", "city", "Currently in Chennai.", value("Chennai")],
  ["quickrupee", "city", "Madras.", value("Chennai")],
  ["quickrupee", "city", "Kolkata, sir.", value("Kolkata")],
  ["quickrupee", "city", "Calcutta.", value("Kolkata")],
  ["quickrupee", "city", "Yes, New Delhi.", value("Delhi")],
  ["quickrupee", "city", "Delhi NCR.", value("Delhi")],
  ["quickrupee", "city", "Haan ji, Delhi.", value("Delhi")],
  ["quickrupee", "city", "No, I'm from Pune.", value("Pune")],
  ["quickrupee", "city", "No, I stay in Indore.", value("Indore")],
  ["quickrupee", "city", "Nahi, Jaipur mein.", value("Jaipur")],
  ["quickrupee", "city", "Main Lucknow mein rehta hoon.", value("Lucknow")],
  ["quickrupee", "city", "Ahmedabad, Gujarat.", value("Ahmedabad")],
  ["quickrupee", "city", "Patna, Bihar.", value("Patna")],
  ["quickrupee", "city", "Yes, I do.", yes],
  ["quickrupee", "city", "Haan ji.", yes],
  ["quickrupee", "city", "No, I don't.", no],
  ["quickrupee", "city", "No, I live in a small town.", no],
  ["quickrupee", "city", "I live in Thane.", noMatch],
  ["quickrupee", "city", "Gurgaon.", noMatch],
  ["quickrupee", "city", "Which cities do you cover?", noMatch],
  ["quickrupee", "city", "What's the interest rate?", noMatch],
  ["quickrupee", "city", "I'm in a meeting.", noMatch],

  // home-renovation / owner (yes/no)
  ["reno", "owner", "Yes, we own it.", yes],
  ["reno", "owner", "We own it.", yes],
  ["reno", "owner", "I own the house.", yes],
  ["reno", "owner", "We do.", yes],
  ["reno", "owner", "Yes, it's my own house.", yes],
  ["reno", "owner", "I'm the owner.", yes],
  ["reno", "owner", "Own house.", yes],
  ["reno", "owner", "Uh-huh.", yes],
  ["reno", "owner", "Ji haan, we own it.", yes],
  ["reno", "owner", "No, I rent.", no],
  ["reno", "owner", "Nope, renting.", no],
  ["reno", "owner", "Nahi, it's rented.", no],
  ["reno", "owner", "No, we're tenants.", no],
  ["reno", "owner", "We don't own it yet.", no],
  ["reno", "owner", "I'm not the owner.", no],
  ["reno", "owner", "Not yet, we're buying it next month.", no],
  ["reno", "owner", "It's my parents' house.", noMatch],
  ["reno", "owner", "I need to ask my husband.", noMatch],
  ["reno", "owner", "We're renting right now.", noMatch],

  // home-renovation / budget (number in dollars, asked as yes/no)
  ["reno", "budget", "$15,000", value(15_000)],
  ["reno", "budget", "15k dollars", value(15_000)],
  ["reno", "budget", "Fifteen grand.", value(15_000)],
  ["reno", "budget", "Around $20K.", value(20_000)],
  ["reno", "budget", "About $12,500.", value(12_500)],
  ["reno", "budget", "Roughly $7.5k.", value(7_500)],
  ["reno", "budget", "No, about $8,000.", value(8_000)],
  ["reno", "budget", "Maybe 12 to 15 thousand.", value(12_000)],
  ["reno", "budget", "Probably around 25 to 30K.", value(25_000)],
  ["reno", "budget", "A hundred grand.", value(100_000)],
  ["reno", "budget", "$100K.", value(100_000)],
  ["reno", "budget", "About fifty thousand dollars.", value(50_000)],
  ["reno", "budget", "Twelve thousand bucks.", value(12_000)],
  ["reno", "budget", "Under $10k.", value(9_999)],
  ["reno", "budget", "Over 10 grand.", value(10_001)],
  ["reno", "budget", "Yes, it's more than ten thousand.", value(10_001)],
  ["reno", "budget", "15 grand, give or take.", value(15_000)],
  ["reno", "budget", "Yeah, definitely.", yes],
  ["reno", "budget", "Yep.", yes],
  ["reno", "budget", "Nope, less than that.", no],
  ["reno", "budget", "We haven't decided.", noMatch],
  ["reno", "budget", "I don't know yet.", noMatch],
  ["reno", "budget", "Depends on the quote.", noMatch],
  ["reno", "budget", "Fifty.", noMatch],
  ["reno", "budget", "Why do you need my budget?", faq("why_budget")],
  ["reno", "budget", "Why are you asking?", faq("why_budget")],

  // home-renovation / timeline (duration in months, asked as yes/no)
  ["reno", "timeline", "ASAP.", value(0)],
  ["reno", "timeline", "As soon as possible.", value(0)],
  ["reno", "timeline", "Immediately, if possible.", value(0)],
  ["reno", "timeline", "Yes, we can start right away.", value(0)],
  ["reno", "timeline", "Next week.", value(0.25)],
  ["reno", "timeline", "Next week itself.", value(0.25)],
  ["reno", "timeline", "In a couple of months.", value(2)],
  ["reno", "timeline", "In about 2 months.", value(2)],
  ["reno", "timeline", "Probably 2-3 months.", value(2)],
  ["reno", "timeline", "Within 3 months, yes.", value(3)],
  ["reno", "timeline", "Not yet, maybe in six months.", value(6)],
  ["reno", "timeline", "No, not for at least six months.", value(6)],
  ["reno", "timeline", "Not for another year.", value(12)],
  ["reno", "timeline", "Maybe next year.", value(12)],
  ["reno", "timeline", "Six to eight weeks.", value(1.5)],
  ["reno", "timeline", "Within 90 days.", value(3)],
  ["reno", "timeline", "In a fortnight.", value(0.5)],
  ["reno", "timeline", "This month itself.", value(0.5)],
  ["reno", "timeline", "Haan, next month se.", value(1)],
  ["reno", "timeline", "We'd like to start next month.", value(1)],
  ["reno", "timeline", "Two months from now.", value(2)],
  ["reno", "timeline", "Yes, we can.", yes],
  ["reno", "timeline", "Yeah, definitely.", yes],
  ["reno", "timeline", "No, not that soon.", no],
  ["reno", "timeline", "I can't, sorry.", no],
  ["reno", "timeline", "By March.", noMatch],
  ["reno", "timeline", "After Diwali.", noMatch],
  ["reno", "timeline", "I'm not sure yet.", noMatch],
  ["reno", "timeline", "Depends on the contractor.", noMatch],
  ["reno", "timeline", "Not right now.", noMatch],

  // global intents
  ["quickrupee", "salaried", "I want to talk to someone.", intent("agent")],
  ["quickrupee", "salary", "Can I speak to a real person?", intent("agent")],
  ["quickrupee", "city", "Connect me to an agent, please.", intent("agent")],
  ["reno", "owner", "Please transfer me to a human.", intent("agent")],
  ["reno", "budget", "I'd like to speak with a representative.", intent("agent")],
  ["reno", "timeline", "Can I talk to somebody?", intent("agent")],
  ["quickrupee", "salaried", "Can you say that again?", intent("repeat")],
  ["quickrupee", "salary", "Sorry, I didn't get you.", intent("repeat")],
  ["quickrupee", "city", "Could you repeat that, please?", intent("repeat")],
  ["reno", "owner", "Sorry, what?", intent("repeat")],
  ["reno", "budget", "Hello? I can't hear you.", intent("repeat")],
  ["reno", "timeline", "Say again?", intent("repeat")],
  ["quickrupee", "salaried", "Wait.", intent("hold")],
  ["quickrupee", "salary", "Hold on, please.", intent("hold")],
  ["quickrupee", "city", "Just a moment.", intent("hold")],
  ["reno", "owner", "Give me a minute.", intent("hold")],
  ["reno", "budget", "Wait a second, let me check.", intent("hold")],
  ["quickrupee", "city", "Sorry, I don't understand.", intent("repeat")],
  ["reno", "owner", "Owned by my father.", noMatch],
  ["quickrupee", "salaried", "Stop calling me.", intent("stop")],
  ["quickrupee", "salary", "I'm not interested.", intent("stop")],
  ["quickrupee", "city", "Please don't call me again.", intent("stop")],
  ["reno", "owner", "No thanks, not interested.", intent("stop")],
  ["reno", "budget", "Okay, bye.", intent("stop")],
  ["reno", "timeline", "Leave me alone!", intent("stop")],

  // flow FAQs
  ["quickrupee", "salaried", "Who is this?", faq("what_is_call")],
  ["quickrupee", "salary", "What is this call about?", faq("what_is_call")],
  ["quickrupee", "city", "What's this regarding?", faq("what_is_call")],
  ["reno", "owner", "Sorry, who are you?", faq("what_is_call")],
  ["reno", "budget", "Why are you calling me?", faq("what_is_call")],
  ["reno", "timeline", "What's this about?", faq("what_is_call")],
  ["quickrupee", "salaried", "Why do you need my salary?", noMatch],
];

const describeResult = (u: Understanding): string =>
  u.kind === "answer" ? `answer:${String(u.value)}` : u.kind === "intent" ? `intent:${u.intent}` : u.kind === "faq" ? `faq:${u.faqId}` : "no_match";

const run = ([flowName, questionId, text]: Case): Understanding => understand(flows[flowName], questionOf(flowName, questionId), text);

describe("free-text answers (cloud transcripts)", () => {
  it.each(cases)("%s/%s: %j", (flowName, questionId, text, expected) => {
    expect(run([flowName, questionId, text, expected])).toEqual(expected);
  });

  it("the table covers every question of both flows, every intent and every FAQ", () => {
    for (const [flowName, flow] of Object.entries(flows) as Array<[FlowName, Flow]>) {
      for (const q of flow.questions) {
        expect(cases.filter(([f, id]) => f === flowName && id === q.id).length, `${flowName}/${q.id}`).toBeGreaterThanOrEqual(15);
      }
      const faqIds = [...flow.faq, ...flow.questions.flatMap((q) => q.faq)].map((f) => f.id);
      for (const id of faqIds) expect(cases.some(([f, , , e]) => f === flowName && e.kind === "faq" && e.faqId === id), id).toBe(true);
    }
    for (const i of ["repeat", "agent", "stop", "hold"] as const) {
      expect(cases.filter(([, , , e]) => e.kind === "intent" && e.intent === i).length, i).toBeGreaterThanOrEqual(5);
    }
    expect(cases.length).toBeGreaterThanOrEqual(120);
  });

  it("accuracy over the table is 100%", () => {
    const failures = cases.flatMap((c) => {
      const got = run(c);
      return JSON.stringify(got) === JSON.stringify(c[3]) ? [] : [`${c[0]}/${c[1]} ${JSON.stringify(c[2])}: got ${describeResult(got)}, want ${describeResult(c[3])}`];
    });
    const accuracy = (cases.length - failures.length) / cases.length;
    console.log(`free-text understanding: ${cases.length - failures.length}/${cases.length} correct (${(accuracy * 100).toFixed(1)}%)`);
    for (const f of failures) console.log(`  ✗ ${f}`);
    expect(failures).toEqual([]);
  });
});
