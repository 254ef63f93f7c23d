import {
  type Client,
  ConfigError,
  createComponentClient,
  type Element,
  type InboundMessage,
  xml,
} from "@clawxmpp/core";
import {
  archiveResult,
  type FakeServer,
  fakeClient,
  fakeServer,
  flush,
  iq,
  nextEvent,
  stanzaError,
  testPluginConformance,
} from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import { MucError } from "./muc-error.js";
import type { MucOptionsInput } from "./muc-options.js";
import { type MucHandle, muc } from "./muc-plugin.js";
import { destroyNotice } from "./muc-stanzas.fixture.js";
import type { MucEvents } from "./muc-types.js";
import { NS_MUC, NS_MUC_USER } from "./namespaces.js";

const ME = "bot@example.test";
const ROOM = "room@conference.example.test";

testPluginConformance(muc, { options: { nickname: "bot", rooms: [ROOM] } });

async function setup(
  options: Partial<MucOptionsInput> = {},
  start = true,
): Promise<{ server: FakeServer; client: Client; rooms: MucHandle }> {
  const { server, client } = fakeClient({
    jid: ME,
    reconnect: { initialDelay: 1, maxDelay: 5, jitter: 0 },
  });
  const rooms = client.use(muc, { nickname: "bot", selfPingInterval: 0, ...options });
  if (start) await client.start();
  return { server, client, rooms };
}

function occupantPresence(
  nick: string,
  item: Record<string, string>,
  codes: string[] = [],
  type?: string,
  room = ROOM,
  ...extra: Element[]
): Element {
  return xml(
    "presence",
    { from: `${room}/${nick}`, to: `${ME}/fake`, type },
    xml(
      "x",
      { xmlns: NS_MUC_USER },
      xml("item", item, ...extra),
      ...codes.map((code) => xml("status", { code })),
    ),
  );
}

/** Our own unavailable presence in ROOM with role none, status 110 and `code` (§15.2). */
const removal = (code: string, affiliation = "none", ...extra: Element[]) =>
  occupantPresence(
    "bot",
    { affiliation, role: "none" },
    ["110", code],
    "unavailable",
    ROOM,
    ...extra,
  );

/** The room's error presence to a join or nickname change as `nick` (RFC 6120 §8.3 stanza error). */
function refusal(
  nick: string,
  type: "auth" | "cancel" | "wait",
  condition: string,
  text?: string,
): Element {
  return xml(
    "presence",
    { from: `${ROOM}/${nick}`, type: "error" },
    stanzaError(type, condition, text),
  );
}

const isJoin =
  (room = ROOM) =>
  (el: Element) =>
    el.name === "presence" &&
    el.attrs.to?.startsWith(`${room}/`) === true &&
    el.getChild("x", NS_MUC) !== undefined;

/** The next room event's payload (the kit infers argument types for the client only). */
const nextRoomEvent = <K extends keyof MucEvents & string>(
  rooms: MucHandle,
  event: K,
): Promise<MucEvents[K][0]> =>
  nextEvent<MucEvents[K]>(rooms, event, { timeout: 2_000 }).then((args) => args[0]);

const nextMessage = (client: Client) =>
  nextEvent(client, "message", { timeout: 2_000 }).then(([message]) => message);

function subject(room = ROOM, text = ""): Element {
  return xml("message", { from: room, type: "groupchat" }, xml("subject", {}, text));
}

/** {@link setup}, then {@link joined}: the bot is in ROOM, where `others` were before it. */
async function inRoom(options: Partial<MucOptionsInput> = {}, others: Element[] = []) {
  const ctx = await setup(options);
  await joined(ctx.server, ctx.rooms, others);
  return ctx;
}

/** Joins ROOM as "bot" with the server answering like XEP-0045 §7.2.3 Example 24. */
async function joined(server: FakeServer, rooms: MucHandle, others: Element[] = []) {
  const join = rooms.join(ROOM);
  const request = await server.nextSent(isJoin());
  for (const other of others) server.receive(other);
  server.receive(
    occupantPresence("bot", { affiliation: "member", role: "participant", jid: `${ME}/fake` }, [
      "110",
    ]),
  );
  const info = await join;
  server.receive(subject(ROOM, "welcome"));
  await flush();
  return { info, request };
}

