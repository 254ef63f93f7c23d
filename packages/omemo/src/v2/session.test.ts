/**
 * Property tests of OMEMO 2 sessions between two of our own devices:
 * out-of-order delivery in random schedules, skipped keys beyond the bound,
 * replays and tampering refused without harming the session, state survives
 * a JSON round trip.
 */

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { refusal } from "../../test/refusal.js";
import { type IdentityKeyPair, identityFromSeed } from "./identity-key.js";
import {
  decodeAuthenticatedMessage,
  decodeKeyExchange,
  decodeOmemoMessage,
  encodeAuthenticatedMessage,
  encodeOmemoMessage,
} from "./messages.js";
import {
  generatePreKey2,
  generateSignedPreKey2,
  ownBundle2,
  type PreKeyPair2,
} from "./own-keys.js";
import type { RandomSource } from "./primitives.js";
import { OmemoSession2, type SessionOptions } from "./session.js";

/** A deterministic PRNG, so a failing schedule can be replayed from its seed. */
function seeded(seed: number): RandomSource & { int(max: number): number } {
  let counter = 0;
  const source = (length: number): Uint8Array => {
    const out = Buffer.alloc(length);
    for (let offset = 0; offset < length; offset += 32) {
      createHash("sha256").update(`${seed}/${counter++}`).digest().copy(out, offset);
    }
    return new Uint8Array(out);
  };
  return Object.assign(source, {
    int: (max: number) => Buffer.from(source(4)).readUInt32BE(0) % max,
  });
}

interface Device {
  identity: IdentityKeyPair;
  signedPreKey: ReturnType<typeof generateSignedPreKey2>;
  preKeys: PreKeyPair2[];
}

function device(random: RandomSource): Device {
  const identity = identityFromSeed(random(32));
  return {
    identity,
    signedPreKey: generateSignedPreKey2(identity, 1, { random, now: 0 }),
    preKeys: [1, 2, 3].map((id) => generatePreKey2(id, random)),
  };
}

function keyMaterial(i: number): Uint8Array {
  return new Uint8Array(48).fill(i & 0xff);
}

/** Alice initiates with Bob's bundle; Bob answers the first message. */
function pair(random: RandomSource, options: SessionOptions = {}) {
  const alice = device(random);
  const bob = device(random);
  const aliceSession = OmemoSession2.initiate(
    alice.identity,
    ownBundle2(bob.identity, bob.signedPreKey, bob.preKeys),
    {
      ...options,
      random,
    },
  );
  const first = aliceSession.encrypt(keyMaterial(0));
  expect(first.kex).toBe(true);
  const { session: bobSession, plaintext } = OmemoSession2.respond(
    {
      identity: bob.identity,
      signedPreKey: (id) => (id === 1 ? bob.signedPreKey.privateKey : undefined),
      preKey: (id) => bob.preKeys.find((pk) => pk.id === id)?.privateKey,
    },
    first.data,
    { ...options, random },
  );
  expect(plaintext).toEqual(keyMaterial(0));
  return { alice: aliceSession, bob: bobSession, first };
}

