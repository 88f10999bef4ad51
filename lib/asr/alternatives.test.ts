import { describe, expect, it } from "vitest";
import { byMeaning } from "./alternatives";
import { decideVotes, mergeParts, vote } from "./embedded";
import type { FrontEndVote, RecognitionResult } from "./types";

const scored = (text: string, confidence: number, rejected = false): FrontEndVote => ({ text, confidence, rejected, garbageSpeechMs: 0, speechMs: 500, compensated: false });

describe("vote (several front ends' decodes of one utterance)", () => {
  it("takes the hypothesis whose accepting front ends' confidences sum highest", () => {
    expect(vote([scored("fifty thousand", 0.9), scored("fifteen thousand", 0.8), scored("fifteen thousand", 0.8)]).winner).toBe(1);
    expect(vote([scored("fifty thousand", 0.9), scored("fifteen thousand", 0.8), scored("sixty thousand", 0.85)]).winner).toBe(0);
  });

  it("ignores rejected decodes, and reports every accepted one as an alternative", () => {
    const { winner, alternatives } = vote([scored("no", 0.95, true), scored("yes", 0.8), scored("yeah", 0.75)]);
    expect(winner).toBe(1);
    expect(alternatives).toEqual([
      { text: "yes", confidence: 0.8 },
      { text: "yeah", confidence: 0.75 },
    ]);
  });

  it("counts a front end's confidence by its weight, and reports that weight", () => {
    const discounted = { ...scored("fifteen thousand", 0.9), weight: 0.5 };
    const { winner, alternatives } = vote([scored("fifty thousand", 0.8), discounted]);
    expect(winner).toBe(0);
    expect(alternatives).toEqual([
      { text: "fifty thousand", confidence: 0.8 },
      { text: "fifteen thousand", confidence: 0.9, weight: 0.45 },
    ]);
    // A discounted front end still breaks a tie between the others.
    expect(vote([scored("fifty thousand", 0.8), scored("fifteen thousand", 0.8), discounted]).winner).toBe(1);
  });

  it("falls back to the first front end when every decode was rejected, and breaks ties in order", () => {
    expect(vote([scored("one", 0.5, true), scored("two", 0.9, true)])).toEqual({ winner: 0, alternatives: [] });
    expect(vote([scored("delhi", 0.8), scored("pune", 0.8)]).winner).toBe(0);
  });
});

describe("byMeaning", () => {
  const result = (text: string, alternatives?: RecognitionResult["alternatives"]): RecognitionResult => ({
    text,
    confidence: 0.9,
    rejected: false,
    audioMs: 1000,
    finalizeMs: 1,
    provider: "embedded",
    ...(alternatives ? { alternatives } : {}),
  });
  const yesNo = (text: string) => (/^(yes|yeah|sure)$/.test(text) ? "true" : text === "no" ? "false" : "none");

  it("weighs different words with the same meaning together", () => {
    const r = byMeaning(result("no", [{ text: "no", confidence: 0.95 }, { text: "yes", confidence: 0.8 }, { text: "yeah", confidence: 0.85 }]), yesNo);
    expect(r).toMatchObject({ text: "yeah", confidence: 0.85 });
    // A discounted hypothesis weighs its weight.
    const weighed = byMeaning(result("no", [{ text: "no", confidence: 0.8 }, { text: "yes", confidence: 0.9, weight: 0.45 }]), yesNo);
    expect(weighed).toMatchObject({ text: "no", confidence: 0.8 });
  });

  it("leaves a result alone when there is nothing to weigh", () => {
    const one = result("yes");
    expect(byMeaning(one, yesNo)).toBe(one);
    const agreed = result("no", [{ text: "no", confidence: 0.9 }]);
    expect(byMeaning(agreed, yesNo)).toBe(agreed);
    const tie = byMeaning(result("no", [{ text: "no", confidence: 0.8 }, { text: "yes", confidence: 0.8 }]), yesNo);
    expect(tie.text).toBe("no");
  });
});

