/**
 * Whether a message is something a person said to us, and its text: not our
 * own sent carbon (XEP-0280), not an error bounce or a headline (RFC 6121
 * §5.2.2), not a bare signal (XEP-0444 reaction, XEP-0424 retraction, or a
 * body-less XEP-0085 chat state, XEP-0333 marker or XEP-0184 receipt). The text
 * is the body without the fallbacks other XEPs put in it (XEP-0428: quotes of
 * XEP-0461 replies and the like).
 */
import type { InboundMessage } from "@clawxmpp/core";
import { parseMarkersInfo } from "./markers-info.js";

/**
 * The text of a conversational message (trimmed; `""` when it has no body,
 * e.g. an attachment only), or `undefined` when the message is not
 * conversational input.
 */
export function conversationalText(message: InboundMessage): string | undefined {
  if (message.outgoing) return undefined;
  if (message.type === "error" || message.type === "headline") return undefined;
  const info = message.markers ?? parseMarkersInfo(message);
  if (info.signalOnly) return undefined;
  return (info.bodyWithoutFallback ?? message.body ?? "").trim();
}
