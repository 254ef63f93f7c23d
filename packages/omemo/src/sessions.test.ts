import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { buildBundle, parseBundle } from "./bundle-element.js";
import type { DeviceAddress } from "./device-address.js";
import { type buildEncrypted, parseEncrypted } from "./encrypted-element.js";
import { ensureOwnDevice, ownBundle, replenishPreKeys } from "./key-manager.js";
import { MemoryOmemoStore } from "./memory-store.js";
import { OmemoSessions, type TrustCheck } from "./omemo-sessions.js";
import { readPreKeyMessage } from "./prekey-message.js";

const flip = (bytes: Uint8Array, at: number) => {
  bytes[at] = (bytes[at] ?? 0) ^ 1;
};

const ALICE = "alice@example.org";
const BOB = "bob@sub.example.org";

async function party(jid: string, isTrusted?: TrustCheck) {
  const store = new MemoryOmemoStore();
  await ensureOwnDevice(store, { preKeyCount: 20 });
  const sessions = await OmemoSessions.open(store, isTrusted ? { isTrusted } : {});
  const address: DeviceAddress = { jid, deviceId: sessions.own.deviceId };
  return { store, sessions, address };
}

// Over the wire: element → string-free round trip through the parser, as a receiver sees it.
const wire = (element: ReturnType<typeof buildEncrypted>) => parseEncrypted(element);

async function connected() {
  const alice = await party(ALICE);
  const bob = await party(BOB);
  // Bundle travels as XML.
  await alice.sessions.buildSession(
    bob.address,
    parseBundle(buildBundle(await ownBundle(bob.store))),
  );
  return { alice, bob };
}

