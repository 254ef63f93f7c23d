/**
 * XEP-0308 Last Message Correction §3: a new message whose `<replace id/>`
 * names the message it corrects (its `id`, in rooms too); the new body
 * replaces the old one. §6: receivers must check the correction comes from
 * the original's sender, which only the consumer's history can tell.
 */
import { type Element, type OutgoingMessage, xml } from "@clawxmpp/core";
import { validId } from "./limits.js";
import { NS_CORRECTION } from "./namespaces.js";

/** A correction of message `originalId` to `body`. */
export function buildCorrection(
  to: string,
  originalId: string,
  body: string,
  type: "chat" | "groupchat" = "chat",
): OutgoingMessage {
  return { to, type, body, children: [xml("replace", { xmlns: NS_CORRECTION, id: originalId })] };
}

/** The id of the message a stanza corrects, if it is a correction. */
export function parseCorrection(stanza: Element): { replaces: string } | undefined {
  const replaces = validId(stanza.getChild("replace", NS_CORRECTION)?.attrs.id);
  return replaces === undefined ? undefined : { replaces };
}
