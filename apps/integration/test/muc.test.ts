/**
 * `@clawxmpp/muc` against each real server of the matrix: joins, messages between a bot
 * and two people, nick conflicts, kicks, bans, destruction, a server restart,
 * mentions and real-JID visibility in non-anonymous and semi-anonymous rooms.
 */
import {
  type Client,
  consoleLogger,
  definePlugin,
  type Element,
  type InboundMessage,
  type IqCaller,
  xml,
} from "@clawxmpp/core";
import { MucError, type MucEvents, type MucHandle, muc } from "@clawxmpp/muc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, serverKinds, startServer, type XmppServer } from "../src/index.js";
import { configureRoom, nextEvent, until } from "./helpers.js";

const NS_MUC_ADMIN = "http://jabber.org/protocol/muc#admin";
const NS_MUC_OWNER = "http://jabber.org/protocol/muc#owner";

describe.each(serverKinds())("muc against %s", (kind) => {
  let server: XmppServer;
  const clients: Client[] = [];
  let bot: Client;
  let alice: Client;
  let bob: Client;
  let botMuc: MucHandle;
  let aliceMuc: MucHandle;
  let bobMuc: MucHandle;
  let aliceIq: IqCaller;
  let counter = 0;

  /** The client has no public IQ API; a one-line plugin lends the test its IQ caller. */
  const iqAccess = definePlugin("test-iq", (ctx, _options: Record<string, never>) => ({
    iq: ctx.iq,
    stop() {},
  }));

  /** A fresh room name on the test server's conference service. */
  function newRoom(label: string): string {
    counter++;
    return `${label}-${counter}-${Math.random().toString(36).slice(2, 6)}@${server.mucDomain}`;
  }

  function start(user: string, nickname: string) {
    const client = clientFor(server, user, {
      // Short enough for the restart test, long enough that the first attempt lands after Prosody is
      // ready: a login failing mid-handshake can start two reconnect chains in the core (see report).
      reconnect: { initialDelay: 1_500, maxDelay: 3_000 },
      keepalive: { interval: 1_000, timeout: 2_000 },
      ...(process.env.MUC_DEBUG ? { logger: consoleLogger("debug", user) } : {}),
    });
    clients.push(client);
    const handle = client.use(muc, { nickname, joinTimeout: 5_000 });
    return { client, handle };
  }

  function mucEvent<K extends keyof MucEvents & string>(
    handle: MucHandle,
    event: K,
    match: (value: MucEvents[K][0]) => boolean = () => true,
    ms = 10_000,
  ): Promise<MucEvents[K][0]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no matching muc "${event}" within ${ms} ms`));
      }, ms);
      const off = handle.on(event, ((value: MucEvents[K][0]) => {
        if (!match(value)) return;
        clearTimeout(timer);
        off();
        resolve(value);
      }) as never);
    });
  }

  function roomMessage(client: Client, room: string, body: string, ms = 10_000) {
    return nextEvent<InboundMessage>(
      client,
      "message",
      (m) => m.from.bare === room && m.body === body,
      ms,
    );
  }

  /** Alice creates `room` (she becomes its owner), then the others join. */
  async function roomWithEveryone(room: string, withBob = true): Promise<void> {
    await aliceMuc.join(room);
    if (withBob) await bobMuc.join(room);
    await botMuc.join(room);
  }

  function adminSet(room: string, item: Record<string, string>, reason: string): Promise<Element> {
    return aliceIq.set(
      xml("query", { xmlns: NS_MUC_ADMIN }, xml("item", item, xml("reason", {}, reason))),
      room,
    );
  }

  beforeAll(async () => {
    server = await startServer({ kind });
    ({ client: bot, handle: botMuc } = start("bot", "bot"));
    ({ client: alice, handle: aliceMuc } = start("alice", "alice"));
    ({ client: bob, handle: bobMuc } = start("bob", "bob"));
    aliceIq = alice.use(iqAccess, {}).iq;

    await Promise.all([bot.start(), alice.start(), bob.start()]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await server?.stop();
  });

  describe("rooms", () => {
    it("joins, exchanges messages with two people, resolves real JIDs and detects mentions", async () => {
      const room = newRoom("lounge");
      await aliceMuc.join(room);
      await bobMuc.join(room);
      const joined = mucEvent(botMuc, "joined", (e) => e.room === room);
      const info = await botMuc.join(room);
      expect(info).toMatchObject({ jid: room, nickname: "bot", state: "joined" });
      expect((await joined).rejoin).toBe(false);
      expect(botMuc.occupant(room, "alice")).toMatchObject({
        jid: "alice@localhost",
        role: "moderator",
        affiliation: "owner",
      });
      expect(botMuc.occupant(room, "bob")?.jid).toBe("bob@localhost");

      const plain = roomMessage(bot, room, "robotics is a fine hobby");
      await aliceMuc.sendToRoom(room, "robotics is a fine hobby");
      const first = await plain;
      expect(first.type).toBe("groupchat");
      expect(first.muc).toMatchObject({
        room,
        nick: "alice",
        realJid: "alice@localhost",
        isHistory: false,
        mentioned: false,
        isPrivate: false,
        isOwn: false,
      });
      expect(first.muc?.roomStanzaId).toEqual(expect.any(String));

      const mention = roomMessage(bot, room, "hey Bot, are you there?");
      await bob.send({ to: room, type: "groupchat", body: "hey Bot, are you there?" });
      expect((await mention).muc).toMatchObject({
        nick: "bob",
        realJid: "bob@localhost",
        mentioned: true,
      });

      const atAlice = roomMessage(alice, room, "yes, alice");
      const echo = roomMessage(bot, room, "yes, alice");
      const atBob = roomMessage(bob, room, "yes, alice");
      await botMuc.sendToRoom(room, "yes, alice");
      expect((await atAlice).muc).toMatchObject({
        nick: "bot",
        realJid: "bot@localhost",
        mentioned: true,
      });
      expect((await atBob).muc?.nick).toBe("bot");
      expect((await echo).muc).toMatchObject({ isOwn: true, mentioned: false });
    });

    it("tells private messages through the room apart, with the sender's real JID", async () => {
      const room = newRoom("pm");
      await roomWithEveryone(room);
      const pm = nextEvent<InboundMessage>(bot, "message", (m) => m.body === "just between us");
      await bob.send({ to: `${room}/bot`, type: "chat", body: "just between us" });
      const message = await pm;
      expect(message.type).toBe("chat");
      expect(message.muc).toMatchObject({
        room,
        nick: "bob",
        realJid: "bob@localhost",
        isPrivate: true,
      });
    });

    it("retries a nickname conflict with a suffix", async () => {
      const room = newRoom("conflict");
      await aliceMuc.join(room);
      await bobMuc.join(room, { nickname: "bot" });
      const info = await botMuc.join(room);
      expect(info.nickname).toBe("bot_2");
      expect(botMuc.occupant(room, "bot")?.jid).toBe("bob@localhost");
      const mention = roomMessage(bot, room, "bot_2: you got a suffix");
      await aliceMuc.sendToRoom(room, "bot_2: you got a suffix");
      expect((await mention).muc?.mentioned).toBe(true);
    });

    it("reports a kick by an owner and stops rejoining", async () => {
      const room = newRoom("kick");
      await roomWithEveryone(room, false);
      const kicked = mucEvent(botMuc, "kicked", (e) => e.room === room);
      const seenByAlice = mucEvent(
        aliceMuc,
        "occupantLeft",
        (o) => o.room === room && o.nick === "bot",
      );
      await adminSet(room, { nick: "bot", role: "none" }, "out you go");
      expect(await kicked).toMatchObject({ room, reason: "out you go" });
      expect((await seenByAlice).reason).toBe("kicked");
      expect(botMuc.rooms().some((r) => r.jid === room)).toBe(false);
    });

    it("reports a ban, after which a join is refused with the server's reason", async () => {
      const room = newRoom("ban");
      await roomWithEveryone(room, false);
      const banned = mucEvent(botMuc, "banned", (e) => e.room === room);
      await adminSet(room, { jid: "bot@localhost", affiliation: "outcast" }, "banned for testing");
      expect(await banned).toMatchObject({ room, reason: "banned for testing" });
      const error = await botMuc.join(room).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MucError);
      expect((error as MucError).condition).toBe("forbidden");
      expect(botMuc.rooms().some((r) => r.jid === room)).toBe(false);
    });

    it("reports a destroyed room with the reason and alternate venue", async () => {
      const room = newRoom("doomed");
      const alternate = newRoom("elsewhere");
      await roomWithEveryone(room, false);
      const destroyed = mucEvent(botMuc, "destroyed", (e) => e.room === room);
      await aliceIq.set(
        xml(
          "query",
          { xmlns: NS_MUC_OWNER },
          xml("destroy", { jid: alternate }, xml("reason", {}, "moving house")),
        ),
        room,
      );
      expect(await destroyed).toEqual({
        room,
        reason: "moving house",
        alternate,
        password: undefined,
      });
      expect(botMuc.rooms().some((r) => r.jid === room)).toBe(false);
    });

    it("hides real JIDs in a semi-anonymous room", async () => {
      const room = newRoom("masked");
      await aliceMuc.join(room);
      await configureRoom(aliceIq, room, { "muc#roomconfig_whois": "moderators" });
      await bobMuc.join(room);
      await botMuc.join(room);
      expect(botMuc.occupant(room, "bob")).toMatchObject({ nick: "bob", jid: undefined });
      expect(botMuc.occupant(room, "alice")?.jid).toBeUndefined();
      // The owner moderates, so she still sees who the bot is.
      await until(
        () => aliceMuc.occupant(room, "bot") !== undefined,
        5_000,
        "alice to see the bot",
      );
      expect(aliceMuc.occupant(room, "bot")?.jid).toBe("bot@localhost");
      const said = roomMessage(bot, room, "who am I?");
      await bobMuc.sendToRoom(room, "who am I?");
      expect((await said).muc).toMatchObject({ nick: "bob", realJid: undefined });
    });

    it("surfaces mediated and direct invitations as events without joining", async () => {
      const room = newRoom("invite");
      await aliceMuc.join(room);
      const mediated = mucEvent(botMuc, "invite", (e) => e.room === room && e.kind === "mediated");
      await alice.send({
        to: room,
        type: "normal",
        children: [
          xml(
            "x",
            { xmlns: "http://jabber.org/protocol/muc#user" },
            xml("invite", { to: "bot@localhost" }, xml("reason", {}, "come in")),
          ),
        ],
      });
      expect(await mediated).toMatchObject({ room, from: "alice@localhost", reason: "come in" });

      const direct = mucEvent(botMuc, "invite", (e) => e.room === room && e.kind === "direct");
      await alice.send({
        to: "bot@localhost",
        type: "normal",
        children: [xml("x", { xmlns: "jabber:x:conference", jid: room, reason: "directly" })],
      });
      expect(await direct).toMatchObject({ room, from: "alice@localhost", reason: "directly" });
      expect(botMuc.rooms().some((r) => r.jid === room)).toBe(false);
    });

    it("changes its nickname and the others see the change", async () => {
      const room = newRoom("rename");
      await roomWithEveryone(room, false);
      const seen = mucEvent(aliceMuc, "nickChanged", (e) => e.room === room && e.oldNick === "bot");
      await botMuc.setNickname(room, "helper");
      expect(await seen).toMatchObject({ newNick: "helper", jid: "bot@localhost", self: false });
      expect(botMuc.rooms().find((r) => r.jid === room)?.nickname).toBe("helper");
      const mention = roomMessage(bot, room, "thanks, helper");
      await aliceMuc.sendToRoom(room, "thanks, helper");
      expect((await mention).muc?.mentioned).toBe(true);
      const refused = await botMuc.setNickname(room, "alice").catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MucError);
      expect((refused as MucError).condition).toBe("conflict");
    });

    it("flags the history it asked for on join, and live messages after it not", async () => {
      const room = newRoom("backlog");
      await aliceMuc.join(room);
      await aliceMuc.sendToRoom(room, "earlier, before the bot came");
      const got: InboundMessage[] = [];
      const off = bot.on("message", (m) => {
        if (m.from.bare === room && m.body) got.push(m);
      });
      await botMuc.join(room, { history: { maxStanzas: 10 } });
      const live = roomMessage(bot, room, "now, with the bot here");
      await aliceMuc.sendToRoom(room, "now, with the bot here");
      await live;
      off();
      expect(got.map((m) => [m.body, m.muc?.isHistory])).toEqual([
        ["earlier, before the bot came", true],
        ["now, with the bot here", false],
      ]);
    });

    it("notices a ghosted membership with self-ping (XEP-0410) and rejoins", async () => {
      await server.createAccount("ghost", "ghost");
      const room = newRoom("ghost");
      await aliceMuc.join(room);
      let swallow = false;
      // Lets the test make the room forget us without our plugin hearing about it.
      const blackhole = definePlugin("test-blackhole", (ctx, _options: Record<string, never>) => {
        ctx.inbound.use("guard", (c) => {
          if (swallow && c.stanza.name === "presence" && c.stanza.attrs.type === "unavailable")
            c.drop("test: swallowed");
        });
        return { stop() {} };
      });
      const ghost = clientFor(server, "ghost");
      clients.push(ghost);
      ghost.use(blackhole, {});
      const ghostMuc = ghost.use(muc, {
        nickname: "ghost",
        selfPingInterval: 300,
        selfPingTimeout: 1_000,
      });
      await ghost.start();
      await ghostMuc.join(room);
      const gone = mucEvent(aliceMuc, "occupantLeft", (o) => o.room === room && o.nick === "ghost");
      swallow = true;
      await ghost.sendStanza(xml("presence", { to: `${room}/ghost`, type: "unavailable" }));
      await gone;
      expect(ghostMuc.rooms().find((r) => r.jid === room)?.state).toBe("joined");
      swallow = false;
      const back = mucEvent(ghostMuc, "joined", (e) => e.room === room && e.rejoin, 15_000);
      const seen = mucEvent(
        aliceMuc,
        "occupantJoined",
        (o) => o.room === room && o.nick === "ghost",
        15_000,
      );
      expect(await back).toMatchObject({ nickname: "ghost" });
      expect((await seen).jid).toBe("ghost@localhost");
      await ghost.stop();
    });

    it("discovers public rooms on the conference service", async () => {
      const room = newRoom("listed");
      await aliceMuc.join(room);
      // Prosody lists a room once its configuration was saved.
      await configureRoom(aliceIq, room, { "muc#roomconfig_roomname": "The Listed Room" });
      const listing = await botMuc.discover(server.mucDomain);
      // ejabberd appends the occupant count to each room's name in disco#items.
      const name = kind === "ejabberd" ? "The Listed Room (1)" : "The Listed Room";
      expect(listing).toContainEqual({ jid: room, name });
    });

    it("finds the server's own conference service (disco#items + disco#info)", async () => {
      // The server lists its components; only the MUC service has a conference identity.
      expect(await botMuc.services()).toContain(server.mucDomain);
    });

    it("is back in all its rooms after the server restarts, with replayed history flagged", async () => {
      const roomA = newRoom("restart-a");
      const roomB = newRoom("restart-b");
      await aliceMuc.join(roomA);
      await aliceMuc.join(roomB);
      // Bots live in persistent rooms; a temporary room (and its archive) dies with the server.
      await configureRoom(aliceIq, roomA, { "muc#roomconfig_persistentroom": "1" });
      await configureRoom(aliceIq, roomB, { "muc#roomconfig_persistentroom": "1" });
      await botMuc.join(roomA);
      await botMuc.join(roomB, { history: { maxStanzas: 5 } });

      // No origin-id, so the core's duplicate filter lets the replay through and we can see its flag.
      const live = roomMessage(bot, roomB, "said before the restart");
      await alice.sendStanza(
        xml(
          "message",
          { to: roomB, type: "groupchat", id: "pre-restart-1" },
          xml("body", {}, "said before the restart"),
        ),
      );
      expect((await live).muc?.isHistory).toBe(false);

      const rejoinedA = mucEvent(botMuc, "joined", (e) => e.room === roomA && e.rejoin, 30_000);
      const rejoinedB = mucEvent(botMuc, "joined", (e) => e.room === roomB && e.rejoin, 30_000);
      const aliceBack = mucEvent(aliceMuc, "joined", (e) => e.room === roomA && e.rejoin, 30_000);
      const aliceBackB = mucEvent(aliceMuc, "joined", (e) => e.room === roomB && e.rejoin, 30_000);
      const replays: InboundMessage[] = [];
      const offReplays = bot.on("message", (m) => {
        if (m.from.bare === roomB && m.body === "said before the restart") replays.push(m);
      });
      await server.restart();
      await Promise.all([rejoinedA, rejoinedB, aliceBackB]);
      if (kind === "ejabberd") {
        // ejabberd keeps a room's join history in memory: the persistent room survives the restart
        // (the bot is back in it), its history does not. History precedes live traffic, so once a
        // live message arrived, no replay can follow.
        const first = roomMessage(bot, roomB, "first after the restart");
        await aliceMuc.sendToRoom(roomB, "first after the restart");
        expect((await first).muc?.isHistory).toBe(false);
        expect(replays).toEqual([]);
      } else {
        await until(() => replays.length > 0, 30_000, "the history replay");
        const replayed = replays[0];
        expect(replayed?.delay).toBeDefined();
        expect(replayed?.muc).toMatchObject({ room: roomB, isHistory: true, mentioned: false });
      }
      offReplays();
      expect(
        botMuc
          .rooms()
          .filter((r) => r.state === "joined")
          .map((r) => r.jid),
      ).toEqual(expect.arrayContaining([roomA, roomB]));

      // Live traffic after the rejoin is not history.
      await aliceBack;
      const after = roomMessage(bot, roomA, "welcome back, bot");
      await aliceMuc.sendToRoom(roomA, "welcome back, bot");
      expect((await after).muc).toMatchObject({ isHistory: false, mentioned: true });
    });
  });
});
