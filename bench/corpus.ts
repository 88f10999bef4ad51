/**
 * What callers say at each question of the shipped flows, with what it must be understood as
 * ("answer:<value>", "intent:<name>", "faq:<id>"), and sentences that are not answers at all and
 * must be rejected. Spoken by flite voices other than the bot's in bench/understanding.ts.
 */

export interface CorpusItem {
  flow: string;
  question: string;
  text: string;
  expect: string;
}

const items = (flow: string, question: string, pairs: Array<[string, string]>): CorpusItem[] =>
  pairs.map(([text, expect]) => ({ flow, question, text, expect }));

const YES = "answer:true";
const NO = "answer:false";

export const IN_DOMAIN: CorpusItem[] = [
  ...items("quickrupee", "salaried", [
    ["yes", YES], ["yeah sure", YES], ["yes I am", YES], ["haan", YES], ["haan ji", YES], ["of course", YES],
    ["correct", YES], ["yep", YES], ["absolutely", YES], ["no", NO], ["nahi", NO], ["I am not", NO],
    ["not really", NO], ["no I am not", NO], ["nope", NO], ["repeat that", "intent:repeat"],
    ["talk to a person", "intent:agent"], ["what is this call about", "faq:what_is_call"], ["goodbye", "intent:stop"],
    // Callers often lead with a hesitation or "okay"; the grammar allows one before any answer.
    ["okay yes", YES], ["um yes", YES],
  ]),
  ...items("quickrupee", "salary", [
    ["about thirty thousand", "answer:30000"], ["twenty five thousand", "answer:25000"], ["forty thousand rupees", "answer:40000"],
    ["fifty thousand", "answer:50000"], ["fifteen thousand", "answer:15000"], ["twenty thousand rupees", "answer:20000"],
    ["one lakh", "answer:100000"], ["around sixty thousand", "answer:60000"], ["thirty five thousand", "answer:35000"],
    ["eighteen thousand", "answer:18000"], ["yes", YES], ["no", NO], ["haan ji", YES],
    ["why do you need my salary", "faq:why_salary"], ["say that again", "intent:repeat"], ["forty five thousand a month", "answer:45000"],
    ["um about thirty thousand", "answer:30000"], ["wait a minute", "intent:hold"],
  ]),
  ...items("quickrupee", "city", [
    ["Mumbai", "answer:Mumbai"], ["Delhi", "answer:Delhi"], ["Bangalore", "answer:Bangalore"], ["I live in Pune", "answer:Pune"],
    ["Chennai", "answer:Chennai"], ["Hyderabad", "answer:Hyderabad"], ["Kolkata", "answer:Kolkata"], ["Jaipur", "answer:Jaipur"],
    ["I am in Navi Mumbai", "answer:Mumbai"], ["New Delhi", "answer:Delhi"], ["Lucknow", "answer:Lucknow"], ["yes", YES],
    ["no", NO], ["I live in Delhi", "answer:Delhi"], ["agent", "intent:agent"],
  ]),
  ...items("home-renovation", "owner", [
    ["yes", YES], ["yes I do", YES], ["yeah", YES], ["sure", YES], ["no", NO], ["no I do not", NO], ["nope", NO],
    ["who is this", "faq:what_is_call"], ["stop", "intent:stop"], ["speak to someone", "intent:agent"],
    ["okay sure", YES], ["uh no", NO], ["hold on", "intent:hold"],
  ]),
  ...items("home-renovation", "budget", [
    ["fifteen thousand dollars", "answer:15000"], ["twenty thousand", "answer:20000"], ["about fifty thousand dollars", "answer:50000"],
    ["eight thousand", "answer:8000"], ["five thousand dollars", "answer:5000"], ["twelve thousand", "answer:12000"],
    ["one hundred thousand", "answer:100000"], ["thirty thousand dollars", "answer:30000"], ["yes", YES], ["no", NO],
    ["why do you need to know", "faq:why_budget"],
  ]),
  ...items("home-renovation", "timeline", [
    ["next month", "answer:1"], ["within three months", "answer:3"], ["in six months", "answer:6"], ["right away", "answer:0"],
    ["next year", "answer:12"], ["in two months", "answer:2"], ["immediately", "answer:0"], ["yes", YES], ["no", NO],
    ["in a year", "answer:12"], ["next week", "answer:0.25"], ["repeat", "intent:repeat"],
  ]),
];

/** Not answers to anything the bot asks: each must come back as no_match (the caller is reprompted). */
export const OUT_OF_DOMAIN: string[] = [
  "the weather is lovely today",
  "banana pancakes",
  "purple elephants dancing",
  "my cat likes fish",
  "I bought a new car last week",
  "can you hear the music",
  "the train is late again",
  "hello",
  "I do not know",
  "open the window please",
  "football is on tonight",
  "where are my glasses",
  "let me check with my wife",
  "the kids are at school",
  "what time is it",
  "I love chocolate ice cream",
  "turn off the television",
  "seven",
  "blue",
  "the dog is barking",
  "please send me an email",
  "is it going to rain",
  "my phone battery is low",
  "I was in the shower",
  "the restaurant is closed",
  "happy birthday",
  "thank you very much",
  "good morning",
];