describe("joining (XEP-0045 §7.2)", () => {
  it("sends the join presence with no history and resolves on the self-presence (status 110)", async () => {
    const { server, rooms } = await setup();
    const events = nextRoomEvent(rooms, "joined");
    const join = rooms.join(ROOM, { password: "secret" });
    const request = await server.nextSent(isJoin());
    expect(request.attrs.to).toBe(`${ROOM}/bot`);
    const x = request.getChild("x", NS_MUC);
    expect(x?.getChild("history")?.attrs.maxstanzas).toBe("0");
    expect(x?.getChildText("password")).toBe("secret");
    server.receive(
      occupantPresence("bot", { affiliation: "owner", role: "moderator" }, ["110", "201"]),
    );
    const info = await join;
    expect(info).toMatchObject({
      jid: ROOM,
      nickname: "bot",
      state: "joined",
      role: "moderator",
      affiliation: "owner",
    });
    expect(await events).toMatchObject({ room: ROOM, created: true, rejoin: false });
    expect(rooms.rooms().map((r) => r.jid)).toEqual([ROOM]);
  });

  it("rejects with the server's condition and text when the join is refused (§7.2.7)", async () => {
    const { server, rooms } = await setup();
    const join = rooms.join(ROOM);
    await server.nextSent(isJoin());
    server.receive(refusal("bot", "auth", "not-authorized", "password required"));
    const error = await join.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MucError);
    expect(error).toMatchObject({
      code: "muc",
      condition: "not-authorized",
      text: "password required",
      room: ROOM,
    });
    expect(rooms.rooms()).toEqual([]);
  });

  it("fails with a timeout instead of pretending to be joined", async () => {
    const { rooms } = await setup({ joinTimeout: 30 });
    const error = await rooms.join(ROOM).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MucError);
    expect((error as MucError).condition).toBe("timeout");
    expect(rooms.rooms()).toEqual([]);
  });

  it("retries a nickname conflict (409) with a suffix", async () => {
    const { server, rooms } = await setup();
    const join = rooms.join(ROOM);
    await server.nextSent(isJoin());
    const retry = server.nextSent(isJoin());
    server.receive(refusal("bot", "cancel", "conflict"));
    expect((await retry).attrs.to).toBe(`${ROOM}/bot_2`);
    server.receive(
      occupantPresence("bot_2", { affiliation: "none", role: "participant" }, ["110"]),
    );
    expect((await join).nickname).toBe("bot_2");
  });

  it("gives up after the configured number of conflicts", async () => {
    const { server, rooms } = await setup({ nickConflictRetries: 1 });
    const join = rooms.join(ROOM);
    const conflict = (nick: string) => refusal(nick, "cancel", "conflict");
    await server.nextSent(isJoin());
    server.receive(conflict("bot"));
    await server.nextSent(isJoin());
    server.receive(conflict("bot_2"));
    await expect(join).rejects.toMatchObject({ condition: "conflict" });
  });

  it("writes groupchat to a room we are in, chat to its occupants and to everyone else", async () => {
    const { server, rooms } = await setup();
    expect(rooms.messageTypeFor(ROOM)).toBe("chat");
    await joined(server, rooms);
    expect(rooms.messageTypeFor(ROOM)).toBe("groupchat");
    expect(rooms.messageTypeFor(ROOM.toUpperCase())).toBe("groupchat");
    expect(rooms.messageTypeFor(`${ROOM}/alice`)).toBe("chat");
    expect(rooms.messageTypeFor("alice@example.test")).toBe("chat");
    expect(rooms.messageTypeFor("not a jid@")).toBe("chat");
  });

  it("rejects a room JID with a resource", async () => {
    const { rooms } = await setup();
    await expect(rooms.join(`${ROOM}/nick`)).rejects.toMatchObject({ condition: "jid-malformed" });
  });

  it("rejects bad options with a ConfigError naming the field", () => {
    const { client } = fakeClient({ jid: ME });
    expect(() => client.use(muc, { nickname: "bot", rooms: ["not a jid/x"] })).toThrow(ConfigError);
    expect(() => client.use(muc, { nickname: "bot", joinTimeout: -1 })).toThrow(
      /muc options\.joinTimeout/u,
    );
  });

  it("auto-joins configured rooms when the client comes online", async () => {
    const { server, client } = await setup(
      { rooms: [ROOM, { jid: "other@conference.example.test", nickname: "b2", password: "pw" }] },
      false,
    );
    const first = server.nextSent(isJoin());
    const second = server.nextSent(isJoin("other@conference.example.test"));
    await client.start();
    expect((await first).attrs.to).toBe(`${ROOM}/bot`);
    const other = await second;
    expect(other.attrs.to).toBe("other@conference.example.test/b2");
    expect(other.getChild("x", NS_MUC)?.getChildText("password")).toBe("pw");
  });
});

