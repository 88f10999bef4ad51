import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer } from "node:net";
import { createInterface } from "node:readline";

/**
 * Starts the real server (server.ts through tsx) as a child process on a free port and reads its
 * CPU time and RSS from /proc. Used by benchmarks and integration tests.
 */
export interface ServerProcess {
  port: number;
  pid: number;
  url: string;
  wsUrl: string;
  child: ChildProcess;
  /** Log lines the server printed (JSON), newest last. */
  logs: string[];
  /** The embedded database's directory (a fresh temporary one unless DATA_DIR or DATABASE_URL was given). */
  dataDir: string | undefined;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server, on another free port if the one picked was taken before the server could
 * listen on it: a port free a moment ago can become the local end of some outgoing connection
 * meanwhile (free ports and outgoing ports come from the same ephemeral range).
 */
export async function startServer(env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServerOnce(env, timeoutMs, await freePort());
    } catch (err) {
      if (attempt >= 3 || !(err instanceof PortTakenError)) throw err;
    }
  }
}

class PortTakenError extends Error {}

async function startServerOnce(env: Record<string, string>, timeoutMs: number, port: number): Promise<ServerProcess> {
  const ownDataDir = env.DATA_DIR === undefined && env.DATABASE_URL === undefined ? mkdtempSync(path.join(tmpdir(), "voice-store-")) : undefined;
  const dataDir = env.DATA_DIR ?? ownDataDir;
  // e.g. BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      SERVE_PAGES: "0",
      // e.g. BENCH_SERVER_LOG_LEVEL=debug BENCH_SERVER_LOG=/tmp/server.log to see why turns were slow.
      LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? "info",
      NODE_ENV: "test",
      ...(dataDir && { DATA_DIR: dataDir }),
      // Tests stop servers with live calls on purpose; a production-length drain would only slow them.
      DRAIN_TIMEOUT_MS: "1000",
      ...env,
      PORT: String(port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // After "exit", what it printed last may still be unread; "close" comes once it has been.
  const closed = new Promise((resolve) => child.once("close", resolve));
  const logFile = process.env.BENCH_SERVER_LOG ? createWriteStream(process.env.BENCH_SERVER_LOG, { flags: "a" }) : undefined;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    logFile?.write(`${line}\n`);
    logs.push(line);
    if (logs.length > 5000) logs.splice(0, 1000);
  });
  createInterface({ input: child.stderr! }).on("line", (l) => logs.push(l.slice(0, 500)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      const message = `server exited with ${exitCode} before it was ready:\n${logs.slice(-20).join("\n")}`;
      throw logs.some((l) => l.includes("EADDRINUSE")) ? new PortTakenError(message) : new Error(message);
    }
    if (performance.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server was not ready within ${timeoutMs} ms:\n${logs.slice(-20).join("\n")}`);
    }
    try {
      const res = await fetch(`http://localhost:${port}/api/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    pid: child.pid!,
    url: `http://localhost:${port}`,
    wsUrl: `ws://localhost:${port}/ws/voice`,
    child,
    logs,
    dataDir,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/**
 * Several servers, started `concurrency` at a time (each start is CPU-bound: on this 2-core
 * machine six at once can each miss its ready deadline). If any fails, the ones that started are
 * stopped before the error is thrown, so a failed setup leaves no server behind.
 */
export async function startServers<const T extends readonly Record<string, string>[]>(envs: T, concurrency = 2): Promise<{ -readonly [K in keyof T]: ServerProcess }> {
  const results: PromiseSettledResult<ServerProcess>[] = [];
  for (let i = 0; i < envs.length; i += concurrency) {
    results.push(...(await Promise.allSettled(envs.slice(i, i + concurrency).map((env) => startServer(env)))));
    if (results.some((r) => r.status === "rejected")) break;
  }
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (!failed) return results.map((r) => (r as PromiseFulfilledResult<ServerProcess>).value) as { -readonly [K in keyof T]: ServerProcess };
  await Promise.all(results.map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
  throw failed.reason;
}

/** CPU seconds (user + system) the process has used. */
export function cpuSeconds(pid: number, statFile = `/proc/${pid}/stat`): number {
  const fields = readFileSync(statFile, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds of the process's main thread (the event loop) and of all its other threads
 * (recognizer workers, libuv and V8 helpers): which one a load saturates.
 */
export function threadCpuSeconds(pid: number): { main: number; others: number } {
  let main = 0;
  let others = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const seconds = cpuSeconds(Number(tid), `/proc/${pid}/task/${tid}/stat`);
      if (Number(tid) === pid) main += seconds;
      else others += seconds;
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return { main, others };
}

/**
 * Busy and total CPU seconds of the whole machine (all cores), from /proc/stat; `steal` is the
 * part of busy that the hypervisor gave to other machines (a VM's cores are shared).
 */
export function machineCpuSeconds(): { busy: number; total: number; steal: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: (total - idle) / 100, total: total / 100, steal: (fields[7] ?? 0) / 100 };
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}
