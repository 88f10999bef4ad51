import path from "node:path";
import { chromium, type Browser } from "@playwright/test";

/** Debian's Chromium (Playwright cannot download its own here); PLAYWRIGHT_CHROMIUM_PATH overrides it. */
process.env.E2E_CHROMIUM_BINARY ??= process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium";
/** What Playwright launches: the browser at a lower CPU priority than the server (see the script). */
export const CHROMIUM_PATH = path.resolve("e2e", "support", "chromium-background.sh");

/** Flags for headless Chromium on a machine with no network beyond localhost. */
export const BASE_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--autoplay-policy=no-user-gesture-required",
];

/**
 * A browser whose microphone plays `wav` once (Chromium's fake capture device), permission
 * granted — or, with `mic: "denied"`, a browser that refuses microphone access.
 */
export function launchWithMic(mic: { wav: string } | "denied" | "none"): Promise<Browser> {
  const args = [...BASE_ARGS];
  if (mic === "denied") args.push("--use-fake-device-for-media-stream", "--deny-permission-prompts");
  else if (mic !== "none") {
    args.push("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${mic.wav}%noloop`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args });
}

/**
 * How long a started call may take to go live. In dev mode the server's event loop is shared with
 * Next's compiler, which can hold it for seconds at the start of a run (seen in CI: over 5 s).
 */
export const LIVE_TIMEOUT_MS = 20_000;
