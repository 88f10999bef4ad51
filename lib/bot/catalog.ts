import path from "node:path";
import { loadConfig } from "../config";
import type { Flow, QuestionType } from "./flow-schema";
import { loadFlows } from "./flows";

/** What the pages show of a bot: enough to choose one and to know what it will ask. */
export interface BotSummary {
  id: string;
  name: string;
  description: string;
  questions: Array<{ id: string; prompt: string; type: QuestionType }>;
}

export const summarizeFlow = (f: Flow): BotSummary => ({
  id: f.id,
  name: f.name,
  description: f.description,
  questions: f.questions.map((q) => ({ id: q.id, prompt: q.prompt, type: q.type })),
});

/** Every bot in FLOWS_DIR, read when a page renders (so an edited flow shows without a restart). */
export function botCatalog(): BotSummary[] {
  return [...loadFlows(path.join(process.cwd(), loadConfig().FLOWS_DIR)).values()].map(summarizeFlow);
}
