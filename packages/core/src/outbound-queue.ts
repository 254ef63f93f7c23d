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
      this.#waiting.unshift(...this.#unacked);
      this.#unacked = [];
      this.#acked = 0;
    }
    this.#smEnabled = state.smEnabled;
    this.#online = true;
    return this.#flush();
  }

  /** The stream is gone; keep everything for later. */
  offline(): void {
    this.#online = false;
    if (!this.#smEnabled) return;
    // Without a resumable session, nothing tells us later which unacked stanzas arrived.
  }

  /** The server acknowledged up to `h` (XEP-0198 §4). */
  ack(h: number): void {
    let count = (h - this.#acked + H_MOD) % H_MOD;
    if (count > this.#unacked.length) count = this.#unacked.length;
    const done = this.#unacked.splice(0, count);
    this.#acked = h % H_MOD;
    for (const entry of done) entry.resolve();
  }

  #flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
      if (this.#online && this.#waiting.length > 0) void this.#flush();
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    while (this.#online && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, 50);
      if (this.#smEnabled) this.#unacked.push(...batch);
      try {
        await this.#write(batch.map((entry) => entry.stanza));
      } catch {
        if (!this.#smEnabled) this.#waiting.unshift(...batch);
        // With SM the batch stays unacked; the server's h after resume decides.
        // Either way, wait for the next online() instead of retrying a dead socket.
        this.#online = false;
        return;
      }
      if (this.#smEnabled) this.#requestAck();
      else for (const entry of batch) entry.resolve();
    }
  }

  /** Fails everything (client stopped). */
  rejectAll(error: Error): void {
    this.#closed = error;
    this.#online = false;
    const all = [...this.#unacked, ...this.#waiting];
    this.#unacked = [];
    this.#waiting = [];
    for (const entry of all) entry.reject(error);
  }
}