describe("sessions end to end", () => {
  it("prekey message first, then normal messages both ways", async () => {
    const { alice, bob } = await connected();
    const first = await alice.sessions.encrypt([bob.address], "hello bob");
    expect(first.skipped).toEqual([]);
    expect(first.message.keys[0]?.prekey).toBe(true);
    const preKeyId = readPreKeyMessage(first.message.keys[0]?.data as Uint8Array).preKeyId;
    expect(await bob.store.getPreKey(preKeyId as number)).toBeDefined();

    const got = await bob.sessions.decrypt(ALICE, wire(first.element));
    expect(got).toMatchObject({
      plaintext: "hello bob",
      prekey: true,
      preKeyId,
      sender: alice.address,
    });
    expect(got.identityKey).toEqual((await alice.store.getOwnDevice())?.identityKeyPair.publicKey);
    // The library consumed the one-time prekey.
    expect(await bob.store.getPreKey(preKeyId as number)).toBeUndefined();

    const reply = await bob.sessions.encrypt([alice.address], "hi alice ✓");
    expect(reply.message.keys[0]?.prekey).toBe(false);
    expect((await alice.sessions.decrypt(BOB, wire(reply.element))).plaintext).toBe("hi alice ✓");

    const second = await alice.sessions.encrypt([bob.address], "second");
    expect(second.message.keys[0]?.prekey).toBe(false);
    expect((await bob.sessions.decrypt(ALICE, wire(second.element))).plaintext).toBe("second");
  });

  it("decrypts out of order and refuses duplicates and a replayed prekey message", async () => {
    const { alice, bob } = await connected();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await alice.sessions.encrypt([bob.address], `m${i}`));
    const order = [0, 3, 1, 4, 2];
    for (const i of order) {
      expect(
        (await bob.sessions.decrypt(ALICE, wire((sent[i] as (typeof sent)[0]).element))).plaintext,
      ).toBe(`m${i}`);
    }
    for (const i of [0, 2]) {
      await expect(
        bob.sessions.decrypt(ALICE, wire((sent[i] as (typeof sent)[0]).element)),
      ).rejects.toMatchObject({
        condition: "duplicate",
      });
    }
    // The session still works after the refusals.
    const reply = await bob.sessions.encrypt([alice.address], "still fine");
    expect((await alice.sessions.decrypt(BOB, wire(reply.element))).plaintext).toBe("still fine");
  });

  it("serialises concurrent decrypts on one device", async () => {
    const { alice, bob } = await connected();
    const first = await alice.sessions.encrypt([bob.address], "first");
    await bob.sessions.decrypt(ALICE, wire(first.element));
    const reply = await bob.sessions.encrypt([alice.address], "ack");
    await alice.sessions.decrypt(BOB, wire(reply.element));
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, i) => alice.sessions.encrypt([bob.address], `c${i}`)),
    );
    const texts = await Promise.all(
      sent.reverse().map((s) => bob.sessions.decrypt(ALICE, wire(s.element))),
    );
    expect(new Set(texts.map((t) => t.plaintext)).size).toBe(20);
  });

  it("refuses a tampered payload and a tampered key, leaving the session intact", async () => {
    const { alice, bob } = await connected();
    const first = await alice.sessions.encrypt([bob.address], "first");
    await bob.sessions.decrypt(ALICE, wire(first.element));
    const sent = await alice.sessions.encrypt([bob.address], "payload");
    const tampered = wire(sent.element);
    flip(tampered.payload as Uint8Array, 0);
    await expect(bob.sessions.decrypt(ALICE, tampered)).rejects.toMatchObject({
      condition: "bad-tag",
    });

    const next = await alice.sessions.encrypt([bob.address], "next");
    const badKey = wire(next.element);
    const data = badKey.keys[0]?.data as Uint8Array;
    flip(data, data.length - 1);
    await expect(bob.sessions.decrypt(ALICE, badKey)).rejects.toMatchObject({
      condition: "bad-mac",
    });
    expect((await bob.sessions.decrypt(ALICE, wire(next.element))).plaintext).toBe("next");
  });

  it("reports messages not for us, unknown senders and key transports", async () => {
    const { alice, bob } = await connected();
    const carol = await party("carol@example.org");
    const first = await alice.sessions.encrypt([bob.address], "for bob");
    await expect(carol.sessions.decrypt(ALICE, wire(first.element))).rejects.toMatchObject({
      condition: "no-key",
    });
    const transport = await alice.sessions.encrypt([bob.address], undefined);
    expect(transport.message.payload).toBeUndefined();
    const got = await bob.sessions.decrypt(ALICE, wire(transport.element));
    expect(got.plaintext).toBeUndefined();
    // Bob has no session with Carol: a normal message from her cannot be read.
    const forged = {
      ...wire(first.element),
      sid: carol.address.deviceId,
      keys: [{ rid: bob.address.deviceId, prekey: false, data: new Uint8Array([0x33, 1, 2]) }],
    };
    await expect(bob.sessions.decrypt("carol@example.org", forged)).rejects.toMatchObject({
      condition: "no-session",
    });
  });

  it("encrypts for several devices and skips those without a session", async () => {
    const { alice, bob } = await connected();
    const bob2 = await party(BOB);
    const result = await alice.sessions.encrypt([bob.address, bob2.address, bob.address], "x");
    expect(result.encryptedFor).toEqual([bob.address]);
    expect(result.skipped.map((s) => s.error.condition)).toEqual(["no-session"]);
    await expect(alice.sessions.encrypt([alice.address], "self")).resolves.toMatchObject({
      skipped: [{ error: { condition: "invalid" } }],
    });
  });

  it("asks the trust policy before decrypting a prekey message", async () => {
    const seen: string[] = [];
    const alice = await party(ALICE);
    const bob = await party(BOB, (address, _key, direction) => {
      seen.push(`${direction} ${address.jid}`);
      return false;
    });
    await alice.sessions.buildSession(bob.address, await ownBundle(bob.store));
    const first = await alice.sessions.encrypt([bob.address], "secret");
    const preKeyId = readPreKeyMessage(first.message.keys[0]?.data as Uint8Array)
      .preKeyId as number;
    await expect(bob.sessions.decrypt(ALICE, wire(first.element))).rejects.toMatchObject({
      condition: "untrusted",
    });
    expect(seen).toEqual([`receiving ${ALICE}`]);
    // Nothing was built or consumed.
    expect(await bob.store.getSession(alice.address)).toBeUndefined();
    expect(await bob.store.getPreKey(preKeyId)).toBeDefined();
  });

  it("refuses a bundle whose signed prekey signature is wrong", async () => {
    const alice = await party(ALICE);
    const bob = await party(BOB);
    const bundle = await ownBundle(bob.store);
    flip(bundle.signedPreKey.signature, 5);
    await expect(alice.sessions.buildSession(bob.address, bundle)).rejects.toMatchObject({
      condition: "bad-signature",
    });
    expect(await alice.sessions.hasSession(bob.address)).toBe(false);
  });

  it("replaces consumed prekeys with new ids that were never advertised", async () => {
    const { alice, bob } = await connected();
    const before = (await ownBundle(bob.store)).preKeys.map((k) => k.id);
    const first = await alice.sessions.encrypt([bob.address], "hi");
    const { preKeyId } = await bob.sessions.decrypt(ALICE, wire(first.element));
    expect(await replenishPreKeys(bob.store, { preKeyCount: 20 })).toBe(1);
    const after = (await ownBundle(bob.store)).preKeys.map((k) => k.id);
    expect(after).toHaveLength(20);
    expect(after).not.toContain(preKeyId);
    expect(Math.max(...after)).toBe(Math.max(...before) + 1);
  });

  it("keeps the library's SessionLock bookkeeping bounded", async () => {
    const { alice, bob } = await connected();
    const lock = createRequire(import.meta.url)(
      "@privacyresearch/libsignal-protocol-typescript/lib/session-lock.js",
    ).SessionLock as { _promises: unknown[] };
    for (let i = 0; i < 300; i++) await alice.sessions.encrypt([bob.address], `n${i}`);
    // Each encrypt queues several lock jobs; unpruned the list would hold hundreds.
    expect(lock._promises.length).toBeLessThanOrEqual(260);
  });

  it("defers prekey removal during catch-up, then removes what was consumed", async () => {
    const { alice, bob } = await connected();
    bob.sessions.deferPreKeyRemoval();
    const first = await alice.sessions.encrypt([bob.address], "from the archive");
    const { preKeyId } = await bob.sessions.decrypt(ALICE, wire(first.element));
    expect(await bob.store.getPreKey(preKeyId as number)).toBeDefined();
    expect(await bob.sessions.endPreKeyDeferral()).toEqual([preKeyId]);
    expect(await bob.store.getPreKey(preKeyId as number)).toBeUndefined();
    expect(await bob.sessions.endPreKeyDeferral()).toEqual([]);
  });
});
