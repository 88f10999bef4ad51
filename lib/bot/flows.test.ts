import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowFileError, loadFlows, parseFlow } from "./flows";

const quickrupeeJson = (): Record<string, any> => JSON.parse(readFileSync("flows/quickrupee.json", "utf8"));

describe("loadFlows with the shipped flows", () => {
  it("loads both flows, keyed by id, with the schema's defaults filled in", () => {
    const flows = loadFlows("flows");
    expect([...flows.keys()]).toEqual(["home-renovation", "quickrupee"]);
    for (const flow of flows.values()) {
      expect(flow.questions).toHaveLength(3);
      expect(flow.maxReprompts).toBe(2);
      expect(flow.prompts).toMatchObject({ noMatch: "Sorry, I didn't catch that.", noInput: "Are you still there?" });
    }
    const quickrupee = flows.get("quickrupee")!;
    expect(quickrupee.questions.map((q) => [q.id, q.type])).toEqual([
      ["salaried", "yesno"],
      ["salary", "number"],
      ["city", "choice"],
    ]);
    expect(quickrupee.questions[0]!.faq).toEqual([]);
  });
});

describe("loadFlows refuses invalid flows with a clear message", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "flows-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, content: unknown) =>
    writeFileSync(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2));

  /** The error loadFlows throws for a quickrupee flow changed by `change`. */
  function refusal(change: (flow: Record<string, any>) => void): FlowFileError {
    const flow = quickrupeeJson();
    change(flow);
    write("broken.json", flow);
    try {
      loadFlows(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(FlowFileError);
      return err as FlowFileError;
    }
    throw new Error("loadFlows accepted the flow");
  }

  it("loads a valid copy, and ignores files that are not .json", () => {
    write("copy.json", quickrupeeJson());
    write("README.md", "# not a flow");
    expect([...loadFlows(dir).keys()]).toEqual(["quickrupee"]);
  });

  it("names the file and the JSON problem when a file is not JSON", () => {
    write("broken.json", '{ "id": "quickrupee", ');
    const file = path.join(dir, "broken.json");
    expect(() => loadFlows(dir)).toThrow(`${file}: not valid JSON`);
  });

  it.each([
    [
      "a duplicate question id",
      (f: Record<string, any>) => (f.questions[1].id = "salaried"),
      'duplicate question id "salaried"',
      "questions[1].id",
    ],
    [
      "a choice rule naming a value that is not an option",
      (f: Record<string, any>) => f.questions[2].qualify.values.push("Surat"),
      '"Surat" is not an option',
      "questions[2].qualify.values[6]",
    ],
    [
      "a number question with an eq rule",
      (f: Record<string, any>) => (f.questions[1].qualify = { op: "eq", value: 25000 }),
      "a number question needs gte/gt/lte/lt",
      "questions[1].qualify",
    ],
    [
      "a phrase with punctuation",
      (f: Record<string, any>) => (f.faq[0].phrases[0] = "who is this?"),
      "phrases are lowercase words separated by spaces",
      "faq[0].phrases[0]",
    ],
    [
      "an option phrase with a comma",
      (f: Record<string, any>) => (f.questions[2].options[0].phrases[1] = "new, delhi"),
      "phrases are lowercase words separated by spaces",
      "questions[2].options[0].phrases[1]",
    ],
    [
      "a phrase with digits",
      (f: Record<string, any>) => (f.faq[0].phrases[0] = "call me at 5"),
      "phrases are lowercase words separated by spaces",
      "faq[0].phrases[0]",
    ],
    ["a missing outcome", (f: Record<string, any>) => delete f.outcomes.transfer, "expected object", "outcomes.transfer"],
    [
      "a duplicate FAQ id",
      (f: Record<string, any>) => (f.questions[1].faq[0].id = "what_is_call"),
      'duplicate faq id "what_is_call"',
      "faq",
    ],
    [
      "a yes/no question with a numeric rule",
      (f: Record<string, any>) => (f.questions[0].qualify = { op: "gte", value: 1 }),
      "a yesno question needs { op: eq, value: true|false }",
      "questions[0].qualify",
    ],
  ])("refuses %s", (_name, change, message, at) => {
    const err = refusal(change);
    expect(err.code).toBe("invalid_flow");
    expect(err.message).toContain(path.join(dir, "broken.json"));
    expect(err.message).toContain(message);
    expect(err.message).toContain(`at ${at}`);
  });

  it("refuses two files with the same flow id", () => {
    write("a.json", quickrupeeJson());
    write("b.json", quickrupeeJson());
    expect(() => loadFlows(dir)).toThrow(`${path.join(dir, "b.json")}: duplicate flow id "quickrupee"`);
  });
});

describe("parseFlow", () => {
  it("names the source it was given in errors", () => {
    expect(() => parseFlow({ id: "x" }, "from-api")).toThrow(/^from-api: /);
  });
});
