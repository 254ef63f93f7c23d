/**
 * Timers behind an interface so tests can drive time. Timers are unref'd by
 * default, so a forgotten timer never keeps the process alive; the one
 * exception is a timer that stands for work the process exists to do (the
 * reconnect delay of a client that has not been stopped), which passes
 * `{ keepAlive: true }`.
 */
import type { Disposer } from "./emitter.js";

/** Source of time and timers. */
export interface Clock {
  now(): number;
  /**
   * Runs `fn` after `ms`; returns a disposer that cancels it. With `keepAlive` the timer keeps the
   * process running until it fires or is cancelled.
   */
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): Disposer;
  /** Runs `fn` every `ms`; returns a disposer that cancels it. */
  setInterval(fn: () => void, ms: number): Disposer;
}

/** Options of {@link Clock.setTimeout}. */
export interface TimerOptions {
  /** Keep the Node process alive while the timer is pending. @default false */
  keepAlive?: boolean;
}

/** The real clock: `Date.now` and unref'd Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms, options) {
    const timer = setTimeout(fn, ms);
    if (options?.keepAlive !== true) timer.unref();
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
  setTimeout(fn: () => void, ms: number, options?: TimerOptions): Disposer {
    const cancel = this.#clock.setTimeout(
      () => {
        this.#active.delete(cancel);
        fn();
      },
      ms,
      options,
    );
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
  /** Timers still pending. */
  get size(): number {
    return this.#active.size;
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
