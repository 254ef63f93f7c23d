/**
 * XEP-0333 Displayed Markers §3–4: a sender marks a message `<markable/>`; the
 * recipient may answer `received`, `displayed` or `acknowledged` naming it.
 * In group chat the reference is the room's XEP-0359 stanza-id and `received`
 * is not sent (it would flood the room).
 */
import { type Element, type OutgoingMessage, xml } from "@clawxmpp/core";
import { storeHint } from "./hints.js";
import { validId } from "./limits.js";
import { NS_CHAT_MARKERS } from "./namespaces.js";

/** The XEP-0333 marker kinds. */
export type ChatMarkerType = "received" | "displayed" | "acknowledged";

const MARKER_TYPES: readonly ChatMarkerType[] = ["received", "displayed", "acknowledged"];

/** `<markable xmlns='urn:xmpp:chat-markers:0'/>`. */
export function markableElement(): Element {
  return xml("markable", { xmlns: NS_CHAT_MARKERS });
}

/** A chat marker referencing message `id`; `displayed` is archived (`store`) so other devices sync. */
export function buildChatMarker(
  to: string,
  marker: ChatMarkerType,
  id: string,
  type: "chat" | "groupchat" = "chat",
  thread?: string,
): OutgoingMessage {
  return {
    to,
    type,
    // §4: a marker carries the thread of the message it marks.
    ...(thread === undefined ? {} : { thread }),
    children: [
      xml(marker, { xmlns: NS_CHAT_MARKERS, id }),
      marker === "received" ? undefined : storeHint(),
    ].filter((c): c is Element => c !== undefined),
  };
}

/** True when the sender asked for chat markers. */
export function parseMarkable(stanza: Element): boolean {
  return stanza.getChild("markable", NS_CHAT_MARKERS) !== undefined;
}

/** The marker a stanza carries, if any. */
export function parseChatMarker(stanza: Element): { type: ChatMarkerType; id: string } | undefined {
  for (const type of MARKER_TYPES) {
    const id = validId(stanza.getChild(type, NS_CHAT_MARKERS)?.attrs.id);
    if (id !== undefined) return { type, id };
  }
  return undefined;
}
