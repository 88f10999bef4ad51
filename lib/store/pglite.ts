import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { StoreError, type Db, type Queryable } from "./db";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite is one process's database: a second server on the same directory would corrupt it.
 * A lock file with the owner's pid refuses that clearly; a stale one (its process is gone, e.g.
 * after kill -9) is taken over.
 */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "server.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const owner = Number(readFileSync(file, "utf8"));
      if (owner && owner !== process.pid && processAlive(owner)) {
        throw new StoreError("store_unavailable", `DATA_DIR ${dir} is in use by process ${owner}; stop it, or set another DATA_DIR or a DATABASE_URL`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new StoreError("store_unavailable", `could not lock DATA_DIR ${dir}`);
}


/** Embedded PostgreSQL (WASM) in a data directory: zero setup, one process (the directory is locked until close). */
export async function openPglite(dataDir: string): Promise<Db> {
  const dir = path.resolve(dataDir);
  const unlock = lockDataDir(dir);
  let pg: PGlite;
  try {
    pg = await PGlite.create(dir);
  } catch (err) {
    unlock();
    throw err;
  }
  return {
    kind: "pglite",
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await pg.query<T>(sql, params)).rows }),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      pg.transaction((tx) => fn({ query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await tx.query<R>(sql, params)).rows }) })),
    close: async () => {
      await pg.close();
      unlock();
    },
  };
}
