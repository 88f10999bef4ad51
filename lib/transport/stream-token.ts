import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The short-lived token the voice webhook puts in the TwiML (`<Parameter name="token">`) and the
 * /ws/twilio handler checks in the stream's `start` before a call starts: it proves the stream
 * comes from a signed webhook, for this CallSid and bot, and not long ago. (Twilio forbids query
 * strings in the stream URL, so it travels as a custom parameter.)
 *   token = <expiresAtMs>.<base64url HMAC-SHA256(secret, "<callSid>.<bot>.<expiresAtMs>")>
 */
export interface StreamClaims {
  callSid: string;
  bot: string;
}

const mac = (secret: string, c: StreamClaims, expiresAtMs: number) =>
  createHmac("sha256", secret).update(`${c.callSid}.${c.bot}.${expiresAtMs}`).digest("base64url");

export function mintStreamToken(secret: string, claims: StreamClaims, ttlMs: number, nowMs = Date.now()): string {
  const expiresAtMs = nowMs + ttlMs;
  return `${expiresAtMs}.${mac(secret, claims, expiresAtMs)}`;
}

export type StreamTokenCheck = "ok" | "missing" | "malformed" | "expired" | "bad_signature";

export function checkStreamToken(secret: string, token: string | undefined, claims: StreamClaims, nowMs = Date.now()): StreamTokenCheck {
  if (!token) return "missing";
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return "malformed";
  const expiresAtMs = Number(m[1]);
  const expected = Buffer.from(mac(secret, claims, expiresAtMs));
  const given = Buffer.from(m[2]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "bad_signature";
  return nowMs > expiresAtMs ? "expired" : "ok";
}
