import { type Client, createClient, type Element, introspect, xml } from "@clawxmpp/core";
import { pubsub } from "@clawxmpp/pubsub";
import {
  chat,
  type FakeClock,
  type FakeServer,
  fakeClock,
  fakeServer,
  nextEvent,
  testPluginConformance,
} from "@clawxmpp/test";
import { afterEach, describe, expect, it } from "vitest";
import { parseBundle } from "./bundle-element.js";
import { buildDeviceList } from "./device-list.js";
import { fingerprintHex } from "./fingerprint.js";
import { ensureOwnDevice } from "./key-manager.js";
import { MemoryOmemoStore } from "./memory-store.js";
import { omemoHints } from "./message-hints.js";
import { bundleNode, NODE_DEVICE_LIST, NS_OMEMO } from "./namespaces.js";
import type { OmemoHandle } from "./omemo-handle.js";
import type { OmemoOptionsInput } from "./omemo-options.js";
import { omemo } from "./omemo-plugin.js";
import { OmemoSessions } from "./omemo-sessions.js";
import type { UndecryptableEvent } from "./omemo-types.js";
import { parseBundle2 } from "./v2/bundle-element.js";
import { buildEncrypted2 } from "./v2/encrypted-element.js";
import { fingerprintHex2 } from "./v2/fingerprint.js";
import { generateIdentity } from "./v2/identity-key.js";
import { NODE_BUNDLES_V2, NODE_DEVICES_V2, NS_OMEMO2 } from "./v2/namespaces.js";
import { encryptPayload2 } from "./v2/payload.js";
import { buildEnvelope } from "./v2/sce-envelope.js";
import { OmemoSession2 } from "./v2/session.js";

testPluginConformance(omemo, { options: {}, dependencies: [[pubsub, {}]] });

const ME = "bot@example.test";
const FULL = `${ME}/fake`;
const NS_PUBSUB = "http://jabber.org/protocol/pubsub";
const NS_EVENT = "http://jabber.org/protocol/pubsub#event";

let active: Client[] = [];
afterEach(async () => {
  await Promise.all(active.map((c) => c.stop()));
  active = [];
});

const pubsubChild = (el: Element) => el.getChild("pubsub", NS_PUBSUB)?.getChildElements()[0];
const request = (kind: string, node: string) => (el: Element) =>
  el.name === "iq" && pubsubChild(el)?.name === kind && pubsubChild(el)?.attrs.node === node;

function reply(server: FakeServer, req: Element, ...children: Element[]) {
  server.receive(
    xml("iq", { type: "result", id: req.attrs.id, from: req.attrs.to, to: FULL }, ...children),
  );
}

function notFound(server: FakeServer, req: Element) {
  server.receive(
    xml(
      "iq",
      { type: "error", id: req.attrs.id, from: req.attrs.to, to: FULL },
      xml(
        "error",
        { type: "cancel" },
        xml("item-not-found", { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }),
      ),
    ),
  );
}

async function setup(options: OmemoOptionsInput = {}, clock?: FakeClock) {
  const server = fakeServer();
  const client = createClient({
    jid: ME,
    password: "x",
    transport: server.factory,
    keepalive: { interval: 0 },
    ...(clock && { clock }),
  });
  active.push(client);
  client.use(pubsub, {});
  const store = new MemoryOmemoStore();
  const om: OmemoHandle = client.use(omemo, { store, ...options });
  const presence = server.nextSent((el) => el.name === "presence");
  const listRead = server.nextSent(request("items", NODE_DEVICE_LIST));
  const listRead2 = server.nextSent(request("items", NODE_DEVICES_V2));
  await client.start();
  const { deviceId } = await om.ready;
  notFound(server, await listRead2);
  const listPublish2 = await server.nextSent(request("publish", NODE_DEVICES_V2));
  reply(server, listPublish2);
  const bundlePublish2 = await server.nextSent(request("publish", NODE_BUNDLES_V2));
  reply(server, bundlePublish2);
  notFound(server, await listRead);
  const listPublish = await server.nextSent(request("publish", NODE_DEVICE_LIST));
  reply(server, listPublish);
  const bundlePublish = await server.nextSent(request("publish", bundleNode(deviceId)));
  reply(server, bundlePublish);
  await om.published();
  return {
    server,
    client,
    om,
    store,
    deviceId,
    listPublish,
    bundlePublish,
    listPublish2,
    bundlePublish2,
    presence: await presence,
  };
}

