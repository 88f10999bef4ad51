import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, startServers, type ServerProcess } from "../../bench/server-process";
import type { CallerResult } from "../../lib/client/caller";
import { CLOSE } from "../../lib/transport/protocol";
import {
  TestSocket,
  callEndedLog,
  expectRefusedUpgrade,
  healthyTypedCall,
  logsWithCode,
  processAlive,
  readyStatus,
  runScenarios,
  sleep,
  startMessage,
  waitUntil,
} from "./ws-test-client";

/**
 * Every bad input in docs/protocol.md gets its documented code (or HTTP status / close code), is
 * logged with that code, and leaves the server serving: each group runs next to a healthy call on
 * the same server, and that call must still qualify.
 *
 * Three server processes, because some limits are process-wide:
 * - main: START_TIMEOUT_MS small, everything else default;
 * - limits: MAX_CALLS=3 and MAX_CONNECTIONS_PER_IP=5 (the healthy call counts toward both);
 * - short: MAX_CALL_MS=10 s.
 */

const START_TIMEOUT_MS = 1500;
const MAX_CALL_MS = 10_000;

let main: ServerProcess;
let limits: ServerProcess;
let short: ServerProcess;

beforeAll(async () => {
  [main, limits, short] = await startServers([
    { START_TIMEOUT_MS: String(START_TIMEOUT_MS), MAX_CONNECTIONS_PER_IP: "100" },
    { MAX_CALLS: "3", MAX_CONNECTIONS_PER_IP: "5" },
    { MAX_CALL_MS: String(MAX_CALL_MS), MAX_CONNECTIONS_PER_IP: "100" },
  ]);
});

afterAll(async () => {
  await Promise.all([main?.stop(), limits?.stop(), short?.stop()]);
});

function expectQualified(call: CallerResult): void {
  expect({ outcome: call.outcome, completed: call.completed, errors: call.errors }).toEqual({ outcome: "qualified", completed: true, errors: [] });
  expect(call.answers).toEqual({ salaried: true, salary: 30000, city: "Mumbai" });
}

/** Log lines come through the child's stdout, which may lag behind the WebSocket: poll briefly. */
async function expectLogged(server: ServerProcess, code: string): Promise<void> {
  await waitUntil(() => logsWithCode(server, code).length > 0, `a server log line with "code":"${code}"`, 3000);
}

/** Runs the scenarios next to a healthy call; every scenario failure and the call's outcome are reported. */
async function withHealthyCall(server: ServerProcess, scenarios: Record<string, () => Promise<void>>, call = healthyTypedCall(server)) {
  const [failures, result] = await Promise.all([runScenarios(scenarios), call]);
  expect(failures).toEqual([]);
  expectQualified(result);
}

/** The socket is still usable: a valid start gets `ready`; then `end` closes it with 1000. */
async function expectStartWorks(s: TestSocket, over: Record<string, unknown> = {}): Promise<string> {
  s.sendJson(startMessage(over));
  const ready = await s.waitForType("ready");
  s.sendJson({ type: "end" });
  expect(await s.waitClosed()).toEqual({ code: 1000, reason: "ended by client" });
  return ready.callId;
}

/**
 * Sends a frame the server always answers with bad_frame on a started call, and waits for that
 * answer: then everything sent before it has been handled.
 */
async function syncWithMarker(s: TestSocket, badFramesBefore: number): Promise<void> {
  s.sendBinary(Buffer.alloc(1));
  await s.waitForError("bad_frame", { count: badFramesBefore + 1 });
}

