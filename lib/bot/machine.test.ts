import { describe, expect, it } from "vitest";
import { mulberry32 } from "../audio/prng";
import type { Flow, Question } from "./flow-schema";
import { loadFlows } from "./flows";
import {
  answerMeetsRule,
  fixedPrompts,
  initialState,
  transition,
  type Action,
  type MachineEvent,
  type MachineState,
} from "./machine";
import type { AnswerValue, GlobalIntent } from "./types";

const flows = loadFlows("flows");

function flowById(id: string): Flow {
  const flow = flows.get(id);
  if (!flow) throw new Error(`no flow ${id}`);
  return flow;
}

const quickrupee = flowById("quickrupee");
const reno = flowById("home-renovation");

function questionOf(flow: Flow, id: string): Question {
  const question = flow.questions.find((q) => q.id === id);
  if (!question) throw new Error(`no question ${id} in ${flow.id}`);
  return question;
}

const start: MachineEvent = { type: "start" };
const answer = (value: AnswerValue): MachineEvent => ({ type: "understood", understanding: { kind: "answer", value } });
const faq = (faqId: string): MachineEvent => ({ type: "understood", understanding: { kind: "faq", faqId } });
const intent = (name: GlobalIntent): MachineEvent => ({ type: "understood", understanding: { kind: "intent", intent: name } });
const noMatch: MachineEvent = { type: "understood", understanding: { kind: "no_match" } };
const noInput: MachineEvent = { type: "no_input" };
const timeout: MachineEvent = { type: "timeout" };

interface Run {
  state: MachineState;
  /** Actions of every step, in order. */
  actions: Action[];
  /** Actions of the last step only. */
  last: Action[];
}

function run(flow: Flow, events: MachineEvent[], from: MachineState = initialState()): Run {
  let state = from;
  const actions: Action[] = [];
  let last: Action[] = [];
  for (const event of events) {
    const step = transition(flow, state, event);
    state = step.state;
    last = step.actions;
    actions.push(...step.actions);
  }
  return { state, actions, last };
}

const said = (actions: Action[]): string[] => actions.flatMap((a) => (a.type === "say" ? [a.text] : []));
const endOf = (actions: Action[]) => actions.find((a) => a.type === "end");

describe("start", () => {
  it("greets, asks the first question and listens for its answer", () => {
    for (const flow of [quickrupee, reno]) {
      const first = flow.questions[0]!;
      const { state, actions } = run(flow, [start]);
      expect(actions).toEqual([
        { type: "say", text: flow.greeting, purpose: "greeting" },
        { type: "say", text: first.prompt, purpose: "question" },
        { type: "listen", questionId: first.id },
      ]);
      expect(state.phase).toBe("asking");
    }
  });

  it("ignores a second start and any event before the call starts", () => {
    expect(run(quickrupee, [start, start]).last).toEqual([]);
    for (const event of [answer(true), noMatch, noInput, timeout, intent("stop")]) {
      const { state, actions } = run(quickrupee, [event]);
      expect(actions).toEqual([]);
      expect(state.phase).toBe("idle");
    }
  });
});

