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

/**
 * The URL as given, without its port, and with the scheme's default port spelled out: like
 * Twilio's own validators, accept a signature over any of them (proxies add and drop ports).
 */
function urlVariants(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [url];
  }
  const afterScheme = url.indexOf("//") + 2;
  const cut = url.slice(afterScheme).search(/[/?#]/);
  const authority = cut < 0 ? url.slice(afterScheme) : url.slice(afterScheme, afterScheme + cut);
  const rest = cut < 0 ? "" : url.slice(afterScheme + cut);
  const prefix = url.slice(0, afterScheme);
  const withoutPort = authority.replace(/:\d+$/, "");
  const defaultPort = u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : undefined;
  const variants = [url, prefix + withoutPort + rest];
  if (defaultPort && withoutPort === authority) variants.push(`${prefix}${authority}:${defaultPort}${rest}`);
  return [...new Set(variants)];
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
