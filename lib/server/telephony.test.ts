import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import { createLogger } from "../log";
import type { CarrierStart } from "../transport/phone-bridge";
import { mintStreamToken } from "../transport/stream-token";
import { twilioSignature } from "../transport/twilio-signature";
import { DEV_TWILIO_AUTH_TOKEN, exotelUpgradeCheck, twilioStreamAuthorizer, twilioVoiceWebhook, twiml, TWILIO_VOICE_PATH } from "./telephony";

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("twiml", () => {
  const out = twiml("wss://voice.example.com/ws/twilio", { bot: "quickrupee", token: "1700000060000.abc_DEF-123" });

  it("connects the call to the stream URL with each parameter", () => {
    expect(out.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(out).toMatch(/<Response>\s*<Connect>\s*<Stream url="wss:\/\/voice\.example\.com\/ws\/twilio">/);
    expect(out).toContain('<Parameter name="bot" value="quickrupee"/>');
    expect(out).toContain('<Parameter name="token" value="1700000060000.abc_DEF-123"/>');
    expect(out).toMatch(/<\/Stream>\s*<\/Connect>/);
  });

  it("hangs up once the stream ends", () => {
    expect(out.indexOf("<Hangup/>")).toBeGreaterThan(out.indexOf("</Connect>"));
    expect(out.trimEnd().endsWith("<Hangup/>\n</Response>")).toBe(true);
  });

  it("escapes parameter values and names, so a value cannot break out of its attribute", () => {
    const tricky = twiml("wss://voice.example.com/ws/twilio", { 'n"&': `a&b<c"d'e>` });
    expect(tricky).toContain('<Parameter name="n&quot;&amp;" value="a&amp;b&lt;c&quot;d&apos;e&gt;"/>');
    expect(tricky).not.toContain('a&b<c"d');
    expect(twiml("wss://h/ws?x=1&y=2", {})).toContain('url="wss://h/ws?x=1&amp;y=2"');
  });

  it("has no parameters when given none", () => {
    expect(twiml("wss://voice.example.com/ws/twilio", {})).not.toContain("<Parameter");
  });
});

describe("twilioVoiceWebhook", () => {
  const TOKEN = "12345";
  const config = loadConfig({ NODE_ENV: "test", TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_URL: "https://voice.example.com" });
  let refusal: "busy" | "shutting_down" | undefined;
  const ctx = { config, log: createLogger("silent"), bots: () => ["quickrupee", "home-renovation"], refusal: () => refusal };
  const form = { CallSid: "CA2c3a1b0f5e6d4c3b2a190817263544ff", From: "+14158675309", To: "+18005551212", CallStatus: "ringing" };
  const body = new URLSearchParams(form).toString();

  async function post(search: string, signature: string | undefined) {
    const req = Readable.from([Buffer.from(body)]) as unknown as IncomingMessage;
    Object.assign(req, {
      method: "POST",
      headers: { host: "voice.example.com", "content-type": "application/x-www-form-urlencoded", ...(signature && { "x-twilio-signature": signature }) },
      socket: { remoteAddress: "203.0.113.9" },
    });
    let status = 0;
    let text = "";
    const res = {
      writeHead: (s: number) => {
        status = s;
        return res;
      },
      end: (b: string) => {
        text = b;
      },
    } as unknown as ServerResponse;
    await twilioVoiceWebhook(req, res, new URL(`${TWILIO_VOICE_PATH}${search}`, "http://internal"), ctx);
    return { status, text };
  }

  it("answers a signed call with TwiML whose stream token opens that call's stream", async () => {
    const signature = twilioSignature(TOKEN, `https://voice.example.com${TWILIO_VOICE_PATH}?bot=home-renovation`, form);
    const { status, text } = await post("?bot=home-renovation", signature);
    expect(status).toBe(200);
    const url = /<Stream url="([^"]+)">/.exec(text)?.[1];
    // Twilio does not allow a query string on the stream URL: the token travels as a parameter.
    expect(url).toBe("wss://voice.example.com/ws/twilio");
    expect(text).toContain('<Parameter name="bot" value="home-renovation"/>');
    const token = /<Parameter name="token" value="([^"]+)"\/>/.exec(text)?.[1];
    expect(token).toBeDefined();
    const start: CarrierStart = { streamId: "MZ1", carrierCallId: form.CallSid, sampleRateHz: 8000, customParameters: { bot: "home-renovation", token: token! } };
    expect(twilioStreamAuthorizer(config)(start)).toBeUndefined();
    expect(twilioStreamAuthorizer(config)({ ...start, carrierCallId: "CAother" })).toBe("stream token bad_signature");
  });

  it("tells the caller the lines are busy and hangs up when no call can be taken", async () => {
    const signature = twilioSignature(TOKEN, `https://voice.example.com${TWILIO_VOICE_PATH}`, form);
    for (const why of ["busy", "shutting_down"] as const) {
      refusal = why;
      const { status, text } = await post("", signature);
      expect(status).toBe(200);
      expect(text).toMatch(/<Say>Sorry, all our lines are busy\..*<\/Say>\s*<Hangup\/>/s);
      expect(text).not.toContain("<Stream");
    }
    refusal = undefined;
  });

  it("refuses a request whose signature does not match, or that has none", async () => {
    const wrongUrl = twilioSignature(TOKEN, `https://voice.example.com${TWILIO_VOICE_PATH}?bot=quickrupee`, form);
    for (const signature of [wrongUrl, undefined]) {
      const { status, text } = await post("?bot=home-renovation", signature);
      expect(status).toBe(403);
      expect(JSON.parse(text)).toMatchObject({ code: "bad_signature" });
      expect(text).not.toContain("<Stream");
    }
  });
});

