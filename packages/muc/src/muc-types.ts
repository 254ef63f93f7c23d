/**
 * Public shapes of the `muc` plugin: occupants (XEP-0045 §5 roles and
 * affiliations), message annotations and the typed room events.
 */
import type { EventMap } from "@clawxmpp/core";

/** XEP-0045 §5.1 roles. */
export type MucRole = "moderator" | "participant" | "visitor" | "none";
/** XEP-0045 §5.2 affiliations. */
export type MucAffiliation = "owner" | "admin" | "member" | "outcast" | "none";

/** An occupant of a room as last announced by the room. */
export interface Occupant {
  /** The room's bare JID. */
  room: string;
  /** Nickname in the room. */
  nick: string;
  /** Real bare JID, when the room reveals it (non-anonymous room, or we moderate). */
  jid: string | undefined;
  role: MucRole | undefined;
  affiliation: MucAffiliation | undefined;
}

/** A joined (or joining) room. */
export interface RoomInfo {
  /** The room's bare JID. */
  jid: string;
  /** Our nickname (the one the room assigned, once joined). */
  nickname: string;
  /** `joined` once our self-presence arrived. */
  state: "joining" | "joined" | "offline";
  /** The current subject, when known. */
  subject: string | undefined;
  /** Our own role and affiliation. */
  role: MucRole | undefined;
  affiliation: MucAffiliation | undefined;
  /** Rejoined automatically after reconnects. */
  autoRejoin: boolean;
}

/** What the plugin adds to `message.muc` of room messages and MUC private messages. */
export interface MucMessageInfo {
  /** The room's bare JID. */
  room: string;
  /** Sender's nickname; undefined for messages from the room itself. */
  nick: string | undefined;
  /** Sender's real bare JID when the room reveals it; never inferred from the nickname. */
  realJid: string | undefined;
  /** Sender's role, when known. */
  role: MucRole | undefined;
  /** Sender's affiliation, when known. */
  affiliation: MucAffiliation | undefined;
  /** Delayed (XEP-0203) or received before the join completed: never new input. */
  isHistory: boolean;
  /** XEP-0359 stanza-id assigned by the room (reactions and replies need it). */
  roomStanzaId: string | undefined;
  /** The message addresses us: our nick at a word boundary or an XEP-0372 mention. */
  mentioned: boolean;
  /** A private message through the room (type `chat` from `room/nick`). */
  isPrivate: boolean;
  /** The room's reflection of a message we sent. */
  isOwn: boolean;
}

/** Options of `join()`. */
export interface JoinOptions {
  /** Nickname to use. @default the plugin's `nickname` */
  nickname?: string;
  /** Room password. */
  password?: string;
  /** History to request. @default { maxStanzas: 0 } */
  history?: { maxStanzas?: number; seconds?: number; since?: Date };
  /** Rejoin after reconnects until `leave()`. @default true */
  autoRejoin?: boolean;
}

/** Payload of `joined`. */
export interface JoinedEvent {
  room: string;
  nickname: string;
  /** Status 201: the room was created by this join. */
  created: boolean;
  /** Status 210: the service changed our nickname. */
  nickRewritten: boolean;
  /** True when this was an automatic rejoin (reconnect, self-ping, restart). */
  rejoin: boolean;
  role: MucRole | undefined;
  affiliation: MucAffiliation | undefined;
}

/** Payload of `kicked` and `banned`. */
export interface RemovedEvent {
  room: string;
  /** The moderator's nickname, when the room says. */
  actor: string | undefined;
  reason: string | undefined;
}

/** Payload of `destroyed` (XEP-0045 §10.9). */
export interface DestroyedEvent {
  room: string;
  reason: string | undefined;
  /** Where the room's occupants were asked to go. */
  alternate: string | undefined;
  password: string | undefined;
}

/** Payload of `nickChanged` (status 303). */
export interface NickChangedEvent {
  room: string;
  oldNick: string;
  newNick: string;
  /** Real bare JID of the occupant, when known. */
  jid: string | undefined;
  /** True when it is our own nickname that changed. */
  self: boolean;
}

/** Payload of `invite`. Accepting is the consumer's (policy's) decision; nothing is joined. */
export interface InviteEvent {
  /** The room we are invited to. */
  room: string;
  /** Real bare JID of the inviter; for mediated invites it is asserted by the room. */
  from: string | undefined;
  reason: string | undefined;
  password: string | undefined;
  /** `mediated` (XEP-0045 §7.8.2, via the room) or `direct` (XEP-0249). */
  kind: "mediated" | "direct";
}

/** Payload of `subjectChanged`. */
export interface SubjectEvent {
  room: string;
  subject: string;
  /** Nickname of who set it, when the room says. */
  nick: string | undefined;
  /** True for the subject the room sends when we join. */
  initial: boolean;
}

/** Typed events of the plugin handle. */
export interface MucEvents extends EventMap {
  joined: [JoinedEvent];
  /** We left the room on request (`leave()`), or it went away without a reason. */
  left: [{ room: string }];
  kicked: [RemovedEvent];
  banned: [RemovedEvent];
  /** Status 321/322: removed because of an affiliation change or members-only. */
  removed: [RemovedEvent & { code: "321" | "322" }];
  destroyed: [DestroyedEvent];
  /** Status 332: the service is shutting down; we rejoin when it is back. */
  shutdown: [{ room: string }];
  nickChanged: [NickChangedEvent];
  occupantJoined: [Occupant];
  occupantLeft: [Occupant & { reason: "left" | "kicked" | "banned" | "removed" }];
  invite: [InviteEvent];
  subjectChanged: [SubjectEvent];
  /** An automatic (re)join failed; it is retried with backoff unless the error is final. */
  joinFailed: [{ room: string; error: Error; willRetry: boolean }];
}
