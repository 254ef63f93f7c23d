/**
 * Which id references a message (XEP-0444 §3, XEP-0461 §3, XEP-0424 §4,
 * XEP-0333 §4, all following XEP-0359 §4): in 1:1 the sender's origin-id
 * (else its stanza `id`); in group chat the stanza-id the room assigned,
 * never the sender's id. And where to send something about a message.
 */
import type { InboundMessage } from "@clawxmpp/core";
import { validId } from "./limits.js";

const NS_MUC_USER = "http://jabber.org/protocol/muc#user";

/** The id to reference `message` by; `undefined` when it has none usable (a room without stanza-ids). */
export function targetIdFor(message: InboundMessage): string | undefined {
  if (message.type === "groupchat") return validId(message.stanzaIds[message.from.bare]);
  return validId(message.originId) ?? validId(message.id);
}

/**
 * The stable id of `message` in the archive that holds its conversation
 * (XEP-0359 §3 stanza-id): the room's for group chat, the account's own
 * server's (`by` = `account`, our bare JID) otherwise. Unique per message,
 * unlike the sender's id (counters, reconnects); `undefined` when none was assigned.
 */
export function archiveIdFor(message: InboundMessage, account: string): string | undefined {
  const by = message.type === "groupchat" ? message.from.bare : account;
  return validId(message.stanzaIds[by]);
}

/** Where a reaction, marker or reply about a message goes. */
export interface Conversation {
  /** The peer's bare JID, the room's bare JID, or an occupant's full JID for a room private message. */
  to: string;
  type: "chat" | "groupchat";
}

/** The conversation `message` belongs to (for our own carbons, the peer it was sent to). */
export function conversationOf(message: InboundMessage): Conversation {
  if (message.type === "groupchat") return { to: message.from.bare, type: "groupchat" };
  const peer = message.outgoing && message.to ? message.to : message.from;
  // A private message from a room occupant is only reachable at the occupant's full JID.
  const roomPrivate = message.stanza.getChild("x", NS_MUC_USER) !== undefined;
  return { to: roomPrivate ? peer.full : peer.bare, type: "chat" };
}
