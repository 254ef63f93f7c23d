/**
 * `fakeClock()`: core's `Clock` driven by the test. Nothing runs until the
 * test calls `advance()`/`runAll()`, so timeouts, backoff and intervals are
 * tested without waiting and without timing assertions.
 */
import type { Clock, Disposer } from "@clawxmpp/core";
import { flush } from "./flush.js";
import { TestKitError } from "./test-kit-error.js";

/** A {@link Clock} whose time only moves when the test says so. */
export interface FakeClock extends Clock {
  /**
   * Moves time forward by `ms`, running every timer that falls due on the way in due order
   * (ties in scheduling order), including timers scheduled by those timers. Returns how many
   * callbacks ran.
   */
  advance(ms: number): number;
  /** Like {@link advance}, but lets promise chains run ({@link flush}) after each timer and at the end. */
  advanceAsync(ms: number): Promise<number>;
  /** Runs timers until none is left, moving time to each; throws after `limit` callbacks (an interval never ends). */
  runAll(limit?: number): number;
  /** Timers scheduled and not yet run or cancelled (an interval counts once). */
  pending(): number;
  /** Sets the time `now()` reports without running anything (a wall clock jumping, also backwards). */
  setTime(ms: number): void;
}

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
  /** Repeat period of an interval. */
  every: number | undefined;
}

/** Creates a fake clock reading `start` (ms since the epoch). @default start 0 */
export function fakeClock(start = 0): FakeClock {
  let now = start;
  let seq = 0;
  const timers = new Set<Timer>();

  const schedule = (fn: () => void, ms: number, every: number | undefined): Disposer => {
    // Like Node: a negative, NaN or zero delay runs on the next advance, never synchronously.
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: Timer = { due: now + delay, seq: seq++, fn, every };
    timers.add(timer);
    return () => {
      timers.delete(timer);
    };
  };

  const nextDue = (limit: number): Timer | undefined => {
    let next: Timer | undefined;
    for (const timer of timers) {
      if (timer.due > limit) continue;
      if (!next || timer.due < next.due || (timer.due === next.due && timer.seq < next.seq))
        next = timer;
    }
    return next;
  };

  const fire = (timer: Timer): void => {
    now = Math.max(now, timer.due);
    if (timer.every === undefined) timers.delete(timer);
    // An interval of 0 would spin forever within one advance; Node also clamps it to 1 ms.
    else Object.assign(timer, { due: timer.due + Math.max(1, timer.every), seq: seq++ });
    timer.fn();
  };

  /** Fires the next timer due by `limit`; false when there is none. */
  const fireNext = (limit: number): boolean => {
    const timer = nextDue(limit);
    if (timer) fire(timer);
    return timer !== undefined;
  };

  const targetOf = (ms: number, method: string): number => {
    if (!(ms >= 0)) throw new TestKitError("config", `${method}() takes ms >= 0, got ${ms}`);
    return now + ms;
  };

  return {
    now: () => now,
    setTimeout: (fn, ms) => schedule(fn, ms, undefined),
    setInterval: (fn, ms) => schedule(fn, ms, ms),
    advance(ms) {
      const target = targetOf(ms, "advance");
      let ran = 0;
      while (fireNext(target)) ran++;
      now = Math.max(now, target);
      return ran;
    },
    async advanceAsync(ms) {
      const target = targetOf(ms, "advanceAsync");
      let ran = 0;
      while (fireNext(target)) {
        ran++;
        await flush();
      }
      now = Math.max(now, target);
      await flush();
      return ran;
    },
    runAll(limit = 10_000) {
      let ran = 0;
      while (nextDue(Number.POSITIVE_INFINITY)) {
        if (ran >= limit) {
          throw new TestKitError(
            "config",
            `runAll() ran ${limit} timers and some are still pending (an interval, or a timer that re-arms itself)`,
          );
        }
        fireNext(Number.POSITIVE_INFINITY);
        ran++;
      }
      return ran;
    },
    pending: () => timers.size,
    setTime(ms) {
      now = ms;
    },
  };
}
