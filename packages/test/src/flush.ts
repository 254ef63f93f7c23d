/**
 * `flush()`: lets pending promise chains and immediate callbacks run, for
 * code with nothing to wait on (no event, no visible state): a few turns of
 * the event loop, not a sleep.
 */

/** Runs `turns` event-loop turns (each drains the microtask queue first). @default 5 */
export async function flush(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
