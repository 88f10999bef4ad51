import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";

export const LATENCY_DIR = path.join("test-results", "e2e-latency");

export interface CallLatency {
  test: string;
  turns: Array<{ label: string; totalMs: number; measuredBy: string; typed: boolean }>;
  underruns: number;
}

/** Reads the call screen's latency table (what the person sees) and keeps it for the run's summary. */
export async function recordLatency(page: Page, test: string): Promise<CallLatency> {
  const rows = page.getByTestId("latency-row");
  const turns = await rows.evaluateAll((els) =>
    els.map((el) => ({
      label: el.querySelector("td")?.textContent ?? "",
      totalMs: Number(el.getAttribute("data-total")),
      measuredBy: el.getAttribute("data-measured-by") ?? "",
      typed: el.getAttribute("data-typed") === "true",
    })),
  );
  const underruns = Number(await page.getByTestId("underruns").textContent());
  const record = { test, turns, underruns };
  mkdirSync(LATENCY_DIR, { recursive: true });
  writeFileSync(path.join(LATENCY_DIR, `${test.replace(/[^a-z0-9]+/gi, "-")}.json`), JSON.stringify(record, null, 2));
  return record;
}

export function readLatencyRecords(): CallLatency[] {
  let files: string[] = [];
  try {
    files = readdirSync(LATENCY_DIR).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(path.join(LATENCY_DIR, f), "utf8")) as CallLatency);
}
