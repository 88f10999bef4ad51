import { isUtf8 } from "node:buffer";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type ServerProcess } from "../../bench/server-process";
import { mulberry32 } from "../../lib/audio/prng";
import { spokenAnswer } from "../../lib/client/answers";
import { runCaller, type CallerAnswer } from "../../lib/client/caller";
import { ClientMessage, MAX_FRAME_MS, SUPPORTED_INPUT_RATES_HZ } from "../../lib/transport/protocol";
import { ERROR_CODES, TestSocket, processAlive, readyStatus, sleep, waitUntil, type Closed } from "./ws-test-client";

/**
 * Throws thousands of random and mutated frames at /ws/voice over many sockets while a spoken
 * call runs on the same server. Every frame's expected answer is predicted from the protocol
 * (docs/protocol.md, the zod schema in protocol.ts): each socket must get exactly the predicted
 * error codes, in order, and be closed only for a documented reason. The spoken call must still
 * qualify, and the server must end with no live calls.
 *
 * Seeded: FUZZ_SEED=<n> replays a run's frames. Which socket a frame lands on can still shift
 * with timing when a fuzzed call reaches its natural end or its start timeout.
 */

const SEED = (Number(process.env.FUZZ_SEED ?? 0x5eed_2024) >>> 0) || 1;
const WORKERS = 4;
const FRAMES_PER_WORKER = 1400;
/** Frames are spread over this long, so the fuzz runs for most of the spoken call. */
const FUZZ_MS = 18_000;
/** server.ts: larger WebSocket messages close the socket with 1009. */
const MAX_PAYLOAD = 64 * 1024;
const MAX_ERRORS = 100;

type Rng = () => number;

/** A JSON fragment written verbatim: numbers JSON.stringify cannot produce (1e999 parses as Infinity). */
class Raw {
  constructor(readonly text: string) {}
}

