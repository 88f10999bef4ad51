import { z } from "zod";

/**
 * A qualification flow is data: greeting, questions with typed answers and a qualifying rule,
 * outcome messages, FAQ answers. `npm run flows:check` validates every file in flows/.
 * docs/flows.md documents each field.
 */

const Slug = z.string().regex(/^[a-z][a-z0-9_-]*$/, "lowercase letters, digits, '-' or '_'");
/** Spoken text: what the bot says. Kept short; the TTS reads it as written. */
const Speech = z.string().trim().min(1).max(400);
/** A phrase the caller may say; lowercase words only (it becomes grammar). */
const Phrase = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z' ]*$/, "phrases are lowercase words separated by spaces");

export const RuleSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("eq"), value: z.union([z.boolean(), z.number(), z.string()]) }),
  z.object({ op: z.enum(["gte", "gt", "lte", "lt"]), value: z.number() }),
  z.object({ op: z.literal("in"), values: z.array(z.string().min(1)).min(1) }),
]);
export type Rule = z.infer<typeof RuleSchema>;

export const FaqSchema = z.strictObject({
  id: Slug,
  /** What callers say to trigger it ("why do you need my salary"). */
  phrases: z.array(Phrase).min(1),
  answer: Speech,
});
export type Faq = z.infer<typeof FaqSchema>;

const QuestionBase = z.strictObject({
  id: Slug,
  prompt: Speech,
  /** Said after an answer that was not understood. Defaults to a generic reprompt + the prompt. */
  reprompt: Speech.optional(),
  /** Said when the caller says nothing. Defaults to a generic nudge + the prompt. */
  noInputPrompt: Speech.optional(),
  /** The rule a qualifying answer meets. */
  qualify: RuleSchema,
  /** Told to the caller when this answer disqualifies them. */
  disqualifyReason: Speech,
  /**
   * The prompt is phrased as a yes/no question ("Is your salary at least 25,000 rupees?"):
   * "yes" means the rule is met and "no" means it is not. Implied for type "yesno".
   */
  yesNo: z.boolean().default(false),
  /** FAQs specific to this question (flow-level FAQs apply everywhere). */
  faq: z.array(FaqSchema).default([]),
});

export const YesNoQuestionSchema = QuestionBase.extend({ type: z.literal("yesno") });

export const NumberQuestionSchema = QuestionBase.extend({
  type: z.literal("number"),
  /** Spoken unit words accepted after the amount ("rupees", "dollars"). */
  unit: z.enum(["rupees", "dollars"]),
  /** Plausible range; answers outside it are treated as not understood. */
  min: z.number().nonnegative().default(0),
  max: z.number().positive().default(100_000_000),
});

export const ChoiceOptionSchema = z.strictObject({
  /** Stored as the answer and, lowercased, accepted as a phrase: letters and spaces only. */
  value: z.string().regex(/^[A-Za-z][A-Za-z ]*$/, "option values are words (letters and spaces)"),
  /** What callers say for it; the lowercased value is always accepted. */
  phrases: z.array(Phrase).default([]),
});
export type ChoiceOption = z.infer<typeof ChoiceOptionSchema>;

export const ChoiceQuestionSchema = QuestionBase.extend({
  type: z.literal("choice"),
  options: z.array(ChoiceOptionSchema).min(2),
});

/** Answers are a time span in months ("within three months" = 3, "next week" = 0.25). */
export const DurationQuestionSchema = QuestionBase.extend({ type: z.literal("duration") });

export const QuestionSchema = z.discriminatedUnion("type", [
  YesNoQuestionSchema,
  NumberQuestionSchema,
  ChoiceQuestionSchema,
  DurationQuestionSchema,
]);
export type Question = z.infer<typeof QuestionSchema>;
export type QuestionType = Question["type"];

const OutcomeMessage = z.strictObject({ label: z.string().min(1), message: Speech });

