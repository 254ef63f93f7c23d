import { describe, expect, it } from "vitest";
import { fakeClock } from "./fake-clock.js";

describe("fakeClock", () => {
  it("reads its start time and moves only when advanced", () => {
    const clock = fakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it("runs due timers in due order, ties in scheduling order, each at its own time", () => {
    const clock = fakeClock();
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push("late"), 31);
    expect(clock.advance(30)).toBe(3);
    expect(seen).toEqual(["a@10", "b@20", "c@20"]);
    expect(clock.now()).toBe(30);
    expect(clock.pending()).toBe(1);
  });

  it("runs timers scheduled by timers when they fall inside the advanced window", () => {
    const clock = fakeClock();
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 5);
      clock.setTimeout(() => seen.push(-1), 50);
    }, 10);
    clock.advance(15);
    expect(seen).toEqual([10, 15]);
    expect(clock.pending()).toBe(1);
  });

  it("never runs a zero-delay timer synchronously", () => {
    const clock = fakeClock();
    let ran = false;
    clock.setTimeout(() => {
      ran = true;
    }, 0);
    expect(ran).toBe(false);
    clock.advance(0);
    expect(ran).toBe(true);
  });

  it("cancels with the returned disposer (twice is harmless)", () => {
    const clock = fakeClock();
    let ran = false;
    const cancel = clock.setTimeout(() => {
      ran = true;
    }, 10);
    expect(clock.pending()).toBe(1);
    cancel();
    cancel();
    expect(clock.pending()).toBe(0);
    clock.advance(100);
    expect(ran).toBe(false);
  });

  it("repeats intervals until cancelled", () => {
    const clock = fakeClock();
    const seen: number[] = [];
    const cancel = clock.setInterval(() => seen.push(clock.now()), 10);
    clock.advance(35);
    expect(seen).toEqual([10, 20, 30]);
    expect(clock.pending()).toBe(1);
    cancel();
    clock.advance(100);
    expect(seen).toHaveLength(3);
    expect(clock.pending()).toBe(0);
  });

  it("runAll runs chains to the end and refuses to spin on an interval", () => {
    const clock = fakeClock();
    let depth = 0;
    const chain = () => {
      if (++depth < 5) clock.setTimeout(chain, 1_000);
    };
    clock.setTimeout(chain, 1_000);
    expect(clock.runAll()).toBe(5);
    expect(clock.now()).toBe(5_000);
    expect(clock.pending()).toBe(0);
    clock.setInterval(() => {}, 1);
    expect(() => clock.runAll(100)).toThrow(/runAll\(\) ran 100 timers/u);
  });

  it("setTime moves the reading, also backwards, without running timers", () => {
    const clock = fakeClock(10_000);
    let ran = false;
    clock.setTimeout(() => {
      ran = true;
    }, 5);
    clock.setTime(0);
    expect(clock.now()).toBe(0);
    clock.setTime(20_000);
    expect(ran).toBe(false);
    clock.advance(0);
    expect(ran).toBe(true);
  });

  it("rejects a negative advance", () => {
    expect(() => fakeClock().advance(-1)).toThrow(/ms >= 0/u);
  });
});

describe("fakeClock.advanceAsync", () => {
  it("lets the promise chain a timer starts run before the next timer", async () => {
    const clock = fakeClock();
    const seen: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => {
          seen.push(`chain@${clock.now()}`);
          clock.setTimeout(() => seen.push(`follow-up@${clock.now()}`), 5);
        });
    }, 10);
    clock.setTimeout(() => seen.push(`second@${clock.now()}`), 12);
    expect(await clock.advanceAsync(20)).toBe(3);
    expect(seen).toEqual(["chain@10", "second@12", "follow-up@15"]);
    expect(clock.now()).toBe(20);
  });
});
