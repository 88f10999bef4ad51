import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startServer, startServers, type ServerProcess } from "../../bench/server-process";
import { verifyWebhook } from "../../lib/leads/webhook";
import { testDatabases } from "../../lib/store/testing";
import { TestSocket, expectRefusedUpgrade, healthyTypedCall, runScenarios, startMessage, waitUntil } from "./ws-test-client";

/**
 * Call records through the real server: a crash mid-call leaves the call dropped with its
 * finished turns, the API refuses without the admin token, two instances on one PostgreSQL
 * share their records, and a second server on the same embedded database is refused.
 */
interface StoredCall {
  id: string;
  status: string;
  outcome: string | null;
  reason: string | null;
  channel: string;
  instanceId: string;
  answers: Record<string, unknown>;
  turns: Array<{ turnId: number; heard: string; understood: string }>;
}

const getJson = async <T>(url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
};

type Msg = TestSocket["messages"][number];

/** Reads a server-sent event stream (the dashboard's change stream) into `events` until stopped. */
async function collectEvents(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  const events: Array<{ type: string; callId: string }> = [];
  const reader = res.body!.getReader();
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const line of new TextDecoder().decode(value).split("\n")) if (line.startsWith("data: ")) events.push(JSON.parse(line.slice(6)));
    }
  })().catch(() => undefined);
  return { contentType: res.headers.get("content-type"), events, stop: () => reader.cancel() };
}

/** A typed call that answers the first two questions, then waits (for the crash). */
async function twoTypedTurns(server: ServerProcess): Promise<{ socket: TestSocket; callId: string }> {
  const s = await TestSocket.open(server.wsUrl);
  s.sendJson(startMessage());
  const ready = (await s.waitFor((m) => m.type === "ready", { timeoutMs: 10_000 })) as Extract<Msg, { type: "ready" }>;
  s.sendJson({ type: "text", text: "yes" });
  await s.waitFor((m) => m.type === "answer" && m.questionId === "salaried");
  s.sendJson({ type: "text", text: "thirty thousand" });
  await s.waitFor((m) => m.type === "answer" && m.questionId === "salary");
  // The reply to the second turn plays only once that turn is recorded.
  await s.waitFor((m) => m.type === "bot_text" && /metro/.test(m.text));
  return { socket: s, callId: ready.callId };
}

