import type { Question } from "./flow-schema";
import type { Understanding } from "./types";

/**
 * Keypad (DTMF) answers on phone calls, pure: "1" yes and "2" no at every question that takes
 * yes or no; an amount keyed digit by digit and ended with "#" (or a pause); "*" repeats the
 * question. At an amount question that also takes yes/no, a lone "1" or "2" waits for the pause
 * (or "#") in case more digits follow. The session feeds digits one at a time and keeps what is
 * pending.
 */
export type KeypadStep =
  /** More digits may follow: wait for them, "#", or the digit timeout. */
  | { kind: "wait"; digits: string }
  | { kind: "done"; understanding: Understanding };

const MAX_DIGITS = 9;
const YES = "1";
const NO = "2";

const takesYesNo = (q: Question) => q.type === "yesno" || q.yesNo;
const takesDigits = (q: Question) => q.type === "number";

export function keypadDigit(question: Question, pending: string, digit: string): KeypadStep {
  if (digit === "*") return { kind: "done", understanding: { kind: "intent", intent: "repeat" } };
  if (digit === "#") return { kind: "done", understanding: keypadEnd(question, pending) };
  if (!/^[0-9]$/.test(digit)) return { kind: "done", understanding: { kind: "no_match" } };
  if (!takesDigits(question)) {
    if (takesYesNo(question) && (digit === YES || digit === NO)) return { kind: "done", understanding: { kind: "answer", value: digit === YES } };
    return { kind: "done", understanding: { kind: "no_match" } };
  }
  const digits = pending + digit;
  if (digits.length > MAX_DIGITS) return { kind: "done", understanding: { kind: "no_match" } };
  return { kind: "wait", digits };
}

/** The digits keyed so far, ended by "#" or by the pause after the last one. */
export function keypadEnd(question: Question, digits: string): Understanding {
  if (takesYesNo(question) && (digits === YES || digits === NO)) return { kind: "answer", value: digits === YES };
  if (!/^[0-9]+$/.test(digits) || !takesDigits(question)) return { kind: "no_match" };
  const value = Number(digits);
  if (question.type === "number" && (value < question.min || value > question.max)) return { kind: "no_match" };
  return { kind: "answer", value };
}
