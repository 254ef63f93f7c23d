/**
 * Turns what was parsed from an inbound message into handle events, after
 * the client accepted the message (a message another plugin dropped never
 * produces one).
 */
import type { Emitter, InboundMessage } from "@clawxmpp/core";
import type { MarkersEventBase, MarkersEvents } from "./markers-events.js";
import type { MarkersInfo } from "./markers-info.js";

/** Emits one event per signal found in `message`. */
export function emitMarkersEvents(
  events: Emitter<MarkersEvents>,
  message: InboundMessage,
  info: MarkersInfo,
): void {
  if (message.type === "error") return;
  const base: MarkersEventBase = {
    from: message.from,
    conversation:
      message.outgoing && message.to && message.type !== "groupchat"
        ? message.to.bare
        : message.from.bare,
    type: message.type,
    message,
  };
  const body = info.bodyWithoutFallback;
  if (info.chatState) events.emit("chatState", { ...base, state: info.chatState });
  if (info.reactions) events.emit("reaction", { ...base, ...info.reactions });
  if (info.marker) events.emit("marker", { ...base, marker: info.marker.type, id: info.marker.id });
  if (info.receipt) events.emit("receipt", { ...base, id: info.receipt.id });
  if (info.correction)
    events.emit("correction", { ...base, replaces: info.correction.replaces, body });
  if (info.retraction) events.emit("retraction", { ...base, id: info.retraction.id });
  if (info.replyTo) events.emit("reply", { ...base, replyTo: info.replyTo, body });
}