function toJson(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? "null" : toJson(x))).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const parts = Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`);
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

class Gen {
  constructor(
    readonly rng: Rng,
    readonly flows: string[],
  ) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.rng() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.rng() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)]!;
  }
  weighted<T>(table: ReadonlyArray<readonly [number, () => T]>): T {
    const total = table.reduce((a, [w]) => a + w, 0);
    let r = this.rng() * total;
    for (const [w, f] of table) {
      if ((r -= w) < 0) return f();
    }
    return table[table.length - 1]![1]();
  }

  ascii(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(32, 126));
    return s;
  }
  unicode(n: number): string {
    const pool = ["\u0000", "\n", "\t", "\"", "\\", "é", "ß", "नमस्ते", "😀", "\u202e", "\ufeff", "\ud800", "\udfff", "中", "\u2028"];
    let s = "";
    for (let i = 0; i < n; i++) s += this.chance(0.5) ? this.pick(pool) : String.fromCodePoint(this.int(0x20, 0x2fff));
    return s;
  }
  bytes(n: number, kind: "zeros" | "quiet" | "loud" | "random"): Buffer {
    const b = Buffer.alloc(n);
    if (kind === "zeros") return b;
    if (kind === "random") {
      for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
      return b;
    }
    const amp = kind === "quiet" ? 300 : 20_000;
    for (let i = 0; i + 1 < n; i += 2) b.writeInt16LE(this.int(-amp, amp), i);
    return b;
  }

  specialNumber(): Raw | number {
    return this.pick<Raw | number>([
      new Raw("1e999"),
      new Raw("-1e999"),
      new Raw("-0"),
      new Raw("1e-400"),
      new Raw("123456789012345678901234567890"),
      1e308,
      -1,
      -16000,
      0.5,
      Number.MAX_SAFE_INTEGER + 2,
      2 ** 31,
      0,
    ]);
  }

  value(depth = 0): unknown {
    return this.weighted<unknown>([
      [1, () => null],
      [1, () => this.chance(0.5)],
      [1, () => this.int(-1000, 100_000)],
      [1, () => this.rng() * 1e6 - 5e5],
      [1, () => this.specialNumber()],
      [2, () => this.ascii(this.int(0, 20))],
      [1, () => this.unicode(this.int(1, 20))],
      [0.2, () => this.ascii(this.int(1000, 20_000))],
      [depth < 4 ? 1 : 0, () => Array.from({ length: this.int(0, 5) }, () => this.value(depth + 1))],
      [depth < 4 ? 1.5 : 0, () => this.object(depth + 1)],
    ]);
  }

  object(depth: number): Record<string, unknown> {
    // No prototype, so "__proto__" becomes an own key like any other (as JSON.parse makes it).
    const o: Record<string, unknown> = Object.create(null);
    for (let i = this.int(0, 5); i > 0; i--) {
      const key = this.pick(["type", "protocol", "bot", "sampleRateHz", "text", "turnId", "playedMs", "__proto__", "constructor", "toString", "", this.ascii(this.int(1, 8))]);
      o[key] = this.value(depth);
    }
    return o;
  }

  messageType(): string {
    return this.pick(["start", "text", "interrupt", "playback", "end", "START", " start", "Start", "ready", "error", "audio", "", "stop", "hello"]);
  }

  answerText(): string {
    return this.pick([
      "yes", "no", "thirty thousand", "about thirty thousand", "Mumbai", "Pune", "repeat", "who are you", "can I talk to a human",
      "stop", "why do you need my salary", "banana", "  yes  ", "नमस्ते", "5", "twenty five thousand rupees", "x".repeat(500),
    ]);
  }

  validMessage(): Record<string, unknown> {
    return this.weighted<Record<string, unknown>>([
      [2, () => ({
        type: "start",
        protocol: 1,
        bot: this.chance(0.9) ? this.pick(this.flows) : this.pick(["no-such-bot", "QUICKRUPEE", "quickrupee ", "x"]),
        sampleRateHz: this.chance(0.9) ? this.pick(SUPPORTED_INPUT_RATES_HZ) : this.pick([11025, 22050, 32000, 96000, 0, 1]),
        ...(this.chance(0.5) ? { channel: this.pick(["browser", "cli", "twilio", "exotel"]) } : {}),
      })],
      [3, () => ({ type: "text", text: this.answerText() })],
      [3, () => ({ type: "interrupt" })],
      [3, () => ({ type: "playback", turnId: this.int(0, 10), playedMs: this.int(0, 20_000), ...(this.chance(0.5) ? { underruns: this.int(0, 5) } : {}) })],
      [0.3, () => ({ type: "end" })],
    ]);
  }

  mutated(): string {
    const m: Record<string, unknown> = Object.assign(Object.create(null), this.validMessage());
    if (m.type === "end") m.type = "interrupt";
    const keys = () => Object.keys(m);
    for (let n = this.int(1, 3); n > 0; n--) {
      this.weighted<void>([
        [2, () => void delete m[this.pick(keys())]],
        [3, () => void (m[this.pick(keys().length ? keys() : ["type"])] = this.value(1))],
        [2, () => void (m[this.pick(["extra", "payload", "__proto__", "constructor", "protocol", "channel", this.ascii(5)])] = this.value(1))],
        [1, () => void (m[this.pick(["bot", "text", "type", "channel"])] = this.ascii(this.int(64, this.chance(0.2) ? 60_000 : 600)))],
        [2, () => void (m[this.pick(["protocol", "sampleRateHz", "turnId", "playedMs", "underruns"])] = this.specialNumber())],
        [1, () => void (m.type = this.messageType())],
        [1, () => void (m.payload = this.object(1))],
      ]);
    }
    const text = toJson(m);
    // Duplicate keys: JSON.parse keeps the last one.
    if (this.chance(0.1) && text.length > 2) return `{"type":${JSON.stringify(this.messageType())},${text.slice(1)}`;
    if (this.chance(0.05)) return toJson([m]);
    return text;
  }

  garbageText(): Buffer {
    return this.weighted<Buffer>([
      [3, () => Buffer.from(this.ascii(this.int(0, 200)))],
      [2, () => Buffer.from(this.unicode(this.int(1, 100)))],
      [1, () => Buffer.from(this.pick(["NaN", "Infinity", "undefined", "{'type':'start'}", '{"type":"text",}', "\ufeff{\"type\":\"interrupt\"}", "{", "[", "", " ", "nul", "1e999", '"start"']))],
      [1, () => { const t = toJson(this.validMessage()); return Buffer.from(t.slice(0, this.int(0, t.length - 1))); }],
      [0.2, () => Buffer.from(this.ascii(this.int(10_000, 60_000)))],
      // Not UTF-8: ws closes the socket with 1007 before the message reaches the server.
      [0.15, () => this.bytes(this.int(1, 40), "random")],
      [0.03, () => Buffer.from(this.ascii(this.int(MAX_PAYLOAD + 1, MAX_PAYLOAD + 4000)))],
    ]);
  }

  binaryFrame(rateHz: number | undefined): Buffer {
    const maxBytes = ((rateHz ?? 16000) * MAX_FRAME_MS) / 1000 * 2;
    const len = this.weighted<number>([
      [1, () => 0],
      [1, () => 1],
      [2, () => this.int(0, 2000) * 2 + 1],
      [6, () => this.int(1, maxBytes / 2) * 2],
      [1, () => this.pick([320, 640, 960, 1764, 1920])],
      [1, () => maxBytes + this.int(1, 500) * 2],
      [0.5, () => this.int(maxBytes, MAX_PAYLOAD)],
      [0.05, () => this.int(MAX_PAYLOAD + 1, MAX_PAYLOAD + 5000)],
    ]);
    return this.bytes(len, this.weighted<"zeros" | "quiet" | "loud" | "random">([[3, () => "zeros"], [4, () => "quiet"], [1, () => "loud"], [1, () => "random"]]));
  }

  frame(rateHz: number | undefined): { binary: boolean; bytes: Buffer; kind: string } {
    return this.weighted<{ binary: boolean; bytes: Buffer; kind: string }>([
      [35, () => ({ binary: true, bytes: this.binaryFrame(rateHz), kind: "binary" })],
      [10, () => ({ binary: false, bytes: this.garbageText(), kind: "text" })],
      [10, () => ({ binary: false, bytes: Buffer.from(toJson(this.value())), kind: "json" })],
      [30, () => ({ binary: false, bytes: Buffer.from(this.mutated()), kind: "mutated" })],
      [15, () => ({ binary: false, bytes: Buffer.from(toJson(this.validMessage())), kind: "valid" })],
    ]);
  }
}

/** What the server must answer on one socket, predicted frame by frame from the protocol. */
class Oracle {
  started = false;
  rateHz: number | undefined;
  readonly errors: string[] = [];
  readies = 0;
  /** The close the frames sent so far must cause. */
  close: { code: number; reason?: string } | undefined;

  constructor(private readonly flows: string[]) {}

  private fail(code: string): void {
    this.errors.push(code);
    if (this.errors.length > MAX_ERRORS && !this.close) this.close = { code: 4003, reason: "too many errors" };
  }

  see(frame: { binary: boolean; bytes: Buffer }): void {
    if (this.close) return;
    const { bytes } = frame;
    if (bytes.length > MAX_PAYLOAD) return void (this.close = { code: 1009 });
    if (frame.binary) {
      if (!this.started) return this.fail("not_started");
      if (bytes.length % 2 !== 0) return this.fail("bad_frame");
      if (bytes.length > ((this.rateHz! * MAX_FRAME_MS) / 1000) * 2) return this.fail("frame_too_large");
      return;
    }
    if (!isUtf8(bytes)) return void (this.close = { code: 1007 });
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch {
      return this.fail("bad_json");
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      const o = json as { type?: unknown; protocol?: unknown } | null;
      return this.fail(o?.type === "start" && o.protocol !== 1 ? "unsupported_protocol" : "bad_message");
    }
    const m = parsed.data;
    switch (m.type) {
      case "start":
        if (this.started) return this.fail("already_started");
        if (!(SUPPORTED_INPUT_RATES_HZ as readonly number[]).includes(m.sampleRateHz)) return this.fail("unsupported_sample_rate");
        if (!this.flows.includes(m.bot)) return this.fail("unknown_bot");
        this.started = true;
        this.rateHz = m.sampleRateHz;
        this.readies++;
        return;
      case "text":
        if (!this.started) this.fail("not_started");
        return;
      case "end":
        this.close = { code: 1000, reason: "ended by client" };
        return;
      default:
        return;
    }
  }
}

interface FuzzStats {
  frames: number;
  sockets: number;
  startedSockets: number;
  errorCodes: Map<string, number>;
  closeCodes: Map<number, number>;
  byKind: Map<string, number>;
  failures: string[];
}

const bump = <K>(m: Map<K, number>, k: K, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

function isPrefix(a: string[], b: string[]): boolean {
  return a.length <= b.length && a.every((x, i) => x === b[i]);
}

function firstDifference(got: string[], want: string[]): string {
  const i = got.findIndex((x, j) => x !== want[j]);
  const at = i === -1 ? Math.min(got.length, want.length) : i;
  return `got ${got.length} errors, expected ${want.length}; first difference at #${at}: got ${got[at] ?? "(none)"}, expected ${want[at] ?? "(none)"}`;
}