describe("twilioStreamAuthorizer", () => {
  const config = loadConfig({ NODE_ENV: "production", TWILIO_AUTH_TOKEN: "twilio-secret" });
  const CALL = "CA2c3a1b0f5e6d4c3b2a190817263544ff";
  const startWith = (customParameters: Record<string, string>, carrierCallId = CALL): CarrierStart => ({
    streamId: "MZ18ad3ab5a668481ce02b83e7395059f0",
    carrierCallId,
    sampleRateHz: 8000,
    customParameters,
  });
  const tokenFor = (callSid: string, bot: string, secret = "twilio-secret", nowMs = Date.now()) =>
    mintStreamToken(secret, { callSid, bot }, 60_000, nowMs);

  it("accepts a stream whose token was minted for its CallSid and bot", () => {
    expect(twilioStreamAuthorizer(config)(startWith({ bot: "quickrupee", token: tokenFor(CALL, "quickrupee") }))).toBeUndefined();
  });

  it("refuses a token minted for another call, another bot or with another secret", () => {
    const authorize = twilioStreamAuthorizer(config);
    expect(authorize(startWith({ bot: "quickrupee", token: tokenFor("CAother", "quickrupee") }))).toBe("stream token bad_signature");
    expect(authorize(startWith({ bot: "home-renovation", token: tokenFor(CALL, "quickrupee") }))).toBe("stream token bad_signature");
    expect(authorize(startWith({ token: tokenFor(CALL, "quickrupee") }))).toBe("stream token bad_signature");
    expect(authorize(startWith({ bot: "quickrupee", token: tokenFor(CALL, "quickrupee", "other-secret") }))).toBe("stream token bad_signature");
  });

  it("refuses a missing, malformed or expired token", () => {
    const authorize = twilioStreamAuthorizer(config);
    expect(authorize(startWith({ bot: "quickrupee" }))).toBe("stream token missing");
    expect(authorize(startWith({ bot: "quickrupee", token: "let-me-in" }))).toBe("stream token malformed");
    expect(authorize(startWith({ bot: "quickrupee", token: tokenFor(CALL, "quickrupee", "twilio-secret", Date.now() - 120_000) }))).toBe(
      "stream token expired",
    );
  });

  it("uses the development token without TWILIO_AUTH_TOKEN, and refuses every stream in production", () => {
    const dev = loadConfig({ NODE_ENV: "development" });
    expect(twilioStreamAuthorizer(dev)(startWith({ bot: "quickrupee", token: tokenFor(CALL, "quickrupee", DEV_TWILIO_AUTH_TOKEN) }))).toBeUndefined();
    const prod = loadConfig({ NODE_ENV: "production" });
    expect(twilioStreamAuthorizer(prod)(startWith({ bot: "quickrupee", token: tokenFor(CALL, "quickrupee", DEV_TWILIO_AUTH_TOKEN) }))).toBe(
      "TWILIO_AUTH_TOKEN is not set",
    );
  });
});

