/**
 * The inbound guard stage: what must never reach a handler.
 * - XEP-0280 §11 (security): a carbon is accepted only from the account's own
 *   bare JID; a forged one is dropped and logged. Sent carbons become the
 *   account's own outgoing messages.
 * - The account's own echo (a message from this very session) is dropped.
 * - Duplicates (same XEP-0359 stanza-id from our server, or same origin-id/id
 *   from the same sender) are dropped; the memory is bounded.
 */
import type { Jid } from "./jid.js";
import { tryParseJid } from "./jid.js";
import type { Logger } from "./logger.js";
import type { InboundContext } from "./pipeline.js";
import type { InboundMessage } from "./stanza/message.js";
import type { Element } from "./xml.js";

const NS_CARBONS = "urn:xmpp:carbons:2";
const NS_FORWARD = "urn:xmpp:forward:0";
const NS_SID = "urn:xmpp:sid:0";
const DEDUPE_SIZE = 10_000;

interface GuardDeps {
  account: () => Jid;
  ownFullJid: () => string | undefined;
  logger: Logger;
}

export class InboundGuard {
  readonly #deps: GuardDeps;
  readonly #seen = new Set<string>();
  readonly #carbonKind = new WeakMap<Element, "received" | "sent">();

  constructor(deps: GuardDeps) {
    this.#deps = deps;
  }

  /** A new (not resumed) session: the server may legitimately redeliver, but ids stay valid, so keep them. */
  newSession(): void {}

  run(ctx: InboundContext): void {
    const stanza = ctx.stanza;
    if (stanza.name !== "message") return;
    const account = this.#deps.account();

    const carbon = stanza.getChild("received", NS_CARBONS) ?? stanza.getChild("sent", NS_CARBONS);
    if (carbon) {
      const outer = tryParseJid(stanza.attrs.from);
      if (stanza.attrs.from !== undefined && outer?.full !== account.bare) {
        this.#deps.logger.warn("dropped a forged carbon", { from: stanza.attrs.from });
        ctx.drop("forged carbon");
        return;
      }
      const inner = carbon.getChild("forwarded", NS_FORWARD)?.getChild("message");
      if (!inner) {
        ctx.drop("carbon without forwarded message");
        return;
      }
      this.#carbonKind.set(inner, carbon.name === "sent" ? "sent" : "received");
      ctx.stanza = inner;
    }

    const from = ctx.stanza.attrs.from;
    const own = this.#deps.ownFullJid();
    if (
      own !== undefined &&
      from !== undefined &&
      tryParseJid(from)?.full === tryParseJid(own)?.full
    ) {
      ctx.drop("own echo");
      return;
    }

    const key = this.#dedupeKey(ctx.stanza, account);
    if (key !== undefined) {
      if (this.#seen.has(key)) {
        ctx.drop("duplicate");
        return;
      }
      this.#seen.add(key);
      if (this.#seen.size > DEDUPE_SIZE) {
        const oldest = this.#seen.values().next().value;
        if (oldest !== undefined) this.#seen.delete(oldest);
      }
    }
  }

  /** Marks carbons on the parsed message. */
  annotate(message: InboundMessage, ctx: InboundContext): void {
    const kind = this.#carbonKind.get(ctx.stanza);
    if (!kind) return;
    message.via = "carbon";
    message.outgoing = kind === "sent";
  }

  #dedupeKey(stanza: Element, account: Jid): string | undefined {
    const fromBare = tryParseJid(stanza.attrs.from)?.bare ?? account.domain;
    for (const sid of stanza.getChildren("stanza-id", NS_SID)) {
      if (tryParseJid(sid.attrs.by)?.bare === account.bare && sid.attrs.id)
        return `sid:${sid.attrs.id}`;
    }
    const origin = stanza.getChild("origin-id", NS_SID)?.attrs.id;
    if (origin) return `oid:${fromBare}:${origin}`;
    return undefined;
  }
}
