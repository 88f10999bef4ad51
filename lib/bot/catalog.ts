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

const KEY = Symbol.for("voice-qualify.catalog");
type Holder = { [KEY]?: BotSummary[] };

/**
 * The server publishes the flows its call engine loaded, so the pages offer exactly the bots a
 * call can reach. (Pages are compiled by Next apart from server.ts, so the hand-over is a global.)
 */
export function publishCatalog(flows: Iterable<Flow>): void {
  (globalThis as Holder)[KEY] = [...flows].map(summarizeFlow);
}

/** Every bot the call engine serves; read from FLOWS_DIR only when pages run without server.ts. */
export function botCatalog(): BotSummary[] {
  const published = (globalThis as Holder)[KEY];
  if (published) return published;
  const dir = path.join(/*turbopackIgnore: true*/ process.cwd(), loadConfig().FLOWS_DIR);
  return [...loadFlows(dir).values()].map(summarizeFlow);
}
