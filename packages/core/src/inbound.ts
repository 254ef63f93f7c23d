/**
 * The inbound path (RFC 6120 §8, stanza handling): every stanza is sorted as
 * it arrives.
 * - IQ results and errors settle their request at once: a stage handler may
 *   be awaiting one, so they never wait behind other stanzas.
 * - IQ requests spend their sender's budget, then run in the sender's lane.
 * - Messages and presence run in their conversation's lane (peer or room):
 *   guard → decrypt → (core parses) → parse → one typed event.
 * Order is kept within a conversation, never across conversations, so one
 * busy or hostile sender cannot make the client deaf to the others.
 */
import type { ArchiveCatchUp } from "./archive.js";
import type { ArchiveQueries } from "./archive-query.js";
import type { ClientEvents } from "./client-api.js";
import { NS_RECEIPTS, type ReliableDelivery, receiptFor } from "./delivery.js";
import { StanzaError } from "./errors.js";
import type { InboundGuard } from "./guard.js";
import { InboundLanes } from "./inbound-lanes.js";
import type { IqRouter } from "./iq.js";
import { IqBudget } from "./iq-budget.js";
import { type Jid, parseJid } from "./jid.js";
import { cachedJid } from "./jid-cache.js";
import type { Logger } from "./logger.js";
import {
  andThen,
  type InboundContext,
  type InboundOrigin,
  type InboundStage,
  type Pipeline,
} from "./pipeline.js";
import { parseMessage } from "./stanza/message.js";
import { parsePresence } from "./stanza/presence.js";
import type { Element } from "./xml.js";

const NS_CARBONS = "urn:xmpp:carbons:2";
const NS_FORWARD = "urn:xmpp:forward:0";
const NS_MAM = "urn:xmpp:mam:2";
/** The lane of archive results: one, so a catch-up is handed over in the archive's order. */
export const ARCHIVE_LANE = "archive";

/** What the inbound path needs from the client. */
export interface InboundDeps {
  account: Jid;
  logger: Logger;
  now: () => number;
  pipeline: Pipeline<InboundStage, InboundContext>;
  guard: InboundGuard;
  iq: IqRouter;
  archive: ArchiveCatchUp | undefined;
  /** Plugins' archive queries: take their results before any lane (see archive-query.ts). */
  archiveQueries: ArchiveQueries;
  emit: <K extends keyof ClientEvents & string>(event: K, ...args: ClientEvents[K]) => void;
  /** End-to-end delivery (receipts), when `delivery.receipts` is on. */
  delivery: ReliableDelivery | undefined;
  /** Sends a receipt (application lane). */
  sendReceipt: (receipt: Element) => void;
  /** IQ budget per sender. */
  iqBurst: number;
  iqPerSecond: number;
}

export class Inbound {
  readonly #deps: InboundDeps;
  readonly #lanes: InboundLanes<Element>;
  readonly #budget: IqBudget;
  readonly #overflowLogged = new Set<string>();

