import { mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadFlows } from "../lib/bot/flows";
import { CallStore } from "../lib/store/call-store";
import { migrate } from "../lib/store/migrations";
import { openPglite } from "../lib/store/pglite";
import { CallFilter } from "../lib/store/query";
import { dashboardStats } from "../lib/store/stats";
import { percentile, printTable, writeJson } from "./report";
import { startServer } from "./server-process";

/**
 * Dashboard load with many calls in the store: seeds N calls (3 turns each, mixed bots,
 * outcomes and channels over 30 days) into a fresh embedded database, then times the
 * dashboard's queries in process and the whole page (server time of GET /dashboard and of a
 * call page) from the real server. Production mode builds the pages first.
 *
 *   npm run bench:dashboard -- [--calls 10000] [--runs 30] [--mode production|dev]
 */
const { values } = parseArgs({
  options: { calls: { type: "string", default: "10000" }, runs: { type: "string", default: "30" }, mode: { type: "string", default: "production" } },
});
const calls = Number(values.calls);
const runs = Number(values.runs);
const mode = values.mode === "dev" ? "development" : "production";

const dataDir = mkdtempSync(path.join(tmpdir(), "voice-dash-"));
const flows = [...loadFlows("flows").values()];

async function seed(): Promise<void> {
  const db = await openPglite(dataDir);
  await migrate(db);
  const t0 = performance.now();
  await db.query(
    `INSERT INTO calls (id, flow_id, flow_version, channel, instance_id, started_at, ended_at, duration_ms, status, outcome, reason, answers, providers)
     SELECT gen_random_uuid(), f, 1, (ARRAY['browser','cli','twilio','exotel'])[1 + i % 4], 'bench',
       now() - (i * interval '259 seconds'), now() - (i * interval '259 seconds') + interval '25 seconds', 25000, 'ended',
       (ARRAY['qualified','not_qualified','not_qualified','transfer','incomplete','dropped','qualified','stopped'])[1 + i % 8], 'seeded',
       CASE WHEN f = 'quickrupee' THEN '{"salaried": true, "salary": 30000, "city": "Mumbai"}'::jsonb ELSE '{"owner": true, "budget": 15000}'::jsonb END,
       '{"asr": "embedded", "tts": "flite:slt"}'::jsonb
     FROM generate_series(1, $1) AS i, LATERAL (SELECT CASE WHEN i % 3 = 0 THEN 'home-renovation' ELSE 'quickrupee' END AS f) AS x`,
    [calls],
  );
  await db.query(
    `INSERT INTO turns (call_id, turn_id, question_id, prompt, source, heard, understood, confidence, endpoint_ms, asr_ms, decision_ms, tts_first_audio_ms, voice_to_voice_ms)
     SELECT c.id, n, 'q' || n, 'Question ' || n, 'speech', 'yes', 'answer:true', 0.9, 200, 10 + n, 0.5, 0.2, 205 + (abs(hashtext(c.id::text || n)) % 120)
     FROM calls c, generate_series(1, 3) AS n`,
  );
  await db.query("ANALYZE");
  console.log(`seeded ${calls} calls and ${calls * 3} turns in ${Math.round(performance.now() - t0)} ms`);
  // The dashboard's data, in process (what the page waits for before rendering).
  const store = new CallStore(db, "bench");
  const filter = CallFilter.parse({ limit: "25" });
  const data: number[] = [];
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    await Promise.all([store.listCalls(filter), dashboardStats(db, flows, filter)]);
    data.push(performance.now() - s);
  }
  results.push({ what: "dashboard data (queries, in process)", ms: data });
  await db.close();
}

const results: Array<{ what: string; ms: number[] }> = [];
try {
  await seed();
  // Always build: a stale .next would measure old page code.
  if (mode === "production") execFileSync("npm", ["run", "build"], { stdio: "inherit" });
  const token = "bench-admin-token-0123456789";
  const headers = { cookie: `admin_token=${token}` };
  const server = await startServer({ DATA_DIR: dataDir, SERVE_PAGES: "1", NODE_ENV: mode, LOG_LEVEL: "warn", ADMIN_TOKEN: token });
  try {
    const timed = async (url: string) => {
      const s = performance.now();
      const res = await fetch(url, { headers });
      await res.text();
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return performance.now() - s;
    };
    const list = (await (await fetch(`${server.url}/api/calls?limit=1`, { headers })).json()) as { calls: Array<{ id: string }> };
    const pages = [
      { what: "GET /dashboard", url: `${server.url}/dashboard` },
      { what: "GET /dashboard?bot=quickrupee&outcome=qualified", url: `${server.url}/dashboard?bot=quickrupee&outcome=qualified` },
      { what: "GET /dashboard/calls/:id", url: `${server.url}/dashboard/calls/${list.calls[0]!.id}` },
      { what: "GET /api/calls (page of 50)", url: `${server.url}/api/calls` },
    ];
    for (const p of pages) {
      for (let w = 0; w < 3; w++) await timed(p.url); // compile (dev) and warm caches
      const ms: number[] = [];
      for (let r = 0; r < runs; r++) ms.push(await timed(p.url));
      results.push({ what: p.what, ms });
    }
  } finally {
    await server.stop();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
printTable(
  `Dashboard with ${calls} calls (${calls * 3} turns) in PGlite, ${runs} runs each, ${mode} pages (server time, loopback)`,
  ["what", "p50 ms", "p95 ms", "max ms"],
  results.map((r) => [r.what, r1(percentile(r.ms, 50)), r1(percentile(r.ms, 95)), r1(Math.max(...r.ms))]),
);
const file = writeJson(`dashboard-${calls}`, { calls, runs, mode, results: results.map((r) => ({ ...r, p50: percentile(r.ms, 50), p95: percentile(r.ms, 95) })) });
console.log(`\nwrote ${file}`);
