/**
 * Hostile OMEMO input against the `omemo` plugin over a real Prosody 0.12.
 * "mallory" speaks OMEMO with the package's low-level pieces and sends what a
 * broken or malicious client would: malformed key elements, a message for
 * another device, a tampered payload (GCM tag), a replayed PreKey message,
 * and a bundle with a bad signature. Each is refused with a logged reason,
 * nothing reaches the application, the client stays up, and the session
 * still works afterwards.
 */
import { type Client, type Element, type InboundMessage, xml } from "@clawxmpp/core";
import {
  buildBundle,
  buildDeviceList,
  buildEncrypted,
  bundleNode,
  ensureOwnDevice,
  findEncrypted,
  MemoryOmemoStore,
  NODE_DEVICE_LIST,
  OmemoSessions,
  omemoHints,
  ownBundle,
  parseBundle,
  parseEncrypted,
  type UndecryptableEvent,
} from "@clawxmpp/omemo";
import { type PubsubHandle, pubsub } from "@clawxmpp/pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { nextEvent } from "./helpers.js";
import { type OmemoAccount, omemoAccount } from "./omemo-helpers.js";

let server: ProsodyInstance;
let bot: OmemoAccount;
let mallory: Client;
let ps: PubsubHandle;
let sessions: OmemoSessions;
const store = new MemoryOmemoStore();
const OPEN = { access_model: "open" };
const BOT = () => server.accounts.bot?.jid as string;
const MALLORY = () => server.accounts.mallory?.jid as string;
const bodies: string[] = [];

async function publishOwn() {
  const own = await ensureOwnDevice(store);
  const bundle = await ownBundle(store);
  await ps.publish(NODE_DEVICE_LIST, buildDeviceList([own.deviceId]), {
    id: "current",
    options: OPEN,
  });
  await ps.publish(bundleNode(own.deviceId), buildBundle(bundle), { id: "current", options: OPEN });
}

const send = (encrypted: Element) =>
  mallory.sendStanza(xml("message", { to: BOT(), type: "chat" }, encrypted, ...omemoHints()));

async function encryptForBot(text: string) {
  const { deviceId } = await bot.om.identity();
  const { message, skipped } = await sessions.encrypt([{ jid: BOT(), deviceId }], text);
  expect(skipped).toEqual([]);
  return message;
}

/** Sends `encrypted`, waits for its refusal, and checks it was logged with its reason. */
async function refused(encrypted: Element, condition: string): Promise<UndecryptableEvent> {
  const event = new Promise<UndecryptableEvent>((resolve) => bot.om.once("undecryptable", resolve));
  await send(encrypted);
  const got = await event;
  expect(got.condition).toBe(condition);
  expect(bot.warnings.some((line) => line.includes(got.reason.slice(0, 60)))).toBe(true);
  return got;
}

async function stillWorks(text: string) {
  const got = nextEvent<InboundMessage>(bot.client, "message", (m) => m.body === text, 10_000);
  await send(buildEncrypted(await encryptForBot(text)));
  expect((await got).omemo?.jid).toBe(MALLORY());
}

describe("OMEMO plugin: hostile input", () => {
  beforeAll(async () => {
    server = await startProsody({ accounts: { bot: "bot", mallory: "mallory" } });
    bot = await omemoAccount(server, "bot");
    bot.client.on("message", (m) => bodies.push(m.body ?? ""));
    mallory = clientFor(server, "mallory");
    ps = mallory.use(pubsub, {});
    await mallory.start();
    await publishOwn();
    sessions = await OmemoSessions.open(store);
    const { deviceId } = await bot.om.identity();
    const [item] = await ps.items(bundleNode(deviceId), { service: BOT(), max: 1 });
    await sessions.buildSession({ jid: BOT(), deviceId }, parseBundle(item?.payload as Element));
  });

  afterAll(async () => {
    await mallory?.stop();
    await bot?.client.stop();
    await server?.stop();
  });

  it("a replayed PreKey message is refused as a duplicate; the first copy was read", async () => {
    const message = buildEncrypted(await encryptForBot("first contact"));
    const first = nextEvent<InboundMessage>(
      bot.client,
      "message",
      (m) => m.body === "first contact",
    );
    await send(message);
    expect((await first).omemo?.prekey).toBe(true);
    await refused(message, "duplicate");
  });

  it("malformed key elements are refused", async () => {
    const { deviceId } = await bot.om.identity();
    const bad = xml(
      "encrypted",
      { xmlns: "eu.siacs.conversations.axolotl" },
      xml(
        "header",
        { sid: String((await store.getOwnDevice())?.deviceId) },
        xml("key", { rid: String(deviceId), prekey: "maybe" }, "not base64!"),
        xml("iv", {}, "AAAAAAAAAAAAAAAA"),
      ),
      xml("payload", {}, "AAAA"),
    );
    await refused(bad, "malformed");
    await stillWorks("after malformed keys");
  });

  it("a message not encrypted for our device is refused", async () => {
    const message = await encryptForBot("for someone else");
    const { deviceId } = await bot.om.identity();
    const other = deviceId === 1 ? 2 : deviceId - 1;
    const keys = message.keys.map((k) => ({ ...k, rid: other }));
    await refused(buildEncrypted({ ...message, keys }), "no-key");
  });

  it("a tampered payload (GCM tag) is refused, and the session keeps working", async () => {
    const message = await encryptForBot("tampered");
    const payload = Uint8Array.from(message.payload as Uint8Array);
    payload[0] = (payload[0] as number) ^ 0xff;
    await refused(buildEncrypted({ ...message, payload }), "bad-tag");
    await stillWorks("after tampering");
  });

  it("a bundle with a bad signature is refused when the bot encrypts for it", async () => {
    const broken = new Uint8Array(64).fill(7);
    // A second device of mallory's, new to the bot: its session must come from this bundle.
    const strangerStore = new MemoryOmemoStore();
    const stranger = await ensureOwnDevice(strangerStore);
    const bundle = await ownBundle(strangerStore);
    bundle.signedPreKey.signature = broken;
    await ps.publish(
      NODE_DEVICE_LIST,
      buildDeviceList([(await store.getOwnDevice())?.deviceId ?? 0, stranger.deviceId]),
      {
        id: "current",
        options: OPEN,
      },
    );
    await ps.publish(bundleNode(stranger.deviceId), buildBundle(bundle), {
      id: "current",
      options: OPEN,
    });
    await bot.om.devices(MALLORY(), { refresh: true });
    // Mallory's own device still has a session, so the message goes there, never to the stranger.
    const got = nextEvent<InboundMessage>(
      mallory,
      "message",
      (m) => findEncrypted(m.stanza) !== undefined,
    );
    await bot.om.sendEncrypted(MALLORY(), "only to devices with a valid bundle");
    const encrypted = parseEncrypted(findEncrypted((await got).stanza) as Element);
    expect(encrypted.keys.map((k) => k.rid)).not.toContain(stranger.deviceId);
    expect(
      bot.warnings.some((l) => l.includes("no session built") && l.includes("signature")),
    ).toBe(true);
    const read = await sessions.decrypt(BOT(), encrypted);
    expect(read.plaintext).toBe("only to devices with a valid bundle");
  });

  it("nothing refused reached the application, and the client is still up", () => {
    expect(bodies).toEqual(["first contact", "after malformed keys", "after tampering"]);
    expect(bot.client.status).toBe("online");
  });
});