export const FlowSchema = z
  .strictObject({
    id: Slug,
    version: z.number().int().positive(),
    name: z.string().min(1),
    description: z.string().min(1),
    greeting: Speech,
    questions: z.array(QuestionSchema).min(1),
    /** FAQs the caller can trigger at any question; the question is asked again afterwards. */
    faq: z.array(FaqSchema).default([]),
    outcomes: z.strictObject({
      qualified: OutcomeMessage,
      /** The disqualifying question's reason is said before this message. */
      notQualified: OutcomeMessage,
      transfer: OutcomeMessage,
      stopped: OutcomeMessage,
      incomplete: OutcomeMessage,
    }),
    prompts: z
      .strictObject({
        /** Said before a question's prompt when an answer was not understood. */
        noMatch: Speech.default("Sorry, I didn't catch that."),
        /** Said before a question's prompt when the caller said nothing. */
        noInput: Speech.default("Are you still there?"),
        /** Said when the caller asks for a moment ("hold on"); then the bot waits (HOLD_MS). */
        hold: Speech.default("Sure, take your time."),
        /** Added to reprompts of yes/no questions on phone calls. */
        dtmfYesNo: Speech.default("You can also press 1 for yes, or 2 for no."),
        /** Added to reprompts of amount questions on phone calls. */
        dtmfNumber: Speech.default("Or key in the amount, then press the hash key."),
      })
      .default({
        noMatch: "Sorry, I didn't catch that.",
        noInput: "Are you still there?",
        hold: "Sure, take your time.",
        dtmfYesNo: "You can also press 1 for yes, or 2 for no.",
        dtmfNumber: "Or key in the amount, then press the hash key.",
      }),
    /** Reprompts per question (no-match and no-input together) before the call ends as incomplete. */
    maxReprompts: z.number().int().min(0).max(5).default(2),
  })
  .superRefine((flow, ctx) => {
    const ids = new Set<string>();
    flow.questions.forEach((q, i) => {
      if (ids.has(q.id)) ctx.addIssue({ code: "custom", path: ["questions", i, "id"], message: `duplicate question id "${q.id}"` });
      ids.add(q.id);
      if (q.type === "choice" && q.qualify.op === "in") {
        const values = new Set(q.options.map((o) => o.value));
        q.qualify.values.forEach((v, j) => {
          if (!values.has(v))
            ctx.addIssue({ code: "custom", path: ["questions", i, "qualify", "values", j], message: `"${v}" is not an option` });
        });
      }
      const numeric = q.type === "number" || q.type === "duration";
      const ruleNumeric = q.qualify.op !== "eq" && q.qualify.op !== "in";
      if (numeric && !ruleNumeric)
        ctx.addIssue({ code: "custom", path: ["questions", i, "qualify"], message: `a ${q.type} question needs gte/gt/lte/lt` });
      if (q.type === "yesno" && !(q.qualify.op === "eq" && typeof q.qualify.value === "boolean"))
        ctx.addIssue({ code: "custom", path: ["questions", i, "qualify"], message: "a yesno question needs { op: eq, value: true|false }" });
      if (q.type === "choice" && q.qualify.op !== "in" && q.qualify.op !== "eq")
        ctx.addIssue({ code: "custom", path: ["questions", i, "qualify"], message: "a choice question needs in/eq" });
      const rule = q.qualify;
      if (q.type === "choice" && rule.op === "eq" && !q.options.some((o) => o.value === rule.value))
        ctx.addIssue({ code: "custom", path: ["questions", i, "qualify", "value"], message: `"${String(rule.value)}" is not an option` });
      if (q.type === "number" && q.min > q.max)
        ctx.addIssue({ code: "custom", path: ["questions", i, "min"], message: "min is above max" });
    });
    const faqIds = new Set<string>();
    [...flow.faq, ...flow.questions.flatMap((q) => q.faq)].forEach((f) => {
      if (faqIds.has(f.id)) ctx.addIssue({ code: "custom", path: ["faq"], message: `duplicate faq id "${f.id}"` });
      faqIds.add(f.id);
    });
  });

export type Flow = z.infer<typeof FlowSchema>;
export type FlowInput = z.input<typeof FlowSchema>;
