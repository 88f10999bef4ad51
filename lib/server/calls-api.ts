import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { CallStore } from "../store/call-store";
import { CallFilter, CallId } from "../store/query";

export interface ApiOptions {
  adminToken: string | undefined;
  production: boolean;
}

type Reply = { status: number; body: unknown };

const error = (status: number, code: string, message: string): Reply => ({ status, body: { type: "error", code, message } });

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Who may read call records (they hold personal data): with ADMIN_TOKEN, whoever presents it
 * (Authorization: Bearer, or the dashboard's cookie); in production without one, nobody; in
 * development and tests, anyone (the pages show a banner).
 */
export function authorize(req: IncomingMessage, o: ApiOptions): Reply | null {
  const header = req.headers.authorization ?? "";
  const bearer = header.startsWith("Bearer ") ? header.slice(7) : undefined;
  return checkToken(bearer ?? tokenCookie(req.headers.cookie), o);
}

export const ADMIN_COOKIE = "admin_token";

export function tokenCookie(cookieHeader: string | undefined): string | undefined {
  const raw = new RegExp(`(?:^|;\\s*)${ADMIN_COOKIE}=([^;]+)`).exec(cookieHeader ?? "")?.[1];
  return raw === undefined ? undefined : decodeURIComponent(raw);
}

/** The access rule itself, for the API (header or cookie) and the pages (cookie). */
export function checkToken(presented: string | undefined, o: ApiOptions): Reply | null {
  if (!o.adminToken) {
    return o.production ? error(403, "admin_token_required", "Call records are off: set ADMIN_TOKEN to use them in production.") : null;
  }
  if (presented && sameSecret(presented, o.adminToken)) return null;
  return error(401, "unauthorized", "This needs the admin token (Authorization: Bearer <ADMIN_TOKEN>).");
}

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");

/** GET /api/calls and GET /api/calls/:id. Returns null for paths it does not own. */
export async function callsApi(req: IncomingMessage, url: URL, store: CallStore, o: ApiOptions): Promise<Reply | null> {
  const m = /^\/api\/calls(?:\/([^/]+))?\/?$/.exec(url.pathname);
  if (!m || m[1] === "export.csv" || m[1] === "events") return null;
  if (req.method !== "GET") return error(405, "method_not_allowed", "Only GET is supported here.");
  const denied = authorize(req, o);
  if (denied) return denied;
  if (m[1] !== undefined) {
    const id = CallId.safeParse(decodeURIComponent(m[1]));
    if (!id.success) return error(400, "bad_request", "A call id is a UUID.");
    const call = await store.getCall(id.data);
    return call ? { status: 200, body: call } : error(404, "not_found", `No call ${id.data}.`);
  }
  const filter = CallFilter.safeParse(Object.fromEntries(url.searchParams));
  if (!filter.success) return error(400, "bad_request", issues(filter.error));
  const { calls, total } = await store.listCalls(filter.data);
  return { status: 200, body: { calls, total, limit: filter.data.limit, offset: filter.data.offset } };
}

/** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** GET /api/calls/export.csv: qualified leads (or the given outcome), one row per call, one column per answer. */
export async function exportCsv(req: IncomingMessage, url: URL, store: CallStore, o: ApiOptions): Promise<{ status: number; body: unknown; csv?: string }> {
  const denied = authorize(req, o);
  if (denied) return denied;
  const params = Object.fromEntries(url.searchParams);
  const filter = CallFilter.safeParse({ outcome: "qualified", ...params });
  if (!filter.success) return error(400, "bad_request", issues(filter.error));
  const { limit: _l, offset: _o, ...f } = filter.data;
  const calls = await store.exportCalls(f);
  const keys = [...new Set(calls.flatMap((c) => Object.keys(c.answers)))].sort();
  const header = ["call_id", "bot", "channel", "started_at", "duration_ms", "outcome", "reason", ...keys];
  const rows = calls.map((c) => [c.id, c.flowId, c.channel, c.startedAt, c.durationMs, c.outcome, c.reason, ...keys.map((k) => c.answers[k])]);
  return { status: 200, body: null, csv: [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n" };
}
