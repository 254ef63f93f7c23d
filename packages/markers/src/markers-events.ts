/**
 * Events of the markers plugin: one per kind of inbound signal, each with the
 * sender, the conversation and the message it came in.
 */
import type { EventMap, InboundMessage, Jid } from "@clawxmpp/core";
import type { ChatMarkerType } from "./chat-markers.js";
import type { ChatState } from "./chat-states.js";
import type { ReplyReference } from "./replies.js";

/** Fields shared by every markers event. */
export interface MarkersEventBase {
  /** Who sent it: a full JID in 1:1, the occupant JID in a room. */
  from: Jid;
  /** The conversation: the peer's bare JID or the room's bare JID. */
  conversation: string;
  type: "chat" | "groupchat" | "normal" | "headline";
  /** The message it came in (also emitted as a client `message`). */
  message: InboundMessage;
}

/** XEP-0444: someone's current reactions to a message. */
export interface ReactionEvent extends MarkersEventBase {
  targetId: string;
  /** The full current set; empty when every reaction was removed. */
  emojis: string[];
}

/** XEP-0085: a contact's chat state. */
export interface ChatStateEvent extends MarkersEventBase {
  state: ChatState;
}

/** XEP-0333: a marker about one of our messages. */
export interface MarkerEvent extends MarkersEventBase {
  marker: ChatMarkerType;
  id: string;
}

/** XEP-0184: a receipt for one of our messages. */
export interface ReceiptEvent extends MarkersEventBase {
  id: string;
}

/** XEP-0308: a correction. */
export interface CorrectionEvent extends MarkersEventBase {
  replaces: string;
  /** The corrected text, fallbacks stripped. */
  body: string | undefined;
}

/** XEP-0424: a retraction. */
export interface RetractionEvent extends MarkersEventBase {
  id: string;
}

/** XEP-0461: a reply. */
export interface ReplyEvent extends MarkersEventBase {
  replyTo: ReplyReference;
  /** The reply's own text, the quoted fallback stripped. */
  body: string | undefined;
}

/** Events of the markers handle. */
export interface MarkersEvents extends EventMap {
  reaction: [ReactionEvent];
  chatState: [ChatStateEvent];
  marker: [MarkerEvent];
  receipt: [ReceiptEvent];
  correction: [CorrectionEvent];
  retraction: [RetractionEvent];
  reply: [ReplyEvent];
}
