/**
 * XEP-0334 Message Processing Hints §4: `no-store` keeps transient stanzas
 * (chat states) out of archives and offline storage; `store` asks the server
 * to archive a body-less stanza that matters later (reactions, markers,
 * retractions).
 */
import { type Element, xml } from "@clawxmpp/core";
import { NS_HINTS } from "./namespaces.js";

/** `<no-store xmlns='urn:xmpp:hints'/>`. */
export function noStoreHint(): Element {
  return xml("no-store", { xmlns: NS_HINTS });
}

/** `<store xmlns='urn:xmpp:hints'/>`. */
export function storeHint(): Element {
  return xml("store", { xmlns: NS_HINTS });
}