describe("staying joined", () => {
  it("rejoins after a non-resumed reconnect, and not after a resumed one", async () => {
    const { server, client, rooms } = await inRoom();
    const rejoin = server.nextSent(isJoin());
    const joinedAgain = nextRoomEvent(rooms, "joined");
    server.drop();
    await rejoin;
    expect(rooms.rooms()[0]?.state).toBe("joining");
    server.receive(
      occupantPresence("bot", { affiliation: "member", role: "participant" }, ["110"]),
    );
    expect(await joinedAgain).toMatchObject({ rejoin: true });

    const before = server.sent.filter(isJoin()).length;
    server.nextOpenResult = { resumed: true };
    const resumed = nextEvent(client, "online", { filter: (info) => info.resumed });
    server.drop();
    await resumed;
    await flush();
    expect(server.sent.filter(isJoin()).length).toBe(before);
    expect(rooms.rooms()[0]?.state).toBe("joined");
  });

  it("does not come back to a room joined with autoRejoin: false", async () => {
    const { server, rooms } = await setup();
    const join = rooms.join(ROOM, { autoRejoin: false });
    await server.nextSent(isJoin());
    server.receive(occupantPresence("bot", { affiliation: "none", role: "participant" }, ["110"]));
    await join;
    const left = nextRoomEvent(rooms, "left");
    const before = server.sent.filter(isJoin()).length;
    server.drop();
    expect(await left).toEqual({ room: ROOM });
    expect(server.sent.filter(isJoin()).length).toBe(before);
    expect(rooms.rooms()).toEqual([]);
  });

  it("retries a failed automatic join with backoff and reports it", async () => {
    const { server, client, rooms } = await setup({ rooms: [ROOM] }, false);
    const first = server.nextSent(isJoin());
    await client.start();
    await first;
    const failed = nextRoomEvent(rooms, "joinFailed");
    const second = server.nextSent(isJoin(), 5_000);
    server.receive(refusal("bot", "wait", "service-unavailable"));
    const report = await failed;
    expect(report).toMatchObject({ room: ROOM, willRetry: true });
    expect((report.error as MucError).condition).toBe("service-unavailable");
    expect(rooms.rooms()[0]?.state).toBe("offline");
    await second;
    expect(rooms.rooms()[0]?.state).toBe("joining");
  });

  it("rejoins when self-ping (XEP-0410) says we are no longer an occupant", async () => {
    const { server } = await inRoom({ selfPingInterval: 30 });
    const ping = await server.nextSent(
      (el) => el.name === "iq" && el.getChild("ping", "urn:xmpp:ping") !== undefined,
    );
    expect(ping.attrs).toMatchObject({ to: `${ROOM}/bot`, type: "get" });
    const rejoin = server.nextSent(isJoin());
    server.receive(
      xml(
        "iq",
        { type: "error", id: ping.attrs.id, from: `${ROOM}/bot` },
        stanzaError("cancel", "not-acceptable"),
      ),
    );
    expect((await rejoin).attrs.to).toBe(`${ROOM}/bot`);
  });

  it("while re-entering a room after self-ping, live messages stay live and occupants stay known", async () => {
    const { server, client, rooms } = await inRoom({ selfPingInterval: 30, selfPingTimeout: 20 }, [
      occupantPresence("alice", {
        affiliation: "member",
        role: "participant",
        jid: "alice@example.test/phone",
      }),
    ]);
    await server.nextSent((el) => el.name === "iq" && el.getChild("ping") !== undefined);
    await server.nextSent(isJoin());
    expect(rooms.rooms()[0]?.state).toBe("joining");
    // The room never saw us leave: a mention arrives before our new self-presence.
    const live = nextMessage(client);
    server.receive(
      xml(
        "message",
        { from: `${ROOM}/alice`, type: "groupchat", id: "live-1" },
        xml("body", {}, "bot: still there?"),
      ),
    );
    expect((await live).muc).toMatchObject({
      isHistory: false,
      mentioned: true,
      realJid: "alice@example.test",
    });
    // A replayed history message (delayed) is still history.
    const replay = nextMessage(client);
    server.receive(
      xml(
        "message",
        { from: `${ROOM}/alice`, type: "groupchat", id: "old-1" },
        xml("body", {}, "earlier"),
        xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2026-01-01T00:00:00Z", from: ROOM }),
      ),
    );
    expect((await replay).muc?.isHistory).toBe(true);
  });

  it("a fresh join still treats what comes before the subject as history", async () => {
    const { server, client, rooms } = await setup();
    const join = rooms.join(ROOM);
    await server.nextSent(isJoin());
    server.receive(
      occupantPresence("bot", { affiliation: "member", role: "participant", jid: `${ME}/fake` }, [
        "110",
      ]),
    );
    await join;
    const early = nextMessage(client);
    server.receive(
      xml("message", { from: `${ROOM}/alice`, type: "groupchat" }, xml("body", {}, "old news")),
    );
    expect((await early).muc?.isHistory).toBe(true);
  });

  it("treats an unanswered self-ping as a lost membership", async () => {
    const { server } = await inRoom({ selfPingInterval: 30, selfPingTimeout: 20 });
    await server.nextSent((el) => el.name === "iq" && el.getChild("ping") !== undefined);
    expect((await server.nextSent(isJoin())).attrs.to).toBe(`${ROOM}/bot`);
  });

  it("does not rejoin when self-ping is answered", async () => {
    const { server } = await inRoom({ selfPingInterval: 40 });
    const ping = await server.nextSent(
      (el) => el.name === "iq" && el.getChild("ping") !== undefined,
    );
    const joinsBefore = server.sent.filter(isJoin()).length;
    server.receive(iq("result", { id: ping.attrs.id ?? "", from: `${ROOM}/bot` }));
    await server.nextSent((el) => el.name === "iq" && el.getChild("ping") !== undefined);
    expect(server.sent.filter(isJoin()).length).toBe(joinsBefore);
  });

  it("rejoins a room that shut down (332) and reports it", async () => {
    const { server, rooms } = await inRoom();
    const shutdown = nextRoomEvent(rooms, "shutdown");
    const rejoin = server.nextSent(isJoin(), 5_000);
    server.receive(removal("332"));
    expect(await shutdown).toEqual({ room: ROOM });
    await rejoin;
  });
});

