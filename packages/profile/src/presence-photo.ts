/**
 * XEP-0153 § 3.2 and § 4: our available presences carry
 * `<x xmlns='vcard-temp:x:update'><photo>sha1</photo></x>` (an empty `<x/>`
 * while we do not know our hash yet, which tells the server and contacts we
 * are not ready to say, § 4.1), and contacts' hashes are remembered, bounded,
 * so a fetched vCard photo can be checked against the hash they announced.
 */
import { type InboundPresence, type OutboundContext, xml } from "@clawxmpp/core";
import { NS_VCARD_UPDATE } from "./namespaces.js";

const NS_MUC_USER = "http://jabber.org/protocol/muc#user";
const HEX_SHA1 = /^[0-9a-f]{40}$/u;

export class PresencePhoto {
  /** Our own avatar hash once known; `""` once we removed our avatar. */
  ours: string | undefined;
  readonly #known = new Map<string, string>();
  readonly #max: number;

  constructor(maxKnown: number) {
    this.#max = maxKnown;
  }

  /** Outbound `build` stage: adds the update element to our available presences. */
  decorate(ctx: OutboundContext): void {
    const stanza = ctx.stanza;
    if (stanza.name !== "presence" || stanza.attrs.type !== undefined) return;
    if (stanza.getChild("x", NS_VCARD_UPDATE)) return;
    // `ours` is "" once we removed our avatar: an empty <photo/> says "no avatar" (§ 3.2).
    const photo = this.ours === undefined ? undefined : xml("photo", {}, this.ours || undefined);
    stanza.append(xml("x", { xmlns: NS_VCARD_UPDATE }, photo));
  }

  /**
   * Inbound: records a contact's announced hash. Returns the change (id undefined: no avatar),
   * or undefined when nothing changed or the presence says nothing usable.
   */
  observe(presence: InboundPresence): { jid: string; id: string | undefined } | undefined {
    if (presence.type !== "available" || presence.stanza.getChild("x", NS_MUC_USER)) return;
    const photo = presence.stanza.getChild("x", NS_VCARD_UPDATE)?.getChild("photo");
    if (!photo) return undefined; // § 4.1: the client is not ready to say
    const jid = presence.from.bare;
    const text = photo.text().trim().toLowerCase();
    const id = HEX_SHA1.test(text) ? text : undefined;
    if (text !== "" && id === undefined) return undefined;
    if (this.#known.get(jid) === (id ?? "")) return undefined;
    this.#known.delete(jid);
    if (this.#known.size >= this.#max) {
      const oldest = this.#known.keys().next().value;
      if (oldest !== undefined) this.#known.delete(oldest);
    }
    this.#known.set(jid, id ?? "");
    return { jid, id };
  }

  /** The hash `jid` announced last (`""`: no avatar), if any. */
  announced(jid: string): string | undefined {
    return this.#known.get(jid);
  }
}
