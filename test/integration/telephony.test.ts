import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type ServerProcess } from "../../bench/server-process";
import { mulawEncode } from "../../lib/audio/mulaw";
import { parseAnswers } from "../../lib/client/answers";
import { runPhoneCaller, type Carrier, type PhoneCallerResult } from "../../lib/client/phone-caller";
import { twilioSignature } from "../../lib/transport/twilio-signature";
import { expectRefusedUpgrade, logsWithCode, processAlive, readyStatus, waitUntil } from "./ws-test-client";

/**
 * Phone calls through the simulated carriers (lib/client/phone-caller.ts) against the real
 * server: the Twilio peer posts a signed voice webhook, follows the TwiML to /ws/twilio and
 * streams 8 kHz μ-law; the Exotel peer streams 8 kHz PCM16 to /ws/exotel with basic auth.
 */
const TWILIO_AUTH_TOKEN = "integration-twilio-auth-token";
const EXOTEL = { username: "exotel-user", password: "exotel-password" };
const run = promisify(execFile);

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ NO_INPUT_MS: "2500", TWILIO_AUTH_TOKEN, EXOTEL_USERNAME: EXOTEL.username, EXOTEL_PASSWORD: EXOTEL.password });
});
afterAll(async () => {
  await server?.stop();
});

function phoneCall(carrier: Carrier, bot: string, answers: string, extra: { bargeInMs?: number; bargeInAt?: number[] } = {}): Promise<PhoneCallerResult> {
  return runPhoneCaller({
    carrier,
    baseUrl: server.url,
    bot,
    answers: parseAnswers(answers, { keypad: true }),
    twilioAuthToken: TWILIO_AUTH_TOKEN,
    exotelAuth: EXOTEL,
    timeoutMs: 150_000,
    ...extra,
  });
}

/** Runs calls a few at a time so the 2-core machine keeps real time; results in task order. */
async function inBatches<T>(tasks: Array<() => Promise<T>>, size: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += size) out.push(...(await Promise.all(tasks.slice(i, i + size).map((t) => t()))));
  return out;
}

interface StoredCall {
  channel: string;
  carrierCallId: string | null;
  outcome: string;
  turns: Array<{ prompt: string; source: string; heard: string; understood: string }>;
}
const stored = async (callId: string | null) => (await (await fetch(`${server.url}/api/calls/${callId}`)).json()) as StoredCall;

/** Signs and posts a voice webhook as Twilio would; returns the HTTP status and body. */
async function postVoiceWebhook(params: Record<string, string>, o: { query?: string; token?: string; signature?: string } = {}) {
  const url = `${server.url}/api/telephony/twilio/voice${o.query ?? ""}`;
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": o.signature ?? twilioSignature(o.token ?? TWILIO_AUTH_TOKEN, url, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.text() };
}

const callParams = (callSid: string) => ({ CallSid: callSid, AccountSid: "AC" + "0".repeat(32), From: "+15005550006", To: "+15005550001", CallStatus: "ringing" });
const newCallSid = () => `CA${randomBytes(16).toString("hex")}`;

/** A raw /ws/twilio stream for malformed-message tests. */
async function openTwilioStream(): Promise<{ ws: WebSocket; closed: Promise<number>; send(m: unknown): void }> {
  const ws = new WebSocket(`ws://localhost:${server.port}/ws/twilio`);
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return { ws, closed, send: (m) => ws.send(typeof m === "string" ? m : JSON.stringify(m)) };
}

const twilioStart = (callSid: string, customParameters: Record<string, string>) => ({
  event: "start",
  sequenceNumber: "1",
  streamSid: "MZ" + callSid.slice(2),
  start: {
    accountSid: "AC" + "0".repeat(32),
    streamSid: "MZ" + callSid.slice(2),
    callSid,
    tracks: ["inbound"],
    customParameters,
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
  },
});

function parameters(twiml: string): Record<string, string> {
  return Object.fromEntries([...twiml.matchAll(/<Parameter name="([^"]*)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, m[2]!]));
}

function expectMeasured(r: PhoneCallerResult): void {
  for (const t of r.turns) {
    expect(t.voiceToVoiceMs, `voice-to-voice of "${t.said}"`).toBeGreaterThan(0);
    expect(t.stages, `stages of "${t.said}"`).not.toBeNull();
  }
}

