import { describe, expect, it } from "vitest";
import { keypadDigit, keypadEnd, type KeypadStep } from "./dtmf";
import type { Flow, Question } from "./flow-schema";
import { loadFlows } from "./flows";
import type { Understanding } from "./types";

const flows = loadFlows("flows");

function questionOf(flowId: string, id: string): Question {
  const flow: Flow | undefined = flows.get(flowId);
  const question = flow?.questions.find((q) => q.id === id);
  if (!question) throw new Error(`no question ${id} in ${flowId}`);
  return question;
}

const salaried = questionOf("quickrupee", "salaried"); // yesno
const salary = questionOf("quickrupee", "salary"); // number, yesNo, min 1000
const city = questionOf("quickrupee", "city"); // choice, yesNo
const owner = questionOf("home-renovation", "owner"); // yesno
const budget = questionOf("home-renovation", "budget"); // number, yesNo, min 100
const timeline = questionOf("home-renovation", "timeline"); // duration, yesNo

const yes: Understanding = { kind: "answer", value: true };
const no: Understanding = { kind: "answer", value: false };
const noMatch: Understanding = { kind: "no_match" };
const done = (understanding: Understanding): KeypadStep => ({ kind: "done", understanding });

/** Feeds keys one by one as the session does; returns every step. */
function press(question: Question, keys: string): KeypadStep[] {
  const steps: KeypadStep[] = [];
  let pending = "";
  for (const key of keys) {
    const step = keypadDigit(question, pending, key);
    steps.push(step);
    pending = step.kind === "wait" ? step.digits : "";
  }
  return steps;
}

describe("the shipped flows have the question types these tests rely on", () => {
  it("has yes/no, number, choice and duration questions phrased as yes/no", () => {
    expect([salaried.type, owner.type]).toEqual(["yesno", "yesno"]);
    expect([salary.type, salary.yesNo, budget.type, budget.yesNo]).toEqual(["number", true, "number", true]);
    expect([city.type, city.yesNo, timeline.type, timeline.yesNo]).toEqual(["choice", true, "duration", true]);
  });
});

describe("keypadDigit at questions that take only yes or no", () => {
  it.each([salaried, owner, city, timeline].map((q) => [q.id, q] as const))("%s: 1 is yes and 2 is no, at once", (_id, q) => {
    expect(keypadDigit(q, "", "1")).toEqual(done(yes));
    expect(keypadDigit(q, "", "2")).toEqual(done(no));
  });

  it.each([salaried, owner, city, timeline].map((q) => [q.id, q] as const))("%s: any other digit is not understood", (_id, q) => {
    for (const digit of ["0", "3", "4", "5", "6", "7", "8", "9"]) expect(keypadDigit(q, "", digit)).toEqual(done(noMatch));
  });

  it("does not collect digits at a question without an amount", () => {
    expect(press(salaried, "12")).toEqual([done(yes), done(no)]);
    expect(keypadDigit(salaried, "", "#")).toEqual(done(noMatch));
    expect(keypadEnd(timeline, "3")).toEqual(noMatch);
  });
});

describe("keypadDigit: * repeats the question", () => {
  it.each([salaried, salary, city, timeline].map((q) => [q.id, q] as const))("%s", (_id, q) => {
    expect(keypadDigit(q, "", "*")).toEqual(done({ kind: "intent", intent: "repeat" }));
  });

  it("drops what was keyed so far", () => {
    expect(keypadDigit(salary, "300", "*")).toEqual(done({ kind: "intent", intent: "repeat" }));
  });
});

describe("amounts keyed at a number question", () => {
  it("waits while digits come, and # ends them into the amount", () => {
    const steps = press(salary, "30000#");
    expect(steps.slice(0, 5)).toEqual([
      { kind: "wait", digits: "3" },
      { kind: "wait", digits: "30" },
      { kind: "wait", digits: "300" },
      { kind: "wait", digits: "3000" },
      { kind: "wait", digits: "30000" },
    ]);
    expect(steps[5]).toEqual(done({ kind: "answer", value: 30000 }));
  });

  it("takes the amount when the pause ends the digits", () => {
    expect(keypadEnd(salary, "25000")).toEqual({ kind: "answer", value: 25000 });
    expect(keypadEnd(budget, "15000")).toEqual({ kind: "answer", value: 15000 });
  });

  it("waits after a lone 1 or 2 at an amount question phrased as yes/no, then the pause means yes or no", () => {
    expect(keypadDigit(salary, "", "1")).toEqual({ kind: "wait", digits: "1" });
    expect(keypadEnd(salary, "1")).toEqual(yes);
    expect(keypadDigit(budget, "", "2")).toEqual({ kind: "wait", digits: "2" });
    expect(keypadEnd(budget, "2")).toEqual(no);
    expect(keypadDigit(salary, "1", "#")).toEqual(done(yes));
  });

  it("reads 1 followed by more digits as an amount, not yes", () => {
    expect(press(salary, "12000#").at(-1)).toEqual(done({ kind: "answer", value: 12000 }));
    expect(press(budget, "20000#").at(-1)).toEqual(done({ kind: "answer", value: 20000 }));
  });

  it("keeps leading zeros out of the amount", () => {
    expect(press(salary, "025000#").at(-1)).toEqual(done({ kind: "answer", value: 25000 }));
  });

  it("does not understand amounts outside the question's range", () => {
    expect(salary.type === "number" && salary.min).toBe(1000);
    expect(press(salary, "999#").at(-1)).toEqual(done(noMatch));
    expect(keypadEnd(salary, "500")).toEqual(noMatch);
    expect(keypadEnd(salary, "0")).toEqual(noMatch);
    expect(keypadEnd(salary, "1000")).toEqual({ kind: "answer", value: 1000 });
    expect(keypadEnd(salary, "10000000")).toEqual({ kind: "answer", value: 10_000_000 });
    expect(keypadEnd(salary, "10000001")).toEqual(noMatch);
    expect(keypadEnd(budget, "99")).toEqual(noMatch);
  });

  it("gives up on too many digits instead of waiting forever", () => {
    const steps = press(salary, "1234567890");
    expect(steps.slice(0, 9).every((s) => s.kind === "wait")).toBe(true);
    expect(steps[9]).toEqual(done(noMatch));
  });

  it("does not understand # with nothing keyed", () => {
    expect(keypadDigit(salary, "", "#")).toEqual(done(noMatch));
    expect(keypadEnd(salary, "")).toEqual(noMatch);
  });
});
