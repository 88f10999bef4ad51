import type { RecognitionResult } from "./types";

/**
 * When several front ends decoded an utterance (the embedded engine on noisy lines), the
 * recognizer picks among their hypotheses by their words; different words can mean the same
 * ("yes", "yeah"). This picks by meaning instead: the meaning whose hypotheses' confidences (or
 * weights, where the recognizer discounted a front end) sum highest, heard as its most confident
 * hypothesis. `meaning` maps a hypothesis to a key equal for equal meanings (the caller's
 * understanding of it). Before that, an agreement decides: when `agreementFrontEnds` front ends
 * that stay within their agreement limits mean the same, that is the answer, even one the vote
 * rejected. Results without alternatives or votes pass unchanged.
 */
export function byMeaning(result: RecognitionResult, meaning: (text: string) => string): RecognitionResult {
  const agreed = agreement(result, meaning);
  if (agreed) return agreed;
  const alternatives = result.alternatives;
  if (result.rejected || !alternatives || alternatives.length < 2) return result;
  const best = mostConfident(heaviestGroup(alternatives, (a) => meaning(a.text), (a) => a.weight ?? a.confidence));
  return { ...result, text: best.text, confidence: best.confidence };
}

/** The result as the agreeing front ends heard it, when enough agree on one meaning (see byMeaning). */
function agreement(result: RecognitionResult, meaning: (text: string) => string): RecognitionResult | undefined {
  const needed = result.agreementFrontEnds;
  if (!needed || !result.votes) return undefined;
  const group = heaviestGroup(result.votes.filter((v) => v.agrees), (v) => meaning(v.text), () => 1);
  if (group.length < needed) return undefined;
  const best = mostConfident(group);
  const { rejectedText: _rejectedText, ...rest } = result;
  return { ...rest, text: best.text, confidence: best.confidence, rejected: false, garbageSpeechMs: best.garbageSpeechMs, speechMs: best.speechMs };
}

const mostConfident = <T extends { confidence: number }>(items: readonly T[]): T => items.reduce((a, b) => (b.confidence > a.confidence ? b : a));

/**
 * The items sharing a key whose weights sum highest, in their order; ties go to the group seen
 * first (so to the earlier front end). Empty only when `items` is.
 */
export function heaviestGroup<T>(items: readonly T[], key: (item: T) => string, weight: (item: T) => number): T[] {
  const groups = new Map<string, { sum: number; items: T[] }>();
  for (const item of items) {
    const k = key(item);
    const g = groups.get(k) ?? groups.set(k, { sum: 0, items: [] }).get(k)!;
    g.sum += weight(item);
    g.items.push(item);
  }
  let best: { sum: number; items: T[] } | undefined;
  for (const g of groups.values()) if (!best || g.sum > best.sum) best = g;
  return best?.items ?? [];
}
