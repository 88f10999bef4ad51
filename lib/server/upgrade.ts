import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Logger } from "pino";

export interface WsRoute {
  path: string;
  /** Bytes; larger messages close the socket with 1009. */
  maxPayload: number;
  onConnection(ws: WebSocket, req: IncomingMessage, meta: { ip: string }): void;
  /** Refuses the upgrade with 401 when it returns a reason (carriers authenticate here). */
  authorize?(req: IncomingMessage, ip: string): string | undefined;
  /**
   * False for carrier streams: every call of a carrier comes from a few of its addresses, and
   * they are authenticated, so the per-address limit would only cap phone calls.
   */
  limitPerIp?: boolean;
}

export interface UpgradeOptions {
  routes: WsRoute[];
  /** Extra allowed origins ("*" = any). Same-host origins and origin-less clients (CLI, carriers) are allowed. */
  allowedOrigins: string[];
  maxConnectionsPerIp: number;
  log: Logger;
  heartbeatMs?: number;
  /** False while the server drains for shutdown: new sockets get 503. */
  accepting?: () => boolean;
}

function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (!origin) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    const o = new URL(origin);
    if (host && o.host === host) return true;
    return o.hostname === "localhost" || o.hostname === "127.0.0.1" || o.hostname === "[::1]";
  } catch {
    return false;
  }
}

function reject(socket: Duplex, status: number, text: string, code: string): void {
  const body = JSON.stringify({ type: "error", code, message: text });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Routes WebSocket upgrades by path. Paths we do not own are left alone: Next.js adds its own
 * upgrade listener (HMR at /_next/hmr) and must get those sockets untouched.
 */
export function createUpgradeHandler(options: UpgradeOptions) {
  const perIp = new Map<string, number>();
  const servers = options.routes.map((route) => ({
    route,
    wss: new WebSocketServer({ noServer: true, maxPayload: route.maxPayload, perMessageDeflate: false }),
  }));
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const { wss } of servers) {
      for (const ws of wss.clients) {
        if (alive.get(ws) === false) {
          options.log.warn({ code: "heartbeat_timeout" }, "peer stopped answering pings; terminating");
          ws.terminate();
          continue;
        }
        alive.set(ws, false);
        ws.ping();
      }
    }
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  const handle = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const match = servers.find((s) => s.route.path === url.pathname);
    if (!match) return false;
    const ip = clientIp(req);
    if (options.accepting && !options.accepting()) {
      reject(socket, 503, "Service Unavailable", "shutting_down");
      return true;
    }
    if (!originAllowed(req.headers.origin, req.headers.host, options.allowedOrigins)) {
      options.log.warn({ code: "origin_not_allowed", origin: req.headers.origin, ip }, "websocket origin refused");
      reject(socket, 403, "Forbidden", "origin_not_allowed");
      return true;
    }
    const refused = match.route.authorize?.(req, ip);
    if (refused) {
      options.log.warn({ code: "unauthorized", path: url.pathname, ip }, `websocket refused: ${refused}`);
      reject(socket, 401, "Unauthorized", "unauthorized");
      return true;
    }
    const count = perIp.get(ip) ?? 0;
    if (match.route.limitPerIp !== false && count >= options.maxConnectionsPerIp) {
      options.log.warn({ code: "too_many_connections", ip, count }, "too many connections from one address");
      reject(socket, 429, "Too Many Requests", "too_many_connections");
      return true;
    }
    perIp.set(ip, count + 1);
    let released = false;
    const releaseSlot = () => {
      if (released) return;
      released = true;
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
    };
    socket.once("close", releaseSlot);
    match.wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on("pong", () => alive.set(ws, true));
      ws.once("close", releaseSlot);
      match.route.onConnection(ws, req, { ip });
    });
    return true;
  };

  const close = () => {
    clearInterval(heartbeat);
    for (const { wss } of servers) {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    }
  };

  return { handle, close, connections: () => [...perIp.values()].reduce((a, b) => a + b, 0) };
}
