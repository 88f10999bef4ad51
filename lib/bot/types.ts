/** What an answer is worth once understood: yes/no, an amount, a choice's value, or months. */
export type AnswerValue = boolean | number | string;

export type GlobalIntent = "repeat" | "agent" | "stop" | "hold";

/**
 * The meaning of one caller turn at one question. `value` is boolean for yes/no (also when a
 * number/choice/duration question phrased as yes/no is answered "yes"/"no"), a number for
 * amounts (in the question's unit) and durations (in months), the option's value for choices.
 */
export type Understanding =
  | { kind: "answer"; value: AnswerValue }
  | { kind: "intent"; intent: GlobalIntent }
  | { kind: "faq"; faqId: string }
  | { kind: "no_match" };
