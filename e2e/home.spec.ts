import { expect, test } from "@playwright/test";

test("the home page lists every bot the server knows with its questions", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Voice qualification bot" })).toBeVisible();
  const quickrupee = page.locator('[data-bot="quickrupee"]');
  await expect(quickrupee.getByRole("heading", { name: "QuickRupee loan pre-check" })).toBeVisible();
  await expect(quickrupee.getByText("Are you a salaried employee?")).toBeVisible();
  const reno = page.locator('[data-bot="home-renovation"]');
  await expect(reno.getByText("Can you start within the next three months?")).toBeVisible();
  await page.screenshot({ path: "test-results/home.png", fullPage: true });
});
