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
  if (!o.adminToken) {
    return o.production ? error(403, "admin_token_required", "Call records are off: set ADMIN_TOKEN to use them in production.") : null;
  }
  const header = req.headers.authorization ?? "";
  const bearer = header.startsWith("Bearer ") ? header.slice(7) : undefined;
  const cookie = /(?:^|;\s*)admin_token=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
  const presented = bearer ?? (cookie ? decodeURIComponent(cookie) : undefined);
  if (presented && sameSecret(presented, o.adminToken)) return null;
  return error(401, "unauthorized", "This needs the admin token (Authorization: Bearer <ADMIN_TOKEN>).");
}

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");

/** GET /api/calls and GET /api/calls/:id. Returns null for paths it does not own. */
export async function callsApi(req: IncomingMessage, url: URL, store: CallStore, o: ApiOptions): Promise<Reply | null> {
  const m = /^\/api\/calls(?:\/([^/]+))?\/?$/.exec(url.pathname);
  if (!m) return null;
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
