import WebSocket from "ws";
import type { ServerProcess } from "../../bench/server-process";
import { runCaller, type CallerAnswer, type CallerOptions, type CallerResult } from "../../lib/client/caller";
import type { ErrorCode, ServerMessage } from "../../lib/transport/protocol";

/**
 * A bare /ws/voice client for integration tests: it sends whatever it is told (valid or not) and
 * records everything the server sends back, so a test can assert on codes, order and close codes.
 */

export interface Closed {
  code: number;
  reason: string;
}

/** Every documented error code; a Record so the compiler flags a code added to ErrorCode but not here. */
const DOCUMENTED_ERROR_CODES: Record<ErrorCode, true> = {
  bad_json: true,
  bad_message: true,
  unsupported_protocol: true,
  unknown_bot: true,
  not_started: true,
  already_started: true,
  unsupported_sample_rate: true,
  bad_frame: true,
  frame_too_large: true,
  busy: true,
  call_too_long: true,
  start_timeout: true,
  origin_not_allowed: true,
  too_many_connections: true,
  shutting_down: true,
  internal_error: true,
};
export const ERROR_CODES = Object.keys(DOCUMENTED_ERROR_CODES) as ErrorCode[];

export function startMessage(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "start", protocol: 1, bot: "quickrupee", sampleRateHz: 16000, channel: "cli", ...over };
}

export class TestSocket {
  readonly ws: WebSocket;
  /** Server text messages, in arrival order. */
  readonly messages: ServerMessage[] = [];
  binaryFrames = 0;
  closedWith: Closed | undefined;
  readonly closed: Promise<Closed>;
  private readonly listeners = new Set<() => void>();

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on("message", (data, isBinary) => {
      if (isBinary) this.binaryFrames++;
      else this.messages.push(JSON.parse((data as Buffer).toString("utf8")) as ServerMessage);
      this.notify();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on("close", (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        resolve(this.closedWith);
        this.notify();
      });
    });
    // A refused or reset connection shows up as 'close' too; errors are recorded there.
    this.ws.on("error", () => {});
  }

  /** Opens a socket and waits until the upgrade succeeded. */
  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
    const s = new TestSocket(url, options);
    await new Promise<void>((resolve, reject) => {
      s.ws.once("open", () => resolve());
      s.ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
      s.ws.once("error", reject);
    });
    return s;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get errors(): Array<Extract<ServerMessage, { type: "error" }>> {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: "error" }> => m.type === "error");
  }

  get errorCodes(): string[] {
    return this.errors.map((e) => e.code);
  }

  sendJson(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  sendBinary(bytes: Buffer): void {
    this.ws.send(bytes, { binary: true });
  }

  /** Resolves with the `count`-th message (received before or after the call) matching `pred`. */
  waitFor(pred: (m: ServerMessage) => boolean, options: { count?: number; timeoutMs?: number; what?: string } = {}): Promise<ServerMessage> {
    const count = options.count ?? 1;
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const check = () => {
        const matches = this.messages.filter(pred);
        if (matches.length >= count) {
          done();
          resolve(matches[count - 1]!);
        } else if (this.closedWith) {
          done();
          reject(new Error(`socket closed (${this.closedWith.code} ${this.closedWith.reason}) before ${options.what ?? "the message"}; got ${this.summary()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${options.what ?? "matching message"} within ${timeoutMs} ms; got ${this.summary()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  waitForError(code: ErrorCode, options: { count?: number; timeoutMs?: number } = {}): Promise<Extract<ServerMessage, { type: "error" }>> {
    return this.waitFor((m) => m.type === "error" && m.code === code, { ...options, what: `error ${code}` }) as Promise<
      Extract<ServerMessage, { type: "error" }>
    >;
  }

  waitForType<T extends ServerMessage["type"]>(type: T, timeoutMs = 5000): Promise<Extract<ServerMessage, { type: T }>> {
    return this.waitFor((m) => m.type === type, { timeoutMs, what: type }) as Promise<Extract<ServerMessage, { type: T }>>;
  }

  /** Waits for the server to close the socket. */
  async waitClosed(timeoutMs = 5000): Promise<Closed> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket not closed within ${timeoutMs} ms; got ${this.summary()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes from our side (if still open) and waits for the close to complete. */
  async close(): Promise<Closed> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    return this.waitClosed();
  }

  summary(): string {
    const types = this.messages.map((m) => (m.type === "error" ? `error:${m.code}` : m.type));
    return `[${types.slice(-30).join(", ")}] binary=${this.binaryFrames}`;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }
}

/** Opens a socket and expects the HTTP upgrade to be refused; returns the status and JSON body. */
export function expectRefusedUpgrade(url: string, options: WebSocket.ClientOptions = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.on("open", () => {
      ws.terminate();
      reject(new Error("upgrade was accepted"));
    });
    ws.on("error", (err) => reject(err));
    ws.on("unexpected-response", (req, res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        req.destroy();
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // The body is checked by the caller; a non-JSON body fails there.
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
  });
}

export const TYPED_ANSWERS: CallerAnswer[] = [
  { kind: "text", text: "yes" },
  { kind: "text", text: "thirty thousand" },
  { kind: "text", text: "Mumbai" },
];

/** The well-behaved caller that must keep working while bad input hits the same server. */
export function healthyTypedCall(server: ServerProcess, extra: Partial<CallerOptions> = {}): Promise<CallerResult> {
  return runCaller({ url: server.wsUrl, bot: "quickrupee", answers: TYPED_ANSWERS, timeoutMs: 90_000, ...extra });
}

export async function readyStatus(server: ServerProcess): Promise<{ status: number; ready: boolean; activeCalls: number; flows: string[] }> {
  const res = await fetch(`${server.url}/api/ready`);
  const body = (await res.json()) as { ready: boolean; activeCalls: number; flows: string[] };
  return { status: res.status, ...body };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true; throws with `what` after `timeoutMs`. */
export async function waitUntil(
  probe: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 5000,
  everyMs = 50,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await sleep(everyMs);
  }
}

/** Server log lines (JSON) carrying this error code. */
export function logsWithCode(server: ServerProcess, code: string): string[] {
  return server.logs.filter((l) => l.includes(`"code":"${code}"`));
}

/** The engine's "call ended" log record for one call, once it is there. */
export function callEndedLog(server: ServerProcess, callId: string): { outcome: string } | undefined {
  const line = server.logs.find((l) => l.includes('"msg":"call ended"') && l.includes(`"callId":"${callId}"`));
  return line ? (JSON.parse(line) as { outcome: string }) : undefined;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs independent scenarios at once and reports every failure, not just the first, each
 * prefixed with its scenario name.
 */
export async function runScenarios(scenarios: Record<string, () => Promise<void>>): Promise<string[]> {
  const names = Object.keys(scenarios);
  const results = await Promise.allSettled(names.map((name) => scenarios[name]!()));
  return results.flatMap((r, i) => (r.status === "rejected" ? [`${names[i]}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
}
