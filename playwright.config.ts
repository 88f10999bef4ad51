import { defineConfig } from "@playwright/test";
import { BASE_ARGS, CHROMIUM_PATH } from "./e2e/support/browser";
import { CANARY_SECRETS, E2E_ADMIN_TOKEN, E2E_DIST_DIR } from "./e2e/support/secrets";

/**
 * Playwright drives Debian's Chromium (`npx playwright install` cannot download here). Set
 * PLAYWRIGHT_CHROMIUM_PATH to use another browser binary. One test at a time: with two calls at
 * once, two browsers and the server shared this machine's two cores, replies took 1-5 s and the
 * recorded callers (fixed timelines) spoke over the bot's questions — a flaky run, seen in CI and
 * reproduced (2 of 12 calls failed at two workers, 0 of 12 at one, every reply under 300 ms), for
 * about 40 s more in all. The run ends with the browser-measured latency summary
 * (e2e/support/report-latency.ts).
 *
 * The server is what a deployment runs: a production build (`next build` into .next-e2e, with
 * canary secrets in its environment, so e2e/secrets.spec.ts can scan the built client bundle)
 * served by `server.ts` with NODE_ENV=production. No dev-mode compiles stall calls mid-run.
 */
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  timeout: 120_000,
  fullyParallel: true,
  workers: 1,
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
    // The dashboard's sign-in, as /login would set it (production needs ADMIN_TOKEN for call records).
    storageState: { cookies: [{ name: "admin_token", value: E2E_ADMIN_TOKEN, domain: "localhost", path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax" }], origins: [] },
  },
  webServer: {
    command: `npx next build && npx tsx server.ts`,
    url: `http://localhost:${port}/api/ready`,
    timeout: 300_000,
    reuseExistingServer: !process.env.CI,
    env: {
      NODE_ENV: "production",
      NEXT_DIST_DIR: E2E_DIST_DIR,
      NEXT_SKIP_TYPECHECK: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      DATA_DIR: "test-results/pglite-e2e",
      ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      EXOTEL_USERNAME: "e2e",
      ...CANARY_SECRETS,
    },
  },
});
