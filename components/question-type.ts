import type { QuestionType } from "@/lib/bot/flow-schema";

export const QUESTION_TYPE_LABEL: Record<QuestionType, string> = {
  yesno: "Yes / no",
  number: "Amount",
  choice: "Choice",
  duration: "Timing",
};
