/**
 * XEP-0199 §4.2 client-to-server keepalive: after a quiet interval, ping the
 * server; no answer within the timeout means the socket is dead (a half-open
 * TCP connection never errors on its own).
 */
import type { Clock } from "./clock.js";
import type { Disposer } from "./emitter.js";

export class Keepalive {
  readonly #deps: {
    clock: Clock;
    ping: () => Promise<unknown>;
    dead: () => void;
    interval: number;
  };
  #cancel: Disposer | undefined;
  #lastActivity = 0;
  #inFlight = false;

  constructor(deps: {
    clock: Clock;
    ping: () => Promise<unknown>;
    dead: () => void;
    interval: number;
  }) {
    this.#deps = deps;
  }

  /** Starts watching (on every new or resumed stream). */
  start(): void {
    this.stop();
    if (this.#deps.interval <= 0) return;
    this.#lastActivity = this.#deps.clock.now();
    const tick = Math.max(100, Math.floor(this.#deps.interval / 4));
    this.#cancel = this.#deps.clock.setInterval(() => this.#check(), tick);
  }

  /** Traffic seen: the socket is alive. */
  activity(): void {
    this.#lastActivity = this.#deps.clock.now();
  }

  stop(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    this.#inFlight = false;
  }

  #check(): void {
    if (this.#inFlight) return;
    if (this.#deps.clock.now() - this.#lastActivity < this.#deps.interval) return;
    this.#inFlight = true;
    const cancel = this.#cancel;
    this.#deps.ping().then(
      () => {
        this.#inFlight = false;
      },
      () => {
        this.#inFlight = false;
        // Only act if this watch is still the current one.
        if (this.#cancel === cancel && cancel !== undefined) this.#deps.dead();
      },
    );
  }
}
