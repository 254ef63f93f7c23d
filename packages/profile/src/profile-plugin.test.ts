import { createHash } from "node:crypto";
import { type Element, xml } from "@clawxmpp/core";
import { type PubsubHandle, pubsub } from "@clawxmpp/pubsub";
import {
  FAKE_CLIENT_JID,
  type FakeServer,
  fakeClient,
  nextEvent,
  stanzaError,
  testPluginConformance,
} from "@clawxmpp/test";
import { describe, expect, it } from "vitest";
import {
  NS_AVATAR_DATA,
  NS_AVATAR_METADATA,
  NS_MOOD,
  NS_NICK,
  NS_VCARD,
  NS_VCARD_UPDATE,
} from "./namespaces.js";
import { ProfileError } from "./profile-error.js";
import type { ProfileHandle } from "./profile-handle.js";
import type { ProfileOptionsInput } from "./profile-options.js";
import { profile } from "./profile-plugin.js";
import type { ProfileEvents } from "./profile-types.js";
import { jpeg, png } from "./test-images.fixture.js";

/** The kit's client, as the fake server binds it. */
const FULL = `${FAKE_CLIENT_JID}/fake`;
const ALICE = "alice@example.test";
const NS_PUBSUB = "http://jabber.org/protocol/pubsub";
const NS_EVENT = "http://jabber.org/protocol/pubsub#event";

testPluginConformance(profile, {
  options: { watch: ["avatar", "mood"] },
  dependencies: [[pubsub, {}]],
});

async function setup(options: ProfileOptionsInput = {}) {
  const { server, client } = fakeClient();
  const ps: PubsubHandle = client.use(pubsub, {});
  const me: ProfileHandle = client.use(profile, options);
  const initialPresence = server.nextSent((el) => el.name === "presence");
  await client.start();
  return { server, client, ps, me, initialPresence: await initialPresence };
}

const sha1 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("hex");
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

const isIq = (test: (el: Element) => boolean) => (el: Element) => el.name === "iq" && test(el);
const pubsubChild = (el: Element) => el.getChild("pubsub", NS_PUBSUB)?.getChildElements()[0];
const itemsOf = (node: string) =>
  isIq((el) => pubsubChild(el)?.name === "items" && pubsubChild(el)?.attrs.node === node);
const publishTo = (node: string) =>
  isIq((el) => pubsubChild(el)?.name === "publish" && pubsubChild(el)?.attrs.node === node);
const vcardIq = (type: string) =>
  isIq((el) => el.attrs.type === type && el.getChild("vCard", NS_VCARD) !== undefined);

async function answer(server: FakeServer, match: (el: Element) => boolean, ...children: Element[]) {
  const request = await server.nextSent(match);
  server.receive(
    xml(
      "iq",
      { type: "result", id: request.attrs.id, from: request.attrs.to, to: FULL },
      ...children,
    ),
  );
  return request;
}

async function refuse(server: FakeServer, match: (el: Element) => boolean, condition: string) {
  const request = await server.nextSent(match);
  server.receive(
    xml(
      "iq",
      { type: "error", id: request.attrs.id, from: request.attrs.to, to: FULL },
      stanzaError("cancel", condition),
    ),
  );
  return request;
}

const items = (node: string, ...entries: Element[]) =>
  xml("pubsub", { xmlns: NS_PUBSUB }, xml("items", { node }, ...entries));

function metadata(info: Record<string, string | number>): Element {
  return xml("metadata", { xmlns: NS_AVATAR_METADATA }, xml("info", info));
}

/** Answers the next metadata request with one `<info/>`. */
function answerMetadata(server: FakeServer, info: Record<string, string | number>) {
  return answer(
    server,
    itemsOf(NS_AVATAR_METADATA),
    items(NS_AVATAR_METADATA, xml("item", { id: String(info.id) }, metadata(info))),
  );
}

/** Answers the next vCard get (XEP-0054) with a card holding `fields`. */
function answerVcard(server: FakeServer, ...fields: Element[]) {
  return answer(server, vcardIq("get"), xml("vCard", { xmlns: NS_VCARD }, ...fields));
}

