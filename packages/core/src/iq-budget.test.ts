import { describe, expect, it } from "vitest";
import { IqBudget } from "./iq-budget.js";

function budget(now: { t: number }) {
  const exceeded: string[] = [];
  const b = new IqBudget({
    burst: 3,
    perSecond: 1,
    now: () => now.t,
    onExceeded: (s) => exceeded.push(s),
  });
  return { b, exceeded };
}

describe("IqBudget", () => {
  it("serves a burst, refuses once a second beyond it, drops the rest, refills over time", () => {
    const now = { t: 0 };
    const { b, exceeded } = budget(now);
    expect([1, 2, 3].map(() => b.take("x@a"))).toEqual(["serve", "serve", "serve"]);
    expect(b.take("x@a")).toBe("refuse");
    expect(b.take("x@a")).toBe("drop");
    expect(exceeded).toEqual(["x@a"]);
    expect(b.take("y@a")).toBe("serve");
    now.t = 1_000;
    expect(b.take("x@a")).toBe("serve");
  });

  it("stays bounded under a flood of distinct senders, and a known sender keeps its state", () => {
    const now = { t: 0 };
    const { b } = budget(now);
    for (let i = 0; i < 3; i++) b.take("busy@a");
    for (let i = 0; i < 30_000; i++) {
      b.take(`s${i}@a`);
      // The busy sender stays among the recently used, so eviction never picks it.
      if (i % 1_000 === 0) b.take("busy@a");
    }
    expect(b.size).toBeLessThanOrEqual(10_000);
    expect(b.size).toBeGreaterThan(8_000);
    expect(b.take("busy@a")).toBe("drop");
  });
});
