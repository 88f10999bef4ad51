import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import next from "next";
import { CallEngine } from "./lib/call/engine";
import { loadConfig } from "./lib/config";
import { createLogger } from "./lib/log";
import { adminRoutes } from "./lib/server/admin-routes";
import { callsApi } from "./lib/server/calls-api";
import { Metrics } from "./lib/server/metrics";
import { publishRuntime } from "./lib/server/runtime";
import { createUpgradeHandler } from "./lib/server/upgrade";
import { handleVoiceSocket } from "./lib/transport/browser-ws";
import { exotelWire } from "./lib/transport/exotel";
import { handleCarrierSocket } from "./lib/transport/phone-bridge";
import { twilioWire } from "./lib/transport/twilio";
import { TWILIO_VOICE_PATH, exotelUpgradeCheck, twilioStreamAuthorizer, twilioVoiceWebhook } from "./lib/server/telephony";
import { MAX_FRAME_MS, SUPPORTED_INPUT_RATES_HZ } from "./lib/transport/protocol";

/**
 * One HTTP server on one port: Next.js pages and the WebSocket audio endpoints. The call engine
 * (decoder pool, prompt cache, live calls) lives here, in the server process, and nowhere else.
 */
const config = loadConfig();
const metrics = new Metrics();
const log = createLogger(config.LOG_LEVEL, "voice", (level, record) => metrics.logged(level, record));
const dev = config.NODE_ENV !== "production";
const servePages = process.env.SERVE_PAGES !== "0";

const app = servePages ? next({ dev, hostname: "localhost", port: config.PORT }) : undefined;
const [engine] = await Promise.all([CallEngine.create(config, log, metrics), app?.prepare()]);
publishRuntime({ store: engine.store, flows: [...engine.flows.values()], adminToken: config.ADMIN_TOKEN, production: config.NODE_ENV === "production" });
const handlePage = app?.getRequestHandler();

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

let draining = false;

const apiOptions = { adminToken: config.ADMIN_TOKEN, production: config.NODE_ENV === "production" };

async function storeReachable(): Promise<boolean> {
  try {
    await engine.store.query("SELECT 1");
    return true;
  } catch {
    return false;
  }
}

async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  if (path === "/api/health") return json(res, 200, { ok: true });
  if (path === TWILIO_VOICE_PATH) {
    return twilioVoiceWebhook(req, res, url, {
      config,
      log,
      bots: () => [...engine.flows.keys()],
      refusal: () => (draining ? "shutting_down" : engine.active.size >= config.MAX_CALLS ? "busy" : undefined),
    });
  }
  if (path === "/metrics") {
    res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
    res.end(await metrics.registry.metrics());
    return;
  }
  if (path.startsWith("/api/calls") || path === "/api/login" || path === "/api/logout") {
    if (await adminRoutes(req, res, url, engine.store, apiOptions)) return;
    const reply = await callsApi(req, url, engine.store, apiOptions);
    if (reply) return json(res, reply.status, reply.body);
  }
  if (path === "/api/ready") {
    const store = await storeReachable();
    const ready = !draining && store;
    return json(res, ready ? 200 : 503, {
      ready,
      store: { kind: engine.store.db.kind, reachable: store },
      activeCalls: engine.active.size,
      connections: upgrades.connections(),
      asr: engine.recognizer.stats(),
      memoryMb: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])),
      flows: [...engine.flows.keys()],
    });
  }
  if (!handlePage) return json(res, 404, { type: "error", code: "not_found", message: "pages are not served by this instance" });
  handlePage(req, res).catch((err: unknown) => {
    log.error({ err, code: "page_error" }, "page handler failed");
    if (!res.headersSent) json(res, 500, { type: "error", code: "internal_error", message: "internal error" });
  });
}

const server = createServer((req, res) => {
  handleRequest(req, res).catch((err: unknown) => {
    log.error({ err, code: "internal_error", path: req.url }, "request failed");
    if (!res.headersSent) json(res, 500, { type: "error", code: "internal_error", message: "internal error" });
  });
});
// Frames are at most MAX_FRAME_MS of 48 kHz PCM16; text messages are small. Anything bigger closes with 1009.
const maxPayload = Math.max(64 * 1024, ((Math.max(...SUPPORTED_INPUT_RATES_HZ) * MAX_FRAME_MS) / 1000) * 2 * 2);
const upgrades = createUpgradeHandler({
  routes: [
    {
      path: "/ws/voice",
      maxPayload,
      onConnection: (ws, _req, meta) => handleVoiceSocket(ws, engine, log, meta, { startTimeoutMs: config.START_TIMEOUT_MS }),
    },
    {
      path: "/ws/twilio",
      maxPayload: 64 * 1024,
      limitPerIp: false,
      onConnection: (ws, _req, meta) =>
        handleCarrierSocket(ws, twilioWire, engine, log, meta, {
          startTimeoutMs: config.START_TIMEOUT_MS,
          defaultBot: config.PHONE_DEFAULT_BOT,
          authorize: twilioStreamAuthorizer(config),
        }),
    },
    {
      path: "/ws/exotel",
      maxPayload: 256 * 1024,
      limitPerIp: false,
      authorize: exotelUpgradeCheck(config),
      onConnection: (ws, req, meta) =>
        handleCarrierSocket(ws, exotelWire, engine, log, meta, {
          startTimeoutMs: config.START_TIMEOUT_MS,
          defaultBot: config.PHONE_DEFAULT_BOT,
          bot: new URL(req.url ?? "/", "http://localhost").searchParams.get("bot") ?? undefined,
        }),
    },
  ],
  allowedOrigins: config.ALLOWED_ORIGINS,
  accepting: () => !draining,
  maxConnectionsPerIp: config.MAX_CONNECTIONS_PER_IP,
  log,
});
server.on("upgrade", (req, socket, head) => {
  // Paths we do not own (Next's HMR) are left to Next's own upgrade listener.
  upgrades.handle(req, socket, head);
});

server.listen(config.PORT, config.HOST, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  log.info({ port, dev, pages: servePages }, `listening on http://localhost:${port}`);
});

async function shutdown(signal: string): Promise<void> {
  if (draining) return;
  draining = true;
  log.info({ signal, activeCalls: engine.active.size, drainTimeoutMs: config.DRAIN_TIMEOUT_MS }, "shutting down: draining calls");
  // Live calls finish (new sockets get 503, new starts "busy", /api/ready 503); then the rest are cut.
  const left = await engine.drain(config.DRAIN_TIMEOUT_MS);
  if (left > 0) log.warn({ code: "drain_timeout", activeCalls: left }, "calls still live after the drain timeout; hanging up");
  server.close();
  upgrades.close();
  await engine.close();
  await app?.close?.();
  process.exit(0);
}
// Bot audio is paced from this event loop: a stall longer than AUDIO_LEAD_MS is a gap callers hear.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
setInterval(() => {
  const maxMs = loopDelay.max / 1e6;
  if (maxMs > config.AUDIO_LEAD_MS) log.warn({ code: "event_loop_stall", maxMs: Math.round(maxMs), activeCalls: engine.active.size }, "event loop stalled");
  loopDelay.reset();
}, 1000).unref();

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
