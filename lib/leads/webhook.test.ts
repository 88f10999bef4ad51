import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { retryDelayMs, signWebhook, verifyWebhook } from "./webhook";

describe("lead webhook signature", () => {
  const secret = "0123456789abcdef-secret";
  const body = '{"event":"lead.qualified","callId":"c1"}';

  it("is HMAC-SHA256 over timestamp.body, hex, with a scheme prefix", () => {
    const expected = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(signWebhook(secret, 1700000000, body)).toBe(`sha256=${expected}`);
  });

  it("verifies, and refuses a changed body, another secret or an old timestamp", () => {
    const signature = signWebhook(secret, 1700000000, body);
    expect(verifyWebhook(secret, { signature, timestamp: "1700000000" }, body, 1700000010)).toBe(true);
    expect(verifyWebhook(secret, { signature, timestamp: "1700000000" }, body.replace("c1", "c2"), 1700000010)).toBe(false);
    expect(verifyWebhook("another-secret-0123456", { signature, timestamp: "1700000000" }, body, 1700000010)).toBe(false);
    expect(verifyWebhook(secret, { signature, timestamp: "1700000000" }, body, 1700000000 + 3600)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: "1700000000" }, body, 1700000010)).toBe(false);
  });

  it("backs off exponentially, capped at an hour", () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 2000))).toEqual([2000, 4000, 8000, 16000]);
    expect(retryDelayMs(30, 2000)).toBe(3_600_000);
  });
});
