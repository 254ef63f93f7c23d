/**
 * `until()`: polls a condition the test cannot subscribe to (a file written,
 * a status field), with a deadline and a message saying what never happened.
 * With a fake clock it also moves fake time between checks, so code waiting
 * on timers (backoff, acks, timeouts) makes progress. Prefer
 * {@link nextEvent} when there is an event to wait for.
 */
import type { FakeClock } from "./fake-clock.js";
import { DEFAULT_WAIT_MS } from "./next-event.js";
import { TestKitError } from "./test-kit-error.js";

/** Options of {@link until}. */
export interface UntilOptions {
  /** Rejects after this many ms of real time. @default 5000 */
  timeout?: number;
  /** Real time between two checks, in ms; 0 checks again after one event-loop turn. @default 10, 0 with `clock` */
  interval?: number;
  /** What was awaited, for the timeout message. @default "condition" */
  message?: string;
  /** A fake clock to advance by `step` between checks. */
  clock?: FakeClock;
  /** Fake ms per check when `clock` is given. @default 10 */
  step?: number;
}

type Falsy = false | 0 | "" | null | undefined;

/**
 * Resolves with the predicate's first truthy result (so `until(() => list.find(…))` hands back
 * the item); rejects after `timeout`, or as soon as the predicate throws.
 */
export async function until<T>(
  predicate: () => T | Promise<T>,
  options: UntilOptions = {},
): Promise<Exclude<T, Falsy>> {
  const { timeout = DEFAULT_WAIT_MS, message = "condition", clock, step = 10 } = options;
  const interval = options.interval ?? (clock ? 0 : 10);
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value) return value as Exclude<T, Falsy>;
    if (Date.now() >= deadline) {
      throw new TestKitError("timeout", `${message} not met within ${timeout} ms`);
    }
    await new Promise((resolve) =>
      interval > 0 ? setTimeout(resolve, interval) : setImmediate(resolve),
    );
    clock?.advance(step);
  }
}
