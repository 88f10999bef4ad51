import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadFlows } from "../bot/flows";
import { csvCell } from "../server/calls-api";
import { funnelOf } from "./stats";

const flow = loadFlows(path.join(process.cwd(), "flows")).get("quickrupee")!;

describe("funnelOf", () => {
  it("counts reached, answered and disqualified per question, and the reasons", () => {
    const f = funnelOf(flow, [
      { outcome: "qualified", reason: "all answers qualify", keys: ["city", "salaried", "salary"], n: 5 },
      { outcome: "not_qualified", reason: "too low", keys: ["salaried", "salary"], n: 3 },
      { outcome: "not_qualified", reason: "not salaried", keys: ["salaried"], n: 2 },
      { outcome: "dropped", reason: "caller hung up", keys: ["salaried"], n: 1 },
      { outcome: "incomplete", reason: "no answer", keys: null, n: 4 },
      { outcome: null, reason: null, keys: null, n: 1 },
    ], [{ question_id: "salary", no_match: 4, no_input: 1 }]);
    expect(f.calls).toBe(16);
    expect(f.qualified).toBe(5);
    expect(f.steps.map((s) => [s.questionId, s.reached, s.answered, s.disqualified, s.notUnderstood, s.noInput])).toEqual([
      ["salaried", 16, 11, 2, 0, 0],
      ["salary", 9, 8, 3, 4, 1],
      ["city", 5, 5, 0, 0, 0],
    ]);
    expect(f.reasons[0]).toEqual({ outcome: "incomplete", reason: "no answer", calls: 4 });
    expect(f.reasons.map((r) => r.outcome)).not.toContain("qualified");
  });
});

describe("csvCell", () => {
  it("quotes what needs it and defuses spreadsheet formulas", () => {
    expect(csvCell("Mumbai")).toBe("Mumbai");
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(30000)).toBe("30000");
    expect(csvCell(null)).toBe("");
  });
});
