import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { Db } from "./db";
import { openPglite } from "./pglite";
import { openPostgres } from "./postgres";

export interface TestDatabase {
  name: "pglite" | "postgres";
  /** A fresh, empty database. `url` is set for PostgreSQL (to start servers on it). */
  create(): Promise<{ db: Db; url?: string; dataDir?: string; drop(): Promise<void> }>;
}

/**
 * The databases store tests run on: PGlite always; PostgreSQL at TEST_DATABASE_URL (a role that
 * may create databases: each test gets its own). `.ci/run` starts one; in CI its absence fails
 * the run instead of skipping.
 */
export function testDatabases(): TestDatabase[] {
  const out: TestDatabase[] = [
    {
      name: "pglite",
      async create() {
        const dataDir = mkdtempSync(path.join(tmpdir(), "voice-pglite-"));
        const db = await openPglite(dataDir);
        return { db, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
      },
    },
  ];
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin && process.env.CI) throw new Error("TEST_DATABASE_URL is not set: .ci/run starts PostgreSQL and sets it");
  if (admin) {
    out.push({
      name: "postgres",
      async create() {
        const name = `voice_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
        const client = new pg.Client({ connectionString: admin });
        await client.connect();
        await client.query(`CREATE DATABASE ${name}`);
        await client.end();
        const url = new URL(admin);
        url.pathname = `/${name}`;
        const db = await openPostgres(url.toString());
        return {
          db,
          url: url.toString(),
          drop: async () => {
            const c = new pg.Client({ connectionString: admin });
            await c.connect();
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await c.end();
          },
        };
      },
    });
  }
  return out;
}
