/**
 * The SQL the call store needs from a database: parameterized queries, a transaction, close.
 * Two providers implement it with the same SQL: embedded PGlite (pglite.ts, the default) and
 * PostgreSQL through `pg` (postgres.ts, when DATABASE_URL is set).
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface Db extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction on one connection. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Shared databases only (PostgreSQL): LISTEN on a channel, so instances see each other's
   * changes. Returns the unlisten. Absent where one process owns the database.
   */
  listen?(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    readonly code: "store_unavailable" | "store_write_failed" | "migration_failed",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
