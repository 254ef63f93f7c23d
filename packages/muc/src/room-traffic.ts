/**
 * Messages to and from rooms (XEP-0045 §7.4 groupchat, §7.5 private
 * messages, §7.8 invitations, §8.1 subject): inbound ones are annotated with
 * `message.muc`, invitations become events, groupchat from rooms we are not
 * in is dropped; outbound groupchat ids are remembered to recognise their
 * reflection.
 */
import {
  type InboundContext,
  type InboundMessage,
  type OutboundContext,
  tryParseJid,
} from "@clawxmpp/core";
import type { BoundedSet } from "./bounded-set.js";
import { parseInvite } from "./invites.js";
import type { Membership } from "./membership.js";
import { groupchatInfo, privateInfo } from "./room-message.js";
import type { RoomState } from "./room-state.js";

const NS_SID = "urn:xmpp:sid:0";

/** Handles a message in the `parse` stage. */
export function handleRoomMessage(m: Membership, sent: BoundedSet, c: InboundContext): void {
  const message = c.message;
  if (!message || message.outgoing) return;
  const { events, client } = m.deps;
  const invite = message.type !== "groupchat" ? parseInvite(c.stanza) : undefined;
  if (invite) {
    events.emit("invite", invite);
    c.drop(`muc ${invite.kind} invitation`);
    return;
  }
  const room = m.rooms.get(message.from.bare);
  if (message.type === "groupchat") {
    if (!room) {
      c.drop("groupchat from a room we are not in");
      return;
    }
    message.muc = groupchatInfo(room, message, sent, client.account.bare);
    if (message.subject !== undefined && message.body === undefined) onSubject(m, room, message);
    return;
  }
  if (room && message.type === "chat" && message.from.resource !== undefined) {
    message.muc = privateInfo(room, message);
  }
}

function onSubject(m: Membership, room: RoomState, message: InboundMessage): void {
  const initial = room.historyPhase;
  const subject = message.subject || undefined;
  const changed = subject !== room.subject;
  room.subject = subject;
  room.historyPhase = false;
  room.refreshing = false;
  room.cancelGrace?.();
  room.cancelGrace = undefined;
  // Rooms resend the subject with every presence refresh; only a new one is news.
  if (!initial && !changed) return;
  m.deps.events.emit("subjectChanged", {
    room: room.jid,
    subject: message.subject ?? "",
    nick: message.from.resource,
    initial,
  });
}

/** Handles an outgoing stanza in the `build` stage. */
export function trackRoomSend(m: Membership, sent: BoundedSet, c: OutboundContext): void {
  const stanza = c.stanza;
  if (stanza.name !== "message") return;
  const to = tryParseJid(stanza.attrs.to);
  if (!to || to.resource !== undefined || !m.rooms.has(to.bare)) return;
  // A message to a room is groupchat unless the caller said otherwise (prior art sent "chat").
  if (c.message && c.message.type === undefined) stanza.attrs.type = "groupchat";
  if (stanza.attrs.type !== "groupchat") return;
  const origin = stanza.getChild("origin-id", NS_SID)?.attrs.id ?? stanza.attrs.id;
  if (origin) sent.add(origin);
}
