import { defineConfig } from "@playwright/test";

/**
 * Playwright drives Debian's Chromium (`npx playwright install` cannot download here). Set
 * PLAYWRIGHT_CHROMIUM_PATH to use another browser binary.
 */
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    video: "off",
    launchOptions: {
      executablePath: process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: `npx tsx server.ts`,
    url: `http://localhost:${port}/api/ready`,
    timeout: 180_000,
    reuseExistingServer: !process.env.CI,
    env: { PORT: String(port), LOG_LEVEL: "warn" },
  },
});
