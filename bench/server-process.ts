import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
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
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startServer(env: Record<string, string> = {}, timeoutMs = 120_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: { ...process.env, PORT: "0", SERVE_PAGES: "0", LOG_LEVEL: "info", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${logs.slice(-20).join("\n")}`)), timeoutMs);
    const onLine = (line: string) => {
      logs.push(line);
      if (logs.length > 5000) logs.splice(0, 1000);
      const m = /listening on http:\/\/localhost:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", (l) => logs.push(l.slice(0, 500)));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.slice(-20).join("\n")}`));
    });
  });
  return {
    port,
    pid: child.pid!,
    url: `http://localhost:${port}`,
    wsUrl: `ws://localhost:${port}/ws/voice`,
    child,
    logs,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** CPU seconds (user + system) the process has used. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}