describe("omemo plugin", () => {
  it("publishes our device list and bundle with access_model=open and asks for +notify", async () => {
    const { client, listPublish, deviceId, presence } = await setup({ deviceLabel: "clawxmpp" });
    const list = pubsubChild(listPublish)?.getChild("item")?.getChild("list", NS_OMEMO);
    expect(list?.getChildren("device").map((d) => d.attrs)).toEqual([
      { id: String(deviceId), label: "clawxmpp" },
    ]);
    const form = listPublish.getChild("pubsub", NS_PUBSUB)?.getChild("publish-options");
    expect(form?.toString()).toContain("pubsub#access_model");
    expect(form?.toString()).toContain("<value>open</value>");
    expect(introspect(client).discoFeatures).toContain(`${NODE_DEVICE_LIST}+notify`);
    expect(presence.getChild("c", "http://jabber.org/protocol/caps")).toBeDefined();
  });

  it("puts our device back when another client drops it from the list", async () => {
    const { server, deviceId } = await setup();
    const republish = server.nextSent(request("publish", NODE_DEVICE_LIST));
    server.receive(
      xml(
        "message",
        { from: ME, to: FULL, type: "headline" },
        xml(
          "event",
          { xmlns: NS_EVENT },
          xml(
            "items",
            { node: NODE_DEVICE_LIST },
            xml("item", { id: "current" }, buildDeviceList([12345])),
          ),
        ),
      ),
    );
    const ids = pubsubChild(await republish)
      ?.getChild("item")
      ?.getChild("list", NS_OMEMO)
      ?.getChildren("device")
      .map((d) => Number(d.attrs.id));
    expect(ids).toEqual([12345, deviceId]);
  });

  it("rotates the signed prekey on the clock and republishes the bundle", async () => {
    const clock = fakeClock(Date.now());
    const day = 86_400_000;
    const { server, store, deviceId } = await setup(
      { signedPreKeyRotation: 2 * day - 60_000, rotationCheckInterval: day },
      clock,
    );
    const first = (await store.getOwnDevice())?.signedPreKeyId;
    clock.advance(day);
    // Not due after one day: nothing is published.
    expect((await store.getOwnDevice())?.signedPreKeyId).toBe(first);
    const bundle = server.nextSent(request("publish", bundleNode(deviceId)));
    // Due at the second check (the key was created a moment after the clock started: a minute of margin).
    clock.advance(day);
    const published = await bundle;
    const spk = pubsubChild(published)
      ?.getChild("item")
      ?.getChild("bundle", NS_OMEMO)
      ?.getChild("signedPreKeyPublic");
    expect(Number(spk?.attrs.signedPreKeyId)).toBe((first ?? 0) + 1);
    expect((await store.getOwnDevice())?.signedPreKeyId).toBe((first ?? 0) + 1);
  });

  it("drops malformed and foreign encrypted messages with a reason, never their fallback body", async () => {
    const { server, client, om } = await setup();
    const events: UndecryptableEvent[] = [];
    om.on("undecryptable", (e) => events.push(e));
    const messages: string[] = [];
    client.on("message", (m) => messages.push(m.body ?? ""));
    const bad = xml(
      "encrypted",
      { xmlns: NS_OMEMO },
      xml("header", { sid: "7" }, xml("key", { rid: "x" }, "!!"), xml("iv", {}, "AAAA")),
    );
    server.receive(chat("alice@example.test/phone", FULL, "fallback", {}, bad));
    const foreign = xml(
      "encrypted",
      { xmlns: NS_OMEMO },
      xml("header", { sid: "7" }, xml("key", { rid: "99" }, "AAAA"), xml("iv", {}, "AAAA")),
      xml("payload", {}, "AAAA"),
    );
    server.receive(chat("alice@example.test/phone", FULL, "fallback", {}, foreign));
    server.receive(chat("alice@example.test/phone", FULL, "plain and fine"));
    await new Promise<void>((resolve) => {
      const off = client.on("message", () => {
        off();
        resolve();
      });
    });
    expect(events.map((e) => e.condition)).toEqual(["malformed", "no-key"]);
    expect(messages).toEqual(["plain and fine"]);
  });

  it("hands on a decrypted message with its other children, and flags it as encrypted", async () => {
    const { server, client, deviceId, bundlePublish } = await setup();
    const bundle = parseBundle(
      pubsubChild(bundlePublish)?.getChild("item")?.getChild("bundle", NS_OMEMO) as Element,
    );
    const aliceStore = new MemoryOmemoStore();
    const alice = await ensureOwnDevice(aliceStore);
    const sessions = await OmemoSessions.open(aliceStore);
    await sessions.buildSession({ jid: ME, deviceId }, bundle);
    const { element } = await sessions.encrypt([{ jid: ME, deviceId }], "secret ✓");
    const got = nextEvent(client, "message");
    server.receive(
      xml(
        "message",
        { from: "alice@example.test/phone", to: FULL, type: "chat", id: "m1" },
        element,
        ...omemoHints(),
        xml("request", { xmlns: "urn:xmpp:receipts" }),
        xml("origin-id", { xmlns: "urn:xmpp:sid:0", id: "m1" }),
      ),
    );
    const [message] = await got;
    expect(message.body).toBe("secret ✓");
    expect(message.omemo).toEqual({
      encrypted: true,
      version: 1,
      jid: "alice@example.test",
      deviceId: alice.deviceId,
      fingerprint: fingerprintHex(alice.identityKeyPair.publicKey),
      trust: "trusted",
      prekey: true,
    });
    expect(message.originId).toBe("m1");
    const children = message.stanza.getChildElements().map((c) => c.name);
    expect(children.sort()).toEqual(["body", "origin-id", "request"]);
  });

  it("publishes the OMEMO 2 device list and bundle beside 0.3, with the same device id and identity", async () => {
    const { listPublish2, bundlePublish2, deviceId, om, client } = await setup();
    const devices = pubsubChild(listPublish2)?.getChild("item")?.getChild("devices", NS_OMEMO2);
    expect(devices?.getChildren("device").map((d) => Number(d.attrs.id))).toEqual([deviceId]);
    const item = pubsubChild(bundlePublish2)?.getChild("item");
    expect(item?.attrs.id).toBe(String(deviceId));
    const bundle = parseBundle2(item?.getChild("bundle", NS_OMEMO2) as Element);
    expect(bundle.preKeys).toHaveLength(100);
    expect(fingerprintHex2(bundle.identityKey)).toBe((await om.identity()).fingerprint);
    const form = bundlePublish2.getChild("pubsub", NS_PUBSUB)?.getChild("publish-options");
    expect(form?.toString()).toContain("<value>open</value>");
    expect(form?.toString()).toContain("<value>max</value>");
    expect(introspect(client).discoFeatures).toContain(`${NODE_DEVICES_V2}+notify`);
  });

  it("decrypts an OMEMO 2 message: the SCE content (body, reaction, correction) replaces the fallback", async () => {
    const { server, client, om, deviceId, bundlePublish2 } = await setup();
    const bundle = parseBundle2(
      pubsubChild(bundlePublish2)?.getChild("item")?.getChild("bundle", NS_OMEMO2) as Element,
    );
    const alice = generateIdentity();
    const session = OmemoSession2.initiate(alice, bundle);
    const send = (content: Element[], envelopeFrom = "alice@example.test") => {
      const envelope = buildEnvelope({ content, from: envelopeFrom, to: ME });
      const payload = encryptPayload2(envelope.toString());
      const key = session.encrypt(payload.keyMaterial);
      server.receive(
        xml(
          "message",
          { from: "alice@example.test/phone", to: FULL, type: "chat", id: "m2" },
          xml("body", {}, "fallback"),
          xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: "clear-copy" }),
          buildEncrypted2({
            sid: 4242,
            keys: [{ jid: ME, rid: deviceId, kex: key.kex, data: key.data }],
            payload: payload.ciphertext,
          }),
        ),
      );
    };
    const got = nextEvent(client, "message");
    send([
      xml("body", { xmlns: "jabber:client" }, "fixed ✓"),
      xml("replace", { xmlns: "urn:xmpp:message-correct:0", id: "orig-1" }),
      xml("stanza-id", { xmlns: "urn:xmpp:sid:0", id: "forged", by: ME }),
    ]);
    const [message] = await got;
    expect(message.body).toBe("fixed ✓");
    expect(message.omemo).toMatchObject({ version: 2, jid: "alice@example.test", deviceId: 4242 });
    expect(message.stanza.getChildren("replace", "urn:xmpp:message-correct:0")).toHaveLength(1);
    expect(message.stanza.getChild("replace", "urn:xmpp:message-correct:0")?.attrs.id).toBe(
      "orig-1",
    );
    expect(message.stanza.getChild("stanza-id", "urn:xmpp:sid:0")).toBeUndefined();
    // An envelope naming another sender is refused.
    const refused = new Promise<UndecryptableEvent>((resolve) => om.once("undecryptable", resolve));
    send([xml("body", { xmlns: "jabber:client" }, "spoofed")], "mallory@example.test");
    const event = await refused;
    expect(event.condition).toBe("untrusted");
    expect(event.reason).toMatch(/SCE <from>/);
  });

  it("refuses options it cannot use", () => {
    const client = createClient({ jid: ME, password: "x", transport: fakeServer().factory });
    active.push(client);
    client.use(pubsub, {});
    expect(() => client.use(omemo, { trustedFingerprints: ["not hex"] })).toThrow(/fingerprint/);
    expect(() => client.use(omemo, { trust: "sometimes" as never })).toThrow();
  });
});
