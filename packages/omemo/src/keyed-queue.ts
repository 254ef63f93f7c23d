/**
 * Runs async jobs one at a time per key (per peer device, per account), in
 * the order they were queued, while different keys run concurrently. The
 * libsignal session code is not safe when two operations on one device
 * interleave (B4 §5: load → ratchet → store); this is the lock around it.
 * Keys with nothing queued are forgotten, so memory stays bounded by load.
 */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Queues `job` behind every job already queued under `key`; resolves with its result. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(job, job);
    // The tail never rejects, so one failure does not poison later jobs.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running jobs. */
  get size(): number {
    return this.#tails.size;
  }
}
