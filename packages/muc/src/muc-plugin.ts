/**
 * The `muc` plugin: XEP-0045 membership that survives reconnects and server
 * restarts. Joins resolve on the room's self-presence (§7.2.3, status 110) and
 * fail with the server's reason (§7.2.6–§7.2.10) or on timeout; rooms are
 * rejoined after non-resumed reconnects and when XEP-0410 self-ping finds the
 * membership ghosted; status codes (§15.2) become typed events.
 */
import {
  ConfigError,
  definePlugin,
  type Element,
  Emitter,
  type Events,
  type Plugin,
  type PluginHandle,
  parseJid,
  parseOptions,
  tryParseJid,
} from "@clawxmpp/core";
import { BoundedSet } from "./bounded-set.js";
import { Membership } from "./membership.js";
import { MucError } from "./muc-error.js";
import { type MucOptionsInput, mucOptionsSchema } from "./muc-options.js";
import type { JoinOptions, MucEvents, MucMessageInfo, Occupant, RoomInfo } from "./muc-types.js";
import { NS_CONFERENCE, NS_MUC } from "./namespaces.js";
import {
  changeNickname,
  discoverRooms,
  discoverServices,
  joinRoom,
  leaveRoom,
  type RoomListing,
} from "./room-actions.js";
import { type RoomHistory, roomHistory } from "./room-archive.js";
import { handleRoomPresence } from "./room-presence.js";
import { RoomState } from "./room-state.js";
import { handleRoomMessage, trackRoomSend } from "./room-traffic.js";
import { selfPing } from "./self-ping.js";

declare module "@clawxmpp/core" {
  interface MessageExtensions {
    /** Set by `@clawxmpp/muc` on room messages and MUC private messages. */
    muc?: MucMessageInfo;
  }
}

/** The handle returned by `client.use(muc, options)`. */
export interface MucHandle extends PluginHandle, Events<MucEvents> {
  /** Joins `room`; resolves on our self-presence, rejects with a {@link MucError} on refusal or timeout. */
  join(room: string, options?: JoinOptions): Promise<RoomInfo>;
  /** Leaves `room` and stops rejoining it; resolves once the room confirmed or the join timeout passed. */
  leave(room: string, status?: string): Promise<void>;
  /** Changes our nickname in a joined room (§7.6); rejects with the server's reason (e.g. `conflict`). */
  setNickname(room: string, nick: string): Promise<void>;
  /** Rooms joined, being joined, or waiting to be rejoined. */
  rooms(): RoomInfo[];
  /** Occupants of `room` as last announced (bounded by `maxOccupants`). */
  occupants(room: string): Occupant[];
  /** One occupant by nickname. */
  occupant(room: string, nick: string): Occupant | undefined;
  /** Lists the rooms of a conference service (disco#items). */
  discover(service: string): Promise<RoomListing[]>;
  /**
   * The conference services of our own server (§6.1: disco#items on the account's
   * domain, then disco#info for a `conference`/`text` identity), e.g.
   * `["conference.example.org"]`. Rooms there are run by the server we trust with
   * our account; identity a room asserts (real JIDs, a mediated invite's `from`)
   * is only as trustworthy as its service.
   */
  services(): Promise<string[]>;
  /**
   * The message type for writing to `jid` (RFC 6121 §5.2.2, XEP-0045 §7.4/§7.5):
   * `groupchat` to the bare JID of a room we are in or joining, `chat` to anyone
   * else, including an occupant (`room/nick`, a private message).
   */
  messageTypeFor(jid: string): "chat" | "groupchat";
  /**
   * The newest `max` messages of the room's XEP-0313 archive (max ≤ 500), oldest first. A room
   * that does not advertise `urn:xmpp:mam:2` gives none, with the reason in `unavailable`;
   * rejects when the archive query itself fails (error, timeout).
   */
  history(room: string, options: { max: number }): Promise<RoomHistory>;
  /** Sends a groupchat message to a room we are in; resolves with its id. */
  sendToRoom(
    room: string,
    body: string,
    extra?: { id?: string; children?: Element[] },
  ): Promise<{ id: string }>;
}

