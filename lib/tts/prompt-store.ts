import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Where the prompt cache keeps audio between restarts (see PromptCache `store`). */
export interface PromptStore {
  get(key: string): Int16Array | undefined;
  set(key: string, audio: Int16Array): void;
}

/**
 * Synthesized prompts on disk, one raw PCM16 (machine byte order) file per prompt, so a restart
 * loads them instead of synthesizing them again (about 6 s of a 11 s start with the embedded
 * voice). Only for a synthesizer whose audio depends on nothing but its input: `salt` names the
 * engine and its version, and a new one misses every old file. A cache and nothing more: a
 * missing, unreadable or torn file is a miss, a failed write only costs the next start its time.
 * Writes go through a temporary file and a rename, so servers starting together share a dir.
 */
export class DiskPromptStore implements PromptStore {
  constructor(
    private readonly dir: string,
    private readonly salt: string,
  ) {}

  private file(key: string): string {
    return path.join(this.dir, `${createHash("sha256").update(`${this.salt}\u0000${key}`).digest("hex").slice(0, 32)}.pcm`);
  }

  get(key: string): Int16Array | undefined {
    try {
      const bytes = readFileSync(this.file(key));
      if (bytes.length === 0 || bytes.length % 2 !== 0) return undefined;
      return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    } catch {
      return undefined;
    }
  }

  set(key: string, audio: Int16Array): void {
    const file = this.file(key);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, new Uint8Array(audio.buffer, audio.byteOffset, audio.byteLength));
      renameSync(tmp, file);
    } catch {
      // Read-only or full disk: the prompt stays cached in memory for this run.
    }
  }
}