describe("removal events (§15.2 status codes)", () => {
  it("reports a kick (307) with actor and reason and stops rejoining", async () => {
    const { server, rooms } = await inRoom();
    const kicked = nextRoomEvent(rooms, "kicked");
    server.receive(
      removal(
        "307",
        "none",
        xml("actor", { nick: "Fluellen" }),
        xml("reason", {}, "Avaunt, you cullion!"),
      ),
    );
    expect(await kicked).toEqual({ room: ROOM, actor: "Fluellen", reason: "Avaunt, you cullion!" });
    expect(rooms.rooms()).toEqual([]);
  });

  it("reports a ban (301)", async () => {
    const { server, rooms } = await inRoom();
    const banned = nextRoomEvent(rooms, "banned");
    server.receive(removal("301", "outcast"));
    expect((await banned).room).toBe(ROOM);
    expect(rooms.rooms()).toEqual([]);
  });

  it("reports a destroyed room with reason and alternate venue (§10.9)", async () => {
    const { server, rooms } = await inRoom();
    const destroyed = nextRoomEvent(rooms, "destroyed");
    server.receive(destroyNotice(`${ROOM}/bot`, ["110"]));
    expect(await destroyed).toEqual({
      room: ROOM,
      reason: "Macbeth doth come.",
      alternate: "coven@chat.shakespeare.lit",
      password: undefined,
    });
  });

  it("reports removal on affiliation change (321)", async () => {
    const { server, rooms } = await inRoom();
    const removed = nextRoomEvent(rooms, "removed");
    server.receive(removal("321"));
    expect(await removed).toMatchObject({ room: ROOM, code: "321" });
  });

  it("leaves on request (§7.14)", async () => {
    const { server, rooms } = await inRoom();
    const exit = server.nextSent((el) => el.name === "presence" && el.attrs.type === "unavailable");
    const left = nextRoomEvent(rooms, "left");
    const leaving = rooms.leave(ROOM, "bye");
    const stanza = await exit;
    expect(stanza.attrs.to).toBe(`${ROOM}/bot`);
    server.receive(
      occupantPresence("bot", { affiliation: "member", role: "none" }, ["110"], "unavailable"),
    );
    await leaving;
    expect(await left).toEqual({ room: ROOM });
    expect(rooms.rooms()).toEqual([]);
  });
});

