/**
 * The plugin on a real client over the in-memory transport: what it adds to
 * outgoing messages, what it answers, what it emits, and chat state timing
 * driven by the test kit's fake clock.
 */
import { type Client, ConfigError, type Element, type InboundMessage, xml } from "@clawxmpp/core";
import {
  carbon,
  chat,
  type FakeClock,
  type FakeServer,
  fakeClient,
  fakeClock,
  flush,
  iq,
  nextEvent,
  testPluginConformance,
} from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import { markers } from "./markers.js";
import type { ReactionEvent } from "./markers-events.js";
import type { MarkersHandle } from "./markers-handle.js";
import type { MarkersOptionsInput } from "./markers-options.js";

testPluginConformance(markers, { options: {} });

const BOT = "bot@example.test";
const ALICE = "alice@example.test/phone";
const ROOM = "room@conference.example.test";
const NS_CS = "http://jabber.org/protocol/chatstates";

interface Setup {
  client: Client;
  server: FakeServer;
  clock: FakeClock;
  handle: MarkersHandle;
  messages: InboundMessage[];
}

async function setup(options: MarkersOptionsInput = {}): Promise<Setup> {
  const clock = fakeClock(1_000_000);
  const { server, client } = fakeClient({ jid: BOT, clock });
  const handle = client.use(markers, options);
  const messages: InboundMessage[] = [];
  client.on("message", (m) => messages.push(m));
  await client.start();
  await flush();
  return { client, server, clock, handle, messages };
}

/** Messages the client wrote since `from`, excluding presence and IQs. */
function sentMessages(server: FakeServer, from = 0): Element[] {
  return server.sent.slice(from).filter((e) => e.name === "message");
}

/** An XEP-0280 carbon of a chat message we sent from another device (`${BOT}/other`). */
function ownCarbon(attrs: { to: string; id?: string }, ...children: Element[]): Element {
  const inner = xml("message", { from: `${BOT}/other`, type: "chat", ...attrs }, ...children);
  return carbon("sent", BOT, `${BOT}/fake`, inner);
}

async function deliver(s: Setup, stanza: Element): Promise<InboundMessage | undefined> {
  const before = s.messages.length;
  s.server.receive(stanza);
  await flush();
  return s.messages[before];
}

