import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FlowSchema } from "./flow-schema";

const renoJson = (): Record<string, any> => JSON.parse(readFileSync("flows/home-renovation.json", "utf8"));

function issues(change: (flow: Record<string, any>) => void): string[] {
  const flow = renoJson();
  change(flow);
  const result = FlowSchema.safeParse(flow);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("FlowSchema", () => {
  it("fills in the defaults a flow file may leave out", () => {
    const flow = FlowSchema.parse(renoJson());
    const owner = flow.questions[0]!;
    expect(owner.yesNo).toBe(false);
    expect(owner.faq).toEqual([]);
    expect(flow.maxReprompts).toBe(2);
    expect(flow.prompts).toMatchObject({ noMatch: "Sorry, I didn't catch that.", noInput: "Are you still there?" });
    const partialPrompts = FlowSchema.parse({ ...renoJson(), prompts: { noMatch: "Pardon?" } });
    expect(partialPrompts.prompts).toMatchObject({ noMatch: "Pardon?", noInput: "Are you still there?" });
    expect(partialPrompts.prompts.dtmfYesNo).toMatch(/press 1 for yes/);
  });

  it("keeps phrases as grammar-ready lowercase words", () => {
    const flow = renoJson();
    flow.faq[0].phrases = ["  Who Is This  ", "who's calling"];
    expect(FlowSchema.parse(flow).faq[0]!.phrases).toEqual(["who is this", "who's calling"]);
  });

  it("accepts every flow in the repository", () => {
    expect(issues(() => {})).toEqual([]);
    expect(FlowSchema.safeParse(JSON.parse(readFileSync("flows/quickrupee.json", "utf8"))).success).toBe(true);
  });

  it.each([
    ["an empty prompt", (f: Record<string, any>) => (f.questions[0].prompt = "   "), "questions.0.prompt"],
    ["a prompt over 400 characters", (f: Record<string, any>) => (f.greeting = "a".repeat(401)), "greeting"],
    ["an id with capitals", (f: Record<string, any>) => (f.questions[0].id = "Owner"), "questions.0.id"],
    ["more than 5 reprompts", (f: Record<string, any>) => (f.maxReprompts = 6), "maxReprompts"],
    ["a flow without questions", (f: Record<string, any>) => (f.questions = []), "questions"],
    ["an unknown question type", (f: Record<string, any>) => (f.questions[0].type = "date"), "questions.0.type"],
    ["an unknown currency", (f: Record<string, any>) => (f.questions[1].unit = "euros"), "questions.1.unit"],
    [
      "a duration question with an eq rule",
      (f: Record<string, any>) => (f.questions[2].qualify = { op: "eq", value: 3 }),
      "questions.2.qualify",
    ],
    [
      "a yes/no question with a string rule",
      (f: Record<string, any>) => (f.questions[0].qualify = { op: "eq", value: "yes" }),
      "questions.0.qualify",
    ],
    [
      "a choice question with a numeric rule",
      (f: Record<string, any>) => {
        f.questions[0] = { ...f.questions[0], type: "choice", options: [{ value: "a" }, { value: "b" }], qualify: { op: "gte", value: 1 } };
      },
      "questions.0.qualify",
    ],
    [
      "a choice question with one option",
      (f: Record<string, any>) => {
        f.questions[0] = { ...f.questions[0], type: "choice", options: [{ value: "a" }], qualify: { op: "in", values: ["a"] } };
      },
      "questions.0.options",
    ],
  ])("refuses %s", (_name, change, at) => {
    const found = issues(change);
    expect(found.length).toBeGreaterThan(0);
    expect(found.some((i) => i.startsWith(`${at}:`)), found.join("\n")).toBe(true);
  });
});
