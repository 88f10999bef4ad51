import { rmSync } from "node:fs";
import type { FullConfig } from "@playwright/test";
import { conversationWav } from "./conversation";
import { LATENCY_DIR } from "./latency-log";
import { SCENARIOS, scenarioWav, type ScenarioName } from "./scenarios";

/**
 * Global setup (after the web server is up): this run's latency summary starts empty, every
 * conversation WAV is built, and every page is rendered once with its scripts. In dev mode Next compiles a route
 * on its first request, on the server's event loop; done during a call, that stalls the bot's
 * audio for a few hundred milliseconds, which is Next's first compile and not what we measure.
 */
export default async function globalSetup(config: FullConfig): Promise<void> {
  rmSync(LATENCY_DIR, { recursive: true, force: true });
  for (const [name, s] of Object.entries(SCENARIOS)) conversationWav(s.bot, s.answers, scenarioWav(name as ScenarioName));
  const baseURL = config.projects[0]?.use.baseURL;
  if (!baseURL) return;
  // The dashboard too: compiled mid-run (its spec), it held the server's loop while calls ran.
  const routes = ["/", "/call/quickrupee", "/call/home-renovation", "/dashboard", "/dashboard/calls/00000000-0000-4000-8000-000000000000"];
  for (const route of routes) {
    const res = await fetch(new URL(route, baseURL));
    if (!res.ok && res.status !== 404) throw new Error(`warming ${route}: HTTP ${res.status}`);
    // Rendering a page compiles its server side only; its browser chunks compile when first
    // requested, which would otherwise be during the first calls (starving the recognizer).
    const scripts = [...(await res.text()).matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
    await Promise.all(scripts.map(async (src) => (await fetch(new URL(src, baseURL))).arrayBuffer()));
  }
}