describe("bad input on /ws/voice", () => {
  it.concurrent("malformed, invalid and out-of-order messages get their codes; the socket stays usable", async () => {
    await withHealthyCall(main, {
      bad_json: async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendText("this is not json");
        s.sendText('{"type":"start",');
        s.sendText("");
        await s.waitForError("bad_json", { count: 3 });
        expect(s.isOpen).toBe(true);
        await expectStartWorks(s);
        expect(s.errorCodes).toEqual(["bad_json", "bad_json", "bad_json"]);
        await expectLogged(main, "bad_json");
        // Errors by code are in the Prometheus metrics too.
        const metrics = await (await fetch(`${main.url}/metrics`)).text();
        expect(Number(/^voice_errors_total\{code="bad_json",level="warn"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
      },

      bad_message: async () => {
        const s = await TestSocket.open(main.wsUrl);
        const bad: unknown[] = [
          { type: "dance" },
          { kind: "start" },
          { type: "text" },
          { type: "text", text: "   " },
          { type: "text", text: "x".repeat(501) },
          { type: "text", text: 42 },
          startMessage({ bot: "" }),
          startMessage({ bot: "q".repeat(65) }),
          startMessage({ sampleRateHz: 16000.5 }),
          startMessage({ sampleRateHz: "16000" }),
          startMessage({ channel: "fax" }),
          { type: "playback", turnId: -1, playedMs: 0 },
          { type: "playback", turnId: 1, playedMs: -5 },
          { type: "playback", turnId: 1.5, playedMs: 5 },
          { type: "playback", turnId: 1, playedMs: 5, underruns: -1 },
          // The call store keeps the summed underruns in a Postgres integer column.
          { type: "playback", turnId: 1, playedMs: 5, underruns: 2 ** 31 },
          { type: "playback", turnId: 1, playedMs: 1e12 },
          [1, 2, 3],
          null,
          42,
          "start",
        ];
        for (const m of bad) s.sendJson(m);
        await s.waitForError("bad_message", { count: bad.length });
        await expectStartWorks(s);
        expect(s.errorCodes).toEqual(bad.map(() => "bad_message"));
        await expectLogged(main, "bad_message");
      },

      unsupported_protocol: async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendJson(startMessage({ protocol: 2 }));
        s.sendJson(startMessage({ protocol: 0 }));
        s.sendJson(startMessage({ protocol: "1" }));
        s.sendJson(startMessage({ protocol: undefined }));
        await s.waitForError("unsupported_protocol", { count: 4 });
        // A failed start leaves the socket open for a retry.
        await expectStartWorks(s);
        expect(s.errorCodes).toEqual(["unsupported_protocol", "unsupported_protocol", "unsupported_protocol", "unsupported_protocol"]);
        await expectLogged(main, "unsupported_protocol");
      },

      unknown_bot: async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendJson(startMessage({ bot: "no-such-bot" }));
        const err = await s.waitForError("unknown_bot");
        expect(err.message).toContain("quickrupee");
        expect(err.message).toContain("home-renovation");
        await expectStartWorks(s, { bot: "home-renovation" });
        expect(s.errorCodes).toEqual(["unknown_bot"]);
        await expectLogged(main, "unknown_bot");
      },

      unsupported_sample_rate: async () => {
        const s = await TestSocket.open(main.wsUrl);
        for (const rate of [11025, 22050, 0, -16000, 96000]) s.sendJson(startMessage({ sampleRateHz: rate }));
        await s.waitForError("unsupported_sample_rate", { count: 5 });
        await expectStartWorks(s, { sampleRateHz: 8000 });
        expect(s.errorCodes).toEqual(Array(5).fill("unsupported_sample_rate"));
        await expectLogged(main, "unsupported_sample_rate");
      },

      not_started: async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendBinary(Buffer.alloc(640));
        s.sendJson({ type: "text", text: "yes" });
        // Documented as harmless before a call: no error, no effect.
        s.sendJson({ type: "interrupt" });
        s.sendJson({ type: "playback", turnId: 1, playedMs: 10 });
        await s.waitForError("not_started", { count: 2 });
        await expectStartWorks(s);
        expect(s.errorCodes).toEqual(["not_started", "not_started"]);
        await expectLogged(main, "not_started");
      },

      already_started: async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendJson(startMessage());
        const ready = await s.waitForType("ready");
        s.sendJson(startMessage({ bot: "home-renovation" }));
        await s.waitForError("already_started");
        // The call is unaffected: it answers the first question as before.
        s.sendJson({ type: "text", text: "yes" });
        const answer = await s.waitForType("answer");
        expect(answer).toMatchObject({ questionId: "salaried", value: true });
        expect(s.messages.filter((m) => m.type === "ready")).toHaveLength(1);
        s.sendJson({ type: "end" });
        expect(await s.waitClosed()).toEqual({ code: 1000, reason: "ended by client" });
        await waitUntil(() => callEndedLog(main, ready.callId)?.outcome === "dropped", "the call to be recorded as dropped");
        expect(s.errorCodes).toEqual(["already_started"]);
        await expectLogged(main, "already_started");
      },
    });
  });

  it.concurrent("bad audio frames are dropped with their codes; oversized messages and error floods close the socket", async () => {
    await withHealthyCall(main, {
      "bad_frame and frame_too_large at each rate": async () => {
        for (const rateHz of [16000, 8000, 48000]) {
          const s = await TestSocket.open(main.wsUrl);
          s.sendJson(startMessage({ sampleRateHz: rateHz }));
          await s.waitForType("ready");
          const maxBytes = (rateHz * 200) / 1000 * 2;
          s.sendBinary(Buffer.alloc(641)); // odd
          s.sendBinary(Buffer.alloc(1)); // odd
          s.sendBinary(Buffer.alloc(maxBytes + 2)); // 200 ms + 1 sample
          s.sendBinary(Buffer.alloc(60_000)); // far over 200 ms, under maxPayload
          s.sendBinary(Buffer.alloc(65_536)); // exactly maxPayload: still a frame_too_large, not a close
          s.sendBinary(Buffer.alloc(maxBytes)); // exactly 200 ms: accepted
          s.sendBinary(Buffer.alloc(0)); // empty: ignored
          s.sendBinary(Buffer.alloc((rateHz / 1000) * 20 * 2)); // a normal 20 ms frame
          await syncWithMarker(s, 2);
          expect(s.errorCodes, `at ${rateHz} Hz`).toEqual(["bad_frame", "bad_frame", "frame_too_large", "frame_too_large", "frame_too_large", "bad_frame"]);
          expect(s.errors[2]!.message).toContain(`${maxBytes} bytes`);
          // The call goes on after dropped frames.
          s.sendJson({ type: "text", text: "yes" });
          expect(await s.waitForType("answer")).toMatchObject({ questionId: "salaried", value: true });
          expect(s.isOpen).toBe(true);
          s.sendJson({ type: "end" });
          await s.waitClosed();
        }
        await expectLogged(main, "bad_frame");
        await expectLogged(main, "frame_too_large");
      },

      "a binary message over maxPayload closes with 1009 and releases the call": async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendJson(startMessage());
        const ready = await s.waitForType("ready");
        s.sendBinary(Buffer.alloc(65_537));
        expect((await s.waitClosed()).code).toBe(1009);
        await waitUntil(() => callEndedLog(main, ready.callId)?.outcome === "dropped", "the call to be recorded as dropped");
        await expectLogged(main, "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
      },

      "a text message over maxPayload closes with 1009": async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendJson({ type: "text", text: "y".repeat(70_000) });
        expect((await s.waitClosed()).code).toBe(1009);
      },

      "the 101st error closes the socket with 4003": async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendJson(startMessage());
        const ready = await s.waitForType("ready");
        for (let i = 0; i < 120; i++) if (s.isOpen) s.sendBinary(Buffer.alloc(3));
        expect(await s.waitClosed()).toEqual({ code: 4003, reason: "too many errors" });
        expect(s.errorCodes).toEqual(Array(101).fill("bad_frame"));
        await waitUntil(() => callEndedLog(main, ready.callId)?.outcome === "dropped", "the call to be recorded as dropped");
      },
    });
  });

  it.concurrent("start timeout and refused origins", async () => {
    await withHealthyCall(main, {
      "a socket that never starts gets start_timeout and 4001": async () => {
        const s = await TestSocket.open(main.wsUrl);
        await s.waitForError("start_timeout", { timeoutMs: START_TIMEOUT_MS + 3000 });
        expect(await s.waitClosed()).toEqual({ code: 4001, reason: "start_timeout" });
        expect(s.errorCodes).toEqual(["start_timeout"]);
        await expectLogged(main, "start_timeout");
      },

      "failed starts do not stop the start timeout": async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendJson(startMessage({ bot: "no-such-bot" }));
        s.sendJson(startMessage({ sampleRateHz: 11025 }));
        expect(await s.waitClosed(START_TIMEOUT_MS + 3000)).toEqual({ code: 4001, reason: "start_timeout" });
        expect(s.errorCodes).toEqual(["unknown_bot", "unsupported_sample_rate", "start_timeout"]);
      },

      "a started call outlives the start timeout": async () => {
        const s = await TestSocket.open(main.wsUrl);
        s.sendJson(startMessage());
        await s.waitForType("ready");
        await sleep(START_TIMEOUT_MS + 700);
        expect(s.isOpen).toBe(true);
        expect(s.errorCodes).toEqual([]);
        await s.close();
      },

      "a foreign origin is refused with HTTP 403": async () => {
        for (const origin of ["https://evil.example", "https://localhost.evil.example", "null"]) {
          const refused = await expectRefusedUpgrade(main.wsUrl, { origin });
          expect(refused, origin).toEqual({ status: 403, body: { type: "error", code: "origin_not_allowed", message: "Forbidden" } });
        }
        await expectLogged(main, "origin_not_allowed");
        // Local development origins are allowed.
        const ok = await TestSocket.open(main.wsUrl, { origin: `http://localhost:${main.port}` });
        await ok.close();
      },
    });
  });

  it.concurrent("call limit, per-address connection limit and a vanished client", async () => {
    const healthy = healthyTypedCall(limits);
    // The healthy call holds one of the MAX_CALLS=3 calls and one of the 5 connections.
    await waitUntil(async () => (await readyStatus(limits)).activeCalls === 1, "the healthy call to start");

    const failures = await runScenarios({
      "busy, then close 1013; limits free up again": async () => {
        const a = await TestSocket.open(limits.wsUrl);
        const b = await TestSocket.open(limits.wsUrl);
        a.sendJson(startMessage());
        b.sendJson(startMessage());
        await Promise.all([a.waitForType("ready"), b.waitForType("ready")]);
        expect((await readyStatus(limits)).activeCalls).toBe(3);

        const c = await TestSocket.open(limits.wsUrl);
        c.sendJson(startMessage());
        await c.waitForError("busy");
        expect(await c.waitClosed()).toEqual({ code: 1013, reason: "busy" });
        expect(c.messages.some((m) => m.type === "ready")).toBe(false);
        await expectLogged(limits, "busy");

        // Ending one call frees its slot for a new one.
        a.sendJson({ type: "end" });
        await a.waitClosed();
        await waitUntil(async () => (await readyStatus(limits)).activeCalls === 2, "an ended call to free its slot");
        const d = await TestSocket.open(limits.wsUrl);
        d.sendJson(startMessage());
        await d.waitForType("ready");
        await Promise.all([b.close(), d.close()]);
        await waitUntil(async () => (await readyStatus(limits)).activeCalls === 1, "the test calls to end");
      },
    });
    // The per-address count is released when the server sees the close; give it a moment.
    await sleep(200);

    failures.push(
      ...(await runScenarios({
        "HTTP 429 past MAX_CONNECTIONS_PER_IP; closing sockets frees slots": async () => {
          const open = await Promise.all([1, 2, 3, 4].map(() => TestSocket.open(limits.wsUrl)));
          const refused = await expectRefusedUpgrade(limits.wsUrl);
          expect(refused).toEqual({ status: 429, body: { type: "error", code: "too_many_connections", message: "Too Many Requests" } });
          await expectLogged(limits, "too_many_connections");
          // A refused upgrade does not take a slot, so it stays refused, not worse.
          expect((await expectRefusedUpgrade(limits.wsUrl)).status).toBe(429);

          await Promise.all([open[0]!.close(), open[1]!.close()]);
          await sleep(200);
          const again = await Promise.all([1, 2].map(() => TestSocket.open(limits.wsUrl)));
          expect((await expectRefusedUpgrade(limits.wsUrl)).status).toBe(429);
          await Promise.all([...open.slice(2), ...again].map((s) => s.close()));
        },
      })),
    );
    await sleep(200);

    failures.push(
      ...(await runScenarios({
        "a client that vanishes mid-prompt is released as dropped": async () => {
          const before = (await readyStatus(limits)).activeCalls;
          const s = await TestSocket.open(limits.wsUrl);
          s.sendJson(startMessage());
          const ready = await s.waitForType("ready");
          await s.waitFor((m) => m.type === "state" && m.state === "speaking", { what: "the bot speaking" });
          await waitUntil(() => s.binaryFrames >= 5, "bot audio");
          expect((await readyStatus(limits)).activeCalls).toBe(before + 1);
          s.ws.terminate();
          await waitUntil(async () => (await readyStatus(limits)).activeCalls === before, "activeCalls to return to its previous value", 5000);
          await waitUntil(() => callEndedLog(limits, ready.callId) !== undefined, "a call ended log line");
          expect(callEndedLog(limits, ready.callId)!.outcome).toBe("dropped");
        },
      })),
    );

    const result = await healthy;
    expect(failures).toEqual([]);
    expectQualified(result);
  });

  it.concurrent("a call over MAX_CALL_MS gets call_too_long and ends incomplete", async () => {
    // The healthy call must finish inside MAX_CALL_MS, so it answers over each prompt (typed barge-in).
    const healthy = healthyTypedCall(short, { bargeInMs: 300 });
    const s = await TestSocket.open(short.wsUrl);
    s.sendJson(startMessage());
    const ready = await s.waitForType("ready");
    // The caller stays silent: nothing but the limit ends this call.
    const err = await s.waitForError("call_too_long", { timeoutMs: MAX_CALL_MS + 5000 });
    expect(err.message).toContain(String(MAX_CALL_MS));
    const result = await s.waitForType("result", 5000);
    expect(result).toMatchObject({ outcome: "incomplete", reason: "maximum call duration reached" });
    await s.waitFor((m) => m.type === "state" && m.state === "ended", { timeoutMs: 15_000, what: "state ended" });
    expect(await s.waitClosed()).toEqual({ code: CLOSE.callTooLong, reason: "call_too_long" });
    expect(s.errorCodes).toEqual(["call_too_long"]);
    await waitUntil(() => callEndedLog(short, ready.callId) !== undefined, "a call ended log line");
    expect(callEndedLog(short, ready.callId)!.outcome).toBe("incomplete");

    expectQualified(await healthy);
    await expectLogged(short, "call_too_long");
  });

  it("no server crashed, and every call was released", async () => {
    for (const server of [main, limits, short]) {
      expect(processAlive(server.pid)).toBe(true);
      let last = -1;
      await waitUntil(async () => (last = (await readyStatus(server)).activeCalls) === 0, () => `no active calls on port ${server.port} (last: ${last})`);
      const ready = await readyStatus(server);
      expect(ready).toMatchObject({ status: 200, ready: true, activeCalls: 0 });
      expect(server.logs.filter((l) => l.includes('"level":50') || l.includes('"level":60'))).toEqual([]);
    }
  });
});
