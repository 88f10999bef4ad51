import path from "node:path";
import { loadConfig } from "../config";
import type { Flow, QuestionType } from "./flow-schema";
import { loadFlows } from "./flows";
import { publishedRuntime } from "../server/runtime";

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

/** Every bot the call engine serves; read from FLOWS_DIR only when pages run without server.ts. */
export function botCatalog(): BotSummary[] {
  const published = publishedRuntime();
  if (published) return published.flows.map(summarizeFlow);
  const dir = path.join(/*turbopackIgnore: true*/ process.cwd(), loadConfig().FLOWS_DIR);
  return [...loadFlows(dir).values()].map(summarizeFlow);
}
