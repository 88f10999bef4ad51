import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type ServerProcess } from "../../bench/server-process";

/**
 * Real spoken calls with the caller CLI (`npm run call -- --json`) against the real server and
 * its embedded engines: every outcome of both flows, FAQ, reprompts, no-input, barge-in and typed
 * answers. The calls run concurrently (each takes 10–30 s of real time).
 */
const run = promisify(execFile);

interface CliTurn {
  prompt: string;
  said: string;
  heard: string;
  understood: string;
  voiceToVoiceMs: number | null;
  serverVoiceToVoiceMs: number | null;
  bargeInMs: number | null;
  stages: { endpointMs: number; asrMs: number; decisionMs: number; ttsFirstAudioMs: number } | null;
}
interface CliResult {
  callId: string;
  outcome: string;
  label: string;
  reason: string;
  answers: Record<string, unknown>;
  completed: boolean;
  errors: unknown[];
  turns: CliTurn[];
}

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ NO_INPUT_MS: "2500", HOLD_MS: "4000" });
});
afterAll(async () => {
  await server?.stop();
});

async function call(bot: string, answers: string, ...extra: string[]): Promise<CliResult> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "cli/call.ts", "--url", server.wsUrl, "--bot", bot, `--answers=${answers}`, "--json", ...extra],
    { timeout: 150_000 },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as CliResult;
}

/** Runs scenarios a few at a time so the 2-core machine keeps real time; results in task order. */
async function inBatches<const T extends ReadonlyArray<() => Promise<CliResult>>>(tasks: T, size: number): Promise<{ [K in keyof T]: CliResult }> {
  const out: CliResult[] = [];
  for (let i = 0; i < tasks.length; i += size) out.push(...(await Promise.all(tasks.slice(i, i + size).map((t) => t()))));
  return out as { [K in keyof T]: CliResult };
}

function expectMeasured(r: CliResult): void {
  for (const t of r.turns) {
    expect(t.voiceToVoiceMs, `voice-to-voice of "${t.said}"`).toBeGreaterThan(0);
    expect(t.stages?.endpointMs).toBeGreaterThan(0);
  }
}

