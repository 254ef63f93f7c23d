/**
 * `@clawxmpp/markers` against a real Prosody 0.12 with two clients that both
 * use the plugin: receipts, chat markers, chat states, reactions, replies,
 * corrections and retractions round-trip 1:1, and in a room (created by
 * joining it) reactions, replies, markers and corrections use the room's
 * XEP-0359 stanza-id.
 */
import {
  type Client,
  definePlugin,
  type InboundMessage,
  type InboundPresence,
  xml,
} from "@clawxmpp/core";
import { type MarkersEvents, type MarkersHandle, markers } from "@clawxmpp/markers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, serverKinds, startServer, type XmppServer } from "../src/index.js";
import { nextEvent } from "./helpers.js";

describe.each(serverKinds())("markers against %s", (kind) => {
  let server: XmppServer;
  const clients: Client[] = [];
  let alice: Client;
  let bob: Client;
  let aliceMarkers: MarkersHandle;
  let bobMarkers: MarkersHandle;
  let counter = 0;

  function markersEvent<K extends keyof MarkersEvents & string>(
    handle: MarkersHandle,
    event: K,
    match: (value: MarkersEvents[K][0]) => boolean = () => true,
    ms = 10_000,
  ): Promise<MarkersEvents[K][0]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no matching markers "${event}" within ${ms} ms`));
      }, ms);
      const off = handle.on(event, ((value: MarkersEvents[K][0]) => {
        if (!match(value)) return;
        clearTimeout(timer);
        off();
        resolve(value);
      }) as never);
    });
  }

  function messageWithBody(client: Client, body: string, ms = 10_000): Promise<InboundMessage> {
    return nextEvent<InboundMessage>(client, "message", (m) => m.body === body, ms);
  }

  function unique(label: string): string {
    counter++;
    return `${label} ${counter} ${Math.random().toString(36).slice(2, 6)}`;
  }

  async function startWithMarkers(user: string) {
    const client = clientFor(server, user);
    clients.push(client);
    const handle = client.use(markers, { chatStates: { throttle: 0 } });
    await client.start();
    // Acknowledged by the server (XEP-0198), so the session is available before anyone messages it.
    await client.sendPresence();
    return { client, handle };
  }

  beforeAll(async () => {
    server = await startServer({ kind });
    ({ client: alice, handle: aliceMarkers } = await startWithMarkers("alice"));
    ({ client: bob, handle: bobMarkers } = await startWithMarkers("bob"));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    await server?.stop();
  });

  /** The client has no public IQ API; a one-line plugin lends the test its IQ caller. */
  const iqAccess = definePlugin("test-iq", (ctx, _options: Record<string, never>) => ({
    iq: ctx.iq,
    stop() {},
  }));

  describe("1:1", () => {
    it("advertises every feature in disco#info so clients enable them", async () => {
      const { iq } = bob.use(iqAccess, {});
      const result = await iq.get(
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
        alice.jid?.full,
      );
      const features = (result.getChild("query") ?? result)
        .getChildren("feature")
        .map((f) => f.attrs.var)
        .filter((f) => f !== undefined);
      expect(features).toEqual(
        expect.arrayContaining([
          "urn:xmpp:receipts",
          "urn:xmpp:chat-markers:0",
          "http://jabber.org/protocol/chatstates",
          "urn:xmpp:reactions:0",
          "urn:xmpp:reply:0",
          "urn:xmpp:fallback:0",
          "urn:xmpp:message-correct:0",
          "urn:xmpp:message-retract:1",
        ]),
      );
    });

    it("requests, answers and reports delivery receipts and displayed markers", async () => {
      const body = unique("receipt please");
      const receipt = markersEvent(aliceMarkers, "receipt");
      const arrived = messageWithBody(bob, body);
      const { id } = await alice.send({ to: "bob@localhost", body });
      const message = await arrived;
      expect(message.markers?.receiptRequested).toBe(true);
      expect(message.markers?.markable).toBe(true);
      expect(message.markers?.signalOnly).toBe(false);
      const got = await receipt;
      expect(got.id).toBe(id);
      expect(got.from.bare).toBe("bob@localhost");
      expect(got.message.markers?.signalOnly).toBe(true);

      const displayed = markersEvent(aliceMarkers, "marker", (e) => e.marker === "displayed");
      expect(await bobMarkers.markDisplayed(message)).toBe(true);
      const marker = await displayed;
      expect(marker.id).toBe(id);
      expect(marker.conversation).toBe("bob@localhost");
    });

    it("shows typing only after the contact sent a chat state, and the reply ends it", async () => {
      // bot never used chat states: nothing but the body may reach it.
      const bot = clientFor(server, "bot");
      clients.push(bot);
      await bot.start();
      await bot.sendPresence();
      const botReceived: InboundMessage[] = [];
      bot.on("message", (m) => botReceived.push(m));
      expect(aliceMarkers.supportsChatStates("bot@localhost")).toBe(false);
      await aliceMarkers.composing("bot@localhost");
      const toBot = unique("no typing for you");
      const botGot = messageWithBody(bot, toBot);
      await alice.send({ to: "bot@localhost", body: toBot });
      await botGot;
      expect(botReceived.map((m) => m.body)).toEqual([toBot]);
      await bot.stop();

      // bob's messages announce <active/>, so alice learns bob supports chat states.
      const hello = unique("hello alice");
      const fromBob = messageWithBody(alice, hello);
      await bob.send({ to: "alice@localhost", body: hello });
      expect((await fromBob).markers?.chatState).toBe("active");
      expect(aliceMarkers.supportsChatStates("bob@localhost")).toBe(true);

      const typing = markersEvent(bobMarkers, "chatState", (e) => e.state === "composing");
      await aliceMarkers.composing("bob@localhost");
      const composing = await typing;
      expect(composing.from.bare).toBe("alice@localhost");
      expect(composing.message.body).toBeUndefined();
      expect(composing.message.markers?.signalOnly).toBe(true);

      const answer = unique("here is my answer");
      const replyArrived = messageWithBody(bob, answer);
      await alice.send({ to: "bob@localhost", body: answer });
      expect((await replyArrived).markers?.chatState).toBe("active");
    });

    it("adds, replaces and removes reactions, referencing the origin-id", async () => {
      const body = unique("react to me");
      const arrived = messageWithBody(bob, body);
      const { id } = await alice.send({ to: "bob@localhost", body });
      const message = await arrived;
      expect(bobMarkers.targetIdFor(message)).toBe(id);

      const first = markersEvent(aliceMarkers, "reaction");
      await bobMarkers.reactTo(message, ["👍", "🎉"]);
      const added = await first;
      expect(added).toMatchObject({
        targetId: id,
        emojis: ["👍", "🎉"],
        conversation: "bob@localhost",
      });
      expect(added.message.markers?.signalOnly).toBe(true);

      const second = markersEvent(aliceMarkers, "reaction");
      await bobMarkers.reactTo(message, ["🎉"]);
      expect((await second).emojis).toEqual(["🎉"]);

      const third = markersEvent(aliceMarkers, "reaction");
      await bobMarkers.react("alice@localhost", id, []);
      expect((await third).emojis).toEqual([]);
    });

    it("replies with a quoted fallback that the receiver strips", async () => {
      const body = unique("what is the answer?");
      const arrived = messageWithBody(bob, body);
      const { id } = await alice.send({ to: "bob@localhost", body });
      const message = await arrived;

      const reply = markersEvent(aliceMarkers, "reply");
      await bobMarkers.replyTo(message, "42");
      const got = await reply;
      expect(got.replyTo.id).toBe(id);
      expect(got.replyTo.jid?.bare).toBe("alice@localhost");
      expect(got.body).toBe("42");
      expect(got.message.body).toBe(`> ${body}\n42`);
      expect(got.message.markers?.bodyWithoutFallback).toBe("42");
    });

    it("corrects and retracts a message", async () => {
      const body = unique("teh typo");
      const arrived = messageWithBody(bob, body);
      const { id } = await alice.send({ to: "bob@localhost", body });
      await arrived;

      const correction = markersEvent(bobMarkers, "correction");
      await aliceMarkers.correct("bob@localhost", id, "the typo");
      const corrected = await correction;
      expect(corrected.replaces).toBe(id);
      expect(corrected.body).toBe("the typo");
      expect(corrected.from.bare).toBe("alice@localhost");

      const retraction = markersEvent(bobMarkers, "retraction");
      await aliceMarkers.retract("bob@localhost", id);
      const retracted = await retraction;
      expect(retracted.id).toBe(id);
      expect(retracted.message.markers?.signalOnly).toBe(true);
      expect(retracted.message.markers?.bodyWithoutFallback).toBe("");
    });
  });

  describe("in a room", () => {
    let room: string;

    async function join(client: Client, nick: string): Promise<void> {
      const joined = nextEvent<InboundPresence>(
        client,
        "presence",
        (p) => p.from.full === `${room}/${nick}`,
      );
      await client.sendStanza(
        xml(
          "presence",
          { to: `${room}/${nick}` },
          xml("x", { xmlns: "http://jabber.org/protocol/muc" }, xml("history", { maxstanzas: 0 })),
        ),
      );
      await joined;
    }

    beforeAll(async () => {
      room = `markers-${Math.random().toString(36).slice(2, 8)}@${server.mucDomain}`;
      await join(alice, "alice");
      await join(bob, "bob");
    });

    /** Alice says `body` in the room; resolves with her reflected copy and bob's copy. */
    async function aliceSays(body: string) {
      const reflected = messageWithBody(alice, body);
      const atBob = messageWithBody(bob, body);
      const { id } = await alice.send({ to: room, type: "groupchat", body });
      return { id, reflected: await reflected, atBob: await atBob };
    }

    it("a reaction to a room message uses the room's stanza-id and reaches the author with it", async () => {
      const { id, reflected, atBob } = await aliceSays(unique("vote in the room"));
      const stanzaId = atBob.stanzaIds[room];
      expect(stanzaId).toBeDefined();
      expect(stanzaId).not.toBe(id);
      expect(reflected.stanzaIds[room]).toBe(stanzaId);
      expect(bobMarkers.targetIdFor(atBob)).toBe(stanzaId);
      expect(atBob.markers?.markable).toBe(true);
      expect(atBob.markers?.receiptRequested).toBe(false);

      const reaction = markersEvent(
        aliceMarkers,
        "reaction",
        (e) => e.type === "groupchat" && e.from.full === `${room}/bob`,
      );
      await bobMarkers.reactTo(atBob, ["🔥"]);
      const got = await reaction;
      expect(got.targetId).toBe(stanzaId);
      expect(got.targetId).toBe(aliceMarkers.targetIdFor(reflected));
      expect(got.emojis).toEqual(["🔥"]);
      expect(got.conversation).toBe(room);
    });

    it("a reply in the room references the stanza-id and the author's occupant JID", async () => {
      const body = unique("room question");
      const { atBob, reflected } = await aliceSays(body);
      const reply = markersEvent(aliceMarkers, "reply", (e) => e.from.full === `${room}/bob`);
      await bobMarkers.replyTo(atBob, "room answer");
      const got = await reply;
      expect(got.replyTo.id).toBe(reflected.stanzaIds[room]);
      expect(got.replyTo.jid?.full).toBe(`${room}/alice`);
      expect(got.body).toBe("room answer");
      expect(got.message.body).toBe(`> alice wrote:\n> ${body}\nroom answer`);
    });

    it("a correction in the room names the original message id; displayed markers use the stanza-id", async () => {
      const { id, atBob } = await aliceSays(unique("room tpyo"));
      expect(atBob.id).toBe(id);
      const correction = markersEvent(
        bobMarkers,
        "correction",
        (e) => e.from.full === `${room}/alice`,
      );
      await aliceMarkers.correct(room, id, "room typo", { type: "groupchat" });
      const corrected = await correction;
      expect(corrected.replaces).toBe(atBob.id);
      expect(corrected.body).toBe("room typo");

      const marker = markersEvent(aliceMarkers, "marker", (e) => e.from.full === `${room}/bob`);
      expect(await bobMarkers.markDisplayed(atBob)).toBe(true);
      const got = await marker;
      expect(got).toMatchObject({ marker: "displayed", id: atBob.stanzaIds[room] });
    });
    it("a reply to a private message from an occupant goes back to that occupant", async () => {
      const body = unique("psst alice");
      const pm = messageWithBody(alice, body);
      await bob.send({
        to: `${room}/alice`,
        body,
        children: [xml("x", { xmlns: "http://jabber.org/protocol/muc#user" })],
      });
      const message = await pm;
      expect(message.type).toBe("chat");
      expect(message.from.full).toBe(`${room}/bob`);
      const reply = messageWithBody(bob, `> ${body}\npsst back`);
      await aliceMarkers.replyTo(message, "psst back");
      const got = await reply;
      expect(got.from.full).toBe(`${room}/alice`);
      expect(got.markers?.replyTo?.id).toBe(message.originId);
    });
  });
});
