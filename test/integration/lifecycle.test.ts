import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { concatInt16, int16ToBytes, silence } from "../../lib/audio/pcm";
import { runCaller } from "../../lib/client/caller";
import { fliteSynthesize } from "../../lib/tts/flite";
import { startServer, type ServerProcess } from "../../bench/server-process";

/**
 * Every call's resources have an owner that releases them: after many sessions that end every
 * way a call can end (completed, hung up mid-prompt, vanished mid-utterance, never started),
 * the server holds no call, no connection, no busy or waiting decoder.
 */
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ START_TIMEOUT_MS: "1000", ASR_POOL_MAX: "4" });
});
afterAll(async () => {
  await server?.stop();
});

interface Ready {
  activeCalls: number;
  connections: number;
  asr: { size: number; busy: number; waiting: number };
}
const ready = async () => (await (await fetch(`${server.url}/api/ready`)).json()) as Ready;

function open(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function waitFor(ws: WebSocket, type: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData, binary: boolean) => {
      if (!binary && JSON.parse(data.toString()).type === type) {
        ws.off("message", onMessage);
        resolve();
      }
    };
    ws.on("message", onMessage);
  });
}

const speech = concatInt16([silence(200, 16000), fliteSynthesize("about thirty thousand rupees", "kal16")]);

/** Starts a call and vanishes (terminate, no close frame) while it is speaking an answer. */
async function vanishMidUtterance(): Promise<void> {
  const ws = await open();
  ws.send(JSON.stringify({ type: "start", protocol: 1, bot: "quickrupee", sampleRateHz: 16000 }));
  await waitFor(ws, "audio_start");
  for (let i = 0; i < speech.length / 2; i += 320) {
    ws.send(int16ToBytes(speech.subarray(i, i + 320)));
    await new Promise((r) => setTimeout(r, 20));
  }
  ws.terminate();
}

/** Starts a call and closes the socket while the greeting plays. */
async function hangUpMidPrompt(): Promise<void> {
  const ws = await open();
  ws.send(JSON.stringify({ type: "start", protocol: 1, bot: "home-renovation", sampleRateHz: 48000 }));
  await waitFor(ws, "audio_start");
  await new Promise((r) => setTimeout(r, 500));
  ws.close();
}

/** Connects and never starts a call (the server closes it after START_TIMEOUT_MS). */
async function neverStart(): Promise<number> {
  const ws = await open();
  return new Promise((resolve) => ws.once("close", (code) => resolve(code)));
}

describe("call lifecycle", () => {
  it("releases calls, sockets and decoders however calls end", async () => {
    const before = await ready();
    expect(before.activeCalls).toBe(0);
    const typed = (answers: string[]) =>
      runCaller({ url: server.wsUrl, bot: "quickrupee", answers: answers.map((text) => ({ kind: "text" as const, text })) });
    const results = await Promise.all([
      ...Array.from({ length: 6 }, vanishMidUtterance),
      ...Array.from({ length: 6 }, hangUpMidPrompt),
      ...Array.from({ length: 4 }, neverStart),
      ...Array.from({ length: 4 }, () => typed(["yes", "30000", "Mumbai"])),
    ]);
    const closeCodes = results.slice(12, 16);
    expect(closeCodes).toEqual([4001, 4001, 4001, 4001]);
    for (const r of results.slice(16)) expect(r).toMatchObject({ completed: true, outcome: "qualified" });

    let after = await ready();
    for (let i = 0; i < 50 && (after.activeCalls > 0 || after.connections > 0 || after.asr.busy > 0); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await ready();
    }
    expect(after).toMatchObject({ activeCalls: 0, connections: 0, asr: { busy: 0, waiting: 0 } });
    expect(after.asr.size).toBeLessThanOrEqual(4);
    const dropped = server.logs.filter((l) => l.includes('"call ended"') && l.includes('"outcome":"dropped"'));
    expect(dropped.length).toBeGreaterThanOrEqual(12);
  });
});
