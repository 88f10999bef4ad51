import { describe, expect, it } from "vitest";
import type { ServerMessage } from "../transport/protocol";
import { describeUnderstood, initialCallView, latencySegments, latencySummary, reduceCall, totalUnderruns, type CallEvent, type CallView } from "./call-view";

const server = (message: ServerMessage, voiceEndTime?: number | null): CallEvent => ({ kind: "server", message, voiceEndTime });
const run = (events: CallEvent[], from: CallView = initialCallView()) => events.reduce(reduceCall, from);

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
const stages = { endpointMs: 200, asrMs: 30, decisionMs: 1, ttsFirstAudioMs: 0 };

describe("reduceCall", () => {
  it("mirrors a spoken turn: partials replaced by the final, the bot's caption, the answer", () => {
    const v = run([
      { kind: "starting", inputMode: "voice" },
      server(ready),
      server({ type: "bot_text", turnId: 1, text: "Hello. Are you salaried?" }),
      server({ type: "state", state: "speaking" }),
      server({ type: "transcript", turnId: 1, final: false, text: "yes", source: "speech" }),
      server({ type: "transcript", turnId: 1, final: true, text: "yes i am", source: "speech", confidence: 0.9, understood: "answer:true" }, 12.5),
      server({ type: "answer", questionId: "salaried", value: true, meetsRule: true }),
    ]);
    expect(v.status).toBe("live");
    expect(v.botState).toBe("speaking");
    expect(v.entries.map((e) => [e.who, e.text, e.final])).toEqual([
      ["bot", "Hello. Are you salaried?", true],
      ["caller", "yes i am", true],
    ]);
    expect(v.answers.salaried).toEqual({ value: true, meetsRule: true });
    expect(v.pendingVoiceEnd).toEqual({ turnId: 1, time: 12.5 });
  });

  it("measures browser voice-to-voice from the VAD's voice end to the first played sample of the reply", () => {
    const v = run([
      server(ready),
      server({ type: "transcript", turnId: 3, final: true, text: "mumbai", source: "speech", understood: "answer:mumbai" }, 10),
      server({ type: "metrics", turnId: 3, questionId: "city", source: "speech", stages, voiceToVoiceMs: 236 }),
      { kind: "playback_started", turnId: 4, time: 10.281 },
      { kind: "playback_started", turnId: 5, time: 14 },
    ]);
    expect(v.turns).toEqual([{ turnId: 3, questionId: "city", source: "speech", stages, serverV2vMs: 236, browserV2vMs: 281 }]);
    expect(latencySummary(v.turns)).toEqual({ count: 1, p50: 281, p95: 281 });
    const [seg] = latencySegments(v.turns);
    expect(seg!.endpointMs + seg!.asrMs + seg!.decisionMs + seg!.ttsMs + seg!.restMs).toBe(281);
    expect(seg!.measuredBy).toBe("browser");
  });

  it("times typed turns from sending to the first sound, but leaves them out of the voice-to-voice summary", () => {
    const v = run([
      server(ready),
      server({ type: "transcript", turnId: 1, final: true, text: "yes", source: "text", understood: "answer:true" }, 5),
      server({ type: "metrics", turnId: 1, questionId: "salaried", source: "text", stages, voiceToVoiceMs: 3 }),
      { kind: "playback_started", turnId: 2, time: 5.09 },
    ]);
    expect(v.turns[0]!.browserV2vMs).toBe(90);
    expect(latencySummary(v.turns)).toBeNull();
    expect(latencySegments(v.turns)[0]!.label).toBe("#1 (typed)");
  });

  it("a turn without a response clock start (no voice detected) gets no browser figure", () => {
    const v = run([
      server({ type: "transcript", turnId: 2, final: true, text: "yes", source: "speech", understood: "answer:true" }, null),
      { kind: "playback_started", turnId: 3, time: 6 },
      server({ type: "metrics", turnId: 2, questionId: "salaried", source: "speech", stages, voiceToVoiceMs: 240 }),
    ]);
    expect(v.turns[0]!.browserV2vMs).toBeNull();
    expect(latencySegments(v.turns)[0]!.measuredBy).toBe("server");
  });

  it("marks an interrupted bot turn with how much was heard", () => {
    const v = run([
      server({ type: "bot_text", turnId: 1, text: "Hello there" }),
      server({ type: "interrupt", turnId: 1, reason: "barge_in", playedMs: 640 }),
    ]);
    expect(v.entries[0]!.interruptedAtMs).toBe(640);
  });

  it("keeps the result and explains abnormal closes, but not a normal end", () => {
    const result: ServerMessage = { type: "result", outcome: "qualified", label: "Eligible", reason: "r", answers: { salaried: true }, message: "An agent will call you.", durationMs: 9000 };
    const done = run([server(ready), server(result), { kind: "socket_closed", code: 1000, reason: "call ended" }]);
    expect(done.status).toBe("ended");
    expect(done.disconnect).toBeNull();
    expect(done.result).toMatchObject({ label: "Eligible", message: "An agent will call you." });
    const lost = run([server(ready), { kind: "socket_closed", code: 1006, reason: "" }]);
    expect(lost.disconnect).toMatch(/connection to the server was lost/);
    const busy = run([{ kind: "starting", inputMode: "voice" }, { kind: "socket_closed", code: 1013, reason: "busy" }]);
    expect(busy.status).toBe("failed");
    expect(busy.disconnect).toMatch(/busy/);
  });

  it("sums underruns per bot turn from the latest reports", () => {
    const v = run([
      { kind: "playback_progress", turnId: 1, underruns: 0 },
      { kind: "playback_progress", turnId: 2, underruns: 1 },
      { kind: "playback_progress", turnId: 2, underruns: 2 },
    ]);
    expect(totalUnderruns(v)).toBe(2);
  });

  it("a new call starts from a clean view but keeps a granted microphone", () => {
    const v = run([{ kind: "mic", status: "on" }, server(ready), { kind: "starting", inputMode: "voice" }]);
    expect(v.mic).toBe("on");
    expect(v.callId).toBeNull();
    expect(v.status).toBe("connecting");
  });
});

describe("describeUnderstood", () => {
  it("labels answers, intents, FAQs and misses for the transcript", () => {
    expect(["answer:true", "answer:false", "answer:30000", "answer:Mumbai"].map(describeUnderstood)).toEqual(["yes", "no", "30,000", "Mumbai"]);
    expect(["intent:agent", "intent:hold", "intent:repeat"].map(describeUnderstood)).toEqual(["asked for a person", "asked for a moment", "repeat"]);
    expect(["faq:why_salary", "no_match", undefined].map(describeUnderstood)).toEqual(["question", "not understood", null]);
  });
});
