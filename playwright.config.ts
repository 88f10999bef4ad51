import { defineConfig } from "@playwright/test";
import { BASE_ARGS, CHROMIUM_PATH } from "./e2e/support/browser";
import { CANARY_SECRETS } from "./e2e/support/secrets";

/**
 * Playwright drives Debian's Chromium (`npx playwright install` cannot download here). Set
 * PLAYWRIGHT_CHROMIUM_PATH to use another browser binary. Calls are real time, so two run at
 * once; the run ends with the browser-measured latency summary (e2e/support/report-latency.ts).
 */
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  timeout: 120_000,
  fullyParallel: true,
  workers: 2,
  reporter: [["list"]],
  outputDir: "test-results/playwright",
  globalSetup: "./e2e/support/global-setup.ts",
  globalTeardown: "./e2e/support/report-latency.ts",
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    video: "off",
    launchOptions: { executablePath: CHROMIUM_PATH, args: BASE_ARGS },
  },
  webServer: {
    command: `npx tsx server.ts`,
    url: `http://localhost:${port}/api/ready`,
    timeout: 180_000,
    reuseExistingServer: !process.env.CI,
    env: { PORT: String(port), LOG_LEVEL: "warn", DATA_DIR: "test-results/pglite-e2e", EXOTEL_USERNAME: "e2e", ...CANARY_SECRETS },
  },
});