// The calls are real time: they all run at once (the call tests use separate callers and fakes).
describe.concurrent("phone calls through the simulated carriers", () => {
  it("reaches every outcome of both flows over Twilio and Exotel, with spoken and keyed answers", async () => {
    const cases: Array<[Carrier, string, string, string, Record<string, unknown>?]> = [
      ["twilio", "quickrupee", "yes;dtmf:2", "not_qualified", { salaried: true, salary: false }],
      ["twilio", "quickrupee", "talk to a person", "transfer"],
      ["twilio", "quickrupee", "goodbye", "stopped"],
      ["twilio", "quickrupee", "-;-;-", "incomplete"],
      ["twilio", "home-renovation", "yes;fifteen thousand dollars;next month", "qualified", { owner: true, budget: 15000, timeline: 1 }],
      ["twilio", "home-renovation", "no", "not_qualified", { owner: false }],
      ["twilio", "home-renovation", "speak to an agent", "transfer"],
      ["twilio", "home-renovation", "not interested", "stopped"],
      ["twilio", "home-renovation", "banana pancakes;purple elephants dancing;my cat likes fish", "incomplete"],
      ["exotel", "quickrupee", "dtmf:1;dtmf:30000#;Delhi", "qualified", { salaried: true, salary: 30000, city: "Delhi" }],
      ["exotel", "quickrupee", "yes;fifteen thousand", "not_qualified", { salaried: true, salary: 15000 }],
      ["exotel", "quickrupee", "talk to an agent", "transfer"],
      ["exotel", "quickrupee", "stop", "stopped"],
      ["exotel", "quickrupee", "purple elephants dancing;the weather is lovely today;my cat likes fish", "incomplete"],
      ["exotel", "home-renovation", "yes;dtmf:20000#;dtmf:1", "qualified", { owner: true, budget: 20000, timeline: true }],
      ["exotel", "home-renovation", "yes;yes;dtmf:2", "not_qualified", { owner: true, budget: true, timeline: false }],
      ["exotel", "home-renovation", "human", "transfer"],
      ["exotel", "home-renovation", "goodbye", "stopped"],
      ["exotel", "home-renovation", "-;-;-", "incomplete"],
    ];
    const results = await inBatches(
      cases.map(([carrier, bot, answers]) => () => phoneCall(carrier, bot, answers)),
      10,
    );
    const problems: string[] = [];
    results.forEach((r, i) => {
      const [carrier, bot, answers, outcome, expected] = cases[i]!;
      const where = `${carrier} ${bot} "${answers}"`;
      if (r.outcome !== outcome) problems.push(`${where}: outcome ${r.outcome}, want ${outcome}; heard ${r.turns.map((t) => t.heard).join(" | ")}; errors ${JSON.stringify(r.errors)}`);
      const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
      if (expected && sorted(r.answers) !== sorted(expected)) problems.push(`${where}: answers ${sorted(r.answers)}, want ${sorted(expected)}`);
      // The caller hears the whole goodbye: every bot turn's mark came back before the stream closed.
      if (r.marks < 1) problems.push(`${where}: no mark echoed`);
    });
    expect(problems).toEqual([]);

    // Keyed answers are stored as keypad turns, recorded with the carrier's call id.
    const keyed = results[9]!;
    const record = await stored(keyed.callId);
    expect(record).toMatchObject({ channel: "exotel", carrierCallId: keyed.carrierCallId, outcome: "qualified" });
    expect(record.turns.map((t) => [t.source, t.heard])).toEqual([["dtmf", "1"], ["dtmf", "30000#"], ["speech", "delhi"]]);
    // Latency is measured on the phone too, at the carrier and at the server.
    expectMeasured(results[4]!);
    // Reprompts on the phone say how to use the keypad.
    const silent = await stored(results[3]!.callId);
    expect(silent.turns.map((t) => t.understood)).toEqual(["no_input", "no_input", "no_input"]);
    expect(silent.turns[1]!.prompt).toMatch(/^Are you still there\? Are you a salaried employee\? You can also press 1 for yes, or 2 for no\.$/);
  });

  it("holds a call from the caller CLI over Twilio and answers as fast as the browser path", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "cli/call.ts", "--channel", "twilio", "--url", server.url, "--bot", "quickrupee", "--answers=yes;about thirty thousand;Mumbai", "--json"],
      { timeout: 150_000, env: { ...process.env, TWILIO_AUTH_TOKEN } },
    );
    const r = JSON.parse(stdout.trim().split("\n").pop()!) as PhoneCallerResult;
    expect(r).toMatchObject({ outcome: "qualified", completed: true, answers: { salaried: true, salary: 30000, city: "Mumbai" } });
    expect(r.turns.map((t) => t.heard)).toEqual([expect.stringContaining("yes"), "about thirty thousand", "mumbai"]);
    expect((await stored(r.callId)).channel).toBe("twilio");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^voice_calls_total\{outcome="qualified",channel="twilio",bot="quickrupee"\} [1-9]/m);
  });

  it("clears the bot's audio when the caller talks over it, on both carriers", async () => {
    const [twilio, exotel] = await Promise.all([
      phoneCall("twilio", "quickrupee", "yes;yes;Pune", { bargeInMs: 800 }),
      phoneCall("exotel", "home-renovation", "yes;yes;in six months", { bargeInMs: 800 }),
    ]);
    for (const r of [twilio, exotel]) {
      expect(r.outcome).toBe("not_qualified");
      expect(r.clears).toBeGreaterThanOrEqual(3);
      for (const t of r.turns) {
        expect(t.bargeInMs, `barge-in of "${t.said}"`).toBeGreaterThan(0);
        // Nothing more of the cut prompt reached the caller after `clear`.
        expect(t.framesAfterInterrupt, `media after clear for "${t.said}"`).toBe(0);
      }
    }
    expect(twilio.answers).toEqual({ salaried: true, salary: true, city: "Pune" });
  });

  it("logs malformed carrier messages with a code and keeps every call going", async () => {
    const healthy = phoneCall("twilio", "quickrupee", "yes;about thirty thousand;Mumbai");
    const callSid = newCallSid();
    const { token } = parameters((await postVoiceWebhook(callParams(callSid))).body);
    const s = await openTwilioStream();
    s.send("this is not json");
    s.send({ event: "surprise" });
    s.send({ event: "media", media: { payload: Buffer.from(mulawEncode(new Int16Array(160))).toString("base64") } });
    s.send({ event: "media" });
    s.send(twilioStart(callSid, { bot: "quickrupee", token: token! }));
    s.send({ event: "media", media: { payload: "%%% not base64 %%%" } });
    s.send({ event: "dtmf", dtmf: { digit: "x" } });
    s.ws.send(Buffer.from([1, 2, 3]));
    await waitUntil(() => logsWithCode(server, "bad_media").length > 0, "a bad_media log line", 5000);
    for (const code of ["bad_json", "unknown_event", "not_started", "bad_message", "bad_media"]) {
      expect(logsWithCode(server, code).length, code).toBeGreaterThan(0);
    }
    // The malformed stream's own call is still live: the caller hangs up and it ends as dropped.
    expect((await readyStatus(server)).activeCalls).toBeGreaterThanOrEqual(1);
    s.send({ event: "stop", stop: { callSid } });
    expect(await s.closed).toBe(1000);

    const r = await healthy;
    expect(r).toMatchObject({ outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
    expect(processAlive(server.pid)).toBe(true);
    expect(server.logs.filter((l) => l.includes('"level":50') || l.includes('"level":60'))).toEqual([]);
  });
});

