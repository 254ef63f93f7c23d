/**
 * The inbound guard stage: what must never reach a handler.
 * - XEP-0280 §11 (security): a carbon is accepted only from the account's own
 *   bare JID; a forged one is dropped and logged. Sent carbons become the
 *   account's own outgoing messages.
 * - XEP-0313 §5.1: archive results only from our own account, for a query of
 *   ours that is still running. (A plugin's `ctx.archive.query` takes its own
 *   results, from the archive it asked, before they reach the guard; see
 *   archive-query.ts. Whatever it leaves is judged here.)
 * - The account's own echo (a message from this very session) is dropped.
 * - Duplicates (same XEP-0359 stanza-id from our server, or same origin-id
 *   from the same sender) are dropped; the memory is bounded.
 * What the guard learns (carbon, archive id, forwarded delay) goes on
 * `ctx.origin`, never into side tables keyed on elements, so a `decrypt`
 * handler may replace the stanza without losing it.
 */
import { FifoSet } from "./fifo-set.js";
import type { Jid } from "./jid.js";
import { cachedJid } from "./jid-cache.js";
import type { Logger } from "./logger.js";
import type { InboundContext, InboundOrigin } from "./pipeline.js";
import { type InboundMessage, parseDelay } from "./stanza/message.js";
import type { Element } from "./xml.js";

const NS_CARBONS = "urn:xmpp:carbons:2";
const NS_FORWARD = "urn:xmpp:forward:0";
const NS_SID = "urn:xmpp:sid:0";
const NS_MAM = "urn:xmpp:mam:2";
const DEDUPE_SIZE = 10_000;

interface GuardDeps {
  account: () => Jid;
  ownFullJid: () => string | undefined;
  logger: Logger;
  /** True for the queryid of one of our running archive queries. */
  isOurArchiveQuery: (queryid: string | undefined) => boolean;
  /** True for the queryid of an archive position probe (its result is not handed over). */
  isArchiveProbe: (queryid: string | undefined) => boolean;
  /** A duplicate was dropped (its sender may still need a receipt). */
  onDuplicate?: (stanza: Element, origin: InboundOrigin) => void;
}

export class InboundGuard {
  readonly #deps: GuardDeps;
  readonly #seen = new FifoSet(DEDUPE_SIZE);

  constructor(deps: GuardDeps) {
    this.#deps = deps;
  }

  run(ctx: InboundContext): void {
    const stanza = ctx.stanza;
    if (stanza.name !== "message") return;
    const account = this.#deps.account();
    const origin = ctx.origin;

    const archived = stanza.getChild("result", NS_MAM);
    if (archived) {
      if (this.#deps.isArchiveProbe(archived.attrs.queryid)) {
        ctx.drop("archive position probe");
        return;
      }
      // XEP-0313 §5.1: results come from our own account, for a query we made.
      const outer =
        stanza.attrs.from === undefined ? account.bare : cachedJid(stanza.attrs.from)?.full;
      const forwarded = archived.getChild("forwarded", NS_FORWARD);
      const inner = forwarded?.getChild("message");
      if (
        outer !== account.bare ||
        !this.#deps.isOurArchiveQuery(archived.attrs.queryid) ||
        !inner ||
        !archived.attrs.id
      ) {
        this.#deps.logger.warn("dropped an unsolicited archive result", {
          from: stanza.attrs.from,
        });
        ctx.drop("unsolicited archive result");
        return;
      }
      origin.via = "archive";
      origin.archiveId = archived.attrs.id;
      // XEP-0313 §5: the original time is on <forwarded/>.
      origin.delay = parseDelay(forwarded ?? inner);
      ctx.stanza = inner;
    } else {
      const carbon = stanza.getChild("received", NS_CARBONS) ?? stanza.getChild("sent", NS_CARBONS);
      if (carbon) {
        if (
          stanza.attrs.from !== undefined &&
          cachedJid(stanza.attrs.from)?.full !== account.bare
        ) {
          this.#deps.logger.warn("dropped a forged carbon", { from: stanza.attrs.from });
          ctx.drop("forged carbon");
          return;
        }
        const inner = carbon.getChild("forwarded", NS_FORWARD)?.getChild("message");
        if (!inner) {
          ctx.drop("carbon without forwarded message");
          return;
        }
        origin.via = "carbon";
        origin.carbon = carbon.name === "sent" ? "sent" : "received";
        ctx.stanza = inner;
      }
    }

    const from = ctx.stanza.attrs.from;
    const own = this.#deps.ownFullJid();
    if (own !== undefined && from !== undefined && cachedJid(from)?.full === cachedJid(own)?.full) {
      ctx.drop("own echo");
      return;
    }

    // Duplicate when any key was seen before; every key is remembered either way (a message
    // may carry the same id twice, as ejabberd's archived copies do: stanza-id = archive id).
    const keys = this.#dedupeKeys(ctx.stanza, origin, account);
    let duplicate = false;
    for (const key of keys) if (this.#seen.has(key)) duplicate = true;
    for (const key of keys) this.#seen.add(key);
    if (duplicate) {
      this.#deps.onDuplicate?.(ctx.stanza, origin);
      ctx.drop("duplicate");
    }
  }

  /** Marks carbons and archived messages on the parsed message, from the context's origin. */
  annotate(message: InboundMessage, origin: InboundOrigin): void {
    if (origin.via === "archive") {
      const account = this.#deps.account();
      message.via = "archive";
      message.delay ??= origin.delay;
      if (origin.archiveId !== undefined) message.stanzaIds[account.bare] ??= origin.archiveId;
      message.outgoing = message.from.bare === account.bare;
      return;
    }
    if (origin.via !== "carbon") return;
    message.via = "carbon";
    message.outgoing = origin.carbon === "sent";
  }

  /**
   * Keys under which a message counts as already seen: our server's stanza-id (or the
   * archive id, which is the same, XEP-0359 §5), and the sender's origin-id: a copy re-sent
   * after a failed resumption has a new stanza-id but the same origin-id.
   */
  #dedupeKeys(stanza: Element, origin: InboundOrigin, account: Jid): Set<string> {
    const keys = new Set<string>();
    if (origin.archiveId !== undefined) keys.add(`sid:${origin.archiveId}`);
    for (const sid of stanza.getChildren("stanza-id", NS_SID)) {
      if (sid.attrs.id && cachedJid(sid.attrs.by)?.bare === account.bare)
        keys.add(`sid:${sid.attrs.id}`);
    }
    const originId = stanza.getChild("origin-id", NS_SID)?.attrs.id;
    if (originId && stanza.attrs.type !== "groupchat") {
      const fromBare = cachedJid(stanza.attrs.from)?.bare ?? account.domain;
      keys.add(`oid:${fromBare}:${originId}`);
    }
    return keys;
  }
}