describe("byMeaning with an agreement of front ends", () => {
  /** A front end's decode that failed the vote's limits; `agrees`: within the agreement limits. */
  const garbled = (text: string, confidence: number, agrees: boolean, garbageSpeechMs = 250): FrontEndVote => ({ ...scored(text, confidence, true), garbageSpeechMs, ...(agrees ? { agrees } : {}) });
  const ensemble = (votes: FrontEndVote[], agreementFrontEnds = 3): RecognitionResult => ({
    ...decideVotes(votes),
    votes,
    agreementFrontEnds,
    frontEnds: votes.length,
    audioMs: 1000,
    finalizeMs: 1,
    provider: "embedded",
  });
  const yesNo = (text: string) => (/^(yes|yeah|sure)$/.test(text) ? "true" : text === "no" ? "false" : "none");

  it("accepts what enough front ends mean alike, each within the agreement limits, though the vote rejected them all", () => {
    const rejected = ensemble([garbled("yes", 0.9, true, 260), garbled("yeah", 0.95, true, 310), garbled("yes", 0.92, true, 250), garbled("no", 0.8, false)]);
    expect(rejected).toMatchObject({ rejected: true, rejectedText: "yes" });
    const r = byMeaning(rejected, yesNo);
    expect(r).toMatchObject({ text: "yeah", confidence: 0.95, rejected: false, garbageSpeechMs: 310 });
    expect(r.rejectedText).toBeUndefined();
  });

  it("overrules the vote's winner when the agreement means something else", () => {
    const r = byMeaning(ensemble([scored("no", 0.95), garbled("yes", 0.9, true), garbled("yes", 0.9, true), garbled("sure", 0.85, true)]), yesNo);
    expect(r).toMatchObject({ text: "yes", rejected: false });
  });

  it("needs as many agreeing front ends as the recognizer says, and counts only those within the limits", () => {
    const two = ensemble([garbled("yes", 0.9, true), garbled("yes", 0.9, true), garbled("yes", 0.9, false, 500)]);
    expect(byMeaning(two, yesNo)).toMatchObject({ text: "", rejected: true });
    expect(byMeaning({ ...two, agreementFrontEnds: 2 }, yesNo)).toMatchObject({ text: "yes", rejected: false });
    // Three within the limits, but meaning three things: no agreement, the vote stands.
    const split = ensemble([scored("no", 0.9), garbled("yes", 0.9, true), garbled("delhi", 0.9, true)]);
    expect(byMeaning(split, yesNo)).toMatchObject({ text: "no", rejected: false });
    // Without an agreement size (one front end, another provider) nothing changes.
    const { agreementFrontEnds: _n, ...plain } = ensemble([garbled("yes", 0.9, true), garbled("yes", 0.9, true), garbled("yes", 0.9, true)]);
    expect(byMeaning(plain, yesNo)).toBe(plain);
  });
});

describe("mergeParts (a noisy line's front ends decoded on two threads)", () => {
  const result = (votes: FrontEndVote[] | undefined, extra: Partial<RecognitionResult> = {}): RecognitionResult => ({
    ...decideVotes(votes ?? [scored("yes", 0.9)]),
    ...(votes ? { votes, frontEnds: votes.length } : { frontEnds: 1 }),
    passes: 1,
    denoised: true,
    compensated: votes?.some((v) => v.compensated) ?? false,
    audioMs: 1200,
    finalizeMs: 5,
    provider: "embedded",
    ...extra,
  });

  it("votes over both parts in one stream's front-end order: the lead's denoised ones, the rest's, the compensated one", () => {
    const compensated = { ...scored("fifteen thousand", 0.9), compensated: true, weight: 0.5 };
    // Alone, the lead's two disagree and the first wins the tie; the rest's decode settles it.
    const lead = result([scored("fifty thousand", 0.8), scored("fifteen thousand", 0.8), compensated]);
    expect(lead.text).toBe("fifteen thousand");
    const merged = mergeParts(lead, result([scored("fifty thousand", 0.85)]), 42);
    expect(merged.votes?.map((v) => v.text)).toEqual(["fifty thousand", "fifteen thousand", "fifty thousand", "fifteen thousand"]);
    expect(merged).toMatchObject({ text: "fifty thousand", rejected: false, confidence: 0.8, frontEnds: 4, compensated: true, audioMs: 1200, finalizeMs: 42 });
    expect(merged.alternatives).toHaveLength(4);
  });

  it("keeps the lead's rejection and text when the rest rejects too, and drops the lead's own alternatives", () => {
    const lead = result([scored("yes", 0.95), scored("no", 0.9)]);
    expect(lead.alternatives).toHaveLength(2);
    const merged = mergeParts(result([scored("yes", 0.4, true), scored("no", 0.3, true)]), result([scored("no", 0.5, true)]), 1);
    expect(merged).toMatchObject({ text: "", rejected: true, rejectedText: "yes", frontEnds: 3 });
    expect(merged.alternatives).toBeUndefined();
  });

  it("is the lead's result when either part has no front-end decodes to vote with", () => {
    const lead = result([scored("yes", 0.9), scored("yes", 0.8)]);
    expect(mergeParts(lead, result(undefined), 3)).toBe(lead);
    const quiet = result(undefined);
    expect(mergeParts(quiet, result([scored("no", 0.9)]), 3)).toBe(quiet);
  });
});
