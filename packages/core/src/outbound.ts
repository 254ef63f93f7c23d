/**
 * The outbound path: a stanza goes through the plugins' `build` and
 * `encrypt` stages, then into the queue's lane — IQs and session setup in
 * the control lane, everything else in the application's bounded lane.
 */
import type { SendStanzaOptions } from "./client-api.js";
import { NS_RECEIPTS, type ReliableDelivery } from "./delivery.js";
import { ClawXmppError } from "./errors.js";
import type { OutboundQueue, QueueLane } from "./outbound-queue.js";
import {
  andThen,
  OUTBOUND_STAGES,
  type OutboundContext,
  type OutboundStage,
  type Pipeline,
} from "./pipeline.js";
import { buildMessage, type OutgoingMessage } from "./stanza/message.js";
import { type Element, xml } from "./xml.js";

/** What the outbound path needs from the client. */
export interface OutboundDeps {
  pipeline: Pipeline<OutboundStage, OutboundContext>;
  queue: OutboundQueue;
  /** False once the client was stopped. */
  usable: () => boolean;
  /** Id of the current (or last) session. */
  session: () => number;
  /** End-to-end delivery tracking, when `delivery.receipts` is on. */
  delivery: ReliableDelivery | undefined;
}

export class Outbound {
  readonly #deps: OutboundDeps;

  constructor(deps: OutboundDeps) {
    this.#deps = deps;
  }

  /** Sends a message; resolves with the id the stanza finally went out with. */
  send(message: OutgoingMessage): Promise<{ id: string }> {
    const delivery = this.#deps.delivery;
    const built = buildMessage(message);
    if (
      delivery &&
      built.getChild("body") &&
      (built.attrs.type === "chat" || built.attrs.type === "normal")
    )
      built.append(xml("request", { xmlns: NS_RECEIPTS }));
    return this.#run(built, message, {}, (final) =>
      delivery?.track(final, this.#deps.session()),
    ).then((stanza) => {
      const id = stanza.attrs.id ?? "";
      delivery?.acked(id);
      return { id };
    });
  }

  /** Sends any stanza. */
  sendStanza(stanza: Element, options: SendStanzaOptions = {}): Promise<void> {
    return this.#run(stanza, undefined, options).then(() => undefined);
  }

  /**
   * Stages, then the queue. When every stage handler is synchronous the stanza is queued before
   * this returns: session setup sent just before the queue flushes is written first.
   */
  #run(
    stanza: Element,
    message: OutgoingMessage | undefined,
    options: SendStanzaOptions,
    onStaged?: (final: Element) => void,
  ): Promise<Element> {
    let staged: Element | Promise<Element>;
    try {
      staged = this.#through(stanza, message);
    } catch (error) {
      return Promise.reject(error);
    }
    const enqueue = (final: Element) => {
      onStaged?.(final);
      return this.#enqueue(final, options).then(() => final);
    };
    return staged instanceof Promise ? staged.then(enqueue) : enqueue(staged);
  }

  #enqueue(stanza: Element, options: SendStanzaOptions): Promise<void> {
    const lane: QueueLane = options.setup === true || stanza.name === "iq" ? "control" : "app";
    return this.#deps.queue.send(stanza, {
      lane,
      session: options.setup === true ? this.#deps.session() : undefined,
    });
  }

  /** Runs the outbound stages; returns the stanza to queue (a stage may have replaced it). */
  #through(stanza: Element, message: OutgoingMessage | undefined): Element | Promise<Element> {
    if (!this.#deps.usable()) throw new ClawXmppError("stopped", "client was stopped");
    let cancelled: string | undefined;
    const ctx: OutboundContext = {
      stanza,
      message,
      cancel(reason) {
        cancelled = reason;
      },
      get cancelled() {
        return cancelled;
      },
    };
    const check = (ok: boolean, stage: OutboundStage): void => {
      if (!ok)
        throw new ClawXmppError("protocol", `send cancelled in ${stage} stage: ${ctx.cancelled}`);
    };
    const pipeline = this.#deps.pipeline;
    const [first, second] = OUTBOUND_STAGES;
    return andThen(pipeline.run(first, ctx), (ok) => {
      check(ok, first);
      return andThen(pipeline.run(second, ctx), (ok2) => {
        check(ok2, second);
        return ctx.stanza;
      });
    });
  }
}
