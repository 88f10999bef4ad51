import { createHmac, timingSafeEqual } from "node:crypto";

/** POST parameters as Twilio sends them: a name may repeat. */
export type TwilioParams = Record<string, string | string[]>;

/**
 * Twilio's request signature (X-Twilio-Signature): base64 HMAC-SHA1, keyed with the account's
 * auth token, over the full URL Twilio requested followed by every POST parameter sorted by
 * name, each name immediately followed by its value (a repeated name once per value, values
 * sorted).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    for (const v of Array.isArray(value) ? [...value].sort() : [value]) data += name + v;
  }
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/** The URL with its default port spelled out, and without it: Twilio may have signed either. */
function urlVariants(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : "";
  if (!defaultPort) return [url];
  const authority = `${u.username ? `${u.username}${u.password ? `:${u.password}` : ""}@` : ""}${u.hostname}`;
  const rest = url.slice(url.indexOf(u.host) + u.host.length);
  const withPort = `${u.protocol}//${authority}:${u.port || defaultPort}${rest}`;
  const withoutPort = u.port && u.port !== defaultPort ? url : `${u.protocol}//${authority}${rest}`;
  return [...new Set([url, withPort, withoutPort])];
}

/** True when `signature` is Twilio's for this request; compared in constant time. */
export function validTwilioSignature(authToken: string, url: string, params: TwilioParams, signature: string | undefined): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** Parses an application/x-www-form-urlencoded body, keeping repeated names. */
export function parseForm(body: string): TwilioParams {
  const params: TwilioParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const prev = params[name];
    params[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return params;
}