describe("OMEMO 2 sessions", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    "delivers out of order in both directions (schedule seed %i)",
    (seed) => {
      const random = seeded(seed);
      const { alice, bob } = pair(random);
      const parties = { alice, bob };
      let sequence = 1;
      const inFlight: {
        to: "alice" | "bob";
        data: Uint8Array;
        kex: boolean;
        expected: Uint8Array;
      }[] = [];
      for (let step = 0; step < 60; step++) {
        const action = random.int(3);
        if (action < 2 || inFlight.length === 0) {
          const from = random.int(2) === 0 ? "alice" : "bob";
          const expected = keyMaterial(sequence++);
          const { data, kex } = parties[from].encrypt(expected);
          inFlight.push({ to: from === "alice" ? "bob" : "alice", data, kex, expected });
        } else {
          const [message] = inFlight.splice(random.int(inFlight.length), 1);
          if (!message) continue;
          expect(parties[message.to].decrypt(message.data, message.kex)).toEqual(message.expected);
        }
      }
      for (const message of inFlight.reverse()) {
        expect(parties[message.to].decrypt(message.data, message.kex)).toEqual(message.expected);
      }
    },
  );

  it("stops wrapping in key exchanges once the responder has answered", () => {
    const { alice, bob } = pair(seeded(10));
    expect(alice.encrypt(keyMaterial(1)).kex).toBe(true);
    const reply = bob.encrypt(keyMaterial(2));
    expect(reply.kex).toBe(false);
    expect(alice.decrypt(reply.data)).toEqual(keyMaterial(2));
    expect(alice.confirmed).toBe(true);
    expect(alice.encrypt(keyMaterial(3)).kex).toBe(false);
  });

  it("refuses a replay, and a repeated key exchange decrypts only once", () => {
    const { alice, bob, first } = pair(seeded(11));
    expect(bob.buildsSameSession(first.data)).toBe(true);
    expect(refusal(() => bob.decrypt(first.data, true))).toMatch(/^duplicate:/);
    const second = alice.encrypt(keyMaterial(5));
    expect(bob.decrypt(second.data, true)).toEqual(keyMaterial(5));
    expect(refusal(() => bob.decrypt(second.data, true))).toMatch(/^duplicate:/);
    // A skipped key is used once too.
    const [m1, m2] = [alice.encrypt(keyMaterial(6)), alice.encrypt(keyMaterial(7))];
    expect(bob.decrypt(m2.data, true)).toEqual(keyMaterial(7));
    expect(bob.decrypt(m1.data, true)).toEqual(keyMaterial(6));
    expect(refusal(() => bob.decrypt(m1.data, true))).toMatch(/^duplicate:/);
  });

  it("refuses skipping more keys than the bound, and keeps at most maxSkippedKeys", () => {
    const limits = { maxSkipPerMessage: 5, maxSkippedKeys: 8 };
    const { alice, bob } = pair(seeded(12), { limits });
    const sent = Array.from({ length: 8 }, (_, i) => alice.encrypt(keyMaterial(i + 1)));
    // Message 7 of the chain (index 7 after the first) skips 6 > 5 keys.
    expect(refusal(() => bob.decrypt((sent[6] as { data: Uint8Array }).data, true))).toMatch(
      /^too-large:/,
    );
    // The refusal changed nothing: messages inside the bound still decrypt.
    expect(bob.decrypt((sent[4] as { data: Uint8Array }).data, true)).toEqual(keyMaterial(5));
    expect(bob.skippedKeyCount).toBe(4);
    expect(bob.decrypt((sent[0] as { data: Uint8Array }).data, true)).toEqual(keyMaterial(1));
    expect(bob.skippedKeyCount).toBe(3);
    // Many small gaps: the store stays bounded, the oldest keys go first.
    expect(bob.decrypt((sent[7] as { data: Uint8Array }).data, true)).toEqual(keyMaterial(8));
    const more = Array.from({ length: 30 }, (_, i) => alice.encrypt(keyMaterial(100 + i)));
    for (let i = 4; i < 30; i += 5) bob.decrypt((more[i] as { data: Uint8Array }).data, true);
    expect(bob.skippedKeyCount).toBe(8);
    expect(refusal(() => bob.decrypt((sent[1] as { data: Uint8Array }).data, true))).toMatch(
      /^duplicate:/,
    );
  });

  it("refuses tampered headers, MACs and ciphertexts, and the session survives them", () => {
    const { alice, bob } = pair(seeded(13));
    const reply = bob.encrypt(keyMaterial(1));
    const { mac, message } = decodeAuthenticatedMessage(reply.data);
    const header = decodeOmemoMessage(message);
    const variants = [
      { ...header, n: header.n + 1 },
      { ...header, pn: header.pn + 1 },
      { ...header, dhPub: header.dhPub.map((b, i) => (i === 0 ? b ^ 1 : b)) },
      { ...header, ciphertext: header.ciphertext?.map((b, i) => (i === 3 ? b ^ 0x80 : b)) },
    ];
    for (const variant of variants) {
      const forged = encodeAuthenticatedMessage({ mac, message: encodeOmemoMessage(variant) });
      expect(refusal(() => alice.decrypt(forged))).toMatch(/^(bad-mac|malformed):/);
    }
    const badMac = encodeAuthenticatedMessage({
      mac: mac.map((b, i) => (i === 0 ? b ^ 1 : b)),
      message,
    });
    expect(refusal(() => alice.decrypt(badMac))).toMatch(/^bad-mac:/);
    expect(refusal(() => alice.decrypt(reply.data.subarray(0, reply.data.length - 1)))).toMatch(
      /^malformed:/,
    );
    expect(alice.decrypt(reply.data)).toEqual(keyMaterial(1));
  });

  it("refuses a key exchange with a tampered identity or an unknown prekey", () => {
    const random = seeded(14);
    const bob = device(random);
    const alice = device(random);
    const session = OmemoSession2.initiate(
      alice.identity,
      ownBundle2(bob.identity, bob.signedPreKey, bob.preKeys),
      { random },
    );
    const { data } = session.encrypt(keyMaterial(1));
    const kex = decodeKeyExchange(data);
    const keys = {
      identity: bob.identity,
      signedPreKey: (id: number) => (id === 1 ? bob.signedPreKey.privateKey : undefined),
      preKey: (id: number) => (id === kex.pkId ? undefined : bob.preKeys[0]?.privateKey),
    };
    expect(refusal(() => OmemoSession2.respond(keys, data))).toMatch(/^no-key:/);
    const lookup = {
      ...keys,
      preKey: (id: number) => bob.preKeys.find((pk) => pk.id === id)?.privateKey,
    };
    const wrongIdentity = Buffer.from(data);
    wrongIdentity.set(bob.identity.publicKey, wrongIdentity.indexOf(Buffer.from(kex.ik)));
    expect(refusal(() => OmemoSession2.respond(lookup, wrongIdentity))).toMatch(/^bad-mac:/);
    expect(OmemoSession2.respond(lookup, data).plaintext).toEqual(keyMaterial(1));
  });

  it("refuses a bundle whose signed prekey signature does not verify", () => {
    const random = seeded(15);
    const bob = device(random);
    const bundle = ownBundle2(bob.identity, bob.signedPreKey, bob.preKeys);
    bundle.signedPreKey.signature = bundle.signedPreKey.signature.map((b, i) =>
      i === 0 ? b ^ 1 : b,
    );
    expect(refusal(() => OmemoSession2.initiate(device(random).identity, bundle))).toMatch(
      /^bad-signature:/,
    );
  });

  it("keeps working after a JSON round trip of both states", () => {
    const random = seeded(16);
    let { alice, bob } = pair(random);
    const pending = alice.encrypt(keyMaterial(1));
    alice = OmemoSession2.fromJSON(JSON.parse(JSON.stringify(alice)), { random });
    bob = OmemoSession2.fromJSON(JSON.parse(JSON.stringify(bob)), { random });
    const later = alice.encrypt(keyMaterial(2));
    expect(bob.decrypt(later.data, later.kex)).toEqual(keyMaterial(2));
    const round = OmemoSession2.fromJSON(JSON.parse(JSON.stringify(bob)), { random });
    expect(round.skippedKeyCount).toBe(1);
    expect(round.decrypt(pending.data, pending.kex)).toEqual(keyMaterial(1));
    const reply = round.encrypt(keyMaterial(3));
    expect(alice.decrypt(reply.data)).toEqual(keyMaterial(3));
    expect(refusal(() => OmemoSession2.fromJSON({ v: 2 } as never))).toMatch(/^store:/);
  });
});