describe("quickrupee outcomes", () => {
  const salaried = questionOf(quickrupee, "salaried");
  const salary = questionOf(quickrupee, "salary");
  const city = questionOf(quickrupee, "city");

  it("is eligible when salaried, earning 30,000 and living in Mumbai", () => {
    const { state, actions, last } = run(quickrupee, [start, answer(true), answer(30000), answer("Mumbai")]);
    expect(said(actions)).toEqual([
      quickrupee.greeting,
      salaried.prompt,
      salary.prompt,
      city.prompt,
      quickrupee.outcomes.qualified.message,
    ]);
    expect(actions.filter((a) => a.type === "record")).toEqual([
      { type: "record", questionId: "salaried", value: true, meetsRule: true },
      { type: "record", questionId: "salary", value: 30000, meetsRule: true },
      { type: "record", questionId: "city", value: "Mumbai", meetsRule: true },
    ]);
    expect(last.at(-1)).toEqual({ type: "end", outcome: "qualified", reason: "all answers qualify" });
    expect(state).toMatchObject({ phase: "ended", outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
  });

  it("ends at once when the salary is 20,000: the reason, then the not-eligible message; the city is never asked", () => {
    const { state, actions, last } = run(quickrupee, [start, answer(true), answer(20000)]);
    expect(last).toEqual([
      { type: "record", questionId: "salary", value: 20000, meetsRule: false },
      { type: "say", text: salary.disqualifyReason, purpose: "reason" },
      { type: "say", text: quickrupee.outcomes.notQualified.message, purpose: "outcome" },
      { type: "end", outcome: "not_qualified", reason: salary.disqualifyReason },
    ]);
    expect(said(actions)).not.toContain(city.prompt);
    expect(state).toMatchObject({ phase: "ended", outcome: "not_qualified", answers: { salaried: true, salary: 20000 } });
    // Nothing the caller says afterwards reopens the call.
    expect(run(quickrupee, [answer("Mumbai")], state).actions).toEqual([]);
  });

  it("accepts exactly 25,000 (the rule is at least)", () => {
    const { last } = run(quickrupee, [start, answer(true), answer(25000)]);
    expect(said(last)).toEqual([city.prompt]);
  });

  it("ends after the first question when the caller is not salaried", () => {
    const { state, actions, last } = run(quickrupee, [start, answer(false)]);
    expect(said(last)).toEqual([salaried.disqualifyReason, quickrupee.outcomes.notQualified.message]);
    expect(endOf(last)).toEqual({ type: "end", outcome: "not_qualified", reason: salaried.disqualifyReason });
    expect(said(actions)).not.toContain(salary.prompt);
    expect(state.outcome).toBe("not_qualified");
  });

  it("is not eligible in a city that is not a metro (Pune)", () => {
    const { state, last } = run(quickrupee, [start, answer(true), answer(40000), answer("Pune")]);
    expect(said(last)).toEqual([city.disqualifyReason, quickrupee.outcomes.notQualified.message]);
    expect(last[0]).toEqual({ type: "record", questionId: "city", value: "Pune", meetsRule: false });
    expect(state.outcome).toBe("not_qualified");
  });
});

describe("home-renovation outcomes", () => {
  const owner = questionOf(reno, "owner");
  const budget = questionOf(reno, "budget");
  const timeline = questionOf(reno, "timeline");

  it("is a hot lead for an owner with 15,000 dollars starting in two months", () => {
    const { state, actions, last } = run(reno, [start, answer(true), answer(15000), answer(2)]);
    expect(said(actions)).toEqual([reno.greeting, owner.prompt, budget.prompt, timeline.prompt, reno.outcomes.qualified.message]);
    expect(endOf(last)).toMatchObject({ outcome: "qualified" });
    expect(state.answers).toEqual({ owner: true, budget: 15000, timeline: 2 });
  });

  it.each([
    ["a tenant", [answer(false)], owner],
    ["a budget of exactly 10,000 (the rule is over)", [answer(true), answer(10000)], budget],
    ["a budget of 5,000", [answer(true), answer(5000)], budget],
    ["no to the budget question", [answer(true), answer(false)], budget],
    ["a start in six months", [answer(true), answer(15000), answer(6)], timeline],
    ["no to the timeline question", [answer(true), answer(true), answer(false)], timeline],
  ] as const)("is not a fit for %s, with that question's reason", (_name, answers, question) => {
    const { state, actions, last } = run(reno, [start, ...answers]);
    expect(said(last)).toEqual([question.disqualifyReason, reno.outcomes.notQualified.message]);
    expect(endOf(last)).toEqual({ type: "end", outcome: "not_qualified", reason: question.disqualifyReason });
    const later = reno.questions.slice(reno.questions.indexOf(question) + 1);
    for (const q of later) expect(said(actions)).not.toContain(q.prompt);
    expect(state.outcome).toBe("not_qualified");
  });

  it("counts a timeline of exactly three months and 'within a week' as soon enough", () => {
    expect(endOf(run(reno, [start, answer(true), answer(20000), answer(3)]).last)).toMatchObject({ outcome: "qualified" });
    expect(endOf(run(reno, [start, answer(true), answer(20000), answer(0.25)]).last)).toMatchObject({ outcome: "qualified" });
  });
});

describe("answerMeetsRule", () => {
  it("takes yes/no to a question phrased as yes/no as the rule met or not", () => {
    const salary = questionOf(quickrupee, "salary");
    const city = questionOf(quickrupee, "city");
    const budget = questionOf(reno, "budget");
    const timeline = questionOf(reno, "timeline");
    for (const q of [salary, city, budget, timeline]) {
      expect(answerMeetsRule(q, true)).toBe(true);
      expect(answerMeetsRule(q, false)).toBe(false);
    }
  });

  it("judges values against the rule", () => {
    expect(answerMeetsRule(questionOf(quickrupee, "salary"), 24999)).toBe(false);
    expect(answerMeetsRule(questionOf(quickrupee, "salary"), 25000)).toBe(true);
    expect(answerMeetsRule(questionOf(quickrupee, "city"), "Delhi")).toBe(true);
    expect(answerMeetsRule(questionOf(quickrupee, "city"), "Indore")).toBe(false);
    expect(answerMeetsRule(questionOf(reno, "timeline"), 3)).toBe(true);
    expect(answerMeetsRule(questionOf(reno, "timeline"), 3.25)).toBe(false);
  });

  it("compares a yes/no question's answer with the rule's value", () => {
    const salaried = questionOf(quickrupee, "salaried");
    expect(answerMeetsRule(salaried, true)).toBe(true);
    expect(answerMeetsRule(salaried, false)).toBe(false);
    // A question where "no" qualifies ("Do you have any unpaid loans?").
    const noLoans: Question = { ...salaried, id: "loans", qualify: { op: "eq", value: false } };
    expect(answerMeetsRule(noLoans, false)).toBe(true);
    expect(answerMeetsRule(noLoans, true)).toBe(false);
  });

  it("moves on after yes to a number, choice or duration question asked as yes/no", () => {
    const { state, actions } = run(quickrupee, [start, answer(true), answer(true), answer(true)]);
    expect(state.outcome).toBe("qualified");
    expect(actions.filter((a) => a.type === "record").map((a) => a.type === "record" && a.meetsRule)).toEqual([true, true, true]);
    expect(run(reno, [start, answer(true), answer(true), answer(true)]).state.outcome).toBe("qualified");
  });
});

describe("FAQ, repeat, agent, stop", () => {
  const cases = [quickrupee, reno].flatMap((flow) => flow.questions.map((q, i) => [flow.id, q.id, flow, i] as const));

  it.each(cases)("%s/%s: a flow FAQ is answered, then the same question is asked again", (_f, _q, flow, index) => {
    const question = flow.questions[index]!;
    const reach = flow.questions.slice(0, index).map(() => answer(true));
    const before = run(flow, [start, ...reach]).state;
    const flowFaq = flow.faq[0]!;
    const { state, last } = run(flow, [faq(flowFaq.id)], before);
    expect(last).toEqual([
      { type: "say", text: flowFaq.answer, purpose: "faq" },
      { type: "say", text: question.prompt, purpose: "question" },
      { type: "listen", questionId: question.id },
    ]);
    expect(state).toEqual(before);
  });

  it("answers a question's own FAQ at that question only", () => {
    const salary = questionOf(quickrupee, "salary");
    const atSalary = run(quickrupee, [start, answer(true), faq("why_salary")]);
    expect(said(atSalary.last)).toEqual([salary.faq[0]!.answer, salary.prompt]);
    const atSalaried = run(quickrupee, [start, faq("why_salary")]);
    expect(said(atSalaried.last)).toEqual([quickrupee.prompts.noMatch, questionOf(quickrupee, "salaried").reprompt]);
  });

  it("does not count a FAQ as a reprompt", () => {
    const asking = run(quickrupee, [start, noMatch, noMatch, faq("what_is_call"), faq("what_is_call"), intent("repeat")]);
    expect(asking.state.phase).toBe("asking");
    const ended = run(quickrupee, [noMatch], asking.state);
    expect(endOf(ended.last)).toMatchObject({ outcome: "incomplete" });
  });

  it("repeats the question on request, without counting it", () => {
    for (const flow of [quickrupee, reno]) {
      const q = flow.questions[1]!;
      const { state, last } = run(flow, [start, answer(true), intent("repeat")]);
      expect(last).toEqual([
        { type: "say", text: q.prompt, purpose: "question" },
        { type: "listen", questionId: q.id },
      ]);
      expect(run(flow, [intent("repeat"), intent("repeat"), intent("repeat"), noMatch, noMatch], state).state.phase).toBe("asking");
    }
  });

  it("gives a caller who asks for a moment time: says so and listens on hold, no reprompt counted", () => {
    for (const flow of [quickrupee, reno]) {
      const q = flow.questions[1]!;
      const before = run(flow, [start, answer(true), noMatch]).state;
      const { state, last } = run(flow, [intent("hold")], before);
      expect(last).toEqual([
        { type: "say", text: flow.prompts.hold, purpose: "hold" },
        { type: "listen", questionId: q.id, hold: true },
      ]);
      expect(state).toEqual(before);
      // The next answer is taken as usual.
      expect(run(flow, [answer(true)], state).state.questionIndex).toBe(2);
    }
  });

  it("transfers a caller who asks for an agent", () => {
    const { state, last } = run(quickrupee, [start, answer(true), intent("agent")]);
    expect(last).toEqual([
      { type: "say", text: quickrupee.outcomes.transfer.message, purpose: "outcome" },
      { type: "end", outcome: "transfer", reason: "caller asked for an agent" },
    ]);
    expect(state).toMatchObject({ phase: "ended", outcome: "transfer" });
  });

  it("stops when the caller wants to stop", () => {
    const { state, last } = run(reno, [start, intent("stop")]);
    expect(last).toEqual([
      { type: "say", text: reno.outcomes.stopped.message, purpose: "outcome" },
      { type: "end", outcome: "stopped", reason: "caller ended the call" },
    ]);
    expect(state.outcome).toBe("stopped");
  });
});

describe("reprompts", () => {
  const salaried = questionOf(quickrupee, "salaried");
  const salary = questionOf(quickrupee, "salary");

  it("says the no-match lead and the question's reprompt, then listens again", () => {
    const { last } = run(quickrupee, [start, noMatch]);
    expect(last).toEqual([
      { type: "say", text: quickrupee.prompts.noMatch, purpose: "reprompt" },
      { type: "say", text: salaried.reprompt, purpose: "reprompt" },
      { type: "listen", questionId: "salaried" },
    ]);
  });

  it("says the no-input lead and the prompt when the caller is silent", () => {
    const { last } = run(quickrupee, [start, noInput]);
    expect(last).toEqual([
      { type: "say", text: quickrupee.prompts.noInput, purpose: "reprompt" },
      { type: "say", text: salaried.noInputPrompt ?? salaried.prompt, purpose: "reprompt" },
      { type: "listen", questionId: "salaried" },
    ]);
  });

  it.each([
    ["no_match", noMatch, 'answer to "salaried" not understood'],
    ["no_input", noInput, 'no answer to "salaried"'],
  ] as const)("reprompts %s at most maxReprompts times, then ends incomplete", (_name, event, reason) => {
    expect(quickrupee.maxReprompts).toBe(2);
    const twice = run(quickrupee, [start, event, event]);
    expect(twice.state.phase).toBe("asking");
    expect(twice.actions.filter((a) => a.type === "say" && a.purpose === "reprompt")).toHaveLength(4);
    const third = run(quickrupee, [event], twice.state);
    expect(third.last).toEqual([
      { type: "say", text: quickrupee.outcomes.incomplete.message, purpose: "outcome" },
      { type: "end", outcome: "incomplete", reason },
    ]);
    expect(third.state.outcome).toBe("incomplete");
  });

  it("counts no-match and no-input together", () => {
    const { last } = run(quickrupee, [start, noMatch, noInput, noMatch]);
    expect(endOf(last)).toMatchObject({ outcome: "incomplete", reason: 'answer to "salaried" not understood' });
  });

  it("starts counting again at the next question", () => {
    const next = run(quickrupee, [start, noMatch, noInput, answer(true), noMatch, noMatch]);
    expect(next.state.phase).toBe("asking");
    expect(said(next.last)).toEqual([quickrupee.prompts.noMatch, salary.reprompt]);
    expect(endOf(run(quickrupee, [noInput], next.state).last)).toMatchObject({ outcome: "incomplete", reason: 'no answer to "salary"' });
  });

  it("honours a flow's own maxReprompts", () => {
    const strict: Flow = { ...quickrupee, maxReprompts: 0 };
    expect(endOf(run(strict, [start, noMatch]).last)).toMatchObject({ outcome: "incomplete" });
  });
});

describe("end of call", () => {
  it("ends incomplete when the call reaches its maximum duration", () => {
    const { state, last } = run(reno, [start, answer(true), timeout]);
    expect(last).toEqual([
      { type: "say", text: reno.outcomes.incomplete.message, purpose: "outcome" },
      { type: "end", outcome: "incomplete", reason: "maximum call duration reached" },
    ]);
    expect(state).toMatchObject({ phase: "ended", outcome: "incomplete", answers: { owner: true } });
  });

  it("ignores every event once the call has ended", () => {
    const endings = [
      [answer(true), answer(30000), answer("Delhi")],
      [answer(false)],
      [intent("agent")],
      [intent("stop")],
      [timeout],
      [noMatch, noMatch, noMatch],
    ];
    for (const events of endings) {
      const { state } = run(quickrupee, [start, ...events]);
      expect(state.phase).toBe("ended");
      const later = [start, answer(true), answer("Mumbai"), faq("what_is_call"), intent("repeat"), intent("agent"), noMatch, noInput, timeout];
      for (const event of later) {
        const after = transition(quickrupee, state, event);
        expect(after.actions).toEqual([]);
        expect(after.state).toEqual(state);
      }
    }
  });
});

describe("fixedPrompts", () => {
  /** Events a caller can cause at `question`, including answers that qualify and ones that do not. */
  function eventsFor(flow: Flow, question: Question): MachineEvent[] {
    const values: AnswerValue[] = [true, false];
    if (question.type === "number") values.push(question.min, question.max, 20000, 25000, 10000, 10001);
    if (question.type === "choice") values.push(...question.options.map((o) => o.value));
    if (question.type === "duration") values.push(0, 1, 3, 6, 12);
    const faqIds = [...flow.faq, ...flow.questions.flatMap((q) => q.faq)].map((f) => f.id);
    return [
      ...values.map(answer),
      ...values.map(answer),
      ...faqIds.map(faq),
      faq("no_such_faq"),
      intent("repeat"),
      intent("agent"),
      intent("stop"),
      noMatch,
      noMatch,
      noInput,
      noInput,
      timeout,
    ];
  }

  /** Questions with their own no-input prompt and without a reprompt, which the shipped flows lack. */
  const variant: Flow = {
    ...quickrupee,
    id: "variant",
    questions: quickrupee.questions.map((q, i) => ({
      ...q,
      reprompt: undefined,
      noInputPrompt: `Hello? Question ${i + 1}, are you there?`,
    })),
  };

  it.each([quickrupee, reno, variant])("$id: holds every text any transition can say", (flow) => {
    const prompts = new Set(fixedPrompts(flow));
    const seen = new Set<string>();
    const random = mulberry32(7);
    for (let walk = 0; walk < 400; walk++) {
      let state = transition(flow, initialState(), start).state;
      for (const text of said(transition(flow, initialState(), start).actions)) seen.add(text);
      for (let step = 0; step < 20 && state.phase !== "ended"; step++) {
        const events = eventsFor(flow, flow.questions[state.questionIndex]!);
        const next = transition(flow, state, events[Math.floor(random() * events.length)]!);
        for (const text of said(next.actions)) seen.add(text);
        state = next.state;
      }
    }
    const missing = [...seen].filter((t) => !prompts.has(t));
    expect(missing).toEqual([]);
    // The walks reach every outcome and every question's reason, so the check above means something.
    for (const o of Object.values(flow.outcomes)) expect(seen).toContain(o.message);
    for (const q of flow.questions) expect(seen).toContain(q.disqualifyReason);
    expect(seen).toContain(flow.prompts.noInput);
  });

  it("lists each text once", () => {
    const prompts = fixedPrompts(quickrupee);
    expect(new Set(prompts).size).toBe(prompts.length);
  });
});

describe("keypad hints on phone calls", () => {
  const keypadStart: MachineEvent = { type: "start", keypad: true };
  const salaried = questionOf(quickrupee, "salaried");
  const salary = questionOf(quickrupee, "salary");
  const city = questionOf(quickrupee, "city");
  const { dtmfYesNo, dtmfNumber } = quickrupee.prompts;

  it("ends a no-match reprompt at a yes/no question with how to answer on the keypad", () => {
    const { last } = run(quickrupee, [keypadStart, noMatch]);
    expect(last).toEqual([
      { type: "say", text: quickrupee.prompts.noMatch, purpose: "reprompt" },
      { type: "say", text: salaried.reprompt, purpose: "reprompt" },
      { type: "say", text: dtmfYesNo, purpose: "reprompt" },
      { type: "listen", questionId: "salaried" },
    ]);
  });

  it("adds the hint to a no-input reprompt too", () => {
    const { last } = run(reno, [keypadStart, noInput]);
    const owner = questionOf(reno, "owner");
    expect(said(last)).toEqual([reno.prompts.noInput, owner.noInputPrompt ?? owner.prompt, reno.prompts.dtmfYesNo]);
    expect(last.at(-1)).toEqual({ type: "listen", questionId: "owner" });
  });

  it("offers 1/2 and then keying the amount at an amount question asked as yes/no", () => {
    const { last } = run(quickrupee, [keypadStart, answer(true), noMatch]);
    expect(said(last)).toEqual([quickrupee.prompts.noMatch, salary.reprompt, dtmfYesNo, dtmfNumber]);
    const budget = questionOf(reno, "budget");
    expect(said(run(reno, [keypadStart, answer(true), noInput]).last)).toEqual([
      reno.prompts.noInput,
      budget.noInputPrompt ?? budget.prompt,
      reno.prompts.dtmfYesNo,
      reno.prompts.dtmfNumber,
    ]);
  });

  it("offers only 1/2 at a choice or duration question asked as yes/no", () => {
    expect(said(run(quickrupee, [keypadStart, answer(true), answer(30000), noMatch]).last)).toEqual([
      quickrupee.prompts.noMatch,
      city.reprompt,
      dtmfYesNo,
    ]);
    const timeline = questionOf(reno, "timeline");
    expect(said(run(reno, [keypadStart, answer(true), answer(true), noMatch]).last)).toEqual([
      reno.prompts.noMatch,
      timeline.reprompt,
      reno.prompts.dtmfYesNo,
    ]);
  });

  it("says no keypad hint on calls without a keypad", () => {
    for (const events of [[noMatch], [noInput], [answer(true), noMatch], [answer(true), answer(30000), noInput]]) {
      for (const begin of [start, { type: "start", keypad: false } as MachineEvent]) {
        const texts = said(run(quickrupee, [begin, ...events]).last);
        expect(texts).not.toContain(dtmfYesNo);
        expect(texts).not.toContain(dtmfNumber);
        expect(texts).toHaveLength(2);
      }
    }
  });

  it("does not add hints to the first asking, a repeat or an FAQ answer", () => {
    const first = run(quickrupee, [keypadStart]);
    expect(said(first.actions)).toEqual([quickrupee.greeting, salaried.prompt]);
    expect(said(run(quickrupee, [intent("repeat")], first.state).last)).toEqual([salaried.prompt]);
    expect(said(run(quickrupee, [faq("what_is_call")], first.state).last)).toEqual([quickrupee.faq[0]!.answer, salaried.prompt]);
  });

  it("uses the flow's own hint texts", () => {
    const custom: Flow = { ...quickrupee, prompts: { ...quickrupee.prompts, dtmfYesNo: "Press one or two.", dtmfNumber: "Type the amount, then hash." } };
    expect(said(run(custom, [keypadStart, answer(true), noMatch]).last)).toEqual([
      custom.prompts.noMatch,
      salary.reprompt,
      "Press one or two.",
      "Type the amount, then hash.",
    ]);
  });

  it("keeps counting reprompts the same way with a keypad", () => {
    const { state, last } = run(quickrupee, [keypadStart, noMatch, noInput, noMatch]);
    expect(endOf(last)).toMatchObject({ outcome: "incomplete" });
    expect(said(last)).not.toContain(dtmfYesNo);
    expect(state.phase).toBe("ended");
  });

  it.each([quickrupee, reno])("$id: fixedPrompts holds both hint texts, so the prompt cache has them", (flow) => {
    const prompts = fixedPrompts(flow);
    expect(prompts).toContain(flow.prompts.dtmfYesNo);
    expect(prompts).toContain(flow.prompts.dtmfNumber);
    const custom: Flow = { ...flow, prompts: { ...flow.prompts, dtmfYesNo: "Press one or two.", dtmfNumber: "Type the amount, then hash." } };
    expect(fixedPrompts(custom)).toEqual(expect.arrayContaining(["Press one or two.", "Type the amount, then hash."]));
  });
});
