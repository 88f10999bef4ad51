import pino, { type Logger } from "pino";

/**
 * Structured JSON logs on stdout. Every error carries a stable `code` (see docs/protocol.md);
 * `onRecord` sees each record's level and first argument (the metrics count codes there).
 */
export function createLogger(level: string, name = "voice", onRecord?: (level: number, record: unknown) => void): Logger {
  return pino({
    name,
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(onRecord && {
      hooks: {
        logMethod(args, method, lvl) {
          onRecord(lvl, args[0]);
          return method.apply(this, args);
        },
      },
    }),
  });
}

export type { Logger };
