import { expect, test } from "@playwright/test";
import { LIVE_TIMEOUT_MS } from "./support/browser";

/** A call made in the browser shows up on the dashboard, and its page shows the transcript. */
test("the dashboard shows a call made in this run and its transcript", async ({ page }) => {
  await page.goto("/call/home-renovation");
  await page.getByRole("button", { name: "Type instead" }).click();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "live", { timeout: LIVE_TIMEOUT_MS });
  const input = page.getByRole("textbox", { name: "Type your answer" });
  for (const [answer, next] of [
    ["yes we own it", /budget/],
    ["around 15k", /three months/],
    ["next month", /specialist/],
  ] as const) {
    await input.fill(answer);
    await input.press("Enter");
    await expect(page.getByTestId("transcript").getByTestId("bot-line").filter({ hasText: next }).first()).toBeVisible({ timeout: 20_000 });
  }
  const result = page.getByTestId("result");
  await expect(result).toHaveAttribute("data-outcome", "qualified");
  const callId = await result.getAttribute("data-call-id");
  expect(callId).toMatch(/^[0-9a-f-]{36}$/);

  await page.goto("/dashboard?bot=home-renovation");
  await expect(page.getByRole("heading", { name: "Calls" })).toBeVisible();
  await expect(page.getByTestId("live")).toHaveAttribute("data-connected", "true");
  const row = page.locator(`[data-testid="call-row"][data-call="${callId}"]`);
  await expect(row).toBeVisible();
  await expect(row.locator("[data-outcome]")).toHaveAttribute("data-outcome", "qualified");
  await expect(row).toContainText("budget: 15,000");
  await expect(page.getByTestId("funnel-home-renovation")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/dashboard.png", fullPage: true });

  await row.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/dashboard/calls/${callId}$`));
  await expect(page.getByTestId("call-outcome").locator("[data-outcome]")).toHaveAttribute("data-outcome", "qualified");
  const turns = page.getByTestId("timeline-turn");
  await expect(turns).toHaveCount(3);
  await expect(turns.nth(0)).toContainText("Do you own the home");
  await expect(turns.nth(0)).toContainText("yes we own it");
  await expect(turns.nth(1)).toContainText("answer:15000");
  await expect(page.getByTestId("call-answers")).toContainText("15,000");
  await page.screenshot({ path: "test-results/screens/dashboard-call.png", fullPage: true });
});
