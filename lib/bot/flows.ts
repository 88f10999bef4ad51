import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { FlowSchema, type Flow } from "./flow-schema";

export class FlowFileError extends Error {
  readonly code = "invalid_flow";
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

export function parseFlow(json: unknown, file = "<flow>"): Flow {
  const result = FlowSchema.safeParse(json);
  if (!result.success) throw new FlowFileError(file, z.prettifyError(result.error));
  return result.data;
}

/** Loads and validates every `*.json` flow in `dir`, keyed by id. */
export function loadFlows(dir: string): Map<string, Flow> {
  const flows = new Map<string, Flow>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const file = path.join(dir, name);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new FlowFileError(file, `not valid JSON (${(err as Error).message})`);
    }
    const flow = parseFlow(json, file);
    if (flows.has(flow.id)) throw new FlowFileError(file, `duplicate flow id "${flow.id}"`);
    flows.set(flow.id, flow);
  }
  return flows;
}
