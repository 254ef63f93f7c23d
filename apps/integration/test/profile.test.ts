/**
 * `@clawxmpp/profile` against a real Prosody 0.12 (mod_pep, mod_vcard_legacy):
 * the bot's avatar seen by a contact through XEP-0084 (notification and
 * fetch) and XEP-0153 (presence hash and vCard photo), nickname and mood
 * round trips with notifications, and hostile input: an oversized avatar
 * refused, a contact whose avatar bytes do not match the id they announce.
 */
import { createHash } from "node:crypto";
import { type Client, xml } from "@clawxmpp/core";
import { type ProfileEvents, type ProfileHandle, profile } from "@clawxmpp/profile";
import { type PubsubHandle, pubsub } from "@clawxmpp/pubsub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, type ProsodyInstance, startProsody } from "../src/index.js";
import { realPng } from "./images.js";
import { befriend, firstMatching } from "./pep-helpers.js";

let server: ProsodyInstance;
const clients: Client[] = [];
type Account = { client: Client; ps: PubsubHandle; me: ProfileHandle };
let bot: Account;
let alice: Account;

const sha1 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("hex");

function profileEvent<K extends keyof ProfileEvents & string>(
  me: ProfileHandle,
  event: K,
  match: (value: ProfileEvents[K][0]) => boolean,
): Promise<ProfileEvents[K][0]> {
  return firstMatching(
    (listener: (value: ProfileEvents[K][0]) => void) => me.on(event, listener as never),
    match,
    `profile "${event}"`,
  );
}

async function start(user: string, watch: ("avatar" | "nickname" | "mood")[] = []) {
  const client = clientFor(server, user);
  clients.push(client);
  const ps = client.use(pubsub, {});
  const me = client.use(profile, { watch });
  await client.start();
  return { client, ps, me };
}

beforeAll(async () => {
  server = await startProsody();
  bot = await start("bot");
  alice = await start("alice", ["avatar", "nickname", "mood"]);
  await befriend(bot.client, alice.client);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await server?.stop();
});

describe("the bot's avatar, seen by a contact", () => {
  const image = realPng(24, 16);
  const id = sha1(image);

  it("arrives by XEP-0084 (notification, then fetch) and XEP-0153 (presence hash, vCard)", async () => {
    const notified = profileEvent(
      alice.me,
      "avatar",
      (a) => a.source === "pep" && a.info?.width === 24,
    );
    const inPresence = profileEvent(
      alice.me,
      "avatar",
      (a) => a.source === "presence" && a.id === id,
    );
    const published = await bot.me.publishAvatar(image);
    expect(published).toMatchObject({
      id,
      changed: true,
      type: "image/png",
      width: 24,
      height: 16,
    });

    expect(await notified).toMatchObject({
      jid: bot.client.account.bare,
      id,
      info: { type: "image/png", bytes: image.length, width: 24, height: 16 },
    });
    const fetched = await alice.me.fetchAvatar(bot.client.account.bare);
    expect(fetched).toMatchObject({ id, source: "pep", width: 24, height: 16 });
    expect(Buffer.from(fetched?.data ?? []).equals(Buffer.from(image))).toBe(true);

    expect(await inPresence).toMatchObject({ jid: bot.client.account.bare, id });
    const answer = await alice.client.iq.get(
      xml("vCard", { xmlns: "vcard-temp" }),
      bot.client.account.bare,
    );
    const binval = answer
      .getChild("vCard", "vcard-temp")
      ?.getChild("PHOTO")
      ?.getChildText("BINVAL");
    expect(sha1(new Uint8Array(Buffer.from(binval ?? "", "base64")))).toBe(id);
  });

  it("is not published again when unchanged", async () => {
    expect(await bot.me.publishAvatar(image)).toMatchObject({ id, changed: false });
  });

  it("refuses an oversized avatar and a non-image with clear errors, and stays online", async () => {
    const huge = realPng(5_000, 1); // small in bytes, too wide in pixels
    await expect(bot.me.publishAvatar(new Uint8Array(300_000))).rejects.toThrow(
      /\[profile\] avatar is 300000 bytes; larger than the 131072-byte limit/u,
    );
    await expect(bot.me.publishAvatar(huge)).rejects.toMatchObject({ reason: "too-large" });
    await expect(bot.me.publishAvatar(new TextEncoder().encode("<svg/>"))).rejects.toMatchObject({
      reason: "unsupported-format",
    });
    expect(bot.client.status).toBe("online");
    // Still what it was.
    expect((await alice.me.fetchAvatar(bot.client.account.bare))?.id).toBe(id);
  });
  it("removing it reaches the contact; then there is none to fetch", async () => {
    const removed = profileEvent(
      alice.me,
      "avatar",
      (a) => a.source === "pep" && a.jid === bot.client.account.bare && a.id === undefined,
    );
    const emptyPhoto = profileEvent(
      alice.me,
      "avatar",
      (a) => a.source === "presence" && a.jid === bot.client.account.bare && a.id === undefined,
    );
    await bot.me.removeAvatar();
    await removed;
    await emptyPhoto;
    expect(await alice.me.fetchAvatar(bot.client.account.bare)).toBeUndefined();
  });
});

