/**
 * Splits text into speakable chunks for streaming synthesis: sentences, and long sentences at
 * clause boundaries. The first chunk is kept short so its audio is ready quickly.
 */
export function chunkText(text: string, firstMaxChars = 60, maxChars = 160): string[] {
  const sentences = text
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?])\s+/)
    .filter((s) => s.length > 0);
  const chunks: string[] = [];
  for (const sentence of sentences) {
    const limit = chunks.length === 0 ? firstMaxChars : maxChars;
    if (sentence.length <= limit) {
      chunks.push(sentence);
      continue;
    }
    let current = "";
    for (const clause of sentence.split(/(?<=[,;:])\s+/)) {
      const max = chunks.length === 0 ? firstMaxChars : maxChars;
      if (current && current.length + 1 + clause.length > max) {
        chunks.push(current);
        current = clause;
      } else {
        current = current ? `${current} ${clause}` : clause;
      }
    }
    if (current) chunks.push(current);
  }
  return chunks;
}
