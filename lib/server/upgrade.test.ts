import { describe, expect, it } from "vitest";
import { originAllowed } from "./upgrade";

describe("originAllowed", () => {
  it("allows clients that send no origin (CLI, phone carriers)", () => {
    expect(originAllowed(undefined, "bot.example.com", [])).toBe(true);
    expect(originAllowed("", "bot.example.com", [])).toBe(true);
  });

  it("allows the page's own host, port included", () => {
    expect(originAllowed("https://bot.example.com", "bot.example.com", [])).toBe(true);
    expect(originAllowed("http://bot.example.com:3000", "bot.example.com:3000", [])).toBe(true);
    expect(originAllowed("http://bot.example.com:4000", "bot.example.com:3000", [])).toBe(false);
  });

  it("allows local development origins", () => {
    expect(originAllowed("http://localhost:3000", "bot.example.com", [])).toBe(true);
    expect(originAllowed("http://127.0.0.1:5173", "bot.example.com", [])).toBe(true);
    expect(originAllowed("http://[::1]:3000", "bot.example.com", [])).toBe(true);
  });

  it("refuses other sites unless listed, or every site is allowed with *", () => {
    expect(originAllowed("https://evil.example.net", "bot.example.com", [])).toBe(false);
    expect(originAllowed("https://localhost.evil.example.net", "bot.example.com", [])).toBe(false);
    expect(originAllowed("https://evil.example.net", undefined, [])).toBe(false);
    expect(originAllowed("https://app.example.com", "bot.example.com", ["https://app.example.com"])).toBe(true);
    expect(originAllowed("https://other.example.com", "bot.example.com", ["https://app.example.com"])).toBe(false);
    expect(originAllowed("https://evil.example.net", "bot.example.com", ["*"])).toBe(true);
  });

  it("refuses an origin that is not a URL", () => {
    expect(originAllowed("not a url", "bot.example.com", [])).toBe(false);
    expect(originAllowed("null", "bot.example.com", [])).toBe(false);
  });
});
