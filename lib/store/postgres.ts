import pg from "pg";
import type { Db, Queryable } from "./db";

/** PostgreSQL through a `pg` pool: several server instances can share it. */
export async function openPostgres(url: string, onListenError: (err: Error) => void = () => {}): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // A broken idle connection must not take the process down; the next query gets a new one.
  pool.on("error", () => undefined);
  await pool.query("select 1");
  return {
    kind: "postgres",
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await pool.query(sql, params)).rows as T[] }),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("begin");
        const result = await fn({ query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as R[] }) });
        await client.query("commit");
        return result;
      } catch (err) {
        await client.query("rollback").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async listen(channel: string, onPayload: (payload: string) => void) {
      // LISTEN needs one connection of its own for as long as it lasts; reconnect if it drops.
      let client: pg.Client | undefined;
      let closed = false;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: url });
        c.on("notification", (n) => n.channel === channel && n.payload !== undefined && onPayload(n.payload));
        c.on("error", (err) => {
          onListenError(err);
          if (!closed) setTimeout(() => void connect().catch(onListenError), 1000).unref();
        });
        await c.connect();
        await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        client = c;
      };
      await connect();
      return async () => {
        closed = true;
        await client?.end().catch(() => undefined);
      };
    },
    close: () => pool.end(),
  };
}