describe("spoken calls through the caller CLI", () => {
  it("reaches every outcome of both flows", async () => {
    const [eligible, salaryExit, notSalaried, notMetro, transfer, stopped, hot, notOwner, lowBudget, late] = await inBatches(
      [
        () => call("quickrupee", "yes;about thirty thousand;Mumbai"),
        () => call("quickrupee", "yes;fifteen thousand"),
        () => call("quickrupee", "nahi"),
        () => call("quickrupee", "yes;yes;I live in Pune"),
        () => call("quickrupee", "talk to a person"),
        () => call("quickrupee", "goodbye"),
        () => call("home-renovation", "yes;fifteen thousand dollars;next month"),
        () => call("home-renovation", "no"),
        () => call("home-renovation", "yes;eight thousand"),
        () => call("home-renovation", "yes;yes;in six months"),
      ],
      5,
    );

    expect(eligible.outcome).toBe("qualified");
    expect(eligible.label).toBe("Eligible");
    expect(eligible.answers).toEqual({ salaried: true, salary: 30000, city: "Mumbai" });
    expect(eligible.turns.map((t) => t.heard)).toEqual([expect.stringContaining("yes"), "about thirty thousand", "mumbai"]);
    expect(eligible.callId).toMatch(/^[0-9a-f-]{36}$/);
    expectMeasured(eligible);
    // Recorded as it happened: the stored call matches what the caller saw, latencies included.
    const stored = (await (await fetch(`${server.url}/api/calls/${eligible.callId}`)).json()) as {
      status: string;
      outcome: string;
      channel: string;
      answers: unknown;
      turns: Array<{ heard: string; understood: string; voiceToVoiceMs: number | null; stages: { endpointMs: number } | null }>;
    };
    expect(stored).toMatchObject({ status: "ended", outcome: "qualified", channel: "cli", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
    expect(stored.turns.map((t) => [t.heard, t.understood])).toEqual(eligible.turns.map((t) => [t.heard, t.understood]));
    expect(stored.turns.map((t) => t.voiceToVoiceMs)).toEqual(eligible.turns.map((t) => t.serverVoiceToVoiceMs));
    expect(stored.turns.every((t) => t.stages !== null && t.stages.endpointMs > 0)).toBe(true);
    // And counted for Prometheus.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^voice_calls_total\{outcome="qualified",channel="cli",bot="quickrupee"\} [1-9]/m);
    expect(metrics).toMatch(/^voice_turn_stage_ms_count\{stage="record"\} [1-9]/m);
    expect(metrics).toMatch(/^voice_turn_voice_to_voice_ms_count\{source="speech"\} [1-9]/m);
    expect(metrics).toMatch(/^voice_active_calls 0$/m);

    expect(salaryExit.outcome).toBe("not_qualified");
    expect(salaryExit.answers).toEqual({ salaried: true, salary: 15000 });
    expect(salaryExit.reason).toMatch(/twenty five thousand/);
    expect(salaryExit.turns).toHaveLength(2);

    expect(notSalaried.outcome).toBe("not_qualified");
    expect(notSalaried.answers).toEqual({ salaried: false });
    expect(notMetro).toMatchObject({ outcome: "not_qualified", answers: { salaried: true, salary: true, city: "Pune" } });
    expect(transfer.outcome).toBe("transfer");
    expect(stopped.outcome).toBe("stopped");

    expect(hot).toMatchObject({ outcome: "qualified", label: "Hot lead", answers: { owner: true, budget: 15000, timeline: 1 } });
    expectMeasured(hot);
    expect(notOwner).toMatchObject({ outcome: "not_qualified", answers: { owner: false } });
    expect(lowBudget).toMatchObject({ outcome: "not_qualified", answers: { owner: true, budget: 8000 } });
    expect(late).toMatchObject({ outcome: "not_qualified", answers: { owner: true, budget: true, timeline: 6 } });
  });

  it("answers FAQs, holds when asked, reprompts on no-match and no-input, ends incomplete after two reprompts", async () => {
    const [faq, noMatch, noInput, incomplete] = await inBatches(
      [
        () => call("quickrupee", "yes;why do you need my salary;wait a minute;thirty thousand;Delhi"),
        () => call("home-renovation", "banana pancakes;yes;yes;yes"),
        () => call("home-renovation", "-;hold on;-;yes;yes;right away"),
        () => call("quickrupee", "purple elephants dancing;the weather is lovely today;my cat likes fish"),
      ],
      4,
    );
    expect(faq.outcome).toBe("qualified");
    expect(faq.turns[1]!.understood).toBe("faq:why_salary");
    expect(faq.turns[2]!.prompt).toMatch(/salary tells us .* at least twenty five thousand/);
    // "wait a minute": the bot says it will wait, does not ask again, and takes the answer after.
    expect(faq.turns[2]!.understood).toBe("intent:hold");
    expect(faq.turns[3]!.prompt).toBe("Sure, take your time.");
    expect(faq.answers).toEqual({ salaried: true, salary: 30000, city: "Delhi" });

    expect(noMatch.outcome).toBe("qualified");
    expect(noMatch.turns[0]!.understood).toBe("no_match");
    expect(noMatch.turns[1]!.prompt).toMatch(/^Sorry, I didn't catch that\. Do you own the home\?/);

    expect(noInput.outcome).toBe("qualified");
    expect(noInput.turns[0]!.prompt).toMatch(/^Are you still there\?/);
    // After "hold on" the bot waits (HOLD_MS), then asks again as after any silence. (Silent
    // answers are not turns: turns[1] is the "yes" said after that second no-input reprompt.)
    expect(noInput.turns[0]!.understood).toBe("intent:hold");
    expect(noInput.turns[1]!.prompt).toMatch(/^Are you still there\? Do you own the home/);

    expect(incomplete.outcome).toBe("incomplete");
    expect(incomplete.turns.map((t) => t.understood)).toEqual(["no_match", "no_match", "no_match"]);
  });

  it("stops talking when the caller answers over the greeting, resumes after a backchannel, takes typed answers", async () => {
    const [bargeIn, backchannel, typed] = await Promise.all([
      call("quickrupee", "yes;about thirty thousand;Mumbai", "--barge-in", "1500"),
      call("quickrupee", "uh huh;yes;fifteen thousand", "--barge-in", "1500"),
      call("home-renovation", "yes, we own it;around 15k;next month", "--typed"),
    ]);
    expect(bargeIn.outcome).toBe("qualified");
    // The first answer came 1.5 s into the 8 s greeting: the bot stopped and took it.
    expect(bargeIn.turns[0]!.prompt).toMatch(/^Hi, this is QuickRupee/);
    expect(bargeIn.turns[0]!.bargeInMs).toBeGreaterThan(0);
    expect(bargeIn.turns[0]!.understood).toBe("answer:true");

    // A backchannel ("uh huh") over the greeting stops the bot, which then resumes instead of
    // reprompting or taking it for the yes it is after a question.
    expect(backchannel.turns[0]!.understood).toBe("backchannel");
    expect(backchannel.turns[1]!.prompt).toMatch(/^Hi, this is QuickRupee/);
    expect(backchannel).toMatchObject({ outcome: "not_qualified", answers: { salaried: true, salary: 15000 } });

    expect(typed).toMatchObject({ outcome: "qualified", answers: { owner: true, budget: 15000, timeline: 1 } });
    expect(typed.turns.map((t) => t.heard)).toEqual(["yes, we own it", "around 15k", "next month"]);
  });
});
