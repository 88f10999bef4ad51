import { expect, test } from "@playwright/test";

test("the home page lists every bot with its questions and starts a call", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Voice qualification bot" })).toBeVisible();
  const quickrupee = page.locator('[data-bot="quickrupee"]');
  await expect(quickrupee.getByRole("heading", { name: "QuickRupee loan pre-check" })).toBeVisible();
  await expect(quickrupee.getByText("Are you a salaried employee?")).toBeVisible();
  const reno = page.locator('[data-bot="home-renovation"]');
  await expect(reno.getByText("Can you start within the next three months?")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/home.png", fullPage: true });
  await reno.getByRole("link", { name: "Start a call" }).click();
  await expect(page).toHaveURL(/\/call\/home-renovation$/);
  await expect(page.getByRole("heading", { name: "Home renovation lead check" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Start call" })).toBeVisible();
});

test("an unknown bot is a 404 page", async ({ page }) => {
  const response = await page.goto("/call/no-such-bot");
  expect(response?.status()).toBe(404);
});

test("the call screen fits a phone screen", async ({ browser, baseURL }) => {
  const page = await browser.newPage({ baseURL, viewport: { width: 390, height: 844 }, isMobile: true });
  await page.goto("/call/quickrupee");
  await expect(page.getByRole("button", { name: "Start call" })).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: "test-results/screens/call-phone.png", fullPage: true });
  await page.close();
});
