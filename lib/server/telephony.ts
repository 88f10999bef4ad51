import type { IncomingMessage, ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import type { Config } from "../config";
import { mintStreamToken, checkStreamToken } from "../transport/stream-token";
import { parseForm, validTwilioSignature } from "../transport/twilio-signature";
import type { CarrierStart } from "../transport/phone-bridge";

/**
 * The HTTP side of phone calls: Twilio's voice webhook (signed TwiML that connects the call to
 * /ws/twilio) and who may open the carrier streams.
 */

/**
 * Without TWILIO_AUTH_TOKEN, development servers (and the simulated peers) share this one, so
 * `npm run dev` + `npm run call -- --channel twilio` works with no setup. Production refuses.
 */
export const DEV_TWILIO_AUTH_TOKEN = "dev-twilio-auth-token";

export const TWILIO_VOICE_PATH = "/api/telephony/twilio/voice";
const MAX_BODY_BYTES = 64 * 1024;

export function twilioAuthToken(config: Config): string | undefined {
  return config.TWILIO_AUTH_TOKEN ?? (config.NODE_ENV === "production" ? undefined : DEV_TWILIO_AUTH_TOKEN);
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

/** The public base URL of this server as the carrier sees it. */
export function publicBase(req: IncomingMessage, config: Config): URL {
  if (config.PUBLIC_URL) return new URL(config.PUBLIC_URL);
  const forwarded = req.headers["x-forwarded-proto"];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim() || "http";
  return new URL(`${proto}://${req.headers.host ?? "localhost"}`);
}

export function twiml(streamUrl: string, parameters: Record<string, string>): string {
  const params = Object.entries(parameters)
    .map(([name, value]) => `\n      <Parameter name="${xml(name)}" value="${xml(value)}"/>`)
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Connect>
    <Stream url="${xml(streamUrl)}">${params}
    </Stream>
  </Connect>
  <Hangup/>
</Response>
`;
}

function sayAndHangUp(text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say>${xml(text)}</Say>
  <Hangup/>
</Response>
`;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export interface TwilioWebhookContext {
  config: Config;
  log: Logger;
  bots: () => string[];
  /** Why a new call cannot be taken now (draining for shutdown, at MAX_CALLS), if it cannot. */
  refusal: () => "shutting_down" | "busy" | undefined;
}

/**
 * POST /api/telephony/twilio/voice: Twilio asks what to do with an incoming call. The request
 * must carry a valid X-Twilio-Signature; the answer connects the call to /ws/twilio with the
 * bot and a short-lived stream token as stream parameters.
 */
export async function twilioVoiceWebhook(req: IncomingMessage, res: ServerResponse, url: URL, ctx: TwilioWebhookContext): Promise<void> {
  const { config, log } = ctx;
  const reply = (status: number, body: string, type = "text/xml") => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  };
  const refuse = (status: number, code: string, message: string) => {
    log.warn({ code, ip: req.socket.remoteAddress }, message);
    reply(status, JSON.stringify({ type: "error", code, message }), "application/json");
  };
  if (req.method !== "POST") return refuse(405, "method_not_allowed", "Twilio posts its voice webhook.");
  const authToken = twilioAuthToken(config);
  if (!authToken) return refuse(403, "twilio_not_configured", "Set TWILIO_AUTH_TOKEN to take Twilio calls.");
  const body = await readBody(req);
  if (body === undefined) return refuse(413, "body_too_large", `webhook bodies are at most ${MAX_BODY_BYTES} bytes`);
  const params = parseForm(body);
  const signedUrl = new URL(url.pathname + url.search, publicBase(req, config)).toString();
  const signature = req.headers["x-twilio-signature"];
  if (!validTwilioSignature(authToken, signedUrl, params, Array.isArray(signature) ? signature[0] : signature)) {
    return refuse(403, "bad_signature", `X-Twilio-Signature does not match ${signedUrl}`);
  }
  const one = (name: string) => {
    const v = params[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const callSid = one("CallSid");
  if (!callSid) return refuse(400, "bad_request", "CallSid is missing");
  const to = one("To") ?? "";
  const bot = url.searchParams.get("bot") ?? config.PHONE_BOTS[to] ?? config.PHONE_DEFAULT_BOT;
  if (!ctx.bots().includes(bot)) {
    log.warn({ code: "unknown_bot", bot, to, callSid }, "phone number routed to an unknown bot");
    return reply(200, sayAndHangUp("Sorry, this number is not in service right now. Goodbye."));
  }
  const refusal = ctx.refusal();
  if (refusal) {
    log.warn({ code: refusal, callSid }, "phone call refused: no line free");
    return reply(200, sayAndHangUp("Sorry, all our lines are busy. Please call again in a minute."));
  }
  const base = publicBase(req, config);
  const streamUrl = `${base.protocol === "https:" ? "wss:" : "ws:"}//${base.host}/ws/twilio`;
  const token = mintStreamToken(authToken, { callSid, bot }, config.STREAM_TOKEN_TTL_MS);
  log.info({ callSid, bot, to, from: one("From") }, "twilio call answered");
  reply(200, twiml(streamUrl, { bot, token }));
}

/** /ws/twilio: a stream starts only with the token its TwiML carried, for its own CallSid and bot. */
export function twilioStreamAuthorizer(config: Config): (start: CarrierStart) => string | undefined {
  return (start) => {
    const secret = twilioAuthToken(config);
    if (!secret) return "TWILIO_AUTH_TOKEN is not set";
    const bot = start.customParameters.bot ?? "";
    const check = checkStreamToken(secret, start.customParameters.token, { callSid: start.carrierCallId, bot });
    return check === "ok" ? undefined : `stream token ${check}`;
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * /ws/exotel at upgrade: basic auth (the applet URL wss://USER:PASSWORD@host/ws/exotel) when
 * EXOTEL_USERNAME/PASSWORD are set, else an IP allow-list when EXOTEL_ALLOWED_IPS is set; with
 * neither, development servers accept loopback only and production refuses.
 */
export function exotelUpgradeCheck(config: Config): (req: IncomingMessage, ip: string) => string | undefined {
  return (req, ip) => {
    if (config.EXOTEL_USERNAME && config.EXOTEL_PASSWORD) {
      const header = req.headers.authorization ?? "";
      const decoded = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64").toString("utf8") : "";
      return sameSecret(decoded, `${config.EXOTEL_USERNAME}:${config.EXOTEL_PASSWORD}`) ? undefined : "basic auth required";
    }
    if (config.EXOTEL_ALLOWED_IPS.length) return config.EXOTEL_ALLOWED_IPS.includes(ip) ? undefined : `address ${ip} is not allowed`;
    if (config.NODE_ENV === "production") return "set EXOTEL_USERNAME/EXOTEL_PASSWORD or EXOTEL_ALLOWED_IPS";
    return LOOPBACK.has(ip) ? undefined : "development servers take Exotel streams from loopback only";
  };
}