describe("call records", () => {
  it("survive kill -9 mid-call as dropped with every finished turn; the data dir is one server's", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "voice-crash-"));
    try {
      // No no-input reprompt while the refused second server starts (slow under load): the
      // finished turns are the two answers, whenever the crash comes.
      const first = await startServer({ DATA_DIR: dataDir, NO_INPUT_MS: "300000" });
      const { socket, callId } = await twoTypedTurns(first);
      const live = await getJson<StoredCall>(`${first.url}/api/calls/${callId}`);
      expect(live.body).toMatchObject({ status: "live", outcome: null });

      // A second server on the same embedded database is refused, clearly.
      await expect(startServer({ DATA_DIR: dataDir }, 60_000)).rejects.toThrow(/in use by process/);

      await first.stop("SIGKILL");
      await socket.closed;
      const second = await startServer({ DATA_DIR: dataDir });
      try {
        const { body } = await getJson<StoredCall>(`${second.url}/api/calls/${callId}`);
        expect(body).toMatchObject({ status: "ended", outcome: "dropped", reason: "server stopped during the call", answers: { salaried: true, salary: 30000 } });
        expect(body.turns.map((t) => [t.turnId, t.heard, t.understood])).toEqual([
          [1, "yes", "answer:true"],
          [2, "thirty thousand", "answer:30000"],
        ]);
        const listed = await getJson<{ calls: StoredCall[]; total: number }>(`${second.url}/api/calls?outcome=dropped`);
        expect(listed.body.calls.map((c) => c.id)).toEqual([callId]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("on SIGTERM, let a live call finish while refusing new ones, then close with the call recorded", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "voice-drain-"));
    try {
      const server = await startServer({ DATA_DIR: dataDir, DRAIN_TIMEOUT_MS: "30000" });
      const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
      const s = await TestSocket.open(server.wsUrl);
      s.sendJson(startMessage());
      const ready = (await s.waitFor((m) => m.type === "ready", { timeoutMs: 10_000 })) as Extract<Msg, { type: "ready" }>;
      s.sendJson({ type: "text", text: "yes" });
      await s.waitFor((m) => m.type === "answer" && m.questionId === "salaried");
      server.child.kill("SIGTERM");
      await waitUntil(async () => (await fetch(`${server.url}/api/ready`)).status === 503, "ready to say 503 while draining", 5000);
      const refused = await expectRefusedUpgrade(server.wsUrl);
      expect(refused).toMatchObject({ status: 503, body: { code: "shutting_down" } });
      // The live call goes on to its outcome.
      s.sendJson({ type: "text", text: "thirty thousand" });
      await s.waitFor((m) => m.type === "answer" && m.questionId === "salary");
      s.sendJson({ type: "text", text: "Mumbai" });
      expect(await s.waitFor((m) => m.type === "result", { timeoutMs: 10_000 })).toMatchObject({ outcome: "qualified" });
      expect(await exited).toBe(0);
      const after = await startServer({ DATA_DIR: dataDir });
      try {
        const { body } = await getJson<StoredCall>(`${after.url}/api/calls/${ready.callId}`);
        expect(body).toMatchObject({ status: "ended", outcome: "qualified", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
      } finally {
        await after.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("send a qualified lead to the webhook, signed, retried across a restart until it is taken, then not again", async () => {
    const secret = "webhook-secret-0123456789";
    const received: Array<{ valid: boolean; deliveryId: string | undefined; body: { event: string; callId: string; answers: unknown }; answered: number }> = [];
    let onFirst = () => {};
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString("utf8")));
      req.on("end", () => {
        const valid = verifyWebhook(secret, { signature: req.headers["x-signature"] as string, timestamp: req.headers["x-timestamp"] as string }, body);
        const answered = received.length < 2 ? 500 : 200;
        received.push({ valid, deliveryId: req.headers["x-delivery-id"] as string | undefined, body: JSON.parse(body), answered });
        if (received.length === 1) onFirst();
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const dataDir = mkdtempSync(path.join(tmpdir(), "voice-hook-"));
    const env = {
      DATA_DIR: dataDir,
      LEAD_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/leads`,
      LEAD_WEBHOOK_SECRET: secret,
      WEBHOOK_RETRY_BASE_MS: "300",
      WEBHOOK_TIMEOUT_MS: "2000",
    };
    try {
      const first = await startServer(env);
      // The server dies while its first attempt is being answered (with a 500).
      onFirst = () => first.child.kill("SIGKILL");
      const call = await healthyTypedCall(first);
      expect(call.outcome).toBe("qualified");
      await waitUntil(() => received.length === 1, "the first delivery attempt", 10_000);
      await first.stop();
      const second = await startServer(env);
      try {
        await waitUntil(() => received.length === 3, "two more attempts after the restart", 20_000);
        await waitUntil(
          async () => (await getJson<{ deliveries: Array<{ status: string }> }>(`${second.url}/api/calls/${call.callId}`)).body.deliveries[0]?.status === "delivered",
          "the delivery marked delivered",
          5000,
        );
        await new Promise((r) => setTimeout(r, 1500));
        expect(received.map((r) => [r.valid, r.answered])).toEqual([
          [true, 500],
          [true, 500],
          [true, 200],
        ]);
        expect(new Set(received.map((r) => r.deliveryId)).size).toBe(1);
        expect(received[2]!.body).toMatchObject({ event: "lead.qualified", callId: call.callId, answers: { salaried: true, salary: 30000, city: "Mumbai" } });
        const { body } = await getJson<{ deliveries: Array<{ status: string; attempts: number; lastStatus: number }> }>(`${second.url}/api/calls/${call.callId}`);
        expect(body.deliveries).toEqual([expect.objectContaining({ status: "delivered", attempts: 3, lastStatus: 200 })]);
      } finally {
        await second.stop();
      }
    } finally {
      receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("are only for the admin token holder; in production without a token they are off", async () => {
    const token = "0123456789abcdef-test";
    const [guarded, production] = await startServers([{ ADMIN_TOKEN: token }, { NODE_ENV: "production" }]);
    try {
      const failures = await runScenarios({
        guarded: async () => {
          const none = await getJson<{ code: string }>(`${guarded.url}/api/calls`);
          expect(none).toMatchObject({ status: 401, body: { code: "unauthorized" } });
          const wrong = await getJson<{ code: string }>(`${guarded.url}/api/calls`, { authorization: "Bearer 0123456789abcdef-tesT" });
          expect(wrong.status).toBe(401);
          // The dashboard's change stream: started, each turn, ended.
          const stream = await collectEvents(`${guarded.url}/api/calls/events`, { authorization: `Bearer ${token}` });
          expect(stream.contentType).toBe("text/event-stream");
          const call = await healthyTypedCall(guarded);
          await waitUntil(() => stream.events.some((e) => e.type === "ended"), "the ended event", 5000);
          await stream.stop();
          expect(stream.events).toEqual([
            { type: "started", callId: call.callId },
            { type: "turn", callId: call.callId },
            { type: "turn", callId: call.callId },
            { type: "turn", callId: call.callId },
            { type: "ended", callId: call.callId },
          ]);
          const csv = await fetch(`${guarded.url}/api/calls/export.csv`, { headers: { authorization: `Bearer ${token}` } });
          expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
          expect((await csv.text()).split("\r\n")).toEqual([
            "call_id,bot,channel,started_at,duration_ms,outcome,reason,city,salaried,salary",
            expect.stringMatching(new RegExp(`^${call.callId},quickrupee,cli,[^,]+,\\d+,qualified,all answers qualify,Mumbai,true,30000$`)),
            "",
          ]);
          expect((await fetch(`${guarded.url}/api/calls/export.csv`)).status).toBe(401);
          // Sign-in for the dashboard: a wrong token goes back to the form; the right one sets an httpOnly cookie.
          const login = (t: string, next: string) =>
            fetch(`${guarded.url}/api/login`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: t, next }) });
          const wrongLogin = await login("nope", "/dashboard");
          expect(wrongLogin.status).toBe(303);
          expect(wrongLogin.headers.get("location")).toBe("/login?error=1&next=%2Fdashboard");
          expect(wrongLogin.headers.get("set-cookie")).toBeNull();
          const rightLogin = await login(token, "https://evil.example/");
          expect(rightLogin.headers.get("location")).toBe("/dashboard");
          expect(rightLogin.headers.get("set-cookie")).toMatch(/^admin_token=.+; HttpOnly; SameSite=Lax; Path=\//);
          const ok = await getJson<StoredCall>(`${guarded.url}/api/calls/${call.callId}`, { authorization: `Bearer ${token}` });
          expect(ok.body).toMatchObject({ status: "ended", outcome: "qualified", channel: "cli", answers: { salaried: true, salary: 30000, city: "Mumbai" } });
          const viaCookie = await getJson<{ total: number }>(`${guarded.url}/api/calls`, { cookie: `admin_token=${token}` });
          expect(viaCookie).toMatchObject({ status: 200, body: { total: 1 } });
          const bad = await getJson<{ code: string; message: string }>(`${guarded.url}/api/calls?limit=0&colour=red`, { authorization: `Bearer ${token}` });
          expect(bad).toMatchObject({ status: 400, body: { code: "bad_request" } });
          expect(bad.body.message).toMatch(/limit/);
          const notUuid = await getJson<{ code: string }>(`${guarded.url}/api/calls/42`, { authorization: `Bearer ${token}` });
          expect(notUuid).toMatchObject({ status: 400, body: { code: "bad_request" } });
        },
        production: async () => {
          const off = await getJson<{ code: string; message: string }>(`${production.url}/api/calls`);
          expect(off).toMatchObject({ status: 403, body: { code: "admin_token_required" } });
          expect(off.body.message).toMatch(/ADMIN_TOKEN/);
        },
      });
      expect(failures).toEqual([]);
    } finally {
      await Promise.all([guarded.stop(), production.stop()]);
    }
  });

  const postgres = testDatabases().find((d) => d.name === "postgres");
  it.runIf(postgres)("two instances on one PostgreSQL both record, both list every call and hear each other's changes live", async () => {
    const database = await postgres!.create();
    await database.db.close();
    const env = { DATABASE_URL: database.url! };
    const [a, b] = await startServers([{ ...env, INSTANCE_ID: "a" }, { ...env, INSTANCE_ID: "b" }]);
    try {
      // b's live dashboard stream hears a's calls (LISTEN/NOTIFY).
      const onB = await collectEvents(`${b.url}/api/calls/events`);
      const [callA, callB] = await Promise.all([healthyTypedCall(a), healthyTypedCall(b)]);
      const fromA = () => onB.events.filter((e) => e.callId === callA.callId).map((e) => e.type);
      await waitUntil(() => fromA().includes("ended"), "b to hear a's call end", 5000);
      await onB.stop();
      expect(fromA()).toEqual(["started", "turn", "turn", "turn", "ended"]);
      for (const server of [a, b]) {
        await waitUntil(async () => (await getJson<{ total: number }>(`${server.url}/api/calls?outcome=qualified`)).body.total === 2, "both calls listed", 5000);
        const { body } = await getJson<{ calls: StoredCall[] }>(`${server.url}/api/calls`);
        expect(new Map(body.calls.map((c) => [c.id, c.instanceId]))).toEqual(
          new Map([
            [callA.callId, "a"],
            [callB.callId, "b"],
          ]),
        );
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await database.drop();
    }
  });
});
