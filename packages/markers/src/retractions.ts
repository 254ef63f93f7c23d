/**
 * XEP-0424 Message Retraction §4 (v0.4+, `urn:xmpp:message-retract:1`): a
 * `<retract id/>` naming the message (origin-id in 1:1, the room's stanza-id
 * in group chat), a fallback body for old clients marked per XEP-0428, and a
 * `store` hint so archives keep it. Legacy v0 retractions (inside XEP-0422
 * `<apply-to/>`) are understood on receipt.
 */
import { type Element, type OutgoingMessage, xml } from "@clawxmpp/core";
import { fallbackElement } from "./fallback.js";
import { storeHint } from "./hints.js";
import { validId } from "./limits.js";
import { NS_FASTEN, NS_RETRACT, NS_RETRACT_V0 } from "./namespaces.js";

/** A retraction of message `id`. */
export function buildRetraction(
  to: string,
  id: string,
  fallbackBody: string,
  type: "chat" | "groupchat" = "chat",
): OutgoingMessage {
  return {
    to,
    type,
    body: fallbackBody,
    children: [xml("retract", { xmlns: NS_RETRACT, id }), fallbackElement(NS_RETRACT), storeHint()],
  };
}

/** The id of the message a stanza retracts, if it is a retraction (v1 or legacy v0). */
export function parseRetraction(stanza: Element): { id: string } | undefined {
  const v1 = validId(stanza.getChild("retract", NS_RETRACT)?.attrs.id);
  if (v1 !== undefined) return { id: v1 };
  const applyTo = stanza.getChild("apply-to", NS_FASTEN);
  const v0 = applyTo?.getChild("retract", NS_RETRACT_V0) ? validId(applyTo.attrs.id) : undefined;
  return v0 === undefined ? undefined : { id: v0 };
}
