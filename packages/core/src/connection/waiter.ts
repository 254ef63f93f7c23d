/**
 * Waits for the next element matching a predicate, with a timeout. Matchers
 * are checked synchronously as elements arrive, so nothing is missed between
 * sending a request and starting to wait for its answer.
 */
import { TimeoutError } from "../errors.js";
import type { Element } from "../xml.js";

interface Pending {
  match: (element: Element) => boolean;
  resolve: (element: Element) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Matches incoming elements against registered expectations. */
export class ElementWaiter {
  readonly #pending = new Set<Pending>();

  /** Resolves with the first element for which `match` is true. */
  expect(match: (element: Element) => boolean, ms: number, step: string): Promise<Element> {
    const promise = new Promise<Element>((resolve, reject) => {
      const pending: Pending = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#pending.delete(pending);
          reject(new TimeoutError(step, ms));
        }, ms),
      };
      pending.timer.unref();
      this.#pending.add(pending);
    });
    // Callers often await something else first; a rejection must not go unhandled meanwhile.
    promise.catch(() => {});
    return promise;
  }

  /** Offers an element; returns true when an expectation took it. */
  offer(element: Element): boolean {
    for (const pending of this.#pending) {
      if (!pending.match(element)) continue;
      this.#pending.delete(pending);
      clearTimeout(pending.timer);
      pending.resolve(element);
      return true;
    }
    return false;
  }

  /** Fails every waiting expectation (socket closed). */
  failAll(error: Error): void {
    for (const pending of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}

/** Rejects with a {@link TimeoutError} if `promise` does not settle in `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(step, ms)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
