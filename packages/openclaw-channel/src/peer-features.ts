/**
 * Whether a contact's client understands Last Message Correction (XEP-0308
 * §2: it advertises `urn:xmpp:message-correct:0` in XEP-0030 disco#info), so a
 * live reply may be corrected in place; otherwise it gets blocks. Answers are
 * cached per full JID (bounded, with a lifetime) and asked with a short
 * timeout: a client that does not answer counts as not supporting it.
 */
import type { Client } from "@clawxmpp/core";
import { xml } from "@clawxmpp/core";
import { NS_CORRECTION } from "@clawxmpp/markers";

const NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
/** Contacts remembered; the oldest go first. */
export const MAX_PEERS = 512;
/** How long an answer is believed. */
export const PEER_TTL_MS = 10 * 60_000;
/** How long to wait for a disco#info answer. */
export const DISCO_TIMEOUT_MS = 1_500;

/** Asks and caches what contacts' clients support. */
export interface PeerFeatures {
  /** True when the client at `fullJid` advertises XEP-0308 corrections. */
  supportsCorrections(fullJid: string): Promise<boolean>;
}

/** A cache over `client.iq`; `now` is injectable for tests. */
export function createPeerFeatures(
  client: Pick<Client, "iq">,
  now: () => number = Date.now,
): PeerFeatures {
  const cache = new Map<string, { at: number; value: Promise<boolean> }>();
  return {
    supportsCorrections(fullJid) {
      const hit = cache.get(fullJid);
      if (hit !== undefined && now() - hit.at < PEER_TTL_MS) return hit.value;
      const value = client.iq
        .get(xml("query", { xmlns: NS_DISCO_INFO }), fullJid, { timeout: DISCO_TIMEOUT_MS })
        .then(
          (result) =>
            (result.getChild("query", NS_DISCO_INFO)?.getChildren("feature") ?? []).some(
              (feature) => feature.attrs.var === NS_CORRECTION,
            ),
          () => false,
        );
      cache.delete(fullJid);
      cache.set(fullJid, { at: now(), value });
      while (cache.size > MAX_PEERS) cache.delete(cache.keys().next().value!);
      return value;
    },
  };
}
