/**
 * `until()`: polls a condition the test cannot subscribe to (a file written,
 * a status field), with a deadline and a message saying what never happened.
 * Prefer {@link nextEvent} when there is an event to wait for.
 */
import { DEFAULT_WAIT_MS } from "./next-event.js";
import { TestKitError } from "./test-kit-error.js";

/** Options of {@link until}. */
export interface UntilOptions {
  /** Rejects after this many ms. @default 5000 */
  timeout?: number;
  /** Time between two checks, in ms. @default 10 */
  interval?: number;
  /** What was awaited, for the timeout message. @default "condition" */
  message?: string;
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
  const { timeout = DEFAULT_WAIT_MS, interval = 10, message = "condition" } = options;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await predicate();
    if (value) return value as Exclude<T, Falsy>;
    if (Date.now() >= deadline) {
      throw new TestKitError("timeout", `${message} not met within ${timeout} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
