import { StoreError, type Db } from "./db";

/**
 * Schema changes, in order, applied at start in one transaction under an advisory lock (several
 * instances may start at once). Never edit a shipped migration: add the next one.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: "calls and turns",
    sql: `
      CREATE TABLE calls (
        id uuid PRIMARY KEY,
        flow_id text NOT NULL,
        flow_version integer NOT NULL,
        channel text NOT NULL,
        instance_id text NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        duration_ms integer,
        status text NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'ended')),
        outcome text,
        reason text,
        answers jsonb NOT NULL DEFAULT '{}'::jsonb,
        providers jsonb NOT NULL DEFAULT '{}'::jsonb,
        playback_underruns integer
      );
      CREATE INDEX calls_started_at_idx ON calls (started_at DESC);
      CREATE INDEX calls_flow_outcome_idx ON calls (flow_id, outcome);
      CREATE INDEX calls_live_idx ON calls (instance_id) WHERE status = 'live';
      CREATE TABLE turns (
        call_id uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        turn_id integer NOT NULL,
        question_id text,
        prompt text NOT NULL,
        source text NOT NULL,
        heard text NOT NULL,
        understood text NOT NULL,
        confidence real,
        endpoint_ms real,
        asr_ms real,
        decision_ms real,
        tts_first_audio_ms real,
        voice_to_voice_ms real,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (call_id, turn_id)
      );
    `,
  },
  {
    version: 2,
    name: "lead webhook outbox",
    sql: `
      CREATE TABLE webhook_outbox (
        id bigserial PRIMARY KEY,
        call_id uuid NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
        url text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_status integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      );
      CREATE INDEX webhook_outbox_due_idx ON webhook_outbox (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_outbox_call_idx ON webhook_outbox (call_id)
    `,
  },
  {
    version: 3,
    name: "carrier call id",
    sql: `
      ALTER TABLE calls ADD COLUMN carrier_call_id text;
      CREATE INDEX calls_carrier_call_idx ON calls (carrier_call_id) WHERE carrier_call_id IS NOT NULL
    `,
  },
  {
    version: 4,
    name: "providers per turn",
    sql: `
      ALTER TABLE turns ADD COLUMN asr_provider text;
      ALTER TABLE turns ADD COLUMN tts_provider text
    `,
  },
];

const LOCK_KEY = 7_421_001;

export async function migrate(db: Db): Promise<number> {
  try {
    return await db.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
      await tx.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
      const { rows } = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
      const done = new Set(rows.map((r) => r.version));
      let applied = 0;
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const statement of m.sql.split(";").map((s) => s.trim()).filter(Boolean)) await tx.query(statement);
        await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
        applied++;
      }
      return applied;
    });
  } catch (err) {
    throw new StoreError("migration_failed", `database migration failed: ${(err as Error).message}`, { cause: err });
  }
}
