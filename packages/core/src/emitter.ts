/**
 * A small typed event emitter. Listener errors are caught and reported
 * through `onListenerError` so one bad handler cannot break the connection.
 */

type Listener = (...args: unknown[]) => unknown;

/** Map of event name to listener argument tuple. */
export type EventMap = { [event: string]: unknown[] };

/** A function that undoes a registration. Calling it twice is harmless. */
export type Disposer = () => void;

/** The listening half of an emitter, safe to hand to consumers. */
export interface Events<E extends EventMap> {
  /** Adds a listener; returns a disposer that removes it. */
  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): Disposer;
  /** Adds a listener that runs at most once. */
  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): Disposer;
  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): void;
}

/** A typed emitter; `emit` stays with the owner. */
export class Emitter<E extends EventMap> implements Events<E> {
  readonly #listeners = new Map<keyof E, Set<Listener>>();
  readonly #onceWrappers = new WeakMap<Listener, Listener>();
  readonly #onListenerError: (error: unknown, event: string) => void;

  constructor(onListenerError: (error: unknown, event: string) => void = rethrowLater) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): Disposer {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as unknown as Listener);
    return () => this.off(event, listener);
  }

  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): Disposer {
    const wrapper = (...args: E[K]) => {
      this.off(event, listener);
      listener(...args);
    };
    this.#onceWrappers.set(listener as unknown as Listener, wrapper as unknown as Listener);
    return this.on(event, wrapper);
  }

  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    const key = listener as unknown as Listener;
    set.delete(this.#onceWrappers.get(key) ?? key);
    set.delete(key);
    if (set.size === 0) this.#listeners.delete(event);
  }

  /** Calls every listener of `event`; returns whether there was any. */
  emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return false;
    // One listener (the common case) needs no copy; several are copied so that a listener
    // added during the emit does not run for this event.
    for (const listener of set.size === 1 ? set : [...set]) {
      try {
        const result = listener(...args);
        if (result instanceof Promise) result.catch((error) => this.#onListenerError(error, event));
      } catch (error) {
        this.#onListenerError(error, event);
      }
    }
    return true;
  }

  /** Number of listeners for `event`. */
  listenerCount(event: keyof E & string): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
