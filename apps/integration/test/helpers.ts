/** Small helpers shared by the integration suites. */
import type { Client, ClientEvents } from "@clawxmpp/core";

/** Resolves with the first `event` whose payload passes `match`, or rejects after `ms`. */
export function nextEvent<T>(
  client: Client,
  event: keyof ClientEvents & string,
  match: (value: T) => boolean = () => true,
  ms = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching "${event}" within ${ms} ms`));
    }, ms);
    const off = client.on(event, ((value: T) => {
      if (!match(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    }) as never);
  });
}

/** Waits until `predicate` is true, polling every 20 ms. */
export async function until(
  predicate: () => boolean,
  ms = 10_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
