import { describe, expect, it } from "vitest";
import { chunkText } from "./chunk-text";

const normalized = (text: string) => text.replace(/\s+/g, " ").trim();

describe("chunkText", () => {
  it("keeps a short prompt whole", () => {
    expect(chunkText("Are you a salaried employee?")).toEqual(["Are you a salaried employee?"]);
    expect(chunkText("  Are you\n a  salaried\temployee? ")).toEqual(["Are you a salaried employee?"]);
  });

  it("splits sentences so the first one can be spoken while the rest is synthesized", () => {
    expect(chunkText("Hi, this is QuickRupee.  I'll check if you can get a loan!\nJust three quick questions?")).toEqual([
      "Hi, this is QuickRupee.",
      "I'll check if you can get a loan!",
      "Just three quick questions?",
    ]);
  });

  it("does not split inside numbers", () => {
    expect(chunkText("The rate is 2.5 percent. Thanks.")).toEqual(["The rate is 2.5 percent.", "Thanks."]);
  });

  it("keeps the first chunk short by splitting a long first sentence at clauses", () => {
    const text =
      "Great news, you're eligible for the instant loan, and an agent from our team will call you within ten minutes, " +
      "so keep your phone nearby. Thank you!";
    const chunks = chunkText(text);
    expect(chunks[0]!.length).toBeLessThanOrEqual(60);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(160);
    expect(chunks.join(" ")).toBe(normalized(text));
  });

  it("splits a long later sentence at clauses within the larger limit", () => {
    const clause = "and then some more words follow here";
    const long = Array.from({ length: 8 }, () => clause).join(", ");
    const chunks = chunkText(`Okay. ${long}.`, 60, 100);
    expect(chunks[0]).toBe("Okay.");
    for (const chunk of chunks.slice(1)) expect(chunk.length).toBeLessThanOrEqual(100);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join(" ")).toBe(`Okay. ${long}.`);
  });

  it("never loses or reorders words", () => {
    const texts = [
      "Your salary tells us which loan you qualify for. It stays private.",
      "One, two, three, four, five, six, seven, eight, nine, ten, eleven, twelve, thirteen, fourteen, fifteen, sixteen.",
      "A sentence without any clause boundary that is much longer than sixty characters in total length.",
    ];
    for (const text of texts) expect(chunkText(text).join(" ")).toBe(normalized(text));
  });

  it("yields nothing for blank text", () => {
    expect(chunkText("")).toEqual([]);
    expect(chunkText("   \n ")).toEqual([]);
  });
});
