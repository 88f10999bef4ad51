import { hostname } from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import type { Config } from "../config";
import { CallStore } from "./call-store";
import { StoreError, type Db } from "./db";
import { migrate } from "./migrations";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";

/**
 * The call store from configuration: PostgreSQL when DATABASE_URL is set, else PGlite in
 * DATA_DIR. Migrates, then marks this instance's calls left live by a crash as dropped.
 */
export async function openCallStore(config: Config, log: Logger): Promise<CallStore> {
  const instanceId = config.INSTANCE_ID ?? `${hostname()}:${config.PORT}`;
  let db: Db;
  try {
    db = config.DATABASE_URL
      ? await openPostgres(config.DATABASE_URL, (err) => log.warn({ code: "store_listen_failed", err: err.message }, "lost the change notifications connection; reconnecting"))
      : await openPglite(path.resolve(config.DATA_DIR));
  } catch (err) {
    if (err instanceof StoreError) throw err;
    throw new StoreError("store_unavailable", `call store unavailable: ${(err as Error).message}`, { cause: err });
  }
  const applied = await migrate(db);
  const store = new CallStore(db, instanceId, config.LEAD_WEBHOOK_URL);
  const dropped = await store.recoverInterrupted();
  await store.warm();
  await store.listenToOtherInstances();
  log.info({ store: db.kind, instanceId, migrationsApplied: applied, recoveredDropped: dropped }, "call store ready");
  return store;
}
