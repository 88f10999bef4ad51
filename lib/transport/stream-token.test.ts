import { describe, expect, it } from "vitest";
import { checkStreamToken, mintStreamToken } from "./stream-token";

const SECRET = "twilio-auth-token";
const CLAIMS = { callSid: "CA0123456789abcdef0123456789abcdef", bot: "quickrupee" };
const NOW = 1_700_000_000_000;
const TTL = 60_000;

const token = mintStreamToken(SECRET, CLAIMS, TTL, NOW);

describe("stream tokens", () => {
  it("is ok for its call and bot from minting until the TTL has passed", () => {
    expect(checkStreamToken(SECRET, token, CLAIMS, NOW)).toBe("ok");
    expect(checkStreamToken(SECRET, token, CLAIMS, NOW + 1500)).toBe("ok");
    expect(checkStreamToken(SECRET, token, CLAIMS, NOW + TTL)).toBe("ok");
  });

  it("is expired once the TTL has passed", () => {
    expect(checkStreamToken(SECRET, token, CLAIMS, NOW + TTL + 1)).toBe("expired");
    expect(checkStreamToken(SECRET, token, CLAIMS, NOW + 10 * TTL)).toBe("expired");
  });

  it("carries its expiry in the clear, so a shorter TTL expires sooner", () => {
    const short = mintStreamToken(SECRET, CLAIMS, 1000, NOW);
    expect(short.startsWith(`${NOW + 1000}.`)).toBe(true);
    expect(checkStreamToken(SECRET, short, CLAIMS, NOW + 1000)).toBe("ok");
    expect(checkStreamToken(SECRET, short, CLAIMS, NOW + 1001)).toBe("expired");
  });

  it("does not open another call's stream", () => {
    expect(checkStreamToken(SECRET, token, { ...CLAIMS, callSid: "CAffffffffffffffffffffffffffffffff" }, NOW)).toBe("bad_signature");
  });

  it("does not open the same call on another bot", () => {
    expect(checkStreamToken(SECRET, token, { ...CLAIMS, bot: "home-renovation" }, NOW)).toBe("bad_signature");
  });

  it("is refused under another secret", () => {
    expect(checkStreamToken("another-auth-token", token, CLAIMS, NOW)).toBe("bad_signature");
    expect(checkStreamToken(SECRET, mintStreamToken("another-auth-token", CLAIMS, TTL, NOW), CLAIMS, NOW)).toBe("bad_signature");
  });

  it("cannot have its expiry pushed back", () => {
    const [expiry, mac] = token.split(".") as [string, string];
    const extended = `${Number(expiry) + 3_600_000}.${mac}`;
    expect(checkStreamToken(SECRET, extended, CLAIMS, NOW)).toBe("bad_signature");
    // Even long after the real expiry, the forged one is a bad signature, not merely expired.
    expect(checkStreamToken(SECRET, extended, CLAIMS, NOW + TTL + 1000)).toBe("bad_signature");
  });

  it("is refused with a flipped signature character", () => {
    const last = token.at(-1)!;
    const flipped = token.slice(0, -1) + (last === "A" ? "B" : "A");
    expect(checkStreamToken(SECRET, flipped, CLAIMS, NOW)).toBe("bad_signature");
  });

  it.each([
    ["no dot", token.replace(".", "")],
    ["a non-numeric expiry", `soon.${token.split(".")[1]}`],
    ["a negative expiry", `-${token}`],
    ["a short signature", token.slice(0, -1)],
    ["a long signature", `${token}A`],
    ["standard base64 characters", token.slice(0, -1) + "+"],
    ["padding", `${token}=`],
    ["whitespace", ` ${token}`],
    ["a 16-digit expiry", `1${"0".repeat(15)}.${token.split(".")[1]}`],
  ])("is malformed with %s", (_name, bad) => {
    expect(checkStreamToken(SECRET, bad, CLAIMS, NOW)).toBe("malformed");
  });

  it("is missing when absent or empty", () => {
    expect(checkStreamToken(SECRET, undefined, CLAIMS, NOW)).toBe("missing");
    expect(checkStreamToken(SECRET, "", CLAIMS, NOW)).toBe("missing");
  });

  it("differs for every call, so one leaked token opens nothing else", () => {
    const other = mintStreamToken(SECRET, { ...CLAIMS, callSid: "CA1" }, TTL, NOW);
    expect(other).not.toBe(token);
    expect(checkStreamToken(SECRET, other, { ...CLAIMS, callSid: "CA1" }, NOW)).toBe("ok");
  });
});
