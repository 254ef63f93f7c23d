/**
 * What this plugin reads from an inbound message, attached as
 * `message.markers` by declaration merging on the core's message type.
 * Core `body` is left untouched; `bodyWithoutFallback` is the text to show or
 * to hand to an agent.
 */
import type { InboundMessage } from "@clawxmpp/core";
import { type ChatMarkerType, parseChatMarker, parseMarkable } from "./chat-markers.js";
import { type ChatState, parseChatState } from "./chat-states.js";
import { parseCorrection } from "./corrections.js";
import { stripFallbacks } from "./fallback.js";
import { NS_REACTIONS, NS_REPLY, NS_RETRACT } from "./namespaces.js";
import { parseReactions, type Reactions } from "./reactions.js";
import { parseReceipt, parseReceiptRequest } from "./receipts.js";
import { parseReply, type ReplyReference } from "./replies.js";
import { parseRetraction } from "./retractions.js";

/** Everything the markers plugin found in an inbound message. */
export interface MarkersInfo {
  /** XEP-0085 chat state. */
  chatState: ChatState | undefined;
  /** XEP-0444 reactions (the sender's full current set for `targetId`). */
  reactions: Reactions | undefined;
  /** XEP-0333 marker about one of our messages. */
  marker: { type: ChatMarkerType; id: string } | undefined;
  /** XEP-0184 receipt for one of our messages (`id` is our stanza id). */
  receipt: { id: string } | undefined;
  /** The sender asked for an XEP-0184 receipt. */
  receiptRequested: boolean;
  /** The sender asked for XEP-0333 chat markers. */
  markable: boolean;
  /** XEP-0461: the message answered. */
  replyTo: ReplyReference | undefined;
  /** XEP-0308: this message corrects the message with id `replaces` (check it has the same sender). */
  correction: { replaces: string } | undefined;
  /** XEP-0424: this message retracts the message with `id` (check it has the same sender). */
  retraction: { id: string } | undefined;
  /**
   * The body with the XEP-0428 fallbacks of replies, reactions and retractions
   * removed; `undefined` when there is no body. Core `body` keeps the raw text.
   */
  bodyWithoutFallback: string | undefined;
  /**
   * True when the message is only a signal (reaction, retraction, or a body-less
   * chat state, marker or receipt): it carries no user text to act on.
   */
  signalOnly: boolean;
}

declare module "@clawxmpp/core" {
  interface MessageExtensions {
    /** Set by `@clawxmpp/markers` on every inbound message. */
    markers?: MarkersInfo;
  }
  interface OutgoingExtensions {
    /** Per-message overrides of what `@clawxmpp/markers` adds to outgoing messages. */
    markers?: OutgoingMarkers;
  }
}

/** Per-message overrides for outgoing messages (each defaults to the plugin options). */
export interface OutgoingMarkers {
  /** Add an XEP-0184 receipt request. */
  receipt?: boolean;
  /** Add an XEP-0333 `<markable/>`. */
  markable?: boolean;
  /** Add an XEP-0085 `<active/>` (and end a `composing` state). */
  chatState?: boolean;
}

const STRIPPED = new Set([NS_REPLY, NS_REACTIONS, NS_RETRACT]);

/** Reads every marker-related element of `message`. Never throws on malformed input. */
export function parseMarkersInfo(message: InboundMessage): MarkersInfo {
  const stanza = message.stanza;
  const reactions = parseReactions(stanza);
  const retraction = parseRetraction(stanza);
  const chatState = parseChatState(stanza);
  const marker = parseChatMarker(stanza);
  const receipt = parseReceipt(stanza);
  const body = message.body;
  return {
    chatState,
    reactions,
    marker,
    receipt,
    receiptRequested: parseReceiptRequest(stanza),
    markable: parseMarkable(stanza),
    replyTo: parseReply(stanza),
    correction: parseCorrection(stanza),
    retraction,
    bodyWithoutFallback: body === undefined ? undefined : stripFallbacks(stanza, body, STRIPPED),
    signalOnly:
      reactions !== undefined ||
      retraction !== undefined ||
      (body === undefined &&
        (chatState !== undefined || marker !== undefined || receipt !== undefined)),
  };
}
