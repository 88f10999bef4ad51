import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../transport/protocol";
import { VoiceLink, type LinkEvent, type PlayerCommand } from "./voice-link";

const RATE = 16000;
const tone = (amplitude: number, start: number) =>
  Int16Array.from({ length: 320 }, (_, i) => Math.round(amplitude * Math.sin((2 * Math.PI * 220 * (start + i)) / RATE)));

const ready: ServerMessage = {
  type: "ready",
  protocol: 1,
  callId: "c1",
  bot: "quickrupee",
  botName: "QuickRupee",
  inputSampleRateHz: 16000,
  outputSampleRateHz: 16000,
  questions: [{ id: "salaried", prompt: "Are you salaried?" }],
};

function setup() {
  const sent: Array<string | ArrayBufferView> = [];
  const socket = { readyState: 1, send: (d: string | ArrayBufferView) => sent.push(d), close: () => (socket.readyState = 3) };
  const playback: PlayerCommand[] = [];
  const events: LinkEvent[] = [];
  const link = new VoiceLink({ bot: "quickrupee", rateHz: RATE, socket, playback: (c) => playback.push(c), emit: (e) => events.push(e) });
  const json = () => sent.filter((d): d is string => typeof d === "string").map((d) => JSON.parse(d) as { type: string });
  const binary = () => sent.filter((d) => typeof d !== "string");
  const server = (m: ServerMessage) => link.onSocketMessage(JSON.stringify(m));
  return { link, socket, sent, json, binary, playback, events, server };
}

describe("VoiceLink", () => {
  it("starts the call on open with the protocol version, bot and rate", () => {
    const t = setup();
    t.link.onOpen();
    expect(t.json()).toEqual([{ type: "start", protocol: 1, bot: "quickrupee", sampleRateHz: RATE, channel: "browser" }]);
  });

  it("streams microphone frames only once the call is ready, and meters them", () => {
    const t = setup();
    t.link.onMicFrame(tone(8000, 0), 1.02);
    t.link.onMicFrame(tone(8000, 320), 1.04);
    expect(t.binary()).toHaveLength(0);
    t.server(ready);
    t.link.onMicFrame(tone(8000, 640), 1.06);
    expect(t.binary()).toHaveLength(1);
    const levels = t.events.filter((e) => e.kind === "level");
    expect(levels).toHaveLength(1);
    expect((levels[0] as { level: number }).level).toBeGreaterThan(0.5);
  });

  it("routes bot audio of the current turn to the player, flushes it on interrupt", () => {
    const t = setup();
    t.link.onSocketMessage(new Int16Array([1, 2]).buffer); // before any turn: dropped
    t.server({ type: "audio_start", turnId: 2, sampleRateHz: 16000 });
    t.link.onSocketMessage(new Int16Array([5, 6, 7]).buffer);
    t.server({ type: "interrupt", turnId: 2, reason: "barge_in", playedMs: 120 });
    t.server({ type: "audio_end", turnId: 2, durationMs: 120 });
    expect(t.playback.map((c) => (c.type === "audio" ? { ...c, pcm: [...c.pcm] } : c))).toEqual([
      { type: "start", turnId: 2 },
      { type: "audio", turnId: 2, pcm: [5, 6, 7] },
      { type: "flush" },
      { type: "end", turnId: 2 },
    ]);
    expect(t.events.filter((e) => e.kind === "server").map((e) => (e as { message: { type: string } }).message.type)).toEqual([
      "audio_start",
      "interrupt",
      "audio_end",
    ]);
  });

  it("stamps a spoken final with the VAD's voice end and a typed one with when it was sent", () => {
    const t = setup();
    t.server(ready);
    let time = 10;
    for (let k = 0; k < 60; k++) {
      time += 0.02;
      t.link.onMicFrame(tone(k >= 10 && k < 30 ? 8000 : 0, k * 320), time);
    }
    t.server({ type: "transcript", turnId: 1, final: false, text: "yes", source: "speech" });
    t.server({ type: "transcript", turnId: 1, final: true, text: "yes", source: "speech", understood: "answer:true" });
    t.link.onCommand({ type: "text", text: "Mumbai", at: 42.5 });
    t.server({ type: "transcript", turnId: 3, final: true, text: "Mumbai", source: "text", understood: "answer:Mumbai" });
    const stamps = t.events.flatMap((e) => (e.kind === "server" && e.message.type === "transcript" ? [e.voiceEndTime] : []));
    expect(stamps[0]).toBeUndefined();
    expect(Math.abs(stamps[1]! - 10.6)).toBeLessThanOrEqual(0.011);
    expect(stamps[2]).toBe(42.5);
    expect(t.json().at(-1)).toEqual({ type: "text", text: "Mumbai" });
  });

  it("reports playback position and underruns to the server and the page", () => {
    const t = setup();
    t.link.onPlayerEvent({ type: "started", turnId: 4, time: 12.3 });
    t.link.onPlayerEvent({ type: "progress", turnId: 4, playedMs: 400.4, underruns: 1, bufferedMs: 180 });
    t.link.onPlayerEvent({ type: "flushed", turnId: 4, playedMs: 612, underruns: 1 });
    expect(t.json()).toEqual([
      { type: "playback", turnId: 4, playedMs: 400, underruns: 1 },
      { type: "playback", turnId: 4, playedMs: 612, underruns: 1 },
    ]);
    expect(t.events).toEqual([
      { kind: "playback_started", turnId: 4, time: 12.3 },
      { kind: "playback_progress", turnId: 4, underruns: 1 },
      { kind: "playback_progress", turnId: 4, underruns: 1 },
    ]);
  });

  it("ignores text frames that are not JSON or not a server message", () => {
    const t = setup();
    t.link.onSocketMessage("not json");
    t.link.onSocketMessage(JSON.stringify({ type: "audio_start", turnId: "x" }));
    expect(t.events).toEqual([]);
    expect(t.playback).toEqual([]);
  });

  it("ends: sends end while connected, reports closed when the socket is gone; close closes it", () => {
    const t = setup();
    t.link.onCommand({ type: "end" });
    expect(t.json()).toEqual([{ type: "end" }]);
    t.link.onCommand({ type: "close" });
    expect(t.socket.readyState).toBe(3);
    t.link.onCommand({ type: "end" });
    expect(t.events).toEqual([{ kind: "socket_closed", code: 1000, reason: "ended by client" }]);
    t.link.onClose(1006, "");
    expect(t.events.at(-1)).toEqual({ kind: "socket_closed", code: 1006, reason: "" });
  });
});