const photo = (...children: Element[]) => xml("PHOTO", {}, ...children);

/** Answers the next data request with item `id` carrying `base64`. */
function answerData(server: FakeServer, id: string, base64: string) {
  return answer(
    server,
    itemsOf(NS_AVATAR_DATA),
    items(NS_AVATAR_DATA, xml("item", { id }, xml("data", { xmlns: NS_AVATAR_DATA }, base64))),
  );
}

function nextProfileEvent<K extends keyof ProfileEvents & string>(
  me: ProfileHandle,
  event: K,
  match: (value: ProfileEvents[K][0]) => boolean = () => true,
) {
  return new Promise<ProfileEvents[K][0]>((resolve) => {
    const off = me.on(event, ((value: ProfileEvents[K][0]) => {
      if (!match(value)) return;
      off();
      resolve(value);
    }) as never);
  });
}

describe("publishing our avatar", () => {
  it("sets the vCard photo, publishes data then metadata, and puts the hash in presence", async () => {
    const { server, me, initialPresence } = await setup();
    // § 4.1 of XEP-0153: before we know our hash, an empty update element.
    expect(initialPresence.getChild("x", NS_VCARD_UPDATE)?.getChild("photo")).toBeUndefined();
    expect(initialPresence.getChild("x", NS_VCARD_UPDATE)).toBeDefined();

    const image = png(64, 32);
    const id = sha1(image);
    const pending = me.publishAvatar(image);
    await refuse(server, itemsOf(NS_AVATAR_METADATA), "item-not-found");
    await answerVcard(server, xml("FN", {}, "Bot"), photo(xml("BINVAL", {}, "old")));
    const vcardSet = await answer(server, vcardIq("set"));
    const card = vcardSet.getChild("vCard", NS_VCARD);
    expect(card?.getChildText("FN")).toBe("Bot");
    expect(card?.getChildren("PHOTO")).toHaveLength(1);
    expect(card?.getChild("PHOTO")?.getChildText("TYPE")).toBe("image/png");
    expect(card?.getChild("PHOTO")?.getChildText("BINVAL")).toBe(b64(image));

    const data = await answer(server, publishTo(NS_AVATAR_DATA));
    const dataItem = pubsubChild(data)?.getChild("item");
    expect(dataItem?.attrs.id).toBe(id);
    expect(dataItem?.getChild("data", NS_AVATAR_DATA)?.text()).toBe(b64(image));
    const accessModel = data
      .getChild("pubsub", NS_PUBSUB)
      ?.getChild("publish-options")
      ?.getChild("x")
      ?.getChildren("field")
      .find((f) => f.attrs.var === "pubsub#access_model")
      ?.getChildText("value");
    expect(accessModel).toBe("open");

    const presence = server.nextSent((el) => el.name === "presence");
    const meta = await answer(server, publishTo(NS_AVATAR_METADATA));
    const info = pubsubChild(meta)?.getChild("item")?.getChild("metadata")?.getChild("info");
    expect(info?.attrs).toEqual({
      id,
      type: "image/png",
      bytes: String(image.length),
      width: "64",
      height: "32",
    });
    expect(await pending).toMatchObject({ id, changed: true, width: 64, height: 32 });
    expect((await presence).getChild("x", NS_VCARD_UPDATE)?.getChildText("photo")).toBe(id);
  });

  it("sends nothing when our metadata already announces the image", async () => {
    const { server, me } = await setup();
    const image = jpeg(10, 20);
    const id = sha1(image);
    // A remembered id of another image does not skip the check.
    const pending = me.publishAvatar(image, { published: sha1(png(1, 1)) });
    await answer(
      server,
      itemsOf(NS_AVATAR_METADATA),
      items(
        NS_AVATAR_METADATA,
        xml("item", { id }, metadata({ id, type: "image/jpeg", bytes: image.length })),
      ),
    );
    const presence = await server.nextSent((el) => el.name === "presence");
    expect(await pending).toMatchObject({ id, changed: false, type: "image/jpeg" });
    expect(presence.getChild("x", NS_VCARD_UPDATE)?.getChildText("photo")).toBe(id);
    expect(server.sent.filter(vcardIq("set"))).toHaveLength(0);
    expect(server.sent.filter(publishTo(NS_AVATAR_DATA))).toHaveLength(0);
  });

  it("asks nothing when the caller knows the image's id is published, but announces its hash", async () => {
    const { server, me } = await setup();
    const image = jpeg(10, 20);
    const id = sha1(image);
    const before = server.sent.length;
    const presence = server.nextSent((el) => el.name === "presence");
    expect(await me.publishAvatar(image, { published: id })).toMatchObject({
      id,
      changed: false,
    });
    expect((await presence).getChild("x", NS_VCARD_UPDATE)?.getChildText("photo")).toBe(id);
    expect(server.sent.slice(before).filter((el) => el.name === "iq")).toHaveLength(0);
  });

  it("refuses oversized and non-PNG/JPEG avatars before sending anything", async () => {
    const { server, me } = await setup({ maxAvatarBytes: 1_000, maxAvatarPixels: 512 });
    const before = server.sent.length;
    await expect(me.publishAvatar(png(8, 8, 5_000))).rejects.toMatchObject({
      name: "ProfileError",
      code: "too-large",
      reason: "too-large",
    });
    await expect(me.publishAvatar(png(1_000, 8))).rejects.toMatchObject({ reason: "too-large" });
    const gif = new TextEncoder().encode("GIF89a....");
    const error = await me.publishAvatar(gif).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as Error).message).toBe("[profile] only PNG and JPEG avatars are supported");
    expect(server.sent.length).toBe(before);
  });
  it("publishes over PEP even when the server refuses vCards", async () => {
    const { server, me } = await setup();
    const image = png(8, 8);
    const pending = me.publishAvatar(image);
    await refuse(server, itemsOf(NS_AVATAR_METADATA), "item-not-found");
    await refuse(server, vcardIq("get"), "service-unavailable");
    await answer(server, publishTo(NS_AVATAR_DATA));
    await answer(server, publishTo(NS_AVATAR_METADATA));
    expect(await pending).toMatchObject({ id: sha1(image), changed: true });
  });

  it("removes our avatar: vCard photo, empty metadata, empty photo in presence", async () => {
    const { server, me } = await setup();
    const pending = me.removeAvatar();
    await answerVcard(server, xml("NICKNAME", {}, "b"), photo(xml("BINVAL", {}, "x")));
    const set = await answer(server, vcardIq("set"));
    expect(set.getChild("vCard", NS_VCARD)?.getChild("PHOTO")).toBeUndefined();
    expect(set.getChild("vCard", NS_VCARD)?.getChildText("NICKNAME")).toBe("b");
    const presence = server.nextSent((el) => el.name === "presence");
    const meta = await answer(server, publishTo(NS_AVATAR_METADATA));
    const payload = pubsubChild(meta)?.getChild("item")?.getChild("metadata", NS_AVATAR_METADATA);
    expect(payload?.getChildElements()).toEqual([]);
    await pending;
    const update = (await presence).getChild("x", NS_VCARD_UPDATE);
    expect(update?.getChild("photo")?.text()).toBe("");
  });
});

