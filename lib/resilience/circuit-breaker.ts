/**
 * Stops calling a provider that keeps failing: after `failures` failures in a row it is "open"
 * for `cooldownMs` (calls go straight to the fallback), then one call is let through to test it
 * ("half-open"): success closes it, failure opens it again.
 */
export class CircuitBreaker {
  private consecutive = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get state(): "closed" | "open" | "half_open" {
    if (this.openedAt === undefined) return "closed";
    return this.now() - this.openedAt >= this.cooldownMs ? "half_open" : "open";
  }

  /** May the provider be tried now? (In half-open state, only one trial at a time.) */
  allow(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.consecutive = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  /** A trial that ended without a verdict (the caller stopped listening): let the next one through. */
  release(): void {
    this.probing = false;
  }

  failure(): void {
    this.consecutive++;
    if (this.probing || this.consecutive >= this.failures) this.openedAt = this.now();
    this.probing = false;
  }
}
