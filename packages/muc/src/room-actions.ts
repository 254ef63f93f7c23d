/**
 * What a bot asks of rooms: enter (XEP-0045 §7.2), exit (§7.14), change
 * nickname (§7.6), list a service's rooms (§6.3, XEP-0030 items) and find
 * the server's own conference services (§6.1).
 */
import { type IqCaller, parseJid, tryParseJid, xml } from "@clawxmpp/core";
import type { Membership } from "./membership.js";
import { MucError } from "./muc-error.js";
import type { HistoryRequest } from "./muc-options.js";
import { leavePresence } from "./muc-presence.js";
import type { JoinOptions, RoomInfo } from "./muc-types.js";
import { NS_DISCO_INFO, NS_DISCO_ITEMS } from "./namespaces.js";
import { RoomState } from "./room-state.js";

const MAX_LISTING = 10_000;
/** Server items probed with disco#info when looking for conference services. */
const MAX_SERVICE_PROBES = 32;

/** A room listed by the conference service (XEP-0045 §6.3). */
export interface RoomListing {
  jid: string;
  name: string | undefined;
}

/** Joins `jid`, or returns the join already in flight. */
export function joinRoom(m: Membership, jid: string, options: JoinOptions): Promise<RoomInfo> {
  const { opts } = m.deps;
  if (m.stopped) return Promise.reject(new MucError(jid, "stopped", "plugin stopped"));
  const parsed = tryParseJid(jid);
  if (!parsed || parsed.local === undefined || parsed.resource !== undefined)
    return Promise.reject(new MucError(jid, "jid-malformed", "not a bare room JID"));
  const nick = options.nickname ?? opts.nickname;
  const history = options.history as HistoryRequest | undefined;
  const existing = m.rooms.get(parsed.bare);
  if (!existing) {
    const room = new RoomState(parsed.bare, nick, opts.maxOccupants, {
      password: options.password,
      history,
      autoRejoin: options.autoRejoin ?? true,
    });
    return m.startJoin(m.add(room), false);
  }
  existing.autoRejoin = options.autoRejoin ?? true;
  const sameNick = options.nickname === undefined || existing.nick === nick;
  if (existing.state === "joined" && sameNick) return Promise.resolve(existing.info());
  if (existing.pending && existing.state === "joining") return existing.pending.promise;
  existing.baseNick = nick;
  if (options.password !== undefined) existing.password = options.password;
  if (history !== undefined) existing.history = history;
  return m.startJoin(existing, false);
}

/** Leaves `jid` and forgets it; waits for the room's confirmation at most `joinTimeout`. */
export async function leaveRoom(m: Membership, jid: string, status?: string): Promise<void> {
  const { ctx, client, events, opts } = m.deps;
  const room = m.get(jid);
  if (!room) return;
  room.autoRejoin = false;
  room.leaving = true;
  const pending = room.pending;
  room.pending = undefined;
  pending?.cancelTimer();
  pending?.reject(new MucError(room.jid, "cancelled", "left before the join completed"));
  if (room.state === "offline" || client.status !== "online") {
    m.forget(room);
    events.emit("left", { room: room.jid });
    return;
  }
  const confirmed = new Promise<void>((resolve) => {
    const done = () => {
      offLeft();
      offKicked();
      cancel();
      resolve();
    };
    const offLeft = events.on("left", (e) => e.room === room.jid && done());
    const offKicked = events.on("kicked", (e) => e.room === room.jid && done());
    const cancel = ctx.clock.setTimeout(done, opts.joinTimeout);
  });
  await client.sendStanza(leavePresence(room.jid, room.nick, status)).catch(() => {});
  await confirmed;
  if (m.rooms.get(room.jid) === room) m.forget(room);
}

/** Asks for a new nickname; settles on status 303 or the room's error. */
export function changeNickname(m: Membership, jid: string, nick: string): Promise<void> {
  const { ctx, client, opts } = m.deps;
  const room = m.get(jid);
  if (room?.state !== "joined")
    return Promise.reject(new MucError(jid, "not-joined", "join the room first"));
  if (room.nickChange)
    return Promise.reject(new MucError(room.jid, "busy", "a nickname change is in progress"));
  if (nick === room.nick) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const cancelTimer = ctx.clock.setTimeout(() => {
      room.nickChange = undefined;
      reject(new MucError(room.jid, "timeout", `no answer within ${opts.joinTimeout} ms`));
    }, opts.joinTimeout);
    room.nickChange = { nick, resolve, reject, cancelTimer };
    client.sendStanza(xml("presence", { to: `${room.jid}/${nick}` })).catch((error: unknown) => {
      room.nickChange = undefined;
      cancelTimer();
      reject(new MucError(room.jid, "send-failed", String(error), { cause: error }));
    });
  });
}

/** disco#items on `service`; malformed items are skipped, the list is capped. */
export async function discoverRooms(iq: IqCaller, service: string): Promise<RoomListing[]> {
  const result = await iq.get(xml("query", { xmlns: NS_DISCO_ITEMS }), parseJid(service).full);
  const items = result.getChild("query", NS_DISCO_ITEMS)?.getChildren("item") ?? [];
  const listing: RoomListing[] = [];
  for (const item of items.slice(0, MAX_LISTING)) {
    const jid = tryParseJid(item.attrs.jid);
    if (jid) listing.push({ jid: jid.full, name: item.attrs.name });
  }
  return listing;
}

/**
 * XEP-0045 §6.1: the conference services of `domain` (our own server): its
 * disco#items, each probed with disco#info for a `conference`/`text` identity.
 * Items that fail to answer are skipped; at most 32 are probed.
 */
export async function discoverServices(iq: IqCaller, domain: string): Promise<string[]> {
  const result = await iq.get(xml("query", { xmlns: NS_DISCO_ITEMS }), parseJid(domain).full);
  const items = result.getChild("query", NS_DISCO_ITEMS)?.getChildren("item") ?? [];
  const candidates = items
    .map((item) => tryParseJid(item.attrs.jid))
    .filter((jid) => jid !== undefined && jid.local === undefined && jid.resource === undefined)
    .map((jid) => jid!.domain)
    .slice(0, MAX_SERVICE_PROBES);
  const probes = await Promise.all(
    [...new Set(candidates)].map(async (service) => {
      try {
        const info = await iq.get(xml("query", { xmlns: NS_DISCO_INFO }), service);
        const identities = info.getChild("query", NS_DISCO_INFO)?.getChildren("identity") ?? [];
        return identities.some((i) => i.attrs.category === "conference" && i.attrs.type === "text")
          ? service
          : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return probes.filter((service) => service !== undefined);
}
