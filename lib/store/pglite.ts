import { mkdirSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Db, Queryable } from "./db";

/** Embedded PostgreSQL (WASM) in a data directory: zero setup, one server process. */
export async function openPglite(dataDir: string): Promise<Db> {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir);
  return {
    kind: "pglite",
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await pg.query<T>(sql, params)).rows }),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      pg.transaction((tx) => fn({ query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await tx.query<R>(sql, params)).rows }) })),
    close: () => pg.close(),
  };
}
