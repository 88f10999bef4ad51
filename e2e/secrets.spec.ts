import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { CANARY_SECRETS, E2E_DIST_DIR } from "./support/secrets";

const leaksIn = (text: string, where: string) => Object.entries(CANARY_SECRETS).filter(([, secret]) => text.includes(secret)).map(([name]) => `${name} in ${where}`);

/**
 * The client bundle of this run's production build (`next build`, run with the canary secrets in
 * its environment): everything under .next-e2e/static is served to browsers as it is.
 */
test("the built client bundle carries no server secret", () => {
  const root = path.join(E2E_DIST_DIR, "static");
  const files = (readdirSync(root, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; name: string; parentPath: string }>)
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
  expect(files.filter((f) => f.endsWith(".js")).length).toBeGreaterThan(5);
  expect(files.flatMap((f) => leaksIn(readFileSync(f, "latin1"), f))).toEqual([]);
});

/** The server holds cloud keys and carrier secrets; none of them may reach a browser. */
test("no page, script or style the browser loads carries a server secret", async ({ page }) => {
  const bodies: Array<{ url: string; text: string }> = [];
  page.on("response", async (response) => {
    const type = response.request().resourceType();
    if (!["document", "script", "stylesheet", "fetch", "xhr"].includes(type)) return;
    try {
      bodies.push({ url: response.url(), text: await response.text() });
    } catch {
      // A redirect or aborted request has no body to scan.
    }
  });
  for (const path of ["/", "/call/quickrupee", "/dashboard"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
  }
  expect(bodies.filter((b) => b.url.includes("/_next/") && b.url.endsWith(".js")).length).toBeGreaterThan(0);
  expect(bodies.flatMap((b) => leaksIn(b.text, b.url))).toEqual([]);
});
