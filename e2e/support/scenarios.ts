import path from "node:path";
import type { Answer } from "./conversation";

/**
 * The spoken conversations of the e2e calls. Their microphone WAVs are built once, before any
 * test runs (e2e/support/global-setup.ts), so synthesizing them never competes for the CPU with a
 * call in progress.
 */
export const SCENARIOS = {
  "quickrupee-eligible": { bot: "quickrupee", answers: [{ text: "yes" }, { text: "about thirty thousand" }, { text: "Mumbai" }] },
  "quickrupee-not-eligible": { bot: "quickrupee", answers: [{ text: "yes" }, { text: "fifteen thousand" }] },
  "home-renovation-hot-lead": {
    bot: "home-renovation",
    answers: [{ text: "yes I do" }, { text: "fifteen thousand dollars" }, { text: "next month" }],
  },
  // The microphone file starts when the page opens the mic, not when the bot starts talking: that
  // setup took 0.3 s on an idle machine and 2-3.5 s with the run's other call and browser going
  // (seen in CI: about 3 s, which put an earlier "yes" at 2.5 s before the greeting and lost it).
  // At 5 s the "yes" lands 1.5-5 s into the 9.2 s greeting either way.
  "barge-in-greeting": { bot: "quickrupee", answers: [{ text: "yes", bargeInAtMs: 5000 }, { text: "forty five thousand" }, { text: "Delhi" }] },
} satisfies Record<string, { bot: string; answers: Answer[] }>;

export type ScenarioName = keyof typeof SCENARIOS;

export const scenarioWav = (name: ScenarioName) => path.resolve("test-results", "wav", `${name}.wav`);
