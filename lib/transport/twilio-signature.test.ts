import { describe, expect, it } from "vitest";
import { parseForm, twilioSignature, validTwilioSignature, type TwilioParams } from "./twilio-signature";

// Twilio's documented example (docs/usage/security and the twilio-python validator tests).
const TOKEN = "12345";
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS: TwilioParams = {
  CallSid: "CA1234567890ABCDE",
  Caller: "+14158675309",
  Digits: "1234",
  From: "+14158675309",
  To: "+18005551212",
};
const SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

describe("twilioSignature", () => {
  it("matches Twilio's documented example", () => {
    expect(twilioSignature(TOKEN, URL_, PARAMS)).toBe(SIGNATURE);
  });

  it("matches Twilio's example with a repeated parameter (values sorted)", () => {
    // twilio-python: MultiDict Sid=CA123, SidAccount=AC123, Digits=5678, Digits=1234.
    expect(twilioSignature(TOKEN, URL_, { Sid: "CA123", SidAccount: "AC123", Digits: ["5678", "1234"] })).toBe(
      "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
    );
    expect(twilioSignature(TOKEN, URL_, { Digits: ["1234", "5678"], SidAccount: "AC123", Sid: "CA123" })).toBe(
      "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
    );
  });

  it("does not depend on the order the parameters arrive in", () => {
    const reversed = Object.fromEntries(Object.entries(PARAMS).reverse());
    expect(Object.keys(reversed)).not.toEqual(Object.keys(PARAMS));
    expect(twilioSignature(TOKEN, URL_, reversed)).toBe(SIGNATURE);
  });
});

