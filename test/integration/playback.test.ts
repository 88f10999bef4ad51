import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type ServerProcess } from "../../bench/server-process";
import { TestSocket, sleep, startMessage } from "./ws-test-client";

/**
 * What the client tells the server about its side of the call: `playback` reports (what the
 * caller really heard) set where an interrupted bot turn was cut, and `typing` holds off the
 * no-input reprompt while someone types.
 */
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ NO_INPUT_MS: "1500" });
});
afterAll(async () => {
  await server?.stop();
});

type Msg = TestSocket["messages"][number];
const is =
  <T extends Msg["type"]>(type: T) =>
  (m: Msg): m is Extract<Msg, { type: T }> =>
    m.type === type;

async function greeting(): Promise<TestSocket> {
  const s = await TestSocket.open(server.wsUrl);
  s.sendJson(startMessage({ channel: "browser" }));
  await s.waitFor(is("audio_start"), { timeoutMs: 10_000 });
  return s;
}

describe("client reports", () => {
  it("cuts an interrupted turn where the client's playback report says the caller was", async () => {
    const [reported, unreported] = await Promise.all([greeting(), greeting()]);
    await sleep(1500);
    // A client whose playback is 1.4 s behind the server's clock (a stalled network, say).
    reported.sendJson({ type: "playback", turnId: 1, playedMs: 100, underruns: 1 });
    reported.sendJson({ type: "interrupt" });
    unreported.sendJson({ type: "interrupt" });
    const cut = (await reported.waitFor(is("interrupt"))) as Extract<Msg, { type: "interrupt" }>;
    const estimated = (await unreported.waitFor(is("interrupt"))) as Extract<Msg, { type: "interrupt" }>;
    expect(cut).toMatchObject({ turnId: 1, reason: "client" });
    expect(cut.playedMs).toBeGreaterThanOrEqual(100);
    expect(cut.playedMs).toBeLessThan(400);
    expect(estimated.playedMs).toBeGreaterThan(1200);
    await Promise.all([reported.close(), unreported.close()]);
  });

  it("holds the no-input reprompt while the caller is typing", async () => {
    const [typing, idle] = await Promise.all([greeting(), greeting()]);
    // Stopped by the client, the bot waits NO_INPUT_MS (1.5 s) for an answer, then reprompts.
    typing.sendJson({ type: "interrupt" });
    idle.sendJson({ type: "interrupt" });
    await Promise.all([typing.waitFor(is("interrupt")), idle.waitFor(is("interrupt"))]);
    for (let i = 0; i < 8; i++) {
      typing.sendJson({ type: "typing" });
      await sleep(500);
    }
    // 4 s of typing: no reprompt there, while the idle caller has had one.
    const reprompt = (m: Msg) => m.type === "bot_text" && m.turnId === 2;
    expect(idle.messages.find(reprompt)).toMatchObject({ text: expect.stringMatching(/still there/i) });
    expect(typing.messages.some(reprompt)).toBe(false);
    await typing.waitFor(reprompt, { timeoutMs: 3000, what: "the reprompt once typing stopped" });
    await Promise.all([typing.close(), idle.close()]);
  });
});
