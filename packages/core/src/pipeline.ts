/**
 * Inbound and outbound stanza stages. Stages run in a fixed order, so the
 * result never depends on which plugin was registered first:
 *   inbound:  guard → decrypt → (core parses) → parse → emit
 *   outbound: build → encrypt → queue
 * Within a stage, handlers run one after another in registration order.
 */
import type { Disposer } from "./emitter.js";
import type { InboundMessage, OutgoingMessage } from "./stanza/message.js";
import type { InboundPresence } from "./stanza/presence.js";
import type { Element } from "./xml.js";

/** Inbound stages, in the order they run. */
export const INBOUND_STAGES = ["guard", "decrypt", "parse"] as const;
/** An inbound stage. */
export type InboundStage = (typeof INBOUND_STAGES)[number];

/** Outbound stages, in the order they run. */
export const OUTBOUND_STAGES = ["build", "encrypt"] as const;
/** An outbound stage. */
export type OutboundStage = (typeof OUTBOUND_STAGES)[number];

/**
 * Where an inbound stanza came from. Set by the core's guard (which unwraps carbons and archive
 * results); it travels with the context, so a `decrypt` handler may replace the stanza freely.
 */
export interface InboundOrigin {
  /** How it reached us. */
  via: "live" | "carbon" | "archive";
  /** For carbons (XEP-0280): a copy of a message we sent from another client, or received there. */
  carbon: "sent" | "received" | undefined;
  /** For archive results (XEP-0313): the archive's id of the message. */
  archiveId: string | undefined;
  /** For archive results: the original time, from `<forwarded><delay/></forwarded>` (XEP-0297). */
  delay: { stamp: Date; from: string | undefined } | undefined;
  /** The conversation whose order this stanza keeps: a peer's bare JID, a room, or `archive`. */
  conversation: string;
}

/** What an inbound handler sees and may change. */
export interface InboundContext {
  /** The stanza; `guard` may unwrap it (carbons), `decrypt` may replace it. */
  stanza: Element;
  /** Where the stanza came from (live, carbon, archive); survives replacing `stanza`. */
  readonly origin: InboundOrigin;
  /** The parsed message, available from the `parse` stage on (message stanzas only). */
  message: InboundMessage | undefined;
  /** The parsed presence, available from the `parse` stage on (presence stanzas only). */
  presence: InboundPresence | undefined;
  /** Stops processing; nothing is emitted. `reason` goes to the debug log. */
  drop(reason: string): void;
  /** Why the stanza was dropped, once it was. */
  readonly dropped: string | undefined;
}

/** What an outbound handler sees and may change. */
export interface OutboundContext {
  /** The stanza about to be sent; handlers may add children or replace it. */
  stanza: Element;
  /** The message it was built from, when sent through `client.send`. */
  message: OutgoingMessage | undefined;
  /** Stops the send; the caller's promise rejects with `reason`. */
  cancel(reason: string): void;
  readonly cancelled: string | undefined;
}

/** A stage handler. It may be async, and may await IQs (their results never wait behind stanzas). */
export type StageHandler<C> = (ctx: C) => void | Promise<void>;

/** Registry of stage handlers for one direction. */
export interface Stages<S extends string, C> {
  /** Adds `handler` to `stage`; returns a disposer. */
  use(stage: S, handler: StageHandler<C>): Disposer;
}

type Stoppable = { readonly dropped?: string | undefined; readonly cancelled?: string | undefined };

function stopped(ctx: Stoppable): boolean {
  return ctx.dropped !== undefined || ctx.cancelled !== undefined;
}

/**
 * Runs handlers stage by stage. Synchronous handlers run without a single promise (the hot path of
 * every stanza); the first handler that returns a promise switches the rest of the stage to async.
 */
export class Pipeline<S extends string, C extends Stoppable> implements Stages<S, C> {
  readonly #order: readonly S[];
  readonly #handlers = new Map<S, StageHandler<C>[]>();

  constructor(order: readonly S[]) {
    this.#order = order;
  }

  use(stage: S, handler: StageHandler<C>): Disposer {
    if (!this.#order.includes(stage)) {
      throw new TypeError(`unknown stage "${stage}"; stages are ${this.#order.join(", ")}`);
    }
    // Copy on write: a run in progress keeps iterating the list it started with.
    this.#handlers.set(stage, [...(this.#handlers.get(stage) ?? []), handler]);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const current = this.#handlers.get(stage) ?? [];
      this.#handlers.set(
        stage,
        current.filter((h) => h !== handler),
      );
    };
  }

  /** Handlers registered per stage (introspection). */
  counts(): Record<S, number> {
    const counts = {} as Record<S, number>;
    for (const stage of this.#order) counts[stage] = this.#handlers.get(stage)?.length ?? 0;
    return counts;
  }

  /** Runs one stage; false when a handler dropped or cancelled. A promise only if a handler was async. */
  run(stage: S, ctx: C): boolean | Promise<boolean> {
    const handlers = this.#handlers.get(stage);
    if (handlers === undefined) return true;
    for (let i = 0; i < handlers.length; i++) {
      const result = (handlers[i] as StageHandler<C>)(ctx);
      if (result !== undefined && typeof (result as Promise<void>).then === "function") {
        return this.#finish(result as Promise<void>, handlers, i + 1, ctx);
      }
      if (stopped(ctx)) return false;
    }
    return true;
  }

  async #finish(
    pending: Promise<void>,
    handlers: readonly StageHandler<C>[],
    from: number,
    ctx: C,
  ): Promise<boolean> {
    await pending;
    if (stopped(ctx)) return false;
    for (let i = from; i < handlers.length; i++) {
      await (handlers[i] as StageHandler<C>)(ctx);
      if (stopped(ctx)) return false;
    }
    return true;
  }
}

/** Continues with `next` after `value`, synchronously when `value` is not a promise. */
export function andThen<T, R>(
  value: T | Promise<T>,
  next: (value: T) => R | Promise<R>,
): R | Promise<R> {
  if (value instanceof Promise) return value.then(next);
  return next(value);
}