describe("validTwilioSignature", () => {
  it("accepts Twilio's signature for the request it signed", () => {
    expect(validTwilioSignature(TOKEN, URL_, PARAMS, SIGNATURE)).toBe(true);
  });

  it.each([
    ["an extra query parameter", `${URL_}&baz=3`],
    ["a changed query value", "https://mycompany.com/myapp.php?foo=1&bar=3"],
    ["another host", "https://evil.example.com/myapp.php?foo=1&bar=2"],
    ["http instead of https", "http://mycompany.com/myapp.php?foo=1&bar=2"],
    ["another path", "https://mycompany.com/other.php?foo=1&bar=2"],
  ])("refuses the signature for %s", (_name, url) => {
    expect(validTwilioSignature(TOKEN, url, PARAMS, SIGNATURE)).toBe(false);
  });

  it.each([
    ["a changed value", { ...PARAMS, Digits: "9999" }],
    ["an extra parameter", { ...PARAMS, Bot: "quickrupee" }],
    ["a missing parameter", Object.fromEntries(Object.entries(PARAMS).filter(([name]) => name !== "From"))],
    ["a value moved to another name", { ...PARAMS, From: "+18005551212", To: "+14158675309" }],
    ["a parameter repeated", { ...PARAMS, Digits: ["1234", "1234"] }],
  ])("refuses the signature with %s", (_name, params) => {
    expect(validTwilioSignature(TOKEN, URL_, params as TwilioParams, SIGNATURE)).toBe(false);
  });

  it("accepts the parameters in any order", () => {
    const shuffled: TwilioParams = { To: "+18005551212", Digits: "1234", From: "+14158675309", CallSid: "CA1234567890ABCDE", Caller: "+14158675309" };
    expect(validTwilioSignature(TOKEN, URL_, shuffled, SIGNATURE)).toBe(true);
  });

  it("refuses another account's token", () => {
    expect(validTwilioSignature("54321", URL_, PARAMS, SIGNATURE)).toBe(false);
    expect(validTwilioSignature(TOKEN, URL_, PARAMS, twilioSignature("54321", URL_, PARAMS))).toBe(false);
  });

  it("refuses a missing, empty or mangled signature", () => {
    expect(validTwilioSignature(TOKEN, URL_, PARAMS, undefined)).toBe(false);
    expect(validTwilioSignature(TOKEN, URL_, PARAMS, "")).toBe(false);
    expect(validTwilioSignature(TOKEN, URL_, PARAMS, SIGNATURE.slice(0, -1))).toBe(false);
    expect(validTwilioSignature(TOKEN, URL_, PARAMS, `${SIGNATURE}=`)).toBe(false);
    expect(validTwilioSignature(TOKEN, URL_, PARAMS, SIGNATURE.toLowerCase())).toBe(false);
  });

  it("accepts a signature over the URL with the default port spelled out (Twilio's vectors)", () => {
    // twilio-python test_validation_adds_port_on_https / _on_http.
    expect(validTwilioSignature(TOKEN, URL_, PARAMS, "kvajT1Ptam85bY51eRf/AJRuM3w=")).toBe(true);
    expect(validTwilioSignature(TOKEN, URL_.replace("https", "http"), PARAMS, "0ZXoZLH/DfblKGATFgpif+LLRf4=")).toBe(true);
    expect(twilioSignature(TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", PARAMS)).toBe("kvajT1Ptam85bY51eRf/AJRuM3w=");
  });

  it("accepts a signature made without the port for a URL that spells it out", () => {
    expect(validTwilioSignature(TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).toBe(true);
    // A proxy on another port: Twilio signed the public URL, without it.
    expect(validTwilioSignature(TOKEN, "https://mycompany.com:8443/myapp.php?foo=1&bar=2", PARAMS, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")).toBe(true);
  });

  it("keeps a non-default port in the signed URL", () => {
    // twilio-python test_validation_removes_port_on_http: signed over http://mycompany.com:1234/...
    const url = "http://mycompany.com:1234/myapp.php?foo=1&bar=2";
    expect(validTwilioSignature(TOKEN, url, PARAMS, "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=")).toBe(true);
  });

  it("does not let the default-port variants open other URLs", () => {
    const withPort = twilioSignature(TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", PARAMS);
    expect(validTwilioSignature(TOKEN, "https://mycompany.com/myapp.php?foo=1&bar=3", PARAMS, withPort)).toBe(false);
    expect(validTwilioSignature(TOKEN, "http://mycompany.com/myapp.php?foo=1&bar=2", PARAMS, withPort)).toBe(false);
    expect(validTwilioSignature(TOKEN, "https://mycompany.com/myapp.php?foo=1&bar=2", PARAMS, twilioSignature(TOKEN, "https://mycompany.com:80/myapp.php?foo=1&bar=2", PARAMS))).toBe(false);
  });
});

describe("parseForm", () => {
  it("keeps every value of a repeated name, in order, and decodes '+' escapes in phone numbers", () => {
    expect(parseForm("From=%2B14158675309&Digits=1&Digits=2")).toEqual({ From: "+14158675309", Digits: ["1", "2"] });
    expect(parseForm("Digits=1&Digits=2&Digits=3")).toEqual({ Digits: ["1", "2", "3"] });
  });

  it("decodes a literal '+' as a space, as form encoding requires", () => {
    expect(parseForm("CallerName=Jane+Doe&Body=a%26b%3Dc")).toEqual({ CallerName: "Jane Doe", Body: "a&b=c" });
  });

  it("gives the parameters Twilio signed, so a body parsed from the wire validates", () => {
    const body = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
    expect(validTwilioSignature(TOKEN, URL_, parseForm(body), SIGNATURE)).toBe(true);
    const repeated = "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234";
    expect(twilioSignature(TOKEN, URL_, parseForm(repeated))).toBe("IK+Dwps556ElfBT0I3Rgjkr1wJU=");
  });

  it("keeps empty values and returns nothing for an empty body", () => {
    expect(parseForm("")).toEqual({});
    expect(parseForm("Digits=&To=%2B18005551212")).toEqual({ Digits: "", To: "+18005551212" });
  });
});
