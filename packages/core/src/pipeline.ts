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

/** What an inbound handler sees and may change. */
export interface InboundContext {
  /** The stanza; `guard` may unwrap it (carbons), `decrypt` may replace it. */
  stanza: Element;
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

/** A stage handler. */
export type StageHandler<C> = (ctx: C) => void | Promise<void>;

/** Registry of stage handlers for one direction. */
export interface Stages<S extends string, C> {
  /** Adds `handler` to `stage`; returns a disposer. */
  use(stage: S, handler: StageHandler<C>): Disposer;
}

/** Runs handlers stage by stage. */
export class Pipeline<
  S extends string,
  C extends { readonly dropped?: string | undefined; readonly cancelled?: string | undefined },
> implements Stages<S, C>
{
  readonly #order: readonly S[];
  readonly #handlers = new Map<S, StageHandler<C>[]>();

  constructor(order: readonly S[]) {
    this.#order = order;
  }

  use(stage: S, handler: StageHandler<C>): Disposer {
    if (!this.#order.includes(stage)) {
      throw new TypeError(`unknown stage "${stage}"; stages are ${this.#order.join(", ")}`);
    }
    const list = this.#handlers.get(stage) ?? [];
    list.push(handler);
    this.#handlers.set(stage, list);
    return () => {
      const current = this.#handlers.get(stage);
      const index = current?.indexOf(handler) ?? -1;
      if (current && index !== -1) current.splice(index, 1);
    };
  }

  /** Runs one stage; returns false when a handler dropped or cancelled. */
  async run(stage: S, ctx: C): Promise<boolean> {
    for (const handler of [...(this.#handlers.get(stage) ?? [])]) {
      await handler(ctx);
      if (ctx.dropped !== undefined || ctx.cancelled !== undefined) return false;
    }
    return true;
  }
}
