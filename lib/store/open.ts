import { hostname } from "node:os";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config";
import { CallStore } from "./call-store";
import { StoreError, type Db } from "./db";
import { migrate } from "./migrations";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";

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

/**
 * The call store from configuration: PostgreSQL when DATABASE_URL is set, else PGlite in
 * DATA_DIR. Migrates, then marks this instance's calls left live by a crash as dropped.
 */
export async function openCallStore(config: Config, log: Logger): Promise<CallStore> {
  const instanceId = config.INSTANCE_ID ?? `${hostname()}:${config.PORT}`;
  let db: Db;
  let unlock = () => {};
  try {
    if (config.DATABASE_URL) {
      db = await openPostgres(config.DATABASE_URL, (err) => log.warn({ code: "store_listen_failed", err: err.message }, "lost the change notifications connection; reconnecting"));
    } else {
      const dir = path.resolve(config.DATA_DIR);
      unlock = lockDataDir(dir);
      db = await openPglite(dir);
    }
  } catch (err) {
    unlock();
    if (err instanceof StoreError) throw err;
    throw new StoreError("store_unavailable", `call store unavailable: ${(err as Error).message}`, { cause: err });
  }
  const close = db.close.bind(db);
  db = { ...db, kind: db.kind, close: async () => (await close(), unlock()) } as Db;
  const applied = await migrate(db);
  const store = new CallStore(db, instanceId, config.LEAD_WEBHOOK_URL);
  const dropped = await store.recoverInterrupted();
  await store.warm();
  const unlisten = await store.listenToOtherInstances();
  if (unlisten) {
    const closeDb = db.close;
    db.close = async () => (await unlisten(), await closeDb());
  }
  log.info({ store: db.kind, instanceId, migrationsApplied: applied, recoveredDropped: dropped }, "call store ready");
  return store;
}
