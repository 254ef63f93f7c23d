/**
 * `nextEvent()`: waits for one event instead of sleeping. Works with core's
 * typed emitters (`client`, plugin handles) and with Node's `EventEmitter`;
 * the listener is removed whether the event came, the filter never matched
 * or the time ran out, so a test leaves nothing behind.
 */
import type { Client, ClientEvents, Emitter, EventMap } from "@clawxmpp/core";
import { TestKitError } from "./test-kit-error.js";

/** Options of {@link nextEvent}. */
export interface NextEventOptions<Args extends unknown[]> {
  /** Rejects after this many ms. @default 5000 */
  timeout?: number;
  /** Only an event whose arguments pass this resolves the promise. @default every event */
  filter?: (...args: Args) => boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: Node's emitter listeners take any arguments.
type AnyListener = (...args: any[]) => void;

/** Node's `EventEmitter` shape (or anything with `on` + `off`/`removeListener`). */
export interface NodeStyleEmitter {
  on(event: string | symbol, listener: AnyListener): unknown;
  off?(event: string | symbol, listener: AnyListener): unknown;
  removeListener?(event: string | symbol, listener: AnyListener): unknown;
}

/** Default wait of {@link nextEvent} and {@link until}, in ms. */
export const DEFAULT_WAIT_MS = 5_000;

/**
 * Resolves with the arguments of the next `event` (that passes `filter`); rejects after `timeout`.
 * Argument types are inferred for the client and core `Emitter`s; for other emitters (plugin
 * handles, Node's) name them: `nextEvent<[JoinedEvent]>(rooms, "joined")`.
 */
export function nextEvent<K extends keyof ClientEvents & string>(
  emitter: Client,
  event: K,
  options?: NextEventOptions<ClientEvents[K]>,
): Promise<ClientEvents[K]>;
export function nextEvent<E extends EventMap, K extends keyof E & string>(
  emitter: Emitter<E>,
  event: K,
  options?: NextEventOptions<E[K]>,
): Promise<E[K]>;
export function nextEvent<Args extends unknown[] = unknown[]>(
  emitter: NodeStyleEmitter,
  event: string | symbol,
  options?: NextEventOptions<Args>,
): Promise<Args>;
export function nextEvent(
  emitter: NodeStyleEmitter,
  event: string | symbol,
  options: NextEventOptions<unknown[]> = {},
): Promise<unknown[]> {
  const { timeout = DEFAULT_WAIT_MS, filter } = options;
  return new Promise((resolve, reject) => {
    const listener: AnyListener = (...args: unknown[]) => {
      let matches: boolean;
      try {
        matches = filter ? filter(...args) : true;
      } catch (error) {
        finish();
        reject(error);
        return;
      }
      if (!matches) return;
      finish();
      resolve(args);
    };
    const returned = emitter.on(event, listener);
    const timer = setTimeout(() => {
      finish();
      const which = filter
        ? `"${String(event)}" event passing the filter`
        : `"${String(event)}" event`;
      reject(new TestKitError("timeout", `no ${which} within ${timeout} ms`));
    }, timeout);
    const finish = () => {
      clearTimeout(timer);
      // Core emitters hand back a disposer; Node's return the emitter itself.
      if (typeof returned === "function") (returned as () => void)();
      else if (emitter.off) emitter.off(event, listener);
      else emitter.removeListener?.(event, listener);
    };
  });
}
