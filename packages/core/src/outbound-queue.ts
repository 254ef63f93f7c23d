/**
 * Outbound queue with XEP-0198 acknowledgements. A send made while offline
 * waits here (bounded) and goes out after reconnect; with stream management
 * a send resolves only when the server acked it. After a resumption the
 * server's `h` tells which stanzas arrived: those resolve, only the rest are
 * written again — each once.
 */
import { ClawXmppError } from "./errors.js";
import type { Element } from "./xml.js";

interface Entry {
  stanza: Element;
  resolve(): void;
  reject(error: Error): void;
}

/** How the stream came up, as far as the queue cares. */
export interface QueueOnline {
  smEnabled: boolean;
  resumed: boolean;
  resumeFailed: boolean;
  ackedByServer: number | undefined;
}

const H_MOD = 2 ** 32;

function isRequest(stanza: Element): boolean {
  return stanza.name === "iq" && (stanza.attrs.type === "get" || stanza.attrs.type === "set");
}

export class OutboundQueue {
  readonly #maxSize: number;
  readonly #write: (elements: Element[]) => Promise<void>;
  readonly #requestAck: () => void;
  #waiting: Entry[] = [];
  #unacked: Entry[] = [];
  #online = false;
  #smEnabled = false;
  #acked = 0;
  #flushing: Promise<void> | undefined;
  /** Bumped on every disconnect: a write stuck on a dead socket must not block the next session. */
  #generation = 0;
  /** Written without XEP-0198 but not yet confirmed by the socket. */
  #inFlight: Entry[] = [];
  #closed: Error | undefined;

  constructor(deps: {
    maxSize: number;
    write: (elements: Element[]) => Promise<void>;
    requestAck: () => void;
  }) {
    this.#maxSize = deps.maxSize;
    this.#write = deps.write;
    this.#requestAck = deps.requestAck;
  }

  readonly #idle: (() => void)[] = [];

  /** Resolves when nothing is waiting or unacknowledged, or after `ms`. */
  settled(ms: number): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #checkIdle(): void {
    if (this.size !== 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** Stanzas not yet confirmed (waiting + unacked). */
  get size(): number {
    return this.#waiting.length + this.#unacked.length;
  }

  /** Queues `stanza`; resolves when the server acked it (SM) or it was written (no SM). */
  send(stanza: Element): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    if (this.size >= this.#maxSize) {
      return Promise.reject(
        new ClawXmppError(
          "queue-full",
          `outbound queue is full (${this.#maxSize} stanzas not yet confirmed); retry later`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({ stanza, resolve, reject });
      if (this.#online) void this.#flush();
    });
  }

  /** The stream is up: settle what the server confirmed, re-send the rest once, then flush. */
  online(state: QueueOnline): Promise<void> {
    if (state.resumed) {
      if (state.ackedByServer !== undefined) this.ack(state.ackedByServer);
      // Still unacked on the resumed stream: the server never got them; write again in order.
      this.#waiting.unshift(...this.#unacked);
      this.#unacked = [];
    } else {
      if (state.resumeFailed && state.ackedByServer !== undefined) this.ack(state.ackedByServer);
      // A request whose answer belonged to the lost session cannot be answered on a new one:
      // fail it (the caller may retry) instead of sending it again.
      const lost = this.#unacked.filter((entry) => isRequest(entry.stanza));
      this.#waiting.unshift(...this.#unacked.filter((entry) => !isRequest(entry.stanza)));
      this.#unacked = [];
      this.#acked = 0;
      for (const entry of lost) {
        entry.reject(
          new ClawXmppError(
            "connection",
            "the connection was lost before the server answered this request",
          ),
        );
      }
    }
    this.#smEnabled = state.smEnabled;
    this.#online = true;
    return this.#flush();
  }

  /** The stream is gone; keep everything for later. */
  offline(): void {
    this.#online = false;
    this.#generation++;
    this.#flushing = undefined;
    // Without XEP-0198 a write in progress may or may not have left; send it again (receivers dedupe by origin-id).
    this.#waiting.unshift(...this.#inFlight);
    this.#inFlight = [];
  }

  /** The server acknowledged up to `h` (XEP-0198 §4). */
  ack(h: number): void {
    const count = (h - this.#acked + H_MOD) % H_MOD;
    // An h behind ours, or ahead of what we sent, is a server bug or a stale answer: trust nothing.
    if (count > this.#unacked.length) return;
    const done = this.#unacked.splice(0, count);
    this.#acked = h % H_MOD;
    for (const entry of done) entry.resolve();
    this.#checkIdle();
  }

  #flush(): Promise<void> {
    const generation = this.#generation;
    const flushing =
      this.#flushing ??
      this.#drain(generation).finally(() => {
        if (this.#generation !== generation) return;
        this.#flushing = undefined;
        if (this.#online && this.#waiting.length > 0) void this.#flush();
      });
    this.#flushing = flushing;
    return flushing;
  }

  async #drain(generation: number): Promise<void> {
    while (this.#online && this.#generation === generation && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, 50);
      if (this.#smEnabled) this.#unacked.push(...batch);
      else this.#inFlight.push(...batch);
      try {
        await this.#write(batch.map((entry) => entry.stanza));
      } catch {
        if (this.#generation !== generation) return;
        if (!this.#smEnabled) {
          this.#inFlight = this.#inFlight.filter((entry) => !batch.includes(entry));
          this.#waiting.unshift(...batch);
        }
        // With SM the batch stays unacked; the server's h after resume decides.
        // Either way, wait for the next online() instead of retrying a dead socket.
        this.#online = false;
        return;
      }
      if (this.#generation !== generation) return;
      if (this.#smEnabled) this.#requestAck();
      else {
        this.#inFlight = this.#inFlight.filter((entry) => !batch.includes(entry));
        for (const entry of batch) entry.resolve();
        this.#checkIdle();
      }
    }
  }

  /** Fails everything (client stopped). */
  rejectAll(error: Error): void {
    this.#closed = error;
    this.#online = false;
    const all = [...this.#unacked, ...this.#inFlight, ...this.#waiting];
    this.#unacked = [];
    this.#inFlight = [];
    this.#waiting = [];
    for (const entry of all) entry.reject(error);
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
