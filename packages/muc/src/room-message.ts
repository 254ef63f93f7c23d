/**
 * What a room message means to a bot (XEP-0045 §7.4 groupchat, §7.5 private
 * messages, §7.2.15 history before the subject): who sent it by real JID,
 * whether it is history, our own reflection, or addressed to us.
 */
import type { InboundMessage } from "@clawxmpp/core";
import type { BoundedSet } from "./bounded-set.js";
import { mentionsNick, referencesMention } from "./mention.js";
import type { MucMessageInfo } from "./muc-types.js";
import type { RoomState } from "./room-state.js";

/** Annotates a `groupchat` message from `room`. */
export function groupchatInfo(
  room: RoomState,
  message: InboundMessage,
  sent: BoundedSet,
  account: string,
): MucMessageInfo {
  const nick = message.from.resource;
  const occupant = nick === undefined ? undefined : room.roster.get(nick);
  // Our nick alone proves nothing (another session may share it); the origin-id we sent does.
  const isOwn =
    nick !== undefined &&
    nick === room.nick &&
    (sent.has(message.originId) || sent.has(message.id));
  const mentioned =
    !isOwn &&
    nick !== undefined &&
    (mentionsNick(message.body, room.nick) ||
      referencesMention(message.stanza, [`${room.jid}/${room.nick}`, account]));
  return {
    ...sender(room, nick, occupant),
    // §7.2.15: history comes before the subject, delayed. While re-entering a room we may
    // never have left (self-ping), messages without a delay are live ones.
    isHistory:
      message.delay !== undefined ||
      (!room.refreshing && (room.state !== "joined" || room.historyPhase)),
    roomStanzaId: message.stanzaIds[room.jid],
    mentioned,
    isPrivate: false,
    isOwn,
  };
}

/** Annotates a private message (`chat` from `room/nick`); it is addressed to us by definition. */
export function privateInfo(room: RoomState, message: InboundMessage): MucMessageInfo {
  const nick = message.from.resource;
  const occupant = nick === undefined ? undefined : room.roster.get(nick);
  return {
    ...sender(room, nick, occupant),
    isHistory: message.delay !== undefined,
    roomStanzaId: undefined,
    mentioned: true,
    isPrivate: true,
    isOwn: false,
  };
}

/** Who sent a room message, as far as the room tells us: real JID only when it reveals it. */
function sender(
  room: RoomState,
  nick: string | undefined,
  occupant: ReturnType<RoomState["roster"]["get"]>,
): Pick<MucMessageInfo, "room" | "nick" | "realJid" | "role" | "affiliation"> {
  return {
    room: room.jid,
    nick,
    realJid: occupant?.jid,
    role: occupant?.role,
    affiliation: occupant?.affiliation,
  };
}
