import type { RecognitionResult } from "./types";

/**
 * When several front ends decoded an utterance (the embedded engine on noisy lines), the
 * recognizer picks among their hypotheses by their words; different words can mean the same
 * ("yes", "yeah"). This picks by meaning instead: the meaning whose hypotheses' confidences sum
 * highest, heard as its most confident hypothesis. `meaning` maps a hypothesis to a key equal for
 * equal meanings (the caller's understanding of it). Results without alternatives pass unchanged.
 */
export function byMeaning(result: RecognitionResult, meaning: (text: string) => string): RecognitionResult {
  const alternatives = result.alternatives;
  if (result.rejected || !alternatives || alternatives.length < 2) return result;
  const groups = new Map<string, { sum: number; text: string; confidence: number }>();
  for (const a of alternatives) {
    const key = meaning(a.text);
    const g = groups.get(key);
    if (!g) groups.set(key, { sum: a.confidence, text: a.text, confidence: a.confidence });
    else {
      g.sum += a.confidence;
      if (a.confidence > g.confidence) Object.assign(g, { text: a.text, confidence: a.confidence });
    }
  }
  let best: { sum: number; text: string; confidence: number } | undefined;
  // Map order is first-seen order, so ties go to the earlier front end, as the recognizer's do.
  for (const g of groups.values()) if (!best || g.sum > best.sum) best = g;
  return { ...result, text: best!.text, confidence: best!.confidence };
}
