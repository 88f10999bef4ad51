import { expect, test } from "@playwright/test";
import { CANARY_SECRETS } from "./support/secrets";

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
  const leaks = bodies.flatMap((b) => Object.entries(CANARY_SECRETS).filter(([, secret]) => b.text.includes(secret)).map(([name]) => `${name} in ${b.url}`));
  expect(leaks).toEqual([]);
});