/** XEP-0045 multi-user chat for bots that stay joined. */
export const muc: Plugin<MucOptionsInput, MucHandle> = definePlugin(
  "muc",
  (ctx, input: MucOptionsInput): MucHandle => {
    // Joining as an occupant needs an account's session (its full JID, presence and rejoins).
    if (ctx.client.kind === "component")
      throw new ConfigError(
        "[muc] joining rooms needs an account's session; it cannot run on an XEP-0114 component (use it on a client)",
      );
    const opts = parseOptions(mucOptionsSchema, input, "muc options");
    const client = ctx.client;
    const log = ctx.logger;
    const events = new Emitter<MucEvents>((error, event) =>
      log.error(`muc listener for "${event}" threw`, { error }),
    );
    const m = new Membership({ ctx, client, opts, events, log });
    const sent = new BoundedSet(opts.maxSentIds);

    ctx.disco.addFeature(NS_MUC);
    ctx.disco.addFeature(NS_CONFERENCE);

    for (const entry of opts.rooms) {
      const spec = typeof entry === "string" ? { jid: entry } : entry;
      m.add(
        new RoomState(parseJid(spec.jid).bare, spec.nickname ?? opts.nickname, opts.maxOccupants, {
          password: spec.password,
          history: spec.history,
          autoRejoin: true,
        }),
      );
    }

    ctx.inbound.use("parse", (c) => {
      if (c.stanza.name === "presence") handleRoomPresence(m, c);
      else if (c.stanza.name === "message") handleRoomMessage(m, sent, c);
    });
    ctx.outbound.use("build", (c) => trackRoomSend(m, sent, c));

    ctx.client.on("online", ({ resumed }) => {
      log.debug("online", { resumed });
      // A resumed session kept every membership: no leave-and-rejoin churn.
      if (!resumed) m.joinAll();
    });
    if (client.status === "online") queueMicrotask(() => !m.stopped && m.joinAll());

    if (opts.selfPingInterval > 0) {
      ctx.clock.setInterval(() => {
        if (client.status !== "online") return;
        for (const room of m.rooms.values()) {
          if (room.state !== "joined") continue;
          void selfPing(ctx.iq, room.jid, room.nick, opts.selfPingTimeout).then((verdict) => {
            if (verdict !== "gone" || m.rooms.get(room.jid) !== room || room.state !== "joined")
              return;
            log.info("self-ping says we are no longer in the room; rejoining", { room: room.jid });
            void m.startJoin(room, true);
          });
        }
      }, opts.selfPingInterval);
    }

    return {
      on: events.on.bind(events),
      once: events.once.bind(events),
      off: events.off.bind(events),
      join: (jid, options = {}) => joinRoom(m, jid, options),
      leave: (jid, status) => leaveRoom(m, jid, status),
      setNickname: (jid, nick) => changeNickname(m, jid, nick),
      rooms: () => [...m.rooms.values()].map((room) => room.info()),
      occupants: (jid) => m.get(jid)?.roster.list() ?? [],
      occupant(jid, nick) {
        const occupant = m.get(jid)?.roster.get(nick);
        return occupant ? { ...occupant } : undefined;
      },
      discover: (service) => discoverRooms(ctx.iq, service),
      services: () => discoverServices(ctx.iq, client.account.domain),
      messageTypeFor(jid) {
        const parsed = tryParseJid(jid);
        return parsed !== undefined && parsed.resource === undefined && m.rooms.has(parsed.bare)
          ? "groupchat"
          : "chat";
      },
      history: (jid, options) => roomHistory(ctx.iq, ctx.archive, jid, options.max),
      sendToRoom(jid, body, extra = {}) {
        const room = m.get(jid);
        if (!room) return Promise.reject(new MucError(jid, "not-joined", "join the room first"));
        return client.send({
          to: room.jid,
          type: "groupchat",
          body,
          ...(extra.id !== undefined ? { id: extra.id } : {}),
          ...(extra.children !== undefined ? { children: extra.children } : {}),
        });
      },
      stop() {
        if (m.stopped) return;
        m.stop();
        events.clear();
      },
    };
  },
);
