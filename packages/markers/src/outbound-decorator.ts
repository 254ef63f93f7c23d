/**
 * The outbound `build` stage: what every outgoing message with a body gets.
 * XEP-0184 §5.1 receipt request (direct `chat` only, never group chat),
 * XEP-0333 §4 `<markable/>`, and XEP-0085 §5.5 `<active/>`, which also ends a
 * `composing` state. Stanzas that already carry these are left alone.
 */
import { type OutboundContext, tryParseJid } from "@clawxmpp/core";
import { markableElement } from "./chat-markers.js";
import type { ChatStateSender } from "./chat-state-sender.js";
import { chatStateElement, parseChatState } from "./chat-states.js";
import type { MarkersOptions } from "./markers-options.js";
import { NS_CHAT_MARKERS, NS_RECEIPTS, NS_RETRACT } from "./namespaces.js";
import { receiptRequestElement } from "./receipts.js";

/** Adds receipt requests, `<markable/>` and `<active/>` to an outgoing message. */
export function decorateOutgoing(
  ctx: OutboundContext,
  options: MarkersOptions,
  chatStates: ChatStateSender | undefined,
): void {
  const stanza = ctx.stanza;
  if (stanza.name !== "message" || stanza.getChild("body") === undefined) return;
  // A retraction's body is a fallback notice, not a message to confirm or mark.
  if (stanza.getChild("retract", NS_RETRACT)) return;
  const type = stanza.attrs.type ?? "normal";
  if (type !== "chat" && type !== "groupchat") return;
  const to = tryParseJid(stanza.attrs.to);
  if (!to) return;
  const wanted = ctx.message?.markers ?? {};

  if (
    type === "chat" &&
    (wanted.receipt ?? options.receipts.request) &&
    !stanza.getChild("request", NS_RECEIPTS)
  ) {
    stanza.append(receiptRequestElement());
  }
  if (
    (wanted.markable ?? options.markers.markable) &&
    !stanza.getChild("markable", NS_CHAT_MARKERS)
  ) {
    stanza.append(markableElement());
  }
  if (chatStates && wanted.chatState !== false && parseChatState(stanza) === undefined) {
    const add = chatStates.onOutgoingBody(to.bare, type);
    if (add || wanted.chatState === true) stanza.append(chatStateElement("active"));
  }
}
