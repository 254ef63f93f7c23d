/**
 * XML namespaces of the XEPs this package implements, at the versions that
 * Conversations, Gajim and Dino speak today.
 */

/** XEP-0085 Chat State Notifications. */
export const NS_CHAT_STATES = "http://jabber.org/protocol/chatstates";
/** XEP-0184 Message Delivery Receipts. */
export const NS_RECEIPTS = "urn:xmpp:receipts";
/** XEP-0333 Displayed Markers (chat markers). */
export const NS_CHAT_MARKERS = "urn:xmpp:chat-markers:0";
/** XEP-0444 Message Reactions. */
export const NS_REACTIONS = "urn:xmpp:reactions:0";
/** XEP-0461 Message Replies. */
export const NS_REPLY = "urn:xmpp:reply:0";
/** XEP-0428 Fallback Indication. */
export const NS_FALLBACK = "urn:xmpp:fallback:0";
/** XEP-0308 Last Message Correction. */
export const NS_CORRECTION = "urn:xmpp:message-correct:0";
/** XEP-0424 Message Retraction (v0.4 and later). */
export const NS_RETRACT = "urn:xmpp:message-retract:1";
/** XEP-0424 before v0.4, still sent by older clients inside XEP-0422 `<apply-to/>`. */
export const NS_RETRACT_V0 = "urn:xmpp:message-retract:0";
/** XEP-0422 Message Fastening (carrier of legacy retractions). */
export const NS_FASTEN = "urn:xmpp:fasten:0";
/** XEP-0334 Message Processing Hints. */
export const NS_HINTS = "urn:xmpp:hints";