describe("the largest avatar the defaults allow", () => {
  it("fits in one stanza on Prosody (256 KiB) and arrives intact", async () => {
    // Incompressible pixels: the PNG is just under the 128 KiB default.
    const image = realPng(168, 192, true);
    expect(image.length).toBeGreaterThan(128_000);
    expect(image.length).toBeLessThanOrEqual(131_072);
    const published = await alice.me.publishAvatar(image);
    const fetched = await bot.me.fetchAvatar(alice.client.account.bare);
    expect(fetched).toMatchObject({ id: published.id, source: "pep", width: 168, height: 192 });
    expect(alice.client.status).toBe("online");
  });
});

describe("hostile avatars", () => {
  it("a contact's avatar whose bytes do not match its announced id is refused", async () => {
    const claimed = realPng(4, 4);
    const actual = realPng(5, 5);
    const fakeId = sha1(claimed);
    const options = { id: fakeId, options: { access_model: "open" } };
    await alice.ps.publish(
      "urn:xmpp:avatar:data",
      xml("data", { xmlns: "urn:xmpp:avatar:data" }, Buffer.from(actual).toString("base64")),
      options,
    );
    await alice.ps.publish(
      "urn:xmpp:avatar:metadata",
      xml(
        "metadata",
        { xmlns: "urn:xmpp:avatar:metadata" },
        xml("info", { id: fakeId, type: "image/png", bytes: actual.length }),
      ),
      options,
    );
    await expect(bot.me.fetchAvatar(alice.client.account.bare)).rejects.toMatchObject({
      name: "ProfileError",
      reason: "hash-mismatch",
    });
  });
});

describe("nickname and mood", () => {
  it("the bot's nickname and mood reach its contact and can be read back", async () => {
    const nick = profileEvent(alice.me, "nickname", (n) => n.nickname === "Claw");
    await bot.me.publishNickname("Claw");
    expect(await nick).toEqual({ jid: bot.client.account.bare, nickname: "Claw" });
    expect(await alice.me.fetchNickname(bot.client.account.bare)).toBe("Claw");

    const mood = profileEvent(alice.me, "mood", (m) => m.mood?.mood === "curious");
    await bot.me.publishMood("curious", "reading XEPs");
    expect(await mood).toEqual({
      jid: bot.client.account.bare,
      mood: { mood: "curious", text: "reading XEPs" },
    });
    expect(await alice.me.fetchMood(bot.client.account.bare)).toEqual({
      mood: "curious",
      text: "reading XEPs",
    });

    const cleared = profileEvent(alice.me, "mood", (m) => m.mood === undefined);
    await bot.me.publishMood(undefined);
    await cleared;
    expect(await alice.me.fetchMood(bot.client.account.bare)).toBeUndefined();
  });
});
