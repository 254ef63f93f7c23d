import { describe, expect, it } from "vitest";
import { fakeClock } from "./fake-clock.js";
import { until } from "./until.js";

describe("until", () => {
  it("resolves with the first truthy value once the condition holds", async () => {
    let calls = 0;
    const found = await until(() => (++calls >= 3 ? { calls } : undefined), { interval: 1 });
    expect(found).toEqual({ calls: 3 });
  });

  it("accepts an async predicate", async () => {
    let calls = 0;
    await expect(until(async () => ++calls === 2, { interval: 1 })).resolves.toBe(true);
  });

  it("rejects after the timeout with the given message", async () => {
    let calls = 0;
    await expect(
      until(
        () => {
          calls++;
          return false;
        },
        { timeout: 30, interval: 5, message: "the file to appear" },
      ),
    ).rejects.toThrow("[test] the file to appear not met within 30 ms");
    expect(calls).toBeGreaterThan(1);
  });

  it("rejects at once when the predicate throws", async () => {
    await expect(
      until(() => {
        throw new Error("broken");
      }),
    ).rejects.toThrow("broken");
  });
});

describe("until with a fake clock", () => {
  it("moves fake time between checks, so timer-driven code progresses", async () => {
    const clock = fakeClock();
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, 1_000);
    await until(() => fired, { clock, step: 100 });
    expect(clock.now()).toBe(1_000);
  });
});
