/**
 * Sends still waiting for their promise. The core's `send` resolves on the
 * server's XEP-0198 ack, so stopping right after the last echo would reject
 * sends the server already has; measurements drain them first.
 */
export class Pending {
  readonly #set = new Set<Promise<unknown>>();

  /** Tracks `promise` until it settles. */
  add(promise: Promise<unknown>): void {
    const tracked = promise.finally(() => this.#set.delete(tracked));
    tracked.catch(() => {});
    this.#set.add(tracked);
  }

  /** Waits until everything settled or `ms` passed; returns how many are still pending. */
  async drain(ms: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#set]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
    return this.#set.size;
  }
}
