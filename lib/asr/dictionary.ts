import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CUSTOM_PRONUNCIATIONS } from "./pronunciations";

export class MissingPronunciationError extends Error {
  readonly code = "missing_pronunciation";
  constructor(readonly words: string[]) {
    super(`no pronunciation for: ${words.join(", ")} (add them to lib/asr/pronunciations.ts)`);
  }
}

let base: Map<string, string[]> | undefined;

/** The model's dictionary (134k words), parsed once per process. */
function baseDictionary(modelDir: string): Map<string, string[]> {
  if (base) return base;
  base = new Map();
  for (const line of readFileSync(path.join(modelDir, "dict.txt"), "utf8").split("\n")) {
    const space = line.indexOf(" ");
    if (space < 0) continue;
    const word = line.slice(0, space).replace(/\(\d+\)$/, "");
    const pron = line.slice(space + 1).trim();
    const prons = base.get(word);
    if (prons) prons.push(pron);
    else base.set(word, [pron]);
  }
  return base;
}

export function pronunciationsOf(word: string, modelDir: string): string[] {
  const prons = new Set([...(baseDictionary(modelDir).get(word) ?? []), ...(CUSTOM_PRONUNCIATIONS[word] ?? [])]);
  return [...prons];
}

/**
 * Writes a dictionary holding only `words` and returns its path. A decoder loaded with the whole
 * 134k-word dictionary costs ~29 MB; with only the grammar vocabulary it costs ~11 MB and
 * initializes in ~20 ms instead of ~150 ms, which is what makes a pool of decoders cheap.
 */
export function writeDictionary(words: Iterable<string>, modelDir: string, extra: Record<string, string> = {}): string {
  const lines: string[] = [];
  const missing: string[] = [];
  for (const word of [...new Set(words)].sort()) {
    const prons = pronunciationsOf(word, modelDir);
    if (prons.length === 0) missing.push(word);
    prons.forEach((pron, i) => lines.push(i === 0 ? `${word} ${pron}` : `${word}(${i + 1}) ${pron}`));
  }
  if (missing.length > 0) throw new MissingPronunciationError(missing);
  for (const [word, pron] of Object.entries(extra)) lines.push(`${word} ${pron}`);
  const text = `${lines.join("\n")}\n`;
  const dir = path.join(tmpdir(), "voice-qualify");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `dict-${createHash("sha1").update(text).digest("hex").slice(0, 16)}.txt`);
  writeFileSync(file, text);
  return file;
}