  constructor(deps: InboundDeps) {
    this.#deps = deps;
    this.#lanes = new InboundLanes<Element>({
      process: (stanza) => this.#process(stanza),
      onError: (error, key) =>
        deps.logger.error("inbound stanza handling failed", {
          conversation: key,
          error: error instanceof Error ? error.message : String(error),
        }),
      onOverflow: (key) => {
        if (this.#overflowLogged.has(key)) return;
        if (this.#overflowLogged.size > 1_000) this.#overflowLogged.clear();
        this.#overflowLogged.add(key);
        deps.logger.warn("inbound backlog full; dropping stanzas of this conversation", {
          conversation: key,
        });
      },
      maxPerLane: 5_000,
      maxTotal: 50_000,
    });
    this.#budget = new IqBudget({
      burst: deps.iqBurst,
      perSecond: deps.iqPerSecond,
      now: deps.now,
      onExceeded: (sender) =>
        deps.logger.warn("IQ budget exceeded; refusing and dropping this sender's requests", {
          sender,
        }),
    });
  }

  /** Conversations with work pending, and stanzas waiting. */
  inspect(): { lanes: number; waiting: number; iqSenders: number } {
    return { lanes: this.#lanes.size, waiting: this.#lanes.waiting, iqSenders: this.#budget.size };
  }

  /** Resolves when every archive result received so far was handed over. */
  archiveDrained(): Promise<void> {
    return this.#lanes.idle(ARCHIVE_LANE);
  }

  /** One stanza from the stream (`message`, `presence` or `iq`). */
  receive(stanza: Element): void {
    if (stanza.name === "iq") {
      const type = stanza.attrs.type;
      if (type === "result" || type === "error") {
        this.#deps.iq.handleResponse(stanza);
        return;
      }
      if (type !== "get" && type !== "set") return;
      const sender = this.#sender(stanza.attrs.from);
      if (sender !== undefined) {
        const verdict = this.#budget.take(sender);
        if (verdict === "refuse")
          this.#deps.iq.replyError(stanza, "wait", "resource-constraint", "too many requests");
        if (verdict !== "serve") return;
      }
      this.#lanes.push(`iq:${sender ?? ""}`, stanza);
      return;
    }
    // A result of a plugin's archive query goes to that query, never down the pipeline; taken at
    // once so every result is in before the IQ result that ends the query.
    if (stanza.name === "message" && this.#deps.archiveQueries.take(stanza)) return;
    this.#lanes.push(conversationOf(stanza), stanza);
  }

  /** The budget key of an IQ sender; undefined for our own server and account (never limited). */
  #sender(from: string | undefined): string | undefined {
    if (from === undefined) return undefined;
    const jid = cachedJid(from);
    const account = this.#deps.account;
    if (jid === undefined) return from.slice(0, 256);
    if (jid.bare === account.bare || jid.full === account.domain) return undefined;
    return jid.bare;
  }

  #process(stanza: Element): void | Promise<void> {
    if (stanza.name === "iq") return this.#deps.iq.handleRequest(stanza);
    let dropped: string | undefined;
    const origin: InboundOrigin = {
      via: "live",
      carbon: undefined,
      archiveId: undefined,
      delay: undefined,
      conversation: "",
    };
    const ctx: InboundContext = {
      stanza,
      origin,
      message: undefined,
      presence: undefined,
      drop(reason) {
        dropped = reason;
      },
      get dropped() {
        return dropped;
      },
    };
    const pipeline = this.#deps.pipeline;
    return andThen(pipeline.run("guard", ctx), (ok) => {
      if (!ok) return this.#logDrop(ctx);
      return andThen(pipeline.run("decrypt", ctx), (ok) => {
        if (!ok) return this.#logDrop(ctx);
        if (!this.#parse(ctx)) return;
        return andThen(pipeline.run("parse", ctx), (ok) => {
          if (!ok) return this.#logDrop(ctx);
          this.#emit(ctx);
        });
      });
    });
  }

  /** Core parsing between `decrypt` and `parse`; false when nothing is left to hand over. */
  #parse(ctx: InboundContext): boolean {
    const { account, guard, emit } = this.#deps;
    if (ctx.stanza.name === "message") {
      const message = parseMessage(ctx.stanza, account.domain);
      if (!message) return false;
      if (message.type === "error") {
        emit("bounce", {
          id: message.id,
          from: ctx.stanza.attrs.from,
          error: StanzaError.fromElement(ctx.stanza),
        });
        return false;
      }
      guard.annotate(message, ctx.origin);
      ctx.message = message;
      return true;
    }
    if (ctx.stanza.name === "presence") {
      ctx.presence = parsePresence(ctx.stanza);
      return ctx.presence !== undefined;
    }
    return false;
  }

  /** Answers a receipt request of a live message (duplicates too: the first receipt may be lost). */
  answerReceipt(stanza: Element, origin: InboundOrigin): boolean {
    if (!this.#deps.delivery || origin.via !== "live") return false;
    const receipt = receiptFor(stanza);
    if (!receipt) return false;
    this.#deps.sendReceipt(receipt);
    return true;
  }

  #emit(ctx: InboundContext): void {
    const { account, archive, emit, delivery } = this.#deps;
    const message = ctx.message;
    if (message && delivery) {
      const receipt = message.stanza.getChild("received", NS_RECEIPTS)?.attrs.id;
      if (receipt) delivery.received(message.stanza.attrs.from, receipt);
      if (!message.outgoing)
        message.receiptAnswered = this.answerReceipt(message.stanza, ctx.origin);
    }
    if (message) {
      emit("message", message);
      if (message.via === "archive") archive?.delivered();
      // Only fresh live messages move the cursor forward; offline (delayed) ones can be older than it.
      const archiveId = message.type === "groupchat" ? undefined : message.stanzaIds[account.bare];
      if (archiveId !== undefined && message.via !== "archive" && message.delay === undefined) {
        archive?.seen(archiveId);
      }
    }
    const presence = ctx.presence;
    if (presence) {
      if (presence.type === "subscribe") {
        emit("subscription", { from: parseJid(presence.from.bare), presence });
      }
      emit("presence", presence);
    }
  }

  #logDrop(ctx: InboundContext): void {
    this.#deps.logger.debug("inbound stanza dropped", {
      reason: ctx.dropped,
      from: ctx.stanza.attrs.from,
    });
  }
}

/**
 * The conversation a message or presence belongs to, from its addresses alone (cheap, no
 * normalisation beyond case): the room or peer, the peer of a carbon, or the archive.
 */
export function conversationOf(stanza: Element): string {
  if (stanza.name === "message") {
    for (const child of stanza.children) {
      if (typeof child === "string") continue;
      const ns = child.attrs.xmlns;
      if (ns === NS_MAM && child.name === "result") return ARCHIVE_LANE;
      if (ns === NS_CARBONS && (child.name === "received" || child.name === "sent")) {
        const inner = child.getChild("forwarded", NS_FORWARD)?.getChild("message");
        const peer = child.name === "sent" ? inner?.attrs.to : inner?.attrs.from;
        return bareKey(peer);
      }
    }
  }
  return bareKey(stanza.attrs.from);
}

function bareKey(jid: string | undefined): string {
  if (jid === undefined) return "";
  const slash = jid.indexOf("/");
  return (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
}