describe("occupants", () => {
  it("tracks nick ↔ real JID, role and affiliation, joins, leaves and nick changes (303)", async () => {
    const { server, rooms } = await inRoom({}, [
      occupantPresence("alice", {
        affiliation: "owner",
        role: "moderator",
        jid: "Alice@Example.test/phone",
      }),
    ]);
    expect(rooms.occupant(ROOM, "alice")).toEqual({
      room: ROOM,
      nick: "alice",
      jid: "alice@example.test",
      role: "moderator",
      affiliation: "owner",
    });
    const joinedEvent = nextRoomEvent(rooms, "occupantJoined");
    server.receive(occupantPresence("carol", { affiliation: "none", role: "participant" }));
    expect(await joinedEvent).toMatchObject({ nick: "carol", jid: undefined });

    const renamed = nextRoomEvent(rooms, "nickChanged");
    server.receive(
      occupantPresence(
        "alice",
        {
          affiliation: "owner",
          role: "moderator",
          nick: "alicia",
          jid: "alice@example.test/phone",
        },
        ["303"],
        "unavailable",
      ),
    );
    expect(await renamed).toEqual({
      room: ROOM,
      oldNick: "alice",
      newNick: "alicia",
      jid: "alice@example.test",
      self: false,
    });
    expect(rooms.occupant(ROOM, "alicia")?.jid).toBe("alice@example.test");
    expect(rooms.occupant(ROOM, "alice")).toBeUndefined();

    const left = nextRoomEvent(rooms, "occupantLeft");
    server.receive(
      occupantPresence("carol", { affiliation: "none", role: "none" }, ["307"], "unavailable"),
    );
    expect(await left).toMatchObject({ nick: "carol", reason: "kicked" });
    expect(
      rooms
        .occupants(ROOM)
        .map((o) => o.nick)
        .sort(),
    ).toEqual(["alicia", "bot"]);
  });

  it("bounds the roster per room", async () => {
    const { server, rooms } = await inRoom({ maxOccupants: 3 });
    for (let i = 0; i < 10; i++)
      server.receive(occupantPresence(`u${i}`, { affiliation: "none", role: "participant" }));
    await flush();
    expect(rooms.occupants(ROOM)).toHaveLength(3);
  });

  it("ignores muc#user presences from rooms we did not join", async () => {
    const { server, client, rooms } = await setup();
    const seen: string[] = [];
    client.on("presence", (p) => seen.push(p.from.full));
    server.receive(
      occupantPresence(
        "mallory",
        { affiliation: "owner", role: "moderator" },
        ["110"],
        undefined,
        "fake@evil.example",
      ),
    );
    await flush();
    expect(rooms.rooms()).toEqual([]);
    expect(rooms.occupants("fake@evil.example")).toEqual([]);
    expect(seen).toEqual([]);
  });
});

