/**
 * What room presences mean (XEP-0045 §7.2.3 occupant list and self-presence,
 * §7.2.9 nickname conflict, §7.6 nickname change, §9–§10 kicks, bans and
 * destruction, §15.2 status codes). Only rooms we joined or are joining may
 * change any state; a `muc#user` presence from anywhere else is dropped.
 */
import { type InboundContext, StanzaError } from "@clawxmpp/core";
import type { Membership } from "./membership.js";
import { MucError } from "./muc-error.js";
import { type MucUserPresence, parseMucUser } from "./muc-presence.js";
import { NS_MUC_USER } from "./namespaces.js";
import type { RoomState } from "./room-state.js";

/** Handles a presence in the `parse` stage. */
export function handleRoomPresence(m: Membership, c: InboundContext): void {
  const presence = c.presence;
  if (!presence) return;
  const room = m.rooms.get(presence.from.bare);
  if (!room) {
    // Never let an arbitrary entity create room state or pose as a room.
    if (c.stanza.getChild("x", NS_MUC_USER)) c.drop("muc presence from a room we are not in");
    return;
  }
  // Between memberships nothing the room says about occupants is current.
  if (room.state === "offline") return;
  if (presence.type === "error") {
    onPresenceError(m, room, StanzaError.fromElement(c.stanza));
    return;
  }
  const nick = presence.from.resource;
  if (nick === undefined) return;
  const info = parseMucUser(c.stanza) ?? emptyInfo();
  const isSelf = info.codes.has("110") || nick === room.nick;
  if (presence.type === "available") {
    if (isSelf) onSelfAvailable(m, room, nick, info);
    else onOccupantAvailable(m, room, nick, info);
  } else if (presence.type === "unavailable") {
    if (isSelf) onSelfUnavailable(m, room, nick, info);
    else onOccupantUnavailable(m, room, nick, info);
  }
}

function onPresenceError(m: Membership, room: RoomState, error: StanzaError): void {
  const { opts, log } = m.deps;
  if (room.state !== "joining") {
    const change = room.nickChange;
    room.nickChange = undefined;
    change?.cancelTimer();
    if (change)
      change.reject(new MucError(room.jid, error.condition, error.text, { cause: error }));
    else log.warn("room presence error", { room: room.jid, condition: error.condition });
    return;
  }
  if (error.condition === "conflict" && room.conflicts < opts.nickConflictRetries) {
    room.conflicts++;
    room.nick = `${room.baseNick}_${room.conflicts + 1}`;
    log.info("nickname in use; retrying with a suffix", { room: room.jid, nick: room.nick });
    m.sendJoin(room);
    return;
  }
  m.fail(room, new MucError(room.jid, error.condition, error.text, { cause: error }));
}

function onSelfAvailable(
  m: Membership,
  room: RoomState,
  nick: string,
  info: MucUserPresence,
): void {
  const { ctx, opts, events, log } = m.deps;
  room.roster.upsert(nick, info, true);
  room.role = info.role ?? room.role;
  room.affiliation = info.affiliation ?? room.affiliation;
  room.nick = nick;
  if (room.state === "joined") return;
  room.state = "joined";
  room.failures = 0;
  room.leaving = false;
  room.cancelGrace?.();
  // §7.2.15: the subject ends the history; a room that never sends one must not mute us forever.
  room.cancelGrace = ctx.clock.setTimeout(() => {
    room.cancelGrace = undefined;
    room.historyPhase = false;
    room.refreshing = false;
  }, opts.historyGrace);
  const pending = room.pending;
  room.pending = undefined;
  pending?.cancelTimer();
  const joined = {
    room: room.jid,
    nickname: nick,
    created: info.codes.has("201"),
    nickRewritten: info.codes.has("210"),
    rejoin: room.everJoined,
    role: room.role,
    affiliation: room.affiliation,
  };
  room.everJoined = true;
  log.debug("joined", { room: room.jid, nick, rejoin: joined.rejoin });
  pending?.resolve(room.info());
  events.emit("joined", joined);
}

function onSelfUnavailable(
  m: Membership,
  room: RoomState,
  nick: string,
  info: MucUserPresence,
): void {
  const { client, events, log } = m.deps;
  if (info.codes.has("303") && info.nick) {
    room.roster.rename(nick, info.nick);
    room.nick = info.nick;
    room.baseNick = info.nick;
    const change = room.nickChange;
    room.nickChange = undefined;
    change?.cancelTimer();
    change?.resolve();
    events.emit("nickChanged", {
      room: room.jid,
      oldNick: nick,
      newNick: info.nick,
      jid: client.account.bare,
      self: true,
    });
    return;
  }
  const removed = { room: room.jid, actor: info.actor, reason: info.reason };
  if (info.destroy) {
    m.forget(room);
    events.emit("destroyed", { room: room.jid, ...info.destroy });
  } else if (info.codes.has("301")) {
    m.forget(room);
    events.emit("banned", removed);
  } else if (info.codes.has("307")) {
    m.forget(room);
    events.emit("kicked", removed);
  } else if (info.codes.has("321") || info.codes.has("322")) {
    m.forget(room);
    events.emit("removed", { ...removed, code: info.codes.has("321") ? "321" : "322" });
  } else if (room.leaving || !room.autoRejoin) {
    m.forget(room);
    events.emit("left", { room: room.jid });
  } else {
    // 332 (shutdown), 333 (technical removal) or no reason: come back when the room is.
    log.info("removed from the room; will rejoin", { room: room.jid, codes: [...info.codes] });
    room.state = "offline";
    room.roster.clear();
    if (info.codes.has("332")) events.emit("shutdown", { room: room.jid });
    if (client.status === "online") m.scheduleRetry(room);
  }
}

function onOccupantAvailable(
  m: Membership,
  room: RoomState,
  nick: string,
  info: MucUserPresence,
): void {
  const result = room.roster.upsert(nick, info);
  if (result?.added && room.state === "joined")
    m.deps.events.emit("occupantJoined", { ...result.occupant });
  if (!result && room.roster.overflow === 1)
    m.deps.log.warn("occupant cap reached; further occupants are not tracked", { room: room.jid });
}

function onOccupantUnavailable(
  m: Membership,
  room: RoomState,
  nick: string,
  info: MucUserPresence,
): void {
  const { events } = m.deps;
  if (info.codes.has("303") && info.nick) {
    const occupant = room.roster.rename(nick, info.nick);
    events.emit("nickChanged", {
      room: room.jid,
      oldNick: nick,
      newNick: info.nick,
      jid: occupant?.jid,
      self: false,
    });
    return;
  }
  const occupant = room.roster.remove(nick);
  if (!occupant || room.state !== "joined") return;
  const reason = info.codes.has("301")
    ? "banned"
    : info.codes.has("307")
      ? "kicked"
      : info.codes.has("321") || info.codes.has("322")
        ? "removed"
        : "left";
  events.emit("occupantLeft", { ...occupant, reason });
}

function emptyInfo(): MucUserPresence {
  return {
    codes: new Set(),
    jid: undefined,
    role: undefined,
    affiliation: undefined,
    nick: undefined,
    actor: undefined,
    reason: undefined,
    destroy: undefined,
  };
}