async function fuzzWorker(server: ServerProcess, worker: number, flows: string[], stats: FuzzStats, t0: number): Promise<void> {
  const gen = new Gen(mulberry32((SEED ^ Math.imul(worker + 1, 0x9e3779b9)) >>> 0), flows);
  const interval = FUZZ_MS / FRAMES_PER_WORKER;
  let sent = 0;
  for (let socketNo = 0; sent < FRAMES_PER_WORKER; socketNo++) {
    const s = await TestSocket.open(server.wsUrl);
    stats.sockets++;
    const oracle = new Oracle(flows);
    const recent: string[] = [];
    const send = (frame: { binary: boolean; bytes: Buffer; kind: string }) => {
      oracle.see(frame);
      s.ws.send(frame.bytes, { binary: frame.binary });
      sent++;
      stats.frames++;
      bump(stats.byKind, frame.kind);
      recent.push(`${frame.kind}:${frame.binary ? `${frame.bytes.length} bytes` : JSON.stringify(frame.bytes.toString("utf8").slice(0, 80))}`);
      if (recent.length > 4) recent.shift();
    };

    if (gen.chance(0.55)) {
      send({ binary: false, bytes: Buffer.from(toJson({ type: "start", protocol: 1, bot: gen.pick(flows), sampleRateHz: gen.pick(SUPPORTED_INPUT_RATES_HZ) })), kind: "start" });
      stats.startedSockets++;
    }
    const life = gen.int(20, 450);
    for (let i = 0; i < life && sent < FRAMES_PER_WORKER && s.isOpen && !oracle.close; i++) {
      send(gen.frame(oracle.rateHz));
      const due = t0 + sent * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      else if (sent % 20 === 0) await sleep(0);
    }

    let closed: Closed | undefined;
    try {
      if (oracle.close) {
        closed = await s.waitClosed(10_000);
      } else {
        // Everything sent has been handled once the predicted errors are in (or the server closed).
        await waitUntil(() => !s.isOpen || s.errors.length >= oracle.errors.length, "the predicted errors", 5000, 10).catch(() => {});
        closed = s.isOpen ? undefined : await s.waitClosed();
        if (!closed) await s.close();
      }
    } catch (err) {
      stats.failures.push(`worker ${worker} socket ${socketNo}: ${(err as Error).message}`);
      s.ws.terminate();
      continue;
    }

    const got = s.errorCodes;
    for (const c of got) bump(stats.errorCodes, c);
    if (closed) bump(stats.closeCodes, closed.code);
    const where = `seed ${SEED} worker ${worker} socket ${socketNo} (last frames: ${recent.join(" | ")})`;
    const problems: string[] = [];
    const timedOut = got.at(-1) === "start_timeout";
    const gotPredicted = timedOut ? got.slice(0, -1) : got;
    const readies = s.messages.filter((m) => m.type === "ready").length;

    if (closed && closed.code === 1000 && closed.reason === "call ended") {
      // A fuzzed call can reach its outcome (typed answers) and end on its own, also just before
      // a close the frames after it would have caused (the client's "end", too many errors).
      if (readies !== 1) problems.push("call ended without a call");
      if (!isPrefix(gotPredicted, oracle.errors)) problems.push(firstDifference(gotPredicted, oracle.errors));
    } else if (closed && oracle.close && closed.code === oracle.close.code) {
      if (oracle.close.reason !== undefined && closed.reason !== oracle.close.reason) problems.push(`close reason "${closed.reason}", expected "${oracle.close.reason}"`);
      const want = oracle.close.code === 4003 ? oracle.errors.slice(0, MAX_ERRORS + 1) : oracle.errors;
      if (gotPredicted.join() !== want.join()) problems.push(firstDifference(gotPredicted, want));
      if (readies !== oracle.readies) problems.push(`${readies} ready messages, expected ${oracle.readies}`);
    } else if (closed && closed.code === 4001) {
      // The start timeout can strike at any frame of a socket that has no call.
      if (!timedOut || closed.reason !== "start_timeout") problems.push(`closed 4001 "${closed.reason}" without a start_timeout error last`);
      if (readies !== 0) problems.push("start timeout on a socket with a call");
      if (!isPrefix(gotPredicted, oracle.errors)) problems.push(firstDifference(gotPredicted, oracle.errors));
    } else if (closed) {
      problems.push(`closed by the server with ${closed.code} "${closed.reason}", expected ${oracle.close ? `${oracle.close.code} "${oracle.close.reason ?? ""}"` : "the socket to stay open"}`);
    } else {
      if (timedOut) problems.push("start_timeout without a close");
      if (got.join() !== oracle.errors.join()) problems.push(firstDifference(got, oracle.errors));
      if (readies !== oracle.readies) problems.push(`${readies} ready messages, expected ${oracle.readies}`);
    }
    if (problems.length) stats.failures.push(`${where}: ${problems.join("; ")}`);
  }
}

