/**
 * Outbound queue with XEP-0198 acknowledgements (§4), in two lanes:
 * - `control`: session setup (initial presence, carbons, catch-up, rejoins)
 *   and every IQ. Written first, never refused for the application's backlog.
 *   Entries tied to a session are dropped when that session ends.
 * - `app`: the application's messages, bounded by `maxSize` (beyond it a
 *   send fails with `queue-full`).
 * A send made while offline waits (bounded) and goes out after reconnect;
 * with stream management a send resolves only when the server acked it.
 * After a resumption the server's `h` tells which stanzas arrived: those
 * resolve, only the rest are written again, each once.
 */
import { ClawXmppError } from "./errors.js";
import type { Element } from "./xml.js";

/** Which lane a stanza travels in. */
export type QueueLane = "control" | "app";

/** Options of one queued send. */
export interface QueueSendOptions {
  lane: QueueLane;
  /** The session this stanza belongs to: dropped (rejected) when a new session replaces it. */
  session?: number | undefined;
  /**
   * Accept it even when the app lane is full: for XEP-0184 re-sends of messages the server already
   * accepted once (bounded by `delivery.maxPending`). Refused by a queue kept full by a slow server,
   * they would wait for the next new session, and after the last one they were lost.
   */
  unbounded?: boolean;
}

interface Entry {
  stanza: Element;
  lane: QueueLane;
  session: number | undefined;
  /** The session in which it was last written, if it was. */
  written: number | undefined;
  resolve(): void;
  reject(error: Error): void;
}

/** How the stream came up, as far as the queue cares. */
export interface QueueOnline {
  smEnabled: boolean;
  resumed: boolean;
  resumeFailed: boolean;
  ackedByServer: number | undefined;
  /** Id of the session now online. */
  session: number;
}

const H_MOD = 2 ** 32;
/**
 * Stanzas per socket write: large enough that a burst costs few writes and event-loop turns,
 * small enough that acknowledgements (one per batch) keep the window sliding.
 */
const BATCH = 100;
/**
 * Unacknowledged stanzas from which each written batch carries its own `<r/>`; below it one
 * `<r/>` follows within a few milliseconds of the first unacknowledged write.
 */
const INLINE_ACK_AT = 32;

function isRequest(stanza: Element): boolean {
  return stanza.name === "iq" && (stanza.attrs.type === "get" || stanza.attrs.type === "set");
}

function isReply(stanza: Element): boolean {
  return stanza.name === "iq" && (stanza.attrs.type === "result" || stanza.attrs.type === "error");
}

export class OutboundQueue {
  readonly #maxSize: number;
  readonly #maxControl: number;
  readonly #write: (elements: Element[]) => Promise<void>;
  readonly #requestAck: () => void;
  #control: Entry[] = [];
  #app: Entry[] = [];
  #unacked: Entry[] = [];
  /** Written without XEP-0198 but not yet confirmed by the socket. */
  #inFlight: Entry[] = [];
  /** App-lane entries not yet settled (for the `queueSize` bound). */
  #appPending = 0;
  #online = false;
  #session = 0;
  #smEnabled = false;
  #acked = 0;
  #flushing: Promise<void> | undefined;
  /** Bumped on every disconnect: a write stuck on a dead socket must not block the next session. */
  #generation = 0;
  #closed: Error | undefined;
  readonly #idle: (() => void)[] = [];

  constructor(deps: {
    maxSize: number;
    /** Bound of the control lane (a safety net against runaway plugins). */
    maxControl: number;
    write: (elements: Element[]) => Promise<void>;
    requestAck: () => void;
    /** The XEP-0198 `<r/>` written right behind each batch, so acks follow the writes closely. */
    ackRequest?: () => Element;
  }) {
    this.#maxSize = deps.maxSize;
    this.#maxControl = deps.maxControl;
    this.#write = deps.write;
    this.#requestAck = deps.requestAck;
    this.#ackRequest = deps.ackRequest;
  }

  readonly #ackRequest: (() => Element) | undefined;

  /** Stanzas not yet confirmed (waiting + unacked + in flight). */
  get size(): number {
    return this.#control.length + this.#app.length + this.#unacked.length + this.#inFlight.length;
  }

  /** Counts per lane, for introspection. */
  counts(): { control: number; app: number; unacked: number } {
    return {
      control: this.#control.length,
      app: this.#app.length,
      unacked: this.#unacked.length + this.#inFlight.length,
    };
  }

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