describe("room messages", () => {
  const withAlice = () =>
    inRoom({}, [
      occupantPresence("alice", {
        affiliation: "member",
        role: "participant",
        jid: "alice@example.test/x",
      }),
    ]);

  const groupchat = (nick: string, body: string, ...children: Element[]) =>
    xml(
      "message",
      { from: `${ROOM}/${nick}`, type: "groupchat", id: `m${Math.random()}` },
      xml("body", {}, body),
      ...children,
    );

  it("annotates sender real JID, role, the room's stanza-id and a mention", async () => {
    const { server, client } = await withAlice();
    const received = nextMessage(client);
    server.receive(
      groupchat(
        "alice",
        "Bot: hello",
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "room-sid-1", by: ROOM }),
      ),
    );
    const m = await received;
    expect(m.muc).toEqual({
      room: ROOM,
      nick: "alice",
      realJid: "alice@example.test",
      role: "participant",
      affiliation: "member",
      isHistory: false,
      roomStanzaId: "room-sid-1",
      mentioned: true,
      isPrivate: false,
      isOwn: false,
    });
  });

  it("does not flag a non-mention, and flags an XEP-0372 mention", async () => {
    const { server, client } = await withAlice();
    let received = nextMessage(client);
    server.receive(groupchat("alice", "robotics and bots"));
    expect((await received).muc?.mentioned).toBe(false);
    received = nextMessage(client);
    server.receive(
      groupchat(
        "alice",
        "hi you",
        xml("reference", {
          xmlns: "urn:xmpp:reference:0",
          type: "mention",
          uri: `xmpp:${ROOM}/bot`,
        }),
      ),
    );
    expect((await received).muc?.mentioned).toBe(true);
  });

  it("flags delayed messages and messages before the subject as history", async () => {
    const { server, client, rooms } = await setup();
    const got: InboundMessage[] = [];
    client.on("message", (m) => got.push(m));
    const join = rooms.join(ROOM);
    await server.nextSent(isJoin());
    server.receive(occupantPresence("bot", { affiliation: "none", role: "participant" }, ["110"]));
    await join;
    server.receive(
      groupchat(
        "alice",
        "old",
        xml("delay", { xmlns: "urn:xmpp:delay", stamp: "2002-10-13T23:58:37Z", from: ROOM }),
      ),
    );
    server.receive(groupchat("alice", "undelayed but before the subject"));
    server.receive(subject(ROOM, "topic"));
    server.receive(groupchat("alice", "live"));
    await flush();
    expect(got.map((m) => [m.body ?? m.subject, m.muc?.isHistory])).toEqual([
      ["old", true],
      ["undelayed but before the subject", true],
      ["topic", true],
      ["live", false],
    ]);
    expect(rooms.rooms()[0]?.subject).toBe("topic");
  });

  it("recognises our own reflection by origin-id, not by nickname alone", async () => {
    const { server, client, rooms } = await withAlice();
    const out = server.nextSent((el) => el.name === "message");
    const { id } = await rooms.sendToRoom(ROOM, "hello room");
    const stanza = await out;
    expect(stanza.attrs).toMatchObject({ to: ROOM, type: "groupchat" });
    let received = nextMessage(client);
    server.receive(
      xml(
        "message",
        { from: `${ROOM}/bot`, type: "groupchat", id },
        xml("body", {}, "hello room"),
        xml("origin-id", { xmlns: "urn:xmpp:sid:0", id }),
      ),
    );
    expect((await received).muc).toMatchObject({ isOwn: true, mentioned: false });
    received = nextMessage(client);
    server.receive(groupchat("bot", "bot: impostor with our nick"));
    expect((await received).muc).toMatchObject({ isOwn: false });
  });

  it("sends client.send({ to: room }) as groupchat", async () => {
    const { server, client } = await withAlice();
    const out = server.nextSent((el) => el.name === "message");
    await client.send({ to: ROOM, body: "x" });
    expect((await out).attrs.type).toBe("groupchat");
  });

  it("drops groupchat from a room we are not in", async () => {
    const { server, client } = await withAlice();
    const got: InboundMessage[] = [];
    client.on("message", (m) => got.push(m));
    server.receive(
      xml(
        "message",
        { from: "other@conference.example.test/x", type: "groupchat" },
        xml("body", {}, "spam"),
      ),
    );
    await flush();
    expect(got).toEqual([]);
  });

  it("distinguishes private messages through the room (§7.5)", async () => {
    const { server, client } = await withAlice();
    const received = nextMessage(client);
    server.receive(
      xml(
        "message",
        { from: `${ROOM}/alice`, type: "chat" },
        xml("body", {}, "psst"),
        xml("x", { xmlns: NS_MUC_USER }),
      ),
    );
    expect((await received).muc).toMatchObject({
      isPrivate: true,
      nick: "alice",
      realJid: "alice@example.test",
      room: ROOM,
    });
  });

  it("emits invitations as events and keeps them out of the message stream", async () => {
    const { server, client, rooms } = await setup();
    const got: InboundMessage[] = [];
    client.on("message", (m) => got.push(m));
    const mediated = nextRoomEvent(rooms, "invite");
    server.receive(
      xml(
        "message",
        { from: "coven@chat.shakespeare.lit", to: ME },
        xml(
          "x",
          { xmlns: NS_MUC_USER },
          xml("invite", { from: "crone1@shakespeare.lit/desktop" }, xml("reason", {}, "join us")),
        ),
      ),
    );
    expect(await mediated).toMatchObject({
      room: "coven@chat.shakespeare.lit",
      from: "crone1@shakespeare.lit",
      kind: "mediated",
    });
    const direct = nextRoomEvent(rooms, "invite");
    server.receive(
      xml(
        "message",
        { from: "crone1@shakespeare.lit/desktop", to: ME },
        xml("x", { xmlns: "jabber:x:conference", jid: "darkcave@macbeth.shakespeare.lit" }),
      ),
    );
    expect(await direct).toMatchObject({
      room: "darkcave@macbeth.shakespeare.lit",
      kind: "direct",
    });
    await flush();
    expect(got).toEqual([]);
    expect(rooms.rooms()).toEqual([]);
  });
});

describe("discovery", () => {
  it("lists rooms with disco#items (§6.3)", async () => {
    const { server, rooms } = await setup();
    const listing = rooms.discover("conference.example.test");
    const request = await server.nextSent((el) => el.name === "iq");
    expect(request.attrs).toMatchObject({ type: "get", to: "conference.example.test" });
    server.receive(
      iq(
        "result",
        { id: request.attrs.id ?? "", from: "conference.example.test" },
        xml(
          "query",
          { xmlns: "http://jabber.org/protocol/disco#items" },
          xml("item", { jid: "heath@chat.shakespeare.lit", name: "A Lonely Heath" }),
          xml("item", { jid: "bad jid@" }),
        ),
      ),
    );
    expect(await listing).toEqual([{ jid: "heath@chat.shakespeare.lit", name: "A Lonely Heath" }]);
  });
});

