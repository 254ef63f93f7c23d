/**
 * OMEMO 2 (`urn:xmpp:omemo:2`) in the `omemo` plugin against python-twomemo
 * (Debian's python3-omemo, python3-twomemo, python3-slixmpp;
 * test/peers/twomemo-peer.py) over a real Prosody 0.12: 1:1 both ways, an
 * encrypted reaction (XEP-0444) and correction (XEP-0308) both ways through
 * the SCE envelope, and a non-anonymous room holding the bot, an OMEMO 2
 * peer and a 0.3 peer (oldmemo-peer.py): one message of the bot is read by
 * both, and the bot reads both. Skipped without the python stack.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePlugin, type Element, type InboundMessage, xml } from "@clawxmpp/core";
import { muc } from "@clawxmpp/muc";
import { MemoryOmemoStore, omemo } from "@clawxmpp/omemo";
import { pubsub } from "@clawxmpp/pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { configureRoom, nextEvent, until } from "./helpers.js";
import { type OmemoAccount, omemoAccount } from "./omemo-helpers.js";
import {
  hasPythonTwomemo,
  type Peer,
  startPeer,
  TWOMEMO_PEER_SCRIPT,
} from "./peers/oldmemo-peer.js";

let server: ProsodyInstance;
let caFile: string;
let bot: OmemoAccount;
const peers: Peer[] = [];
const jidOf = (user: string) => server.accounts[user]?.jid as string;
const NS_REACTIONS = "urn:xmpp:reactions:0";
const NS_CORRECT = "urn:xmpp:message-correct:0";

function encryptedFrom(jid: string, match: (m: InboundMessage) => boolean) {
  return nextEvent<InboundMessage>(
    bot.client,
    "message",
    (m) => m.omemo?.jid === jid && match(m),
    20_000,
  );
}

describe.skipIf(!hasPythonTwomemo())("OMEMO 2 in the plugin with python-twomemo", () => {
  beforeAll(async () => {
    server = await startProsody({
      accounts: {
        bot: "bot",
        two: "two",
        old: "old",
        mixed: "mixed",
        peer: "peer",
        legacy: "legacy",
        owner: "owner",
        away: "away",
        h1: "h1",
        h2: "h2",
      },
    });
    caFile = join(server.dir, "omemo2-ca.pem");
    await writeFile(caFile, server.caCert);
    bot = await omemoAccount(server, "bot");
  }, 30_000);

  afterAll(async () => {
    for (const p of peers) p.process.kill();
    await bot?.client.stop();
    await server?.stop();
  });

  it("1:1 both ways, with an encrypted reaction and correction each way", async () => {
    const two = startPeer(server, caFile, "two", [], TWOMEMO_PEER_SCRIPT);
    peers.push(two);
    await two.line("READY");
    const peerJid = jidOf("two");

    // Bot → peer (a session from the peer's OMEMO 2 bundle); the peer's echo comes back in OMEMO 2.
    const echo = encryptedFrom(peerJid, (m) => m.body === "echo: hello twomemo");
    await bot.om.sendEncrypted(peerJid, "hello twomemo");
    await two.line(`RECV ${jidOf("bot")} `);
    expect((await echo).omemo?.version).toBe(2);

    // Bot → peer: a reaction and a correction, inside the envelope only.
    await bot.client.send({
      to: peerJid,
      omemo: true,
      children: [
        xml("reactions", { xmlns: NS_REACTIONS, id: "peer-msg-1" }, xml("reaction", {}, "🎉")),
      ],
    });
    expect(await two.line("REACTION")).toBe(`REACTION ${jidOf("bot")} peer-msg-1 🎉`);
    await bot.client.send({
      to: peerJid,
      omemo: true,
      body: "hello twomemo (fixed)",
      children: [xml("replace", { xmlns: NS_CORRECT, id: "bot-msg-1" })],
    });
    expect(await two.line("CORRECTION")).toBe(
      `CORRECTION ${jidOf("bot")} bot-msg-1 hello twomemo (fixed)`,
    );

    // Peer → bot: a reaction to our message and a correction of its echo.
    const reaction = encryptedFrom(peerJid, (m) =>
      Boolean(m.stanza.getChild("reactions", NS_REACTIONS)),
    );
    const correction = encryptedFrom(peerJid, (m) =>
      Boolean(m.stanza.getChild("replace", NS_CORRECT)),
    );
    await bot.client.send({
      to: peerJid,
      id: "ask-1",
      omemo: true,
      body: "please react and correct",
    });
    const reacted = (await reaction).stanza.getChild("reactions", NS_REACTIONS);
    expect(reacted?.attrs.id).toBe("ask-1");
    expect(reacted?.getChildText("reaction")).toBe("👍");
    const corrected = await correction;
    expect(corrected.body).toBe("echo: corrected");
    expect(corrected.stanza.getChild("replace", NS_CORRECT)?.attrs.id).toMatch(/^echo-/);
    expect(corrected.omemo?.version).toBe(2);

    // Peer-initiated: the peer starts a session towards the bot.
    const first = encryptedFrom(peerJid, (m) => m.body === "hi from python");
    const sender = startPeer(
      server,
      caFile,
      "two",
      ["--send", jidOf("bot"), "hi from python"],
      TWOMEMO_PEER_SCRIPT,
    );
    peers.push(sender);
    expect((await first).omemo).toMatchObject({ version: 2, prekey: true });
  }, 45_000);

  it("a room with an OMEMO 2 peer and a 0.3 peer: both read the bot's message, the bot reads both", async () => {
    const room = `mixed@${server.mucDomain}`;
    const old = startPeer(server, caFile, "old", ["--room", room, "--configure-room"]);
    peers.push(old);
    await old.line("JOINED");
    const two = startPeer(server, caFile, "mixed", ["--room", room], TWOMEMO_PEER_SCRIPT);
    peers.push(two);
    await two.line("JOINED");
    await bot.rooms.join(room);
    await until(
      () =>
        bot.rooms.occupant(room, "old") !== undefined &&
        bot.rooms.occupant(room, "mixed") !== undefined,
      10_000,
      "the bot to see both peers",
    );
    const fromOld = encryptedFrom(jidOf("old"), (m) => m.muc?.room === room);
    const fromTwo = encryptedFrom(jidOf("mixed"), (m) => m.muc?.room === room);
    await bot.om.sendEncrypted(room, "hello mixed room", { type: "groupchat" });
    // One message, read by a 0.3 client and an OMEMO 2 client.
    expect(await old.line("RECV")).toMatch(
      new RegExp(`^RECV ${jidOf("bot")} \\d+ hello mixed room$`),
    );
    expect(await two.line("RECV")).toMatch(
      new RegExp(`^RECV ${jidOf("bot")} \\d+ hello mixed room$`),
    );
    const [a, b] = await Promise.all([fromOld, fromTwo]);
    expect(a.body).toBe("echo: hello mixed room");
    expect(a.omemo?.version).toBe(1);
    expect(b.body).toBe("echo: hello mixed room");
    expect(b.omemo?.version).toBe(2);
  }, 45_000);

  it("two clawxmpp clients pick OMEMO 2; one with omemo2: false is still reached in 0.3", async () => {
    const other = await omemoAccount(server, "peer");
    const legacy = await omemoAccount(server, "legacy", { omemo2: false });
    try {
      const got = nextEvent<InboundMessage>(
        other.client,
        "message",
        (m) => m.body === "v2 hello",
        15_000,
      );
      await bot.om.sendEncrypted(jidOf("peer"), "v2 hello");
      expect((await got).omemo).toMatchObject({ version: 2, jid: jidOf("bot"), prekey: true });
      const back = encryptedFrom(jidOf("peer"), (m) => m.body === "v2 answer");
      await other.om.sendEncrypted(jidOf("bot"), "v2 answer");
      expect((await back).omemo).toMatchObject({ version: 2, prekey: false });

      const old = nextEvent<InboundMessage>(
        legacy.client,
        "message",
        (m) => m.body === "0.3 hello",
        15_000,
      );
      await bot.om.sendEncrypted(jidOf("legacy"), "0.3 hello");
      expect((await old).omemo?.version).toBe(1);
      const oldBack = encryptedFrom(jidOf("legacy"), (m) => m.body === "0.3 answer");
      await legacy.om.sendEncrypted(jidOf("bot"), "0.3 answer");
      expect((await oldBack).omemo?.version).toBe(1);
    } finally {
      await Promise.all([other.client.stop(), legacy.client.stop()]);
    }
  }, 30_000);

  it("a room message is encrypted for offline members too (member list), in their OMEMO version", async () => {
    // "away" publishes its devices, then goes offline; it stays a member of the room.
    const away = await omemoAccount(server, "away");
    const awayId = (await away.om.identity()).deviceId;
    await away.client.stop();
    const sent: Element[] = [];
    const spy = definePlugin({
      name: "spy",
      setup(ctx) {
        ctx.outbound.use("encrypt", (c) => {
          if (c.stanza.attrs.type === "groupchat") sent.push(c.stanza);
        });
        return { async stop() {} };
      },
    });
    const owner = clientFor(server, "owner");
    owner.use(pubsub, {});
    const rooms = owner.use(muc, { nickname: "owner" });
    const om = owner.use(omemo, {});
    owner.use(spy, {});
    const published = om.published();
    await owner.start();
    await published;
    try {
      const room = `members@${server.mucDomain}`;
      await rooms.join(room);
      await configureRoom(owner.iq, room, { "muc#roomconfig_whois": "anyone" });
      await owner.iq.set(
        xml(
          "query",
          { xmlns: "http://jabber.org/protocol/muc#admin" },
          xml("item", { jid: jidOf("away"), affiliation: "member" }),
        ),
        room,
      );
      await om.sendEncrypted(room, "for members, present or not", { type: "groupchat" });
      await until(() => sent.length > 0, 5_000, "the room message to be encrypted");
      const header = sent[0]?.getChild("encrypted", "urn:xmpp:omemo:2")?.getChild("header");
      const keys = header?.getChildren("keys").find((k) => k.attrs.jid === jidOf("away"));
      expect(keys?.getChildren("key").map((k) => Number(k.attrs.rid))).toEqual([awayId]);
    } finally {
      await owner.stop();
    }
  }, 30_000);

  it("heals a lost OMEMO 2 session: an empty key exchange message, then messages decrypt again", async () => {
    const store1 = new MemoryOmemoStore();
    const store2 = new MemoryOmemoStore();
    const one = await omemoAccount(server, "h1", { store: store1 });
    const other = await omemoAccount(server, "h2", { store: store2 });
    try {
      const first = nextEvent<InboundMessage>(
        other.client,
        "message",
        (m) => m.body === "before",
        15_000,
      );
      await one.om.sendEncrypted(jidOf("h2"), "before");
      expect((await first).omemo?.version).toBe(2);
      // An answer confirms h1's session: it stops sending key exchanges.
      const ack = nextEvent<InboundMessage>(one.client, "message", (m) => m.body === "ack", 15_000);
      await other.om.sendEncrypted(jidOf("h1"), "ack");
      await ack;
      const oneDevice = { jid: jidOf("h1"), deviceId: (await one.om.identity()).deviceId };
      await store2.removeSession2(oneDevice);
      // h2 cannot read this one: it rebuilds the session and sends an empty message.
      const refused = new Promise<string>((resolve) =>
        other.om.once("undecryptable", (e) => resolve(e.condition)),
      );
      await one.om.sendEncrypted(jidOf("h2"), "lost");
      expect(await refused).toBe("no-session");
      await until(
        () => other.warnings.some((w) => w.includes("OMEMO 2 session rebuilt")),
        10_000,
        "h2 to heal",
      );
      const after = nextEvent<InboundMessage>(
        other.client,
        "message",
        (m) => m.body === "after",
        15_000,
      );
      // h1 takes the new session from h2's key exchange (its empty message) before sending again.
      const h2Device = { jid: jidOf("h2"), deviceId: (await other.om.identity()).deviceId };
      const deadline = Date.now() + 10_000;
      while (!(await store1.getSession2(h2Device))?.includes('"initiation":"passive"')) {
        if (Date.now() > deadline) throw new Error("h1 never took h2's new session");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await one.om.sendEncrypted(jidOf("h2"), "after");
      expect((await after).omemo?.version).toBe(2);
    } finally {
      await Promise.all([one.client.stop(), other.client.stop()]);
    }
  }, 30_000);
});