describe("fetching a contact's avatar", () => {
  it("reads XEP-0084 metadata then data, checking the hash", async () => {
    const { server, me } = await setup();
    const image = png(16, 16);
    const id = sha1(image);
    const pending = me.fetchAvatar(`${ALICE}/phone`);
    const metaReq = await answer(
      server,
      itemsOf(NS_AVATAR_METADATA),
      items(
        NS_AVATAR_METADATA,
        xml(
          "item",
          { id },
          metadata({ id, type: "image/png", bytes: image.length, width: 16, height: 16 }),
        ),
      ),
    );
    expect(metaReq.attrs.to).toBe(ALICE);
    const dataReq = await answerData(server, id, b64(image));
    expect(pubsubChild(dataReq)?.getChild("item")?.attrs.id).toBe(id);
    const avatar = await pending;
    expect(avatar).toMatchObject({ id, source: "pep", width: 16, height: 16, type: "image/png" });
    expect(Buffer.from(avatar?.data ?? []).equals(Buffer.from(image))).toBe(true);
  });

  it("rejects bytes that do not match the announced id, and oversized announcements", async () => {
    const { server, me } = await setup({ maxFetchBytes: 100 });
    const image = png(16, 16);
    const wrongId = "0".repeat(40);
    const mismatch = me.fetchAvatar(ALICE);
    await answerMetadata(server, { id: wrongId, type: "image/png", bytes: 49 });
    await answerData(server, wrongId, b64(image));
    await expect(mismatch).rejects.toMatchObject({ reason: "hash-mismatch" });

    const big = me.fetchAvatar(ALICE);
    await answerMetadata(server, { id: wrongId, type: "image/png", bytes: 5_000 });
    await expect(big).rejects.toMatchObject({ reason: "too-large" });

    const lying = me.fetchAvatar(ALICE);
    await answerMetadata(server, { id: wrongId, type: "image/png", bytes: 10 });
    await answerData(server, wrongId, "A".repeat(4_000));
    await expect(lying).rejects.toMatchObject({ reason: "too-large" });
  });

  it("falls back to the vCard photo, checked against the presence hash", async () => {
    const { server, me } = await setup();
    const image = jpeg(40, 30);
    const hash = sha1(image);
    const announced = nextProfileEvent(me, "avatar");
    server.receive(
      xml(
        "presence",
        { from: `${ALICE}/phone`, to: FULL },
        xml("x", { xmlns: NS_VCARD_UPDATE }, xml("photo", {}, hash)),
      ),
    );
    expect(await announced).toEqual({ jid: ALICE, id: hash, info: undefined, source: "presence" });

    const pending = me.fetchAvatar(ALICE);
    await refuse(server, itemsOf(NS_AVATAR_METADATA), "item-not-found");
    const vcardReq = await answerVcard(
      server,
      photo(xml("TYPE", {}, "image/jpeg"), xml("BINVAL", {}, b64(image))),
    );
    expect(vcardReq.attrs.to).toBe(ALICE);
    expect(await pending).toMatchObject({ id: hash, source: "vcard", width: 40, height: 30 });

    // A vCard photo that is not what the contact announced is refused.
    const other = me.fetchAvatar(ALICE);
    await refuse(server, itemsOf(NS_AVATAR_METADATA), "forbidden");
    await answerVcard(server, photo(xml("BINVAL", {}, b64(png(2, 2)))));
    await expect(other).rejects.toMatchObject({ reason: "hash-mismatch" });

    // No avatar anywhere: undefined, not an error.
    const none = me.fetchAvatar("carol@example.test");
    await refuse(server, itemsOf(NS_AVATAR_METADATA), "item-not-found");
    await refuse(server, vcardIq("get"), "service-unavailable");
    expect(await none).toBeUndefined();
  });
});

