import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker";

/** A clock the test moves by hand. */
function fakeClock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i++) {
    expect(breaker.allow()).toBe(true);
    breaker.failure();
  }
}

describe("CircuitBreaker", () => {
  it("starts closed and lets every call through", () => {
    const breaker = new CircuitBreaker(3, 10_000, fakeClock().now);
    expect(breaker.state).toBe("closed");
    for (let i = 0; i < 10; i++) expect(breaker.allow()).toBe(true);
    expect(breaker.state).toBe("closed");
  });

  it("opens after N consecutive failures and then refuses calls", () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker(3, 10_000, clock.now);
    fail(breaker, 2);
    expect(breaker.state).toBe("closed");
    fail(breaker, 1);
    expect(breaker.state).toBe("open");
    expect(breaker.allow()).toBe(false);
    clock.advance(9_999);
    expect(breaker.state).toBe("open");
    expect(breaker.allow()).toBe(false);
  });

  it("a success resets the count: failures must be consecutive to open it", () => {
    const breaker = new CircuitBreaker(3, 10_000, fakeClock().now);
    fail(breaker, 2);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    fail(breaker, 2);
    expect(breaker.state).toBe("closed");
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe("open");
  });

  it("after the cooldown it is half-open and lets exactly one trial through", () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker(2, 5_000, clock.now);
    fail(breaker, 2);
    clock.advance(5_000);
    expect(breaker.state).toBe("half_open");
    expect(breaker.allow()).toBe(true);
    // A second call while the trial is still running goes to the fallback.
    expect(breaker.allow()).toBe(false);
    expect(breaker.allow()).toBe(false);
    expect(breaker.state).toBe("half_open");
  });

  it("a successful trial closes it", () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker(2, 5_000, clock.now);
    fail(breaker, 2);
    clock.advance(6_000);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe("closed");
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(true);
    // Closed again means the full count is needed to reopen it.
    breaker.failure();
    expect(breaker.state).toBe("closed");
  });

  it("a failed trial opens it again for a full cooldown", () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker(3, 5_000, clock.now);
    fail(breaker, 3);
    clock.advance(5_000);
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe("open");
    expect(breaker.allow()).toBe(false);
    clock.advance(4_999);
    expect(breaker.allow()).toBe(false);
    clock.advance(1);
    expect(breaker.state).toBe("half_open");
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe("closed");
  });
});
