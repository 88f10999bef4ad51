import pino, { type Logger } from "pino";

/** Structured JSON logs on stdout. Every error carries a stable `code` (see docs/protocol.md). */
export function createLogger(level: string, name = "voice"): Logger {
  return pino({ name, level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