describe("nickname and mood", () => {
  it("publishes and reads them, refusing bad values", async () => {
    const { server, me } = await setup();
    const nick = me.publishNickname("  Claw\u0007 Bot ");
    const nickReq = await answer(server, publishTo(NS_NICK));
    await nick;
    expect(pubsubChild(nickReq)?.getChild("item")?.getChildText("nick", NS_NICK)).toBe("Claw Bot");

    const mood = me.publishMood("happy", "shipping");
    const moodReq = await answer(server, publishTo(NS_MOOD));
    await mood;
    const payload = pubsubChild(moodReq)?.getChild("item")?.getChild("mood", NS_MOOD);
    expect(payload?.getChild("happy")).toBeDefined();
    expect(payload?.getChildText("text")).toBe("shipping");

    await expect(me.publishNickname("\u0001 ")).rejects.toMatchObject({ reason: "invalid" });
    await expect(me.publishMood("ecstatic" as "happy")).rejects.toMatchObject({
      reason: "invalid",
    });

    const readNick = me.fetchNickname(ALICE);
    await answer(
      server,
      itemsOf(NS_NICK),
      items(NS_NICK, xml("item", { id: "current" }, xml("nick", { xmlns: NS_NICK }, "Alice"))),
    );
    expect(await readNick).toBe("Alice");
    const readMoodValue = me.fetchMood(ALICE);
    await answer(
      server,
      itemsOf(NS_MOOD),
      items(
        NS_MOOD,
        xml("item", {}, xml("mood", { xmlns: NS_MOOD }, xml("gleeful"), xml("text", {}, "?"))),
      ),
    );
    expect(await readMoodValue).toBeUndefined();
  });

  it("refuses a contact that is not a JID, and stops listening to pubsub when stopped", async () => {
    const { server, client, me } = await setup();
    await expect(me.fetchAvatar("@@")).rejects.toMatchObject({ reason: "invalid" });
    await expect(me.fetchNickname("a@b@c")).rejects.toMatchObject({ reason: "invalid" });
    const nicknames: unknown[] = [];
    me.on("nickname", (n) => nicknames.push(n));
    await me.stop();
    server.receive(
      xml(
        "message",
        { from: ALICE, to: FULL, type: "headline" },
        xml(
          "event",
          { xmlns: NS_EVENT },
          xml("items", { node: NS_NICK }, xml("item", {}, xml("nick", { xmlns: NS_NICK }, "x"))),
        ),
      ),
    );
    const seen = nextEvent(client, "message");
    server.receive(
      xml("message", { from: `${ALICE}/r`, to: FULL, type: "chat" }, xml("body", {}, "after")),
    );
    await seen;
    expect(nicknames).toEqual([]);
  });

  it("turns PEP notifications into typed events, ignoring malformed ones", async () => {
    const { server, me } = await setup({ watch: ["nickname", "mood", "avatar"] });
    const event = (node: string, ...children: Element[]) =>
      xml(
        "message",
        { from: ALICE, to: FULL, type: "headline" },
        xml("event", { xmlns: NS_EVENT }, xml("items", { node }, ...children)),
      );
    const nick = nextProfileEvent(me, "nickname");
    server.receive(
      event(NS_NICK, xml("item", { id: "current" }, xml("nick", { xmlns: NS_NICK }, "Al"))),
    );
    expect(await nick).toEqual({ jid: ALICE, nickname: "Al" });

    const mood = nextProfileEvent(me, "mood");
    server.receive(event(NS_MOOD, xml("item", {}, xml("mood", { xmlns: NS_MOOD }, xml("sad")))));
    expect(await mood).toEqual({ jid: ALICE, mood: { mood: "sad", text: undefined } });

    const cleared = nextProfileEvent(me, "mood");
    server.receive(event(NS_MOOD, xml("retract", { id: "current" })));
    expect(await cleared).toEqual({ jid: ALICE, mood: undefined });

    const avatars: ProfileEvents["avatar"][0][] = [];
    me.on("avatar", (a) => avatars.push(a));
    server.receive(
      event(
        NS_AVATAR_METADATA,
        xml("item", {}, metadata({ id: "not-a-hash", type: "x", bytes: 1 })),
      ),
    );
    const good = "a".repeat(40);
    const avatar = nextProfileEvent(me, "avatar", (a) => a.id === good);
    server.receive(
      event(
        NS_AVATAR_METADATA,
        xml("item", {}, metadata({ id: good, type: "image/png", bytes: 10, width: 9 })),
      ),
    );
    await avatar;
    expect(avatars).toEqual([
      { jid: ALICE, id: undefined, info: undefined, source: "pep" },
      {
        jid: ALICE,
        id: good,
        info: { id: good, type: "image/png", bytes: 10, width: 9, height: undefined },
        source: "pep",
      },
    ]);
  });
});
