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
import { type InboundMessage, parseDelay } from "./stanza/message.js";
import type { Element } from "./xml.js";

const NS_CARBONS = "urn:xmpp:carbons:2";
const NS_FORWARD = "urn:xmpp:forward:0";
const NS_SID = "urn:xmpp:sid:0";
const DEDUPE_SIZE = 10_000;

interface GuardDeps {
  account: () => Jid;
  ownFullJid: () => string | undefined;
  logger: Logger;
  /** True for the queryid of one of our running archive queries. */
  isOurArchiveQuery: (queryid: string | undefined) => boolean;
  /** True for the queryid of an archive position probe (its result is not handed over). */
  isArchiveProbe: (queryid: string | undefined) => boolean;
}

const NS_MAM = "urn:xmpp:mam:2";

export class InboundGuard {
  readonly #deps: GuardDeps;
  readonly #seen = new Set<string>();
  readonly #carbonKind = new WeakMap<Element, "received" | "sent">();
  readonly #archiveId = new WeakMap<Element, string>();
  readonly #archiveDelay = new WeakMap<Element, NonNullable<InboundMessage["delay"]>>();

  constructor(deps: GuardDeps) {
    this.#deps = deps;
  }

  /** A new (not resumed) session: the server may legitimately redeliver, but ids stay valid, so keep them. */
  newSession(): void {}

  run(ctx: InboundContext): void {
    const stanza = ctx.stanza;
    if (stanza.name !== "message") return;
    const account = this.#deps.account();

    const archived = stanza.getChild("result", NS_MAM);
    if (archived && this.#deps.isArchiveProbe(archived.attrs.queryid)) {
      ctx.drop("archive position probe");
      return;
    }
    if (archived) {
      // XEP-0313 §5.1: results come from our own account, for a query we made.
      const outer =
        stanza.attrs.from === undefined ? account.bare : tryParseJid(stanza.attrs.from)?.full;
      const inner = archived.getChild("forwarded", NS_FORWARD)?.getChild("message");
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
      this.#archiveId.set(inner, archived.attrs.id);
      const delay = parseDelay(archived.getChild("forwarded", NS_FORWARD) ?? inner);
      if (delay) this.#archiveDelay.set(inner, delay);
      ctx.stanza = inner;
    }

    const carbon = archived
      ? undefined
      : (stanza.getChild("received", NS_CARBONS) ?? stanza.getChild("sent", NS_CARBONS));
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

    for (const key of this.#dedupeKeys(ctx.stanza, account)) {
      if (this.#remember(key)) {
        ctx.drop("duplicate");
        return;
      }
    }
  }

  /** Records `key`; returns true when it was seen before. Bounded: the oldest keys are forgotten. */
  #remember(key: string): boolean {
    if (this.#seen.has(key)) return true;
    this.#seen.add(key);
    if (this.#seen.size > DEDUPE_SIZE) {
      const oldest = this.#seen.values().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    return false;
  }

  /** The archive id of a message unwrapped from an archive result. */
  archiveId(stanza: Element): string | undefined {
    return this.#archiveId.get(stanza);
  }

  /** Marks carbons and archived messages on the parsed message. */
  annotate(message: InboundMessage, ctx: InboundContext): void {
    const account = this.#deps.account();
    const archiveId = this.#archiveId.get(ctx.stanza);
    if (archiveId !== undefined) {
      message.via = "archive";
      // XEP-0313 §5: the original time is on <forwarded/>.
      message.delay ??= this.#archiveDelay.get(ctx.stanza);
      message.stanzaIds[account.bare] ??= archiveId;
      message.outgoing = message.from.bare === account.bare;
      return;
    }
    const kind = this.#carbonKind.get(ctx.stanza);
    if (!kind) return;
    message.via = "carbon";
    message.outgoing = kind === "sent";
  }

  /**
   * Keys under which a message counts as already seen: our server's stanza-id (or the
   * archive id, which is the same), and the sender's origin-id: a copy re-sent after a
   * failed resumption has a new stanza-id but the same origin-id.
   */
  #dedupeKeys(stanza: Element, account: Jid): string[] {
    const keys: string[] = [];
    const archiveId = this.#archiveId.get(stanza);
    if (archiveId !== undefined) keys.push(`sid:${archiveId}`);
    const fromBare = tryParseJid(stanza.attrs.from)?.bare ?? account.domain;
    for (const sid of stanza.getChildren("stanza-id", NS_SID)) {
      if (tryParseJid(sid.attrs.by)?.bare === account.bare && sid.attrs.id)
        keys.push(`sid:${sid.attrs.id}`);
    }
    const origin = stanza.getChild("origin-id", NS_SID)?.attrs.id;
    if (origin && stanza.attrs.type !== "groupchat") keys.push(`oid:${fromBare}:${origin}`);
    return keys;
  }
}