describe("markers plugin", () => {
  it("rejects bad options naming the field", () => {
    const { client } = fakeClient({ jid: BOT });
    expect(() => client.use(markers, { chatStates: { pausedAfter: -1 } })).toThrow(ConfigError);
    expect(() => client.use(markers, { chatStates: { pausedAfter: -1 } })).toThrow(
      /markers options\.chatStates\.pausedAfter/u,
    );
  });

  it("advertises its features in disco#info", async () => {
    const s = await setup();
    const reply = s.server.nextSent((e) => e.name === "iq" && e.attrs.id === "disco-1");
    s.server.receive(
      iq(
        "get",
        { from: "alice@example.test/phone", to: `${BOT}/fake`, id: "disco-1" },
        xml("query", { xmlns: "http://jabber.org/protocol/disco#info" }),
      ),
    );
    const features = (await reply)
      .getChild("query")
      ?.getChildren("feature")
      .map((f) => f.attrs.var);
    expect(features).toEqual(
      expect.arrayContaining([
        "urn:xmpp:receipts",
        "urn:xmpp:chat-markers:0",
        NS_CS,
        "urn:xmpp:reactions:0",
        "urn:xmpp:reply:0",
        "urn:xmpp:message-correct:0",
        "urn:xmpp:message-retract:1",
      ]),
    );
  });

  it("adds a receipt request, markable and active to outgoing chat messages", async () => {
    const s = await setup();
    const out = s.server.nextSent((e) => e.name === "message");
    await s.client.send({ to: "alice@example.test", body: "hello" });
    const stanza = await out;
    expect(stanza.getChild("request", "urn:xmpp:receipts")).toBeDefined();
    expect(stanza.getChild("markable", "urn:xmpp:chat-markers:0")).toBeDefined();
    expect(stanza.getChild("active", NS_CS)).toBeDefined();
  });

  it("never requests receipts in group chat, and honours per-message overrides", async () => {
    const s = await setup();
    const room = s.server.nextSent((e) => e.name === "message");
    await s.client.send({ to: ROOM, type: "groupchat", body: "hi all" });
    const groupchat = await room;
    expect(groupchat.getChild("request", "urn:xmpp:receipts")).toBeUndefined();
    expect(groupchat.getChild("markable", "urn:xmpp:chat-markers:0")).toBeDefined();
    expect(groupchat.getChild("active", NS_CS)).toBeUndefined();
    const plain = s.server.nextSent((e) => e.name === "message");
    await s.client.send({
      to: "alice@example.test",
      body: "quiet",
      markers: { receipt: false, markable: false, chatState: false },
    });
    const stanza = await plain;
    expect(stanza.getChildElements().map((c) => c.name)).toEqual(["body", "origin-id"]);
  });

  it("answers a receipt request from a direct message, to the sender's full JID", async () => {
    const s = await setup();
    const receipt = s.server.nextSent(
      (e) => e.getChild("received", "urn:xmpp:receipts") !== undefined,
    );
    const message = await deliver(
      s,
      chat(ALICE, BOT, "ping", { id: "m-42" }, xml("request", { xmlns: "urn:xmpp:receipts" })),
    );
    expect(message?.markers?.receiptRequested).toBe(true);
    const stanza = await receipt;
    expect(stanza.attrs.to).toBe(ALICE);
    expect(stanza.getChild("received", "urn:xmpp:receipts")?.attrs.id).toBe("m-42");
    expect(stanza.getChild("request", "urn:xmpp:receipts")).toBeUndefined();
  });

  it("does not answer receipt requests in group chat, in carbons, or when disabled", async () => {
    const s = await setup();
    const before = s.server.sent.length;
    const request = () => xml("request", { xmlns: "urn:xmpp:receipts" });
    await deliver(s, chat(`${ROOM}/alice`, BOT, "hi", { type: "groupchat" }, request()));
    await deliver(
      s,
      carbon(
        "received",
        BOT,
        `${BOT}/fake`,
        chat(ALICE, `${BOT}/other`, "to my other device", {}, request()),
      ),
    );
    expect(s.messages).toHaveLength(2);
    expect(sentMessages(s.server, before)).toHaveLength(0);

    const off = await setup({ receipts: { answer: false } });
    const offBefore = off.server.sent.length;
    const message = await deliver(off, chat(ALICE, BOT, "ping", { id: "m-1" }, request()));
    expect(sentMessages(off.server, offBefore)).toHaveLength(0);
    const manual = off.server.nextSent(
      (e) => e.getChild("received", "urn:xmpp:receipts") !== undefined,
    );
    expect(await off.handle.markReceived(message as InboundMessage)).toBe(true);
    expect((await manual).getChild("received", "urn:xmpp:receipts")?.attrs.id).toBe("m-1");
  });

  it("sends no chat states to a contact that never sent one", async () => {
    const s = await setup();
    const before = s.server.sent.length;
    await s.handle.composing("alice@example.test");
    await flush();
    expect(sentMessages(s.server, before)).toHaveLength(0);
    expect(s.handle.supportsChatStates("alice@example.test")).toBe(false);
  });

  it("sends composing once, ends it with the reply, and pauses after a timeout", async () => {
    const s = await setup({ chatStates: { pausedAfter: 5_000, throttle: 0 } });
    await deliver(
      s,
      xml("message", { from: ALICE, to: BOT, type: "chat" }, xml("active", { xmlns: NS_CS })),
    );
    expect(s.handle.supportsChatStates("Alice@example.test")).toBe(true);
    const before = s.server.sent.length;
    await s.handle.composing("alice@example.test");
    await s.handle.composing("alice@example.test");
    let sent = sentMessages(s.server, before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.getChild("composing", NS_CS)).toBeDefined();
    expect(sent[0]?.getChild("no-store", "urn:xmpp:hints")).toBeDefined();
    expect(sent[0]?.getChild("body")).toBeUndefined();

    await s.client.send({ to: "alice@example.test", body: "here you go" });
    sent = sentMessages(s.server, before);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.getChild("active", NS_CS)).toBeDefined();
    await s.clock.advanceAsync(10_000);
    expect(sentMessages(s.server, before)).toHaveLength(2);

    await s.handle.composing("alice@example.test");
    await s.clock.advanceAsync(4_999);
    expect(sentMessages(s.server, before)).toHaveLength(3);
    await s.clock.advanceAsync(1);
    sent = sentMessages(s.server, before);
    expect(sent).toHaveLength(4);
    expect(sent[3]?.getChild("paused", NS_CS)).toBeDefined();
  });

  it("throttles state changes, sending the latest state when the window ends", async () => {
    const s = await setup({ chatStates: { sendTo: "always", throttle: 1_000, pausedAfter: 0 } });
    const before = s.server.sent.length;
    await s.handle.composing("alice@example.test");
    await s.handle.paused("alice@example.test");
    await s.handle.composing("alice@example.test");
    await s.handle.paused("alice@example.test");
    expect(sentMessages(s.server, before)).toHaveLength(1);
    await s.clock.advanceAsync(1_000);
    const sent = sentMessages(s.server, before);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.getChild("paused", NS_CS)).toBeDefined();
  });

  it("sends chat states to a room only once someone in it sent one, to the room's bare JID", async () => {
    const s = await setup({ chatStates: { throttle: 0 } });
    const before = s.server.sent.length;
    await s.handle.composing(`${ROOM}/bot`, { type: "groupchat" });
    expect(sentMessages(s.server, before)).toHaveLength(0);
    await deliver(
      s,
      xml(
        "message",
        { from: `${ROOM}/alice`, to: BOT, type: "groupchat" },
        xml("composing", { xmlns: NS_CS }),
      ),
    );
    await s.handle.composing(`${ROOM}/bot`, { type: "groupchat" });
    const sent = sentMessages(s.server, before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.attrs).toMatchObject({ to: ROOM, type: "groupchat" });
  });

  it("reacts to a room message with the room's stanza-id, at the room", async () => {
    const s = await setup();
    const message = await deliver(
      s,
      chat(
        `${ROOM}/alice`,
        BOT,
        "vote!",
        { type: "groupchat", id: "client-id" },
        xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: "origin" }),
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "room-sid", by: ROOM }),
      ),
    );
    const out = s.server.nextSent(
      (e) => e.getChild("reactions", "urn:xmpp:reactions:0") !== undefined,
    );
    await s.handle.reactTo(message as InboundMessage, ["👍"]);
    const stanza = await out;
    expect(stanza.attrs).toMatchObject({ to: ROOM, type: "groupchat" });
    expect(stanza.getChild("reactions", "urn:xmpp:reactions:0")?.attrs.id).toBe("room-sid");
    expect(stanza.getChild("markable", "urn:xmpp:chat-markers:0")).toBeUndefined();
  });

  it("react() with type groupchat never addresses an occupant", async () => {
    const s = await setup();
    const out = s.server.nextSent(
      (e) => e.getChild("reactions", "urn:xmpp:reactions:0") !== undefined,
    );
    await s.handle.react(`${ROOM}/bot`, "sid", [], { type: "groupchat" });
    expect((await out).attrs.to).toBe(ROOM);
  });

  it("refuses to reference a room message without a stanza-id", async () => {
    const s = await setup();
    const message = await deliver(s, chat(`${ROOM}/alice`, BOT, "x", { type: "groupchat" }));
    await expect(s.handle.reactTo(message as InboundMessage, ["👍"])).rejects.toThrow(/stanza-id/u);
    await expect(s.handle.react(ALICE, "id", ["not an emoji"])).rejects.toMatchObject({
      code: "protocol",
    });
  });

  it("marks displayed only when asked, with the right id", async () => {
    const s = await setup();
    const unmarked = await deliver(s, chat(ALICE, BOT, "no markers", { id: "u1" }));
    expect(await s.handle.markDisplayed(unmarked as InboundMessage)).toBe(false);
    const markable = await deliver(
      s,
      chat(
        ALICE,
        BOT,
        "read me",
        { id: "m1" },
        xml("markable", { xmlns: "urn:xmpp:chat-markers:0" }),
        xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: "o1" }),
      ),
    );
    const out = s.server.nextSent(
      (e) => e.getChild("displayed", "urn:xmpp:chat-markers:0") !== undefined,
    );
    expect(await s.handle.markDisplayed(markable as InboundMessage)).toBe(true);
    const stanza = await out;
    expect(stanza.attrs).toMatchObject({ to: "alice@example.test", type: "chat" });
    expect(stanza.getChild("displayed", "urn:xmpp:chat-markers:0")?.attrs.id).toBe("o1");

    const room = await deliver(
      s,
      chat(
        `${ROOM}/alice`,
        BOT,
        "room",
        { type: "groupchat" },
        xml("markable", { xmlns: "urn:xmpp:chat-markers:0" }),
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "rs1", by: ROOM }),
      ),
    );
    expect(await s.handle.markReceived(room as InboundMessage)).toBe(false);
    const roomOut = s.server.nextSent(
      (e) => e.getChild("displayed", "urn:xmpp:chat-markers:0") !== undefined,
    );
    expect(await s.handle.markDisplayed(room as InboundMessage)).toBe(true);
    const roomMarker = await roomOut;
    expect(roomMarker.attrs).toMatchObject({ to: ROOM, type: "groupchat" });
    expect(roomMarker.getChild("displayed", "urn:xmpp:chat-markers:0")?.attrs.id).toBe("rs1");
  });

  it("replies in a room quoting the target, referencing its stanza-id and occupant", async () => {
    const s = await setup();
    const message = await deliver(
      s,
      chat(
        `${ROOM}/alice`,
        BOT,
        "what time is it?",
        { type: "groupchat" },
        xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "rs2", by: ROOM }),
      ),
    );
    const out = s.server.nextSent((e) => e.getChild("reply", "urn:xmpp:reply:0") !== undefined);
    await s.handle.replyTo(message as InboundMessage, "noon");
    const stanza = await out;
    expect(stanza.attrs).toMatchObject({ to: ROOM, type: "groupchat" });
    expect(stanza.getChild("reply", "urn:xmpp:reply:0")?.attrs).toMatchObject({
      id: "rs2",
      to: `${ROOM}/alice`,
    });
    expect(stanza.getChildText("body")).toBe("> alice wrote:\n> what time is it?\nnoon");
  });

  it("a reply can stay in the XEP-0201 thread of the message it answers", async () => {
    const s = await setup();
    const out = s.server.nextSent((e) => e.getChild("reply", "urn:xmpp:reply:0") !== undefined);
    await s.handle.reply(
      "alice@example.test",
      { id: "m1", jid: ALICE, body: "and then?" },
      "then this",
      { thread: "t-42" },
    );
    const stanza = await out;
    expect(stanza.getChildText("thread")).toBe("t-42");
    expect(stanza.getChild("reply", "urn:xmpp:reply:0")?.attrs.id).toBe("m1");
  });

  it("sends corrections and retractions; retractions get no receipt request or markable", async () => {
    const s = await setup();
    const correction = s.server.nextSent(
      (e) => e.getChild("replace", "urn:xmpp:message-correct:0") !== undefined,
    );
    await s.handle.correct("alice@example.test", "orig-1", "fixed text");
    const c = await correction;
    expect(c.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe("orig-1");
    expect(c.getChildText("body")).toBe("fixed text");
    const retraction = s.server.nextSent(
      (e) => e.getChild("retract", "urn:xmpp:message-retract:1") !== undefined,
    );
    await s.handle.retract("alice@example.test", "orig-1");
    const r = await retraction;
    expect(r.getChild("retract", "urn:xmpp:message-retract:1")?.attrs.id).toBe("orig-1");
    expect(r.getChild("request", "urn:xmpp:receipts")).toBeUndefined();
    expect(r.getChild("markable", "urn:xmpp:chat-markers:0")).toBeUndefined();
    expect(r.getChild("store", "urn:xmpp:hints")).toBeDefined();
  });

  it("emits events for inbound signals and annotates the message", async () => {
    const s = await setup();
    const seen: string[] = [];
    s.handle.on("reaction", (e) =>
      seen.push(`reaction ${e.targetId} ${e.emojis.join("")} ${e.conversation}`),
    );
    s.handle.on("chatState", (e) => seen.push(`state ${e.state}`));
    s.handle.on("marker", (e) => seen.push(`marker ${e.marker} ${e.id}`));
    s.handle.on("receipt", (e) => seen.push(`receipt ${e.id}`));
    s.handle.on("correction", (e) => seen.push(`correction ${e.replaces} ${e.body}`));
    s.handle.on("retraction", (e) => seen.push(`retraction ${e.id}`));
    s.handle.on("reply", (e) => seen.push(`reply ${e.replyTo.id} ${e.body}`));
    const reaction = await deliver(
      s,
      xml(
        "message",
        { from: ALICE, to: BOT, type: "chat", id: "r1" },
        xml("reactions", { xmlns: "urn:xmpp:reactions:0", id: "t1" }, xml("reaction", {}, "🎉")),
      ),
    );
    expect(reaction?.markers?.signalOnly).toBe(true);
    await deliver(
      s,
      xml("message", { from: ALICE, to: BOT, type: "chat" }, xml("composing", { xmlns: NS_CS })),
    );
    await deliver(
      s,
      xml(
        "message",
        { from: ALICE, to: BOT, type: "chat" },
        xml("displayed", { xmlns: "urn:xmpp:chat-markers:0", id: "b1" }),
      ),
    );
    await deliver(
      s,
      xml(
        "message",
        { from: ALICE, to: BOT },
        xml("received", { xmlns: "urn:xmpp:receipts", id: "b2" }),
      ),
    );
    await deliver(
      s,
      chat(
        ALICE,
        BOT,
        "fixed",
        {},
        xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: "a1" }),
      ),
    );
    await deliver(
      s,
      chat(
        ALICE,
        BOT,
        "> quoted\nanswer",
        {},
        xml("reply", { xmlns: "urn:xmpp:reply:0", id: "b3", to: `${BOT}/fake` }),
        xml(
          "fallback",
          { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:reply:0" },
          xml("body", { start: 0, end: 9 }),
        ),
      ),
    );
    await deliver(
      s,
      chat(
        ALICE,
        BOT,
        "retracted",
        {},
        xml("retract", { xmlns: "urn:xmpp:message-retract:1", id: "a2" }),
        xml("fallback", { xmlns: "urn:xmpp:fallback:0", for: "urn:xmpp:message-retract:1" }),
      ),
    );
    expect(seen).toEqual([
      "reaction t1 🎉 alice@example.test",
      "state composing",
      "marker displayed b1",
      "receipt b2",
      "correction a1 fixed",
      "reply b3 answer",
      "retraction a2",
    ]);
  });

  it("stops its timers and listeners on stop", async () => {
    const s = await setup({ chatStates: { sendTo: "always", throttle: 0, pausedAfter: 1_000 } });
    await s.handle.composing("alice@example.test");
    await s.handle.stop();
    const before = s.server.sent.length;
    await s.clock.advanceAsync(5_000);
    expect(sentMessages(s.server, before)).toHaveLength(0);
  });
  it("goes inactive after inactiveAfter when configured", async () => {
    const s = await setup({
      chatStates: { sendTo: "always", throttle: 0, pausedAfter: 1_000, inactiveAfter: 2_000 },
    });
    const before = s.server.sent.length;
    await s.handle.composing("alice@example.test");
    await s.clock.advanceAsync(1_000);
    await s.clock.advanceAsync(2_000);
    const states = sentMessages(s.server, before).map(
      (m) => m.getChildElements().find((c) => c.attrs.xmlns === NS_CS)?.name,
    );
    expect(states).toEqual(["composing", "paused", "inactive"]);
    await s.clock.advanceAsync(60_000);
    expect(sentMessages(s.server, before)).toHaveLength(3);
  });

  it("does not learn chat state support from our own carbons or sent chat states", async () => {
    const s = await setup();
    await deliver(s, ownCarbon({ to: "carol@example.test" }, xml("composing", { xmlns: NS_CS })));
    expect(s.messages[0]?.outgoing).toBe(true);
    expect(s.handle.supportsChatStates("carol@example.test")).toBe(false);
  });

  it("reports our own reaction from another device in the peer's conversation", async () => {
    const s = await setup();
    const event = nextEvent<[ReactionEvent]>(s.handle, "reaction");
    const reactions = xml(
      "reactions",
      { xmlns: "urn:xmpp:reactions:0", id: "t" },
      xml("reaction", {}, "👍"),
    );
    await deliver(s, ownCarbon({ to: "carol@example.test", id: "x1" }, reactions));
    const [reaction] = await event;
    expect(`${reaction.conversation} ${reaction.message.outgoing}`).toBe("carol@example.test true");
  });

  it("sends a received chat marker in 1:1 when markable, never for our own messages", async () => {
    const s = await setup();
    const message = await deliver(
      s,
      chat(ALICE, BOT, "hi", { id: "k1" }, xml("markable", { xmlns: "urn:xmpp:chat-markers:0" })),
    );
    const out = s.server.nextSent(
      (e) => e.getChild("received", "urn:xmpp:chat-markers:0") !== undefined,
    );
    expect(await s.handle.markReceived(message as InboundMessage)).toBe(true);
    const stanza = await out;
    expect(stanza.getChild("received", "urn:xmpp:chat-markers:0")?.attrs.id).toBe("k1");
    expect(stanza.getChild("store", "urn:xmpp:hints")).toBeUndefined();
    const own = { ...(message as InboundMessage), outgoing: true };
    expect(await s.handle.markDisplayed(own)).toBe(false);
  });

  it("skips chat states while offline and never throws", async () => {
    const s = await setup({ chatStates: { sendTo: "always" } });
    s.server.drop();
    await flush();
    await expect(s.handle.composing("alice@example.test")).resolves.toBeUndefined();
  });

  it("forgets the least recently seen contacts beyond maxContacts", async () => {
    const s = await setup({ maxContacts: 2 });
    for (const who of ["a", "b", "c"]) {
      await deliver(
        s,
        xml(
          "message",
          { from: `${who}@example.test/r`, to: BOT, type: "chat" },
          xml("active", { xmlns: NS_CS }),
        ),
      );
    }
    expect(["a", "b", "c"].map((w) => s.handle.supportsChatStates(`${w}@example.test`))).toEqual([
      false,
      true,
      true,
    ]);
  });

  it("leaves core body untouched and strips nothing without a fallback", async () => {
    const s = await setup();
    const message = await deliver(s, chat(ALICE, BOT, "> not a reply\nplain"));
    expect(message?.body).toBe("> not a reply\nplain");
    expect(message?.markers?.bodyWithoutFallback).toBe("> not a reply\nplain");
    expect(message?.markers?.replyTo).toBeUndefined();
  });
});
