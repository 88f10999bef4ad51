import { writeFileSync } from "node:fs";
import path from "node:path";
import { percentile } from "../../lib/stats";
import { LATENCY_DIR, readLatencyRecords } from "./latency-log";

/**
 * Global teardown: the browser-measured voice-to-voice of every spoken turn in this run (the
 * page's VAD end of speech → first bot sample played), per turn and as p50/p95, and playback
 * underruns per call. Also written to test-results/e2e-latency.json.
 */
export default function reportLatency(): void {
  const records = readLatencyRecords().sort((a, b) => a.test.localeCompare(b.test));
  if (records.length === 0) return;
  const spoken = records.flatMap((r) => r.turns.filter((t) => t.measuredBy === "browser" && !t.typed).map((t) => t.totalMs));
  const typed = records.flatMap((r) => r.turns.filter((t) => t.typed).map((t) => t.totalMs));
  console.log("\nBrowser-measured voice-to-voice (ms) per call and turn");
  for (const r of records) {
    console.log(`  ${r.test.padEnd(28)} ${r.turns.map((t) => `${t.label} ${Math.round(t.totalMs)}`).join("  ").padEnd(48)} underruns ${r.underruns}`);
  }
  const summary = {
    spokenTurns: spoken.length,
    p50Ms: percentile(spoken, 50),
    p95Ms: percentile(spoken, 95),
    typedTurns: typed.length,
    typedP50Ms: percentile(typed, 50),
    underrunsPerCall: records.map((r) => ({ test: r.test, underruns: r.underruns })),
    calls: records,
  };
  console.log(
    `  spoken turns ${spoken.length}: p50 ${summary.p50Ms ?? "–"} ms, p95 ${summary.p95Ms ?? "–"} ms; typed turns ${typed.length}: p50 ${summary.typedP50Ms ?? "–"} ms; underruns ${records.reduce((a, r) => a + r.underruns, 0)} in ${records.length} calls\n`,
  );
  writeFileSync(path.join(path.dirname(LATENCY_DIR), "e2e-latency.json"), JSON.stringify(summary, null, 2));
}
