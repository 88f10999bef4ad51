import { createHmac, timingSafeEqual } from "node:crypto";
import type { Logger } from "pino";
import type { CallStore, Delivery } from "../store/call-store";

export const SIGNATURE_HEADER = "x-signature";
export const TIMESTAMP_HEADER = "x-timestamp";
export const DELIVERY_HEADER = "x-delivery-id";

/** `sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>.<body>"): what receivers check. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** For receivers (and tests): the signature matches and the timestamp is recent (replays refused). */
export function verifyWebhook(secret: string, headers: { signature?: string; timestamp?: string }, body: string, nowS = Date.now() / 1000, toleranceS = 300): boolean {
  const ts = Number(headers.timestamp);
  if (!headers.signature || !Number.isFinite(ts) || Math.abs(nowS - ts) > toleranceS) return false;
  const want = Buffer.from(signWebhook(secret, ts, body));
  const got = Buffer.from(headers.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}

export interface WebhookOptions {
  secret: string;
  maxAttempts: number;
  retryBaseMs: number;
  timeoutMs: number;
  /** How often to look for due deliveries. */
  pollMs?: number;
  /** Told about each attempt (metrics). */
  onAttempt?: (result: "delivered" | "retry" | "failed") => void;
}

const MAX_BACKOFF_MS = 3_600_000;

/** Exponential backoff: base, 2×base, 4×base… capped at an hour. */
export const retryDelayMs = (attempt: number, baseMs: number) => Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt - 1));

/**
 * Delivers queued qualified leads from the outbox table: signed POSTs, retried with exponential
 * backoff until a 2xx or `maxAttempts`. The outbox is in the database, so pending deliveries
 * survive restarts; each is leased while in flight so several instances never send it at once.
 * Delivery is at least once: receivers dedupe on X-Delivery-Id.
 */
export class WebhookSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: CallStore,
    private readonly o: WebhookOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    const pollMs = this.o.pollMs ?? 500;
    this.timer = setInterval(() => void this.tick(), pollMs);
    this.timer.unref();
    // A qualified call just ended: look now rather than at the next poll.
    this.unsubscribe = this.store.subscribe((c) => c.type === "ended" && void this.tick());
  }

  /** Stops polling and waits for deliveries in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  tick(): Promise<void> {
    if (this.running || this.stopped) return this.running ?? Promise.resolve();
    this.running = this.deliverDue()
      .catch((err: unknown) => this.log.error({ err, code: "webhook_outbox_failed" }, "lead webhook outbox failed"))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async deliverDue(): Promise<void> {
    for (;;) {
      const due = await this.store.claimDeliveries(10, this.o.timeoutMs + 5000);
      if (due.length === 0) return;
      await Promise.all(due.map((d) => this.deliver(d)));
      if (this.stopped) return;
    }
  }

  private async deliver(d: Delivery): Promise<void> {
    const body = JSON.stringify({ ...d.payload, deliveryId: d.id });
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string;
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [SIGNATURE_HEADER]: signWebhook(this.o.secret, timestamp, body),
          [TIMESTAMP_HEADER]: String(timestamp),
          [DELIVERY_HEADER]: String(d.id),
          "user-agent": "voice-qualify-webhook/1",
        },
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      status = res.status;
      await res.body?.cancel();
      if (res.ok) {
        await this.store.deliveryDone(d.id, res.status);
        this.o.onAttempt?.("delivered");
        this.log.info({ callId: d.callId, deliveryId: d.id, attempts: d.attempts, status }, "lead webhook delivered");
        return;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).name === "TimeoutError" ? `no answer within ${this.o.timeoutMs} ms` : (err as Error).message;
    }
    const retryIn = d.attempts >= this.o.maxAttempts ? null : retryDelayMs(d.attempts, this.o.retryBaseMs);
    await this.store.deliveryFailed(d.id, status, error, retryIn);
    this.o.onAttempt?.(retryIn === null ? "failed" : "retry");
    this.log.warn(
      { code: retryIn === null ? "webhook_failed" : "webhook_retry", callId: d.callId, deliveryId: d.id, attempts: d.attempts, status, error, retryInMs: retryIn },
      retryIn === null ? "lead webhook gave up" : "lead webhook attempt failed",
    );
  }
}