describe("service discovery (§6.1)", () => {
  it("finds the server's conference services: disco#items, then disco#info per item", async () => {
    const { server, rooms } = await setup();
    const found = rooms.services();
    const items = await server.nextSent((el) => el.name === "iq");
    expect(items.attrs).toMatchObject({ type: "get", to: "example.test" });
    const answer = (id: string, from: string, ...children: Element[]) =>
      server.receive(iq("result", { id, from }, ...children));
    const infoOf = (from: string) =>
      server.nextSent((el) => el.name === "iq" && el.attrs.to === from);
    const conference = infoOf("conference.example.test");
    const upload = infoOf("upload.example.test");
    answer(
      items.attrs.id ?? "",
      "example.test",
      xml(
        "query",
        { xmlns: "http://jabber.org/protocol/disco#items" },
        xml("item", { jid: "conference.example.test" }),
        xml("item", { jid: "upload.example.test" }),
        xml("item", { jid: "someone@example.test" }),
      ),
    );
    const identity = (category: string, type: string) =>
      xml(
        "query",
        { xmlns: "http://jabber.org/protocol/disco#info" },
        xml("identity", { category, type }),
      );
    answer(
      (await conference).attrs.id ?? "",
      "conference.example.test",
      identity("conference", "text"),
    );
    answer((await upload).attrs.id ?? "", "upload.example.test", identity("store", "file"));
    expect(await found).toEqual(["conference.example.test"]);
  });
});

describe("nickname changes (§7.6)", () => {
  it("changes our nickname and tracks the 303 + 110 pair", async () => {
    const { server, rooms } = await inRoom();
    const request = server.nextSent(
      (el) => el.name === "presence" && el.attrs.to === `${ROOM}/oldhag`,
    );
    const changed = nextRoomEvent(rooms, "nickChanged");
    const change = rooms.setNickname(ROOM, "oldhag");
    const stanza = await request;
    expect(stanza.getChild("x", NS_MUC)).toBeUndefined();
    server.receive(
      occupantPresence(
        "bot",
        { affiliation: "member", role: "participant", nick: "oldhag" },
        ["303", "110"],
        "unavailable",
      ),
    );
    server.receive(
      occupantPresence("oldhag", { affiliation: "member", role: "participant" }, ["110"]),
    );
    await change;
    expect(await changed).toMatchObject({ oldNick: "bot", newNick: "oldhag", self: true });
    expect(rooms.rooms()[0]?.nickname).toBe("oldhag");
    expect(rooms.occupant(ROOM, "oldhag")).toBeDefined();
    expect(rooms.occupant(ROOM, "bot")).toBeUndefined();
  });

  it("rejects a nickname change the room refuses (§7.6.3 conflict)", async () => {
    const { server, rooms } = await inRoom();
    const change = rooms.setNickname(ROOM, "alice");
    await server.nextSent((el) => el.name === "presence" && el.attrs.to === `${ROOM}/alice`);
    server.receive(refusal("alice", "cancel", "conflict"));
    await expect(change).rejects.toMatchObject({ condition: "conflict" });
    expect(rooms.rooms()[0]).toMatchObject({ nickname: "bot", state: "joined" });
  });
});

describe("subject", () => {
  it("reports the initial subject once and later changes, not repeats", async () => {
    const { server, rooms } = await setup();
    const seen: MucEvents["subjectChanged"][0][] = [];
    rooms.on("subjectChanged", (e) => seen.push(e));
    await joined(server, rooms);
    server.receive(subject(ROOM, "welcome"));
    server.receive(
      xml("message", { from: `${ROOM}/alice`, type: "groupchat" }, xml("subject", {}, "new topic")),
    );
    await flush();
    expect(seen).toEqual([
      { room: ROOM, subject: "welcome", nick: undefined, initial: true },
      { room: ROOM, subject: "new topic", nick: "alice", initial: false },
    ]);
  });
});

describe("lifecycle", () => {
  it("rejects a pending join when the plugin stops", async () => {
    const { server, rooms } = await setup();
    const join = rooms.join(ROOM);
    await server.nextSent(isJoin());
    await rooms.stop();
    await expect(join).rejects.toMatchObject({ condition: "stopped" });
  });

  it("joins configured rooms right away when added to an online client", async () => {
    const { server, client, rooms } = await setup({}, true);
    await rooms.stop();
    const join = server.nextSent(isJoin());
    client.use(muc, { nickname: "late", rooms: [ROOM], selfPingInterval: 0 });
    expect((await join).attrs.to).toBe(`${ROOM}/late`);
  });
});

