import { fakeClock } from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import { createRateLimiter, rateLimitOptionsSchema } from "./rate-limit.js";

describe("token bucket rate limiter", () => {
  it("allows a burst of `capacity`, then refills at the configured rate", () => {
    const clock = fakeClock(1_000_000);
    const limiter = createRateLimiter(
      rateLimitOptionsSchema.parse({ capacity: 3, refillPerMinute: 6 }),
      clock,
    );
    expect([1, 2, 3, 4].map(() => limiter.take("a"))).toEqual([true, true, true, false]);
    clock.advance(9_999); // 6/min = one token per 10 s
    expect(limiter.take("a")).toBe(false);
    clock.advance(1);
    expect(limiter.take("a")).toBe(true);
    expect(limiter.take("a")).toBe(false);
    clock.advance(60_000 * 10); // never more than capacity
    expect(limiter.available("a")).toBe(3);
  });

  it("consume() tells the first refusal since the last admission from later ones", () => {
    const clock = fakeClock();
    const limiter = createRateLimiter(
      rateLimitOptionsSchema.parse({ capacity: 1, refillPerMinute: 6 }),
      clock,
    );
    expect([1, 2, 3].map(() => limiter.consume("a"))).toEqual(["ok", "first", "again"]);
    clock.advance(10_000);
    expect([1, 2].map(() => limiter.consume("a"))).toEqual(["ok", "first"]);
  });

  it("keeps one bucket per sender", () => {
    const clock = fakeClock(1_000_000);
    const limiter = createRateLimiter(rateLimitOptionsSchema.parse({ capacity: 1 }), clock);
    expect(limiter.take("a")).toBe(true);
    expect(limiter.take("a")).toBe(false);
    expect(limiter.take("b")).toBe(true);
  });

  it("a clock going backwards mints no tokens", () => {
    const clock = fakeClock(1_000_000);
    const limiter = createRateLimiter(
      rateLimitOptionsSchema.parse({ capacity: 1, refillPerMinute: 60 }),
      clock,
    );
    expect(limiter.take("a")).toBe(true);
    clock.setTime(clock.now() - 3_600_000);
    expect(limiter.take("a")).toBe(false);
    clock.advance(3_600_000 + 999);
    expect(limiter.take("a")).toBe(false);
    clock.advance(1);
    expect(limiter.take("a")).toBe(true);
  });

  it("bounds memory: the least recently seen sender is forgotten", () => {
    const clock = fakeClock(1_000_000);
    const limiter = createRateLimiter(
      rateLimitOptionsSchema.parse({ capacity: 1, maxSenders: 2 }),
      clock,
    );
    limiter.take("a");
    limiter.take("b");
    limiter.take("a"); // a is now the most recent
    limiter.take("c"); // evicts b
    expect(limiter.take("a")).toBe(false);
    expect(limiter.take("b")).toBe(true); // fresh bucket again
  });
});
