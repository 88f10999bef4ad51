import { rmSync } from "node:fs";
import { conversationWav } from "./conversation";
import { LATENCY_DIR } from "./latency-log";
import { SCENARIOS, scenarioWav, type ScenarioName } from "./scenarios";

/**
 * Global setup (after the web server is up): this run's latency summary starts empty and every
 * conversation WAV is built. The server runs a production build, so no page compiles mid-run.
 */
export default function globalSetup(): void {
  rmSync(LATENCY_DIR, { recursive: true, force: true });
  for (const [name, s] of Object.entries(SCENARIOS)) conversationWav(s.bot, s.answers, scenarioWav(name as ScenarioName));
}
