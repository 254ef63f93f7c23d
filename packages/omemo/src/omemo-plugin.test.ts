import { type Client, createClient, type Element, introspect, xml } from "@clawxmpp/core";
import { pubsub } from "@clawxmpp/pubsub";
import {
  chat,
  type FakeClock,
  type FakeServer,
  fakeClock,
  fakeServer,
  testPluginConformance,
} from "@clawxmpp/test";
import { afterEach, describe, expect, it } from "vitest";
import { buildDeviceList } from "./device-list.js";
import { MemoryOmemoStore } from "./memory-store.js";
import { bundleNode, NODE_DEVICE_LIST, NS_OMEMO } from "./namespaces.js";
import type { OmemoHandle } from "./omemo-handle.js";
import type { OmemoOptionsInput } from "./omemo-options.js";
import { omemo } from "./omemo-plugin.js";
import type { UndecryptableEvent } from "./omemo-types.js";

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
  await client.start();
  const { deviceId } = await om.ready;
  notFound(server, await listRead);
  const listPublish = await server.nextSent(request("publish", NODE_DEVICE_LIST));
  reply(server, listPublish);
  const bundlePublish = await server.nextSent(request("publish", bundleNode(deviceId)));
  reply(server, bundlePublish);
  await om.published();
  return { server, client, om, store, deviceId, listPublish, presence: await presence };
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

  it("refuses options it cannot use", () => {
    const client = createClient({ jid: ME, password: "x", transport: fakeServer().factory });
    active.push(client);
    client.use(pubsub, {});
    expect(() => client.use(omemo, { trustedFingerprints: ["not hex"] })).toThrow(/fingerprint/);
    expect(() => client.use(omemo, { trust: "sometimes" as never })).toThrow();
  });
});
