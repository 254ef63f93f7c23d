/**
 * Timers behind an interface so tests can drive time. Every timer the core
 * creates is unref'd: a forgotten timer never keeps the process alive.
 */
import type { Disposer } from "./emitter.js";

/** Source of time and timers. */
export interface Clock {
  now(): number;
  /** Runs `fn` after `ms`; returns a disposer that cancels it. */
  setTimeout(fn: () => void, ms: number): Disposer;
  /** Runs `fn` every `ms`; returns a disposer that cancels it. */
  setInterval(fn: () => void, ms: number): Disposer;
}

/** The real clock: `Date.now` and unref'd Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
  setInterval(fn, ms) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** A group of timers cancelled together (on stop or disconnect). */
export class TimerGroup {
  readonly #clock: Clock;
  readonly #active = new Set<Disposer>();
  constructor(clock: Clock) {
    this.#clock = clock;
  }
  setTimeout(fn: () => void, ms: number): Disposer {
    const cancel = this.#clock.setTimeout(() => {
      this.#active.delete(cancel);
      fn();
    }, ms);
    this.#active.add(cancel);
    return () => {
      cancel();
      this.#active.delete(cancel);
    };
  }
  setInterval(fn: () => void, ms: number): Disposer {
    const cancel = this.#clock.setInterval(fn, ms);
    this.#active.add(cancel);
    return () => {
      cancel();
      this.#active.delete(cancel);
    };
  }
  clear(): void {
    for (const cancel of this.#active) cancel();
    this.#active.clear();
  }
}

/** Resolves after `ms` using `clock` (unref'd). */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