describe("hostile or malformed input", () => {
  it("survives junk room presences and messages without losing the membership", async () => {
    const { server, client, rooms } = await inRoom();
    const junk = [
      xml("presence", { from: `${ROOM}/x` }, xml("x", { xmlns: NS_MUC_USER })),
      xml(
        "presence",
        { from: `${ROOM}/y` },
        xml("x", { xmlns: NS_MUC_USER }, xml("item", { jid: "not a jid@@" })),
      ),
      xml(
        "presence",
        { from: `${ROOM}/z`, type: "unavailable" },
        xml("x", { xmlns: NS_MUC_USER }, xml("status", { code: "303" })),
      ),
      xml("presence", { from: ROOM, type: "unavailable" }),
      xml("presence", { from: `${ROOM}/bot`, type: "error" }),
      xml(
        "message",
        { from: `${ROOM}/q`, type: "groupchat" },
        xml("reference", { xmlns: "urn:xmpp:reference:0", type: "mention", uri: "xmpp:%E0%A4%A" }),
      ),
      xml("message", { from: ROOM }, xml("x", { xmlns: NS_MUC_USER }, xml("invite", {}))),
      xml("message", { from: "a@b/c" }, xml("x", { xmlns: "jabber:x:conference", jid: "@@" })),
    ];
    const got: InboundMessage[] = [];
    client.on("message", (m) => got.push(m));
    for (const stanza of junk) server.receive(stanza);
    await flush();
    expect(rooms.rooms()[0]).toMatchObject({ jid: ROOM, state: "joined", nickname: "bot" });
    expect(rooms.occupant(ROOM, "y")?.jid).toBeUndefined();
    expect(got.find((m) => m.from.resource === "q")?.muc?.mentioned).toBe(false);
    const live = nextMessage(client);
    server.receive(
      xml("message", { from: `${ROOM}/x`, type: "groupchat" }, xml("body", {}, "still here")),
    );
    expect((await live).muc?.room).toBe(ROOM);
  });
});

describe("on a component", () => {
  it("refuses with a clear error: joining rooms needs an account's session", () => {
    const component = createComponentClient("bots.example.org", {
      password: "secret",
      transport: fakeServer().factory,
    });
    expect(() => component.use(muc, { nickname: "bot" })).toThrow(
      /\[muc\] joining rooms needs an account's session/u,
    );
  });
});

describe("room archive history (XEP-0313 §7)", () => {
  const features = (...vars: string[]) =>
    xml(
      "query",
      { xmlns: "http://jabber.org/protocol/disco#info" },
      ...vars.map((v) => xml("feature", { var: v })),
    );
  const archived = (from: string, queryid: string, id: string, nick: string, body: string) =>
    archiveResult(
      from,
      `${ME}/fake`,
      { queryid, id, stamp: "2026-11-30T09:00:00Z" },
      xml(
        "message",
        { from: `${ROOM}/${nick}`, type: "groupchat", id: `o-${id}` },
        xml("body", {}, body),
      ),
    );

  it("asks disco#info, then the newest page of the room's archive", async () => {
    const { server, rooms } = await setup();
    const info = server.nextSent((el) => el.name === "iq" && el.attrs.to === ROOM);
    const history = rooms.history(ROOM, { max: 3 });
    server.receive(
      iq(
        "result",
        { id: (await info).attrs.id ?? "", from: ROOM },
        features(NS_MUC, "urn:xmpp:mam:2"),
      ),
    );
    const query = await server.nextSent(
      (el) => el.getChild("query", "urn:xmpp:mam:2") !== undefined,
    );
    expect(query.attrs.to).toBe(ROOM);
    const rsm = query.getChild("query", "urn:xmpp:mam:2")?.getChild("set");
    expect(rsm?.getChildText("max")).toBe("3");
    expect(rsm?.getChild("before")).toBeDefined();
    const queryid = query.getChild("query", "urn:xmpp:mam:2")?.attrs.queryid ?? "";
    server.receive(archived("mallory@evil.test", queryid, "x", "mallory", "forged"));
    server.receive(archived(ROOM, queryid, "a1", "alice", "hello"));
    server.receive(archived(ROOM, queryid, "a2", "carol", "hi alice"));
    server.receive(
      iq(
        "result",
        { id: query.attrs.id ?? "", from: ROOM },
        xml("fin", { xmlns: "urn:xmpp:mam:2", complete: "true" }),
      ),
    );
    const got = await history;
    expect(got.unavailable).toBeUndefined();
    expect(got.complete).toBe(true);
    expect(got.messages.map((m) => [m.archiveId, m.nick, m.message.body])).toEqual([
      ["a1", "alice", "hello"],
      ["a2", "carol", "hi alice"],
    ]);
  });

  it("fetches nothing from a room without urn:xmpp:mam:2, and says why", async () => {
    const { server, rooms } = await setup();
    const info = server.nextSent((el) => el.name === "iq" && el.attrs.to === ROOM);
    const history = rooms.history(ROOM, { max: 3 });
    server.receive(iq("result", { id: (await info).attrs.id ?? "", from: ROOM }, features(NS_MUC)));
    const got = await history;
    expect(got.messages).toEqual([]);
    expect(got.unavailable).toMatch(/does not advertise urn:xmpp:mam:2/);
    expect(server.sent.some((el) => el.getChild("query", "urn:xmpp:mam:2") !== undefined)).toBe(
      false,
    );
  });
});
