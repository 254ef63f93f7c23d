/**
 * End-to-end delivery on top of XEP-0198 with XEP-0184 receipts (opt-in,
 * `delivery.receipts`). A server's acknowledgement means the server has the
 * message, not that the peer got it: a server that dies right after acking
 * loses what it had not yet routed or stored. With receipts on, each chat
 * message asks for a receipt (§5.1) and is kept until it arrives; after a
 * new session (the server lost ours) every message the old server acked but
 * the peer never confirmed is sent again, with the same id and origin-id,
 * so the receiver drops the copy it already has (and answers its receipt
 * again, §5.5). Bounded in count and age.
 */
import type { Logger } from "./logger.js";
import { type Element, xml } from "./xml.js";

export const NS_RECEIPTS = "urn:xmpp:receipts";

interface Pending {
  stanza: Element;
  /** The recipient's bare JID (receipts come from a full JID of it). */
  peer: string;
  sentAt: number;
  /** The session it was last written in. */
  session: number;
  /** The server confirmed it (XEP-0198); until then the queue itself re-sends it. */
  acked: boolean;
}

/** What the delivery tracker needs. */
export interface DeliveryDeps {
  maxPending: number;
  maxAgeMs: number;
  now: () => number;
  logger: Logger;
  /** Queues an already built stanza again (application lane). */
  resend(stanza: Element): Promise<void>;
}

export class ReliableDelivery {
  readonly #deps: DeliveryDeps;
  readonly #pending = new Map<string, Pending>();
  #warned = false;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
  }

  /** Messages sent but not yet confirmed by their recipient (introspection, stats). */
  get size(): number {
    return this.#pending.size;
  }

  /** Adds a receipt request to an outgoing chat message and starts tracking it. */
  track(stanza: Element, session: number): void {
    const id = stanza.attrs.id;
    const peer = bareOf(stanza.attrs.to);
    const type = stanza.attrs.type ?? "normal";
    if (!id || !peer || (type !== "chat" && type !== "normal")) return;
    if (!stanza.getChild("body")) return;
    if (!stanza.getChild("request", NS_RECEIPTS))
      stanza.append(xml("request", { xmlns: NS_RECEIPTS }));
    this.#pending.set(id, { stanza, peer, sentAt: this.#deps.now(), session, acked: false });
    this.#bound();
  }

  /** The server acknowledged message `id`. */
  acked(id: string): void {
    const entry = this.#pending.get(id);
    if (entry) entry.acked = true;
  }

  /** A receipt for `id` arrived from `from`. */
  received(from: string | undefined, id: string): void {
    const entry = this.#pending.get(id);
    if (entry && bareOf(from) === entry.peer) this.#pending.delete(id);
  }

  /**
   * A new session replaced a lost one: what the old server acked but nobody confirmed may have
   * died with it. Sends each once more, in order.
   */
  newSession(session: number): void {
    const now = this.#deps.now();
    for (const [id, entry] of this.#pending) {
      if (now - entry.sentAt > this.#deps.maxAgeMs) {
        this.#pending.delete(id);
        continue;
      }
      if (!entry.acked || entry.session >= session) continue;
      entry.session = session;
      entry.acked = false;
      this.#deps.resend(entry.stanza).then(
        () => this.acked(id),
        // Refused (a full queue, a stop): still acked by a server that may have lost it, so the
        // next new session tries again instead of forgetting it.
        () => {
          if (this.#pending.get(id) === entry) entry.acked = true;
        },
      );
    }
  }

  #bound(): void {
    while (this.#pending.size > this.#deps.maxPending) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === undefined) break;
      this.#pending.delete(oldest);
      if (!this.#warned) {
        this.#warned = true;
        this.#deps.logger.warn(
          "delivery: too many messages without a receipt; forgetting the oldest (their peers may not answer receipts)",
          { maxPending: this.#deps.maxPending },
        );
      }
    }
  }
}

/** The receipt answering `request` (a message with `<request/>`), or undefined when none is due. */
export function receiptFor(request: Element): Element | undefined {
  const id = request.attrs.id;
  const type = request.attrs.type ?? "normal";
  // §5.4: never in group chat; §8: never for a message without an id.
  if (!id || !request.attrs.from || type === "groupchat" || type === "error") return undefined;
  if (!request.getChild("request", NS_RECEIPTS)) return undefined;
  return xml(
    "message",
    {
      to: request.attrs.from,
      type: type === "chat" ? "chat" : undefined,
      id: `r-${id}`.slice(0, 128),
    },
    xml("received", { xmlns: NS_RECEIPTS, id }),
  );
}

function bareOf(jid: string | undefined): string | undefined {
  if (!jid) return undefined;
  const slash = jid.indexOf("/");
  return (slash === -1 ? jid : jid.slice(0, slash)).toLowerCase();
}