const spoken = (text: string): CallerAnswer => spokenAnswer(text);

let server: ServerProcess;
/** Every log line at level error (50) or fatal (60). server.logs keeps only the newest lines, so count here. */
const severeLogs: string[] = [];

beforeAll(async () => {
  server = await startServer();
  createInterface({ input: server.child.stdout! }).on("line", (line) => {
    if (/"level":(50|60)/.test(line)) severeLogs.push(line.slice(0, 2000));
  });
});

afterAll(async () => {
  await server?.stop();
});

describe("fuzzing /ws/voice", () => {
  it("answers thousands of random and mutated frames as documented while a spoken call qualifies", async () => {
    console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const { flows } = await readyStatus(server);
    expect(flows).toContain("quickrupee");

    const call = runCaller({
      url: server.wsUrl,
      bot: "quickrupee",
      answers: [spoken("yes"), spoken("about thirty thousand"), spoken("Mumbai")],
      timeoutMs: 90_000,
    });

    const stats: FuzzStats = {
      frames: 0, sockets: 0, startedSockets: 0, errorCodes: new Map(), closeCodes: new Map(), byKind: new Map(), failures: [],
    };
    const t0 = performance.now();
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => fuzzWorker(server, w, flows, stats, t0)));
    const fuzzMs = Math.round(performance.now() - t0);

    const result = await call;
    console.log(
      [
        `fuzz: ${stats.frames} frames on ${stats.sockets} sockets (${stats.startedSockets} started first) in ${fuzzMs} ms`,
        `  frames by kind: ${JSON.stringify(Object.fromEntries(stats.byKind))}`,
        `  errors received: ${JSON.stringify(Object.fromEntries(stats.errorCodes))}`,
        `  server closes: ${JSON.stringify(Object.fromEntries(stats.closeCodes))}`,
        `  spoken call: ${result.outcome} in ${result.durationMs} ms, heard ${JSON.stringify(result.turns.map((t) => t.heard))}`,
      ].join("\n"),
    );

    expect(stats.failures.slice(0, 20)).toEqual([]);
    expect(stats.frames).toBeGreaterThanOrEqual(5000);
    for (const code of stats.errorCodes.keys()) expect(ERROR_CODES).toContain(code);
    expect(stats.errorCodes.get("internal_error") ?? 0).toBe(0);
    for (const code of stats.closeCodes.keys()) expect([1000, 1007, 1009, 4001, 4003]).toContain(code);

    expect({ outcome: result.outcome, completed: result.completed, errors: result.errors }).toEqual({ outcome: "qualified", completed: true, errors: [] });
    expect(result.answers).toEqual({ salaried: true, salary: 30000, city: "Mumbai" });

    expect(processAlive(server.pid)).toBe(true);
    let last: Awaited<ReturnType<typeof readyStatus>> | undefined;
    await waitUntil(async () => (last = await readyStatus(server)).activeCalls === 0, () => `activeCalls 0 (last: ${JSON.stringify(last)})`, 5000);
    expect(last).toMatchObject({ status: 200, ready: true, activeCalls: 0 });
    expect(severeLogs).toEqual([]);
  });
});
