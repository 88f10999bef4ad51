import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

/** An environment holding only `vars` (the real one is never read). */
const env = (vars: Record<string, string>) => vars as NodeJS.ProcessEnv;

function errorOf(vars: Record<string, string>): ConfigError {
  try {
    loadConfig(env(vars));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("configuration was accepted");
}

describe("loadConfig", () => {
  it("runs with no environment at all, using the documented defaults", () => {
    const config = loadConfig(env({}));
    expect(config).toMatchObject({
      NODE_ENV: "development",
      PORT: 3000,
      HOST: "0.0.0.0",
      FLOWS_DIR: "flows",
      TTS_VOICE: "slt",
      PROMPT_CACHE: true,
      ENDPOINT_MODE: "grammar",
      ENDPOINT_SHORT_MS: 200,
      ENDPOINT_LONG_MS: 700,
      ENDPOINT_FIXED_MS: 800,
      NO_INPUT_MS: 6000,
      BARGE_IN_MS: 150,
      AUDIO_LEAD_MS: 100,
      BROWSER_AUDIO_LEAD_MS: 400,
      MAX_CALLS: 100,
      MAX_CALL_MS: 600_000,
      ALLOWED_ORIGINS: [],
    });
  });

  it("reads numbers, flags and modes from their text", () => {
    const config = loadConfig(env({ PORT: "8080", PROMPT_CACHE: "off", ENDPOINT_MODE: "fixed", ENDPOINT_FIXED_MS: "650" }));
    expect(config.PORT).toBe(8080);
    expect(config.PROMPT_CACHE).toBe(false);
    expect(config.ENDPOINT_MODE).toBe("fixed");
    expect(config.ENDPOINT_FIXED_MS).toBe(650);
    expect(loadConfig(env({ PROMPT_CACHE: "yes" })).PROMPT_CACHE).toBe(true);
  });

  it("splits ALLOWED_ORIGINS on commas, trimming and dropping empty entries", () => {
    expect(loadConfig(env({ ALLOWED_ORIGINS: " https://a.example.com , https://b.example.com,, " })).ALLOWED_ORIGINS).toEqual([
      "https://a.example.com",
      "https://b.example.com",
    ]);
    expect(loadConfig(env({ ALLOWED_ORIGINS: "*" })).ALLOWED_ORIGINS).toEqual(["*"]);
    expect(loadConfig(env({ ALLOWED_ORIGINS: "" })).ALLOWED_ORIGINS).toEqual([]);
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["PORT", "30.5"],
    ["ENDPOINT_MODE", "smart"],
    ["PROMPT_CACHE", "maybe"],
    ["NO_INPUT_MS", "-1"],
    ["MAX_CALLS", "0"],
  ])("refuses %s=%s, naming the variable", (name, value) => {
    const err = errorOf({ [name]: value });
    expect(err.code).toBe("invalid_config");
    expect(err.message).toContain(name);
  });

  it("names every invalid variable at once", () => {
    const err = errorOf({ PORT: "x", ENDPOINT_MODE: "y" });
    expect(err.message).toContain("PORT");
    expect(err.message).toContain("ENDPOINT_MODE");
  });
});