describe("phone bad input", () => {
  it("refuses unsigned, mis-signed and non-POST webhooks and routes unknown bots to a polite hang-up", async () => {
    const params = callParams(newCallSid());
    expect((await postVoiceWebhook(params, { signature: "" })).status).toBe(403);
    expect((await postVoiceWebhook(params, { token: "someone-elses-token" })).status).toBe(403);
    const tampered = await postVoiceWebhook(params, { signature: twilioSignature(TWILIO_AUTH_TOKEN, `${server.url}/api/telephony/twilio/voice`, { ...params, To: "+15005550009" }) });
    expect(tampered.status).toBe(403);
    expect(JSON.parse(tampered.body)).toMatchObject({ code: "bad_signature" });
    expect((await fetch(`${server.url}/api/telephony/twilio/voice`)).status).toBe(405);
    // The server logs from a child process: a line can arrive just after the response.
    await waitUntil(() => logsWithCode(server, "bad_signature").length >= 3, () => `3 "bad_signature" log lines, got ${logsWithCode(server, "bad_signature").length}`);

    const unknown = await postVoiceWebhook(params, { query: "?bot=nope" });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatch(/<Say>.*<\/Say>\s*<Hangup\/>/s);
    expect(unknown.body).not.toMatch(/<Stream/);

    const ok = await postVoiceWebhook(params, { query: "?bot=home-renovation" });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(new RegExp(`<Stream url="ws://localhost:${server.port}/ws/twilio">`));
    expect(parameters(ok.body)).toMatchObject({ bot: "home-renovation", token: expect.stringMatching(/^\d+\.[\w-]{43}$/) });
  });

  it("refuses streams without a valid token and Exotel streams without credentials", async () => {
    const callSid = newCallSid();
    const { token } = parameters((await postVoiceWebhook(callParams(callSid))).body);
    const attempts: Array<Record<string, string>> = [
      { bot: "quickrupee" },
      { bot: "quickrupee", token: "1.forged" },
      // A token is bound to its bot and its CallSid.
      { bot: "home-renovation", token: token! },
    ];
    for (const customParameters of attempts) {
      const s = await openTwilioStream();
      s.send(twilioStart(callSid, customParameters));
      expect(await s.closed).toBe(1008);
    }
    const replay = await openTwilioStream();
    replay.send(twilioStart(newCallSid(), { bot: "quickrupee", token: token! }));
    expect(await replay.closed).toBe(1008);
    // The server logs from a child process: a line can arrive just after the response.
    await waitUntil(() => logsWithCode(server, "unauthorized").length >= 4, () => `4 "unauthorized" log lines, got ${logsWithCode(server, "unauthorized").length}`);

    const refused = await expectRefusedUpgrade(`ws://localhost:${server.port}/ws/exotel`);
    expect(refused).toMatchObject({ status: 401, body: { code: "unauthorized" } });
    const wrong = await expectRefusedUpgrade(`ws://localhost:${server.port}/ws/exotel`, {
      headers: { authorization: `Basic ${Buffer.from("exotel-user:wrong").toString("base64")}` },
    });
    expect(wrong.status).toBe(401);
  });

});
