/**
 * XEP-0085 Chat State Notifications §2 (the five states) and §5.5 (standalone
 * notifications carry no body). Standalone notifications get an XEP-0334
 * `no-store` hint: a stale "is typing" must never come back from an archive.
 */
import { type Element, type OutgoingMessage, xml } from "@clawxmpp/core";
import { noStoreHint } from "./hints.js";
import { NS_CHAT_STATES } from "./namespaces.js";

/** The XEP-0085 chat states. */
export type ChatState = "active" | "composing" | "paused" | "inactive" | "gone";

/** Every chat state, in XEP order. */
export const CHAT_STATES: readonly ChatState[] = [
  "active",
  "composing",
  "paused",
  "inactive",
  "gone",
];

/** The `<state xmlns='http://jabber.org/protocol/chatstates'/>` element. */
export function chatStateElement(state: ChatState): Element {
  return xml(state, { xmlns: NS_CHAT_STATES });
}

/** A standalone chat state notification (no body, `no-store`). */
export function buildChatStateMessage(
  to: string,
  state: ChatState,
  type: "chat" | "groupchat" = "chat",
): OutgoingMessage {
  return { to, type, children: [chatStateElement(state), noStoreHint()] };
}

/** The chat state a stanza carries, if any. */
export function parseChatState(stanza: Element): ChatState | undefined {
  for (const child of stanza.getChildElements()) {
    if (child.attrs.xmlns !== NS_CHAT_STATES) continue;
    if ((CHAT_STATES as readonly string[]).includes(child.name)) return child.name as ChatState;
  }
  return undefined;
}
