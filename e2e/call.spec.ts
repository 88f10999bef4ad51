import { expect, test, type Browser, type Page } from "@playwright/test";
import { LIVE_TIMEOUT_MS, launchWithMic } from "./support/browser";
import { recordLatency } from "./support/latency-log";
import { SCENARIOS, scenarioWav, type ScenarioName } from "./support/scenarios";

/**
 * Calls in real Chromium. Spoken ones play a conversation WAV through Chromium's fake microphone,
 * built at the start of the run from the project's own TTS (caller voice kal16, bot voice slt) and
 * timed from the flow itself (e2e/support/conversation.ts, scenarios.ts). Each asserts the transcript, the result
 * card and the latency chart, and keeps the browser-measured latency for the run's summary.
 */
test.describe.configure({ mode: "parallel" });

let browser: Browser | undefined;
test.afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

async function openCall(baseURL: string | undefined, bot: string, mic: Parameters<typeof launchWithMic>[0]): Promise<Page> {
  browser = await launchWithMic(mic);
  const page = await browser.newPage({ baseURL });
  await page.goto(`/call/${bot}`);
  return page;
}

async function spokenCall(baseURL: string | undefined, name: ScenarioName): Promise<Page> {
  const page = await openCall(baseURL, SCENARIOS[name].bot, { wav: scenarioWav(name) });
  await page.getByRole("button", { name: "Start call" }).click();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "live", { timeout: LIVE_TIMEOUT_MS });
  return page;
}

const answerOf = (page: Page, question: string) => page.locator(`[data-question="${question}"]`).getByTestId("answer");
const callerSaid = (page: Page, text: string | RegExp) => page.getByTestId("transcript").getByTestId("caller-line").filter({ hasText: text });
const botSaid = (page: Page, text: string | RegExp) => page.getByTestId("transcript").getByTestId("bot-line").filter({ hasText: text }).first();

async function expectOutcome(page: Page, outcome: string) {
  await expect(page.getByTestId("result")).toHaveAttribute("data-outcome", outcome, { timeout: 60_000 });
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "ended", { timeout: 30_000 });
}

/** The chart is drawn, every turn has a measured total, and the numbers are kept for the summary. */
async function expectMeasuredLatency(page: Page, name: string, turns: number, spoken = true) {
  await expect(page.getByTestId("latency-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  const record = await recordLatency(page, name);
  expect(record.turns).toHaveLength(turns);
  for (const t of record.turns) {
    expect(t.measuredBy).toBe("browser");
    expect(t.typed).toBe(!spoken);
    expect(t.totalMs).toBeGreaterThan(0);
  }
  // The p50/p95 summary covers spoken turns (voice to voice); typed turns are charted but not summarised.
  if (spoken) await expect(page.getByTestId("p50")).toHaveText(/^\d+ ms$/);
}

test("QuickRupee: salaried, thirty thousand, Mumbai is eligible", async ({ baseURL }) => {
  const page = await spokenCall(baseURL, "quickrupee-eligible");
  await expect(answerOf(page, "salaried")).toHaveText(/Yes/, { timeout: 30_000 });
  await page.screenshot({ path: "test-results/screens/call-mid.png", fullPage: true });
  await expectOutcome(page, "qualified");
  await expect(page.getByTestId("result")).toContainText("Eligible");
  await expect(page.getByTestId("result")).toContainText("An agent will call you within 10 minutes");
  await expect(answerOf(page, "salary")).toContainText("30,000");
  await expect(answerOf(page, "city")).toContainText(/mumbai/i);
  await expect(callerSaid(page, "thirty thousand")).toBeVisible();
  await expect(botSaid(page, "monthly salary")).toBeVisible();
  await expect(botSaid(page, "agent will call you")).toBeVisible();
  await expectMeasuredLatency(page, "quickrupee-eligible", 3);
  await page.screenshot({ path: "test-results/screens/call-result.png", fullPage: true });
});

test("QuickRupee: fifteen thousand a month ends the call early as not eligible", async ({ baseURL }) => {
  const page = await spokenCall(baseURL, "quickrupee-not-eligible");
  await expectOutcome(page, "not_qualified");
  await expect(answerOf(page, "salary")).toContainText("15,000");
  await expect(answerOf(page, "salary")).toContainText("does not qualify");
  await expect(answerOf(page, "city")).toHaveCount(0);
  await expect(botSaid(page, "metro city")).toHaveCount(0);
  await expect(callerSaid(page, "fifteen thousand")).toBeVisible();
  await expectMeasuredLatency(page, "quickrupee-not-eligible", 2);
});

test("Home renovation: owner, fifteen thousand dollars, next month is a hot lead", async ({ baseURL }) => {
  const page = await spokenCall(baseURL, "home-renovation-hot-lead");
  await expectOutcome(page, "qualified");
  await expect(page.getByTestId("result")).toContainText(/hot lead/i);
  await expect(botSaid(page, "specialist")).toBeVisible();
  await expect(answerOf(page, "budget")).toContainText("15,000");
  await expect(callerSaid(page, "next month")).toBeVisible();
  await expectMeasuredLatency(page, "home-renovation-hot-lead", 3);
});

test("barge-in: answering during the greeting stops the bot and the answer is taken", async ({ baseURL }) => {
  const page = await spokenCall(baseURL, "barge-in-greeting");
  await expect(page.getByTestId("transcript").getByTestId("bot-line").first()).toContainText(/Interrupted after \d/, { timeout: 30_000 });
  await expect(answerOf(page, "salaried")).toHaveText(/Yes/);
  await expectOutcome(page, "qualified");
  await expect(answerOf(page, "city")).toContainText(/delhi/i);
  await expectMeasuredLatency(page, "barge-in-greeting", 3);
});

test("typed answers only: no microphone needed", async ({ baseURL }) => {
  const page = await openCall(baseURL, "quickrupee", "none");
  await page.getByRole("button", { name: "Type instead" }).click();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "live", { timeout: LIVE_TIMEOUT_MS });
  const input = page.getByRole("textbox", { name: "Type your answer" });
  for (const [answer, next] of [
    ["yes, I am salaried", "monthly salary"],
    ["about thirty thousand", "metro city"],
    ["Bangalore", "eligible"],
  ] as const) {
    await input.fill(answer);
    await input.press("Enter");
    await expect(callerSaid(page, answer)).toBeVisible();
    await expect(botSaid(page, next)).toBeVisible({ timeout: 20_000 });
  }
  await expectOutcome(page, "qualified");
  await expect(page.getByTestId("mic-guidance")).toHaveCount(0);
  await expectMeasuredLatency(page, "typed-only", 3, false);
});

test("microphone denied: guidance is shown and no call starts", async ({ baseURL }) => {
  const page = await openCall(baseURL, "quickrupee", "denied");
  const voiceSockets: string[] = [];
  page.on("websocket", (ws) => {
    if (ws.url().includes("/ws/voice")) voiceSockets.push(ws.url());
  });
  await page.getByRole("button", { name: "Start call" }).click();
  const guidance = page.getByTestId("mic-guidance");
  await expect(guidance).toHaveAttribute("data-mic", "denied");
  await expect(guidance).toContainText("Microphone blocked");
  await expect(guidance.getByRole("button", { name: "Type your answers instead" })).toBeVisible();
  await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "idle");
  await expect(page.getByRole("button", { name: "Start call" })).toBeEnabled();
  expect(voiceSockets).toEqual([]);
  await page.screenshot({ path: "test-results/screens/mic-denied.png", fullPage: true });
});
