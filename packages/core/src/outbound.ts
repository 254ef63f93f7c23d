/**
 * The outbound path: a stanza goes through the plugins' `build` and
 * `encrypt` stages, then into the queue's lane — IQs and session setup in
 * the control lane, everything else in the application's bounded lane.
 */
import type { SendStanzaOptions } from "./client-api.js";
import { ClawXmppError } from "./errors.js";
import type { OutboundQueue, QueueLane } from "./outbound-queue.js";
import {
  OUTBOUND_STAGES,
  type OutboundContext,
  type OutboundStage,
  type Pipeline,
} from "./pipeline.js";
import { buildMessage, type OutgoingMessage } from "./stanza/message.js";
import type { Element } from "./xml.js";

/** What the outbound path needs from the client. */
export interface OutboundDeps {
  pipeline: Pipeline<OutboundStage, OutboundContext>;
  queue: OutboundQueue;
  /** False once the client was stopped. */
  usable: () => boolean;
  /** Id of the current (or last) session. */
  session: () => number;
}

export class Outbound {
  readonly #deps: OutboundDeps;

  constructor(deps: OutboundDeps) {
    this.#deps = deps;
  }

  /** Sends a message; resolves with the id the stanza finally went out with. */
  async send(message: OutgoingMessage): Promise<{ id: string }> {
    const stanza = await this.#through(buildMessage(message), message);
    await this.#enqueue(stanza, {});
    return { id: stanza.attrs.id ?? "" };
  }

  /** Sends any stanza. */
  async sendStanza(stanza: Element, options: SendStanzaOptions = {}): Promise<void> {
    await this.#enqueue(await this.#through(stanza, undefined), options);
  }

  #enqueue(stanza: Element, options: SendStanzaOptions): Promise<void> {
    const lane: QueueLane = options.setup === true || stanza.name === "iq" ? "control" : "app";
    return this.#deps.queue.send(stanza, {
      lane,
      session: options.setup === true ? this.#deps.session() : undefined,
    });
  }

  /** Runs the outbound stages; returns the stanza to queue (a stage may have replaced it). */
  async #through(stanza: Element, message: OutgoingMessage | undefined): Promise<Element> {
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
    for (const stage of OUTBOUND_STAGES) {
      const result = this.#deps.pipeline.run(stage, ctx);
      if (!(result === true || (result !== false && (await result)))) {
        throw new ClawXmppError("protocol", `send cancelled in ${stage} stage: ${ctx.cancelled}`);
      }
    }
    return ctx.stanza;
  }
}