describe("exotelUpgradeCheck", () => {
  describe("with basic auth configured", () => {
    const check = exotelUpgradeCheck(loadConfig({ NODE_ENV: "production", EXOTEL_USERNAME: "exo", EXOTEL_PASSWORD: "s3cret:pass" }));

    it("accepts the right user and password from any address", () => {
      expect(check(request({ authorization: basic("exo", "s3cret:pass") }), "198.51.100.7")).toBeUndefined();
    });

    it("refuses a wrong or missing Authorization header, even from loopback", () => {
      expect(check(request({ authorization: basic("exo", "wrong") }), "198.51.100.7")).toBe("basic auth required");
      expect(check(request({ authorization: basic("other", "s3cret:pass") }), "198.51.100.7")).toBe("basic auth required");
      expect(check(request({ authorization: basic("exo", "s3cret:pass").replace("Basic", "Bearer") }), "198.51.100.7")).toBe("basic auth required");
      expect(check(request({ authorization: "Basic" }), "198.51.100.7")).toBe("basic auth required");
      expect(check(request(), "198.51.100.7")).toBe("basic auth required");
      expect(check(request(), "127.0.0.1")).toBe("basic auth required");
    });

    it("takes basic auth over an IP allow-list when both are set", () => {
      const both = exotelUpgradeCheck(loadConfig({ NODE_ENV: "production", EXOTEL_USERNAME: "exo", EXOTEL_PASSWORD: "pw", EXOTEL_ALLOWED_IPS: "198.51.100.7" }));
      expect(both(request(), "198.51.100.7")).toBe("basic auth required");
      expect(both(request({ authorization: basic("exo", "pw") }), "198.51.100.7")).toBeUndefined();
    });
  });

  describe("with EXOTEL_ALLOWED_IPS", () => {
    const check = exotelUpgradeCheck(loadConfig({ NODE_ENV: "production", EXOTEL_ALLOWED_IPS: "198.51.100.7, 203.0.113.20" }));

    it("accepts listed addresses only", () => {
      expect(check(request(), "198.51.100.7")).toBeUndefined();
      expect(check(request(), "203.0.113.20")).toBeUndefined();
      expect(check(request(), "198.51.100.8")).toBe("address 198.51.100.8 is not allowed");
      expect(check(request(), "127.0.0.1")).toBe("address 127.0.0.1 is not allowed");
    });
  });

  describe("with neither", () => {
    it("accepts loopback only on a development server", () => {
      const check = exotelUpgradeCheck(loadConfig({ NODE_ENV: "development" }));
      for (const ip of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) expect(check(request(), ip)).toBeUndefined();
      for (const ip of ["10.0.0.5", "198.51.100.7", "::ffff:10.0.0.5"]) expect(check(request(), ip)).toBe("development servers take Exotel streams from loopback only");
    });

    it("refuses every stream in production, loopback included", () => {
      const check = exotelUpgradeCheck(loadConfig({ NODE_ENV: "production" }));
      for (const ip of ["127.0.0.1", "198.51.100.7"]) expect(check(request(), ip)).toBe("set EXOTEL_USERNAME/EXOTEL_PASSWORD or EXOTEL_ALLOWED_IPS");
    });
  });
});
