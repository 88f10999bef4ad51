import type { IncomingMessage, ServerResponse } from "node:http";
import type { CallStore } from "../store/call-store";
import { ADMIN_COOKIE, authorize, checkToken, exportCsv, type ApiOptions } from "./calls-api";

const MAX_FORM_BYTES = 4096;

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) {
        reject(new Error("form too large"));
        req.destroy();
      }
    });
    req.on("end", () => resolve(new URLSearchParams(body)));
    req.on("error", reject);
  });
}

/** Only same-site paths: `next` must not send a signed-in person to another site. */
const safeNext = (next: string | null) => (next && /^\/(?!\/)[\w\-/?=&%.]*$/.test(next) ? next : "/dashboard");

function redirect(res: ServerResponse, location: string, cookie?: string): void {
  res.writeHead(303, { location, "cache-control": "no-store", ...(cookie && { "set-cookie": cookie }) });
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/**
 * The call-records routes that are not plain JSON: CSV export, the live change stream for the
 * dashboard (server-sent events), and sign-in / sign-out with the admin token (an httpOnly
 * cookie). Returns false for other paths.
 */
export async function adminRoutes(req: IncomingMessage, res: ServerResponse, url: URL, store: CallStore, o: ApiOptions): Promise<boolean> {
  switch (url.pathname) {
    case "/api/calls/export.csv": {
      const r = await exportCsv(req, url, store, o);
      if (r.csv === undefined) sendJson(res, r.status, r.body);
      else {
        res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="qualified-leads.csv"', "cache-control": "no-store" });
        res.end(r.csv);
      }
      return true;
    }
    case "/api/calls/events": {
      const denied = authorize(req, o);
      if (denied) {
        sendJson(res, denied.status, denied.body);
        return true;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write("retry: 2000\n\n");
      const unsubscribe = store.subscribe((c) => res.write(`event: call\ndata: ${JSON.stringify(c)}\n\n`));
      const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
      req.on("close", () => {
        unsubscribe();
        clearInterval(heartbeat);
      });
      return true;
    }
    case "/api/login": {
      if (req.method !== "POST") {
        sendJson(res, 405, { type: "error", code: "method_not_allowed", message: "Sign in with POST." });
        return true;
      }
      let form: URLSearchParams;
      try {
        form = await readForm(req);
      } catch {
        sendJson(res, 413, { type: "error", code: "bad_request", message: "The sign-in form is too large." });
        return true;
      }
      const next = safeNext(form.get("next"));
      const token = form.get("token") ?? "";
      if (!o.adminToken || checkToken(token, o)) {
        redirect(res, `/login?error=1&next=${encodeURIComponent(next)}`);
        return true;
      }
      const secure = o.production ? "; Secure" : "";
      redirect(res, next, `${ADMIN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200${secure}`);
      return true;
    }
    case "/api/logout":
      redirect(res, "/login", `${ADMIN_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`);
      return true;
    default:
      return false;
  }
}