  /** Queues `stanza`; resolves when the server acked it (SM) or it was written (no SM). */
  send(stanza: Element, options: QueueSendOptions): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed);
    const app = options.lane === "app";
    const full = app
      ? this.#appPending >= this.#maxSize && options.unbounded !== true
      : this.#control.length >= this.#maxControl;
    if (full) {
      return Promise.reject(
        new ClawXmppError(
          "queue-full",
          app
            ? `outbound queue is full (${this.#maxSize} stanzas not yet confirmed); retry later`
            : `control lane is full (${this.#maxControl} stanzas waiting)`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = () => {
        if (settled) return false;
        settled = true;
        if (app) this.#appPending--;
        return true;
      };
      if (app) this.#appPending++;
      const entry: Entry = {
        stanza,
        lane: options.lane,
        session: options.session,
        written: undefined,
        resolve: () => settle() && resolve(),
        reject: (error) => settle() && reject(error),
      };
      (app ? this.#app : this.#control).push(entry);
      if (this.#online) void this.#flush();
    });
  }

  /** The stream is up: settle what the server confirmed, re-send the rest once, then flush. */
  online(state: QueueOnline): Promise<void> {
    if (state.resumed) {
      if (state.ackedByServer !== undefined) this.ack(state.ackedByServer);
      // Still unacked on the resumed stream: the server never got them; write again in order.
      this.#requeue(this.#unacked);
    } else {
      if (state.resumeFailed && state.ackedByServer !== undefined) this.ack(state.ackedByServer);
      const lost = new ClawXmppError(
        "connection",
        "the connection was lost before the server answered this request",
      );
      const ended = new ClawXmppError("connection", "the session this stanza belonged to ended");
      const again: Entry[] = [];
      for (const entry of this.#unacked) {
        // A request whose answer belonged to the lost session cannot be answered on a new one:
        // fail it (the caller may retry) instead of sending it again. Replies and setup stanzas
        // belonged to that session too.
        if (isRequest(entry.stanza)) entry.reject(lost);
        else if (isReply(entry.stanza) || entry.session !== undefined) entry.reject(ended);
        else again.push(entry);
      }
      this.#unacked = [];
      this.#acked = 0;
      this.#requeue(again);
      this.#dropSessionScoped(state.session, ended);
    }
    this.#session = state.session;
    this.#smEnabled = state.smEnabled;
    this.#online = true;
    this.#checkIdle();
    return this.#flush();
  }

  /** Puts entries back at the front of their lanes, keeping their order. */
  #requeue(entries: Entry[]): void {
    this.#control.unshift(...entries.filter((entry) => entry.lane === "control"));
    this.#app.unshift(...entries.filter((entry) => entry.lane === "app"));
    if (entries === this.#unacked) this.#unacked = [];
  }

  /**
   * Setup stanzas queued for an earlier session are obsolete: the new session does its own. So is
   * a presence already written in an earlier session: its effect (availability, a room join)
   * ended with that session; it is settled, not written again.
   */
  #dropSessionScoped(session: number, error: Error): void {
    const keep = (entry: Entry) => {
      if (entry.written !== undefined && entry.stanza.name === "presence") {
        entry.resolve();
        return false;
      }
      if (entry.session === undefined || entry.session === session) return true;
      entry.reject(error);
      return false;
    };
    this.#control = this.#control.filter(keep);
    this.#app = this.#app.filter(keep);
  }

  /** The stream is gone; keep everything for later. */
  offline(): void {
    this.#online = false;
    this.#generation++;
    this.#flushing = undefined;
    // Without XEP-0198 a write in progress may or may not have left; send it again (receivers dedupe by origin-id).
    this.#requeue(this.#inFlight);
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
        if (this.#online && this.#control.length + this.#app.length > 0) void this.#flush();
      });
    this.#flushing = flushing;
    return flushing;
  }

  /** The next batch to write: control lane first. */
  #take(): Entry[] {
    const batch = this.#control.splice(0, BATCH);
    if (batch.length < BATCH) batch.push(...this.#app.splice(0, BATCH - batch.length));
    return batch;
  }

  async #drain(generation: number): Promise<void> {
    while (this.#online && this.#generation === generation) {
      const batch = this.#take();
      if (batch.length === 0) return;
      for (const entry of batch) entry.written = this.#session;
      if (this.#smEnabled) this.#unacked.push(...batch);
      else this.#inFlight.push(...batch);
      const elements = batch.map((entry) => entry.stanza);
      // With XEP-0198 a backlog's batch carries its own ack request: one write, and the server's
      // <a/> comes as soon as it has handled the batch, so the window keeps sliding. A few
      // stanzas at chat pace ask on a short timer instead (one <r/> for all written meanwhile):
      // an <r/> behind every single stanza doubles the server's work per message and made the
      // echo round trip ~35 % slower than bare xmpp.js, which asks once per quiet spell.
      const inline =
        this.#smEnabled && this.#ackRequest !== undefined && this.#unacked.length >= INLINE_ACK_AT;
      if (inline) elements.push((this.#ackRequest as () => Element)());
      try {
        await this.#write(elements);
      } catch {
        if (this.#generation !== generation) return;
        if (!this.#smEnabled) {
          this.#inFlight = this.#inFlight.filter((entry) => !batch.includes(entry));
          this.#requeue(batch);
        }
        // With SM the batch stays unacked; the server's h after resume decides.
        // Either way, wait for the next online() instead of retrying a dead socket.
        this.#online = false;
        return;
      }
      if (this.#generation !== generation) return;
      if (this.#smEnabled) {
        if (!inline) this.#requestAck();
      } else {
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
    const all = [...this.#unacked, ...this.#inFlight, ...this.#control, ...this.#app];
    this.#unacked = [];
    this.#inFlight = [];
    this.#control = [];
    this.#app = [];
    for (const entry of all) entry.reject(error);
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
