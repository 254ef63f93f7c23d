/**
 * XEP-0184 Message Delivery Receipts §5: a sender adds `<request/>`, the
 * recipient answers with `<received id='…'/>` naming the original stanza's
 * `id`. §5.4 and §8: never in group chat, never for messages without an id.
 */
import { type Element, type OutgoingMessage, xml } from "@clawxmpp/core";
import { validId } from "./limits.js";
import { NS_RECEIPTS } from "./namespaces.js";

/** `<request xmlns='urn:xmpp:receipts'/>`. */
export function receiptRequestElement(): Element {
  return xml("request", { xmlns: NS_RECEIPTS });
}

/** The receipt answering message `id`, sent to the full JID that sent it. */
export function buildReceipt(
  to: string,
  id: string,
  type: "chat" | "normal" = "chat",
): OutgoingMessage {
  return { to, type, children: [xml("received", { xmlns: NS_RECEIPTS, id })] };
}

/** True when the stanza asks for a receipt. */
export function parseReceiptRequest(stanza: Element): boolean {
  return stanza.getChild("request", NS_RECEIPTS) !== undefined;
}

/** The id a receipt acknowledges, if the stanza is one. */
export function parseReceipt(stanza: Element): { id: string } | undefined {
  const id = validId(stanza.getChild("received", NS_RECEIPTS)?.attrs.id);
  return id === undefined ? undefined : { id };
}
