/**
 * Known-answer tests against vectors made once by the python reference stack
 * (python3-twomemo / doubleratchet / x3dh / xeddsa, see
 * test-vectors/generate-omemo2-vectors.py): every primitive, every message
 * type, and a whole two-party transcript with out-of-order delivery, replayed
 * with the same randomness. Our bytes must equal python's, and we decrypt
 * python's bytes (not ours).
 */
import { describe, expect, it } from "vitest";
import { b64, replay, type SendStep, unb64, vectors } from "../../test/omemo2-vectors.js";
import { nativePublicKey } from "../native-curve.js";
import { DoubleRatchet } from "./double-ratchet.js";
import {
  edwardsToMontgomery,
  identityAgreementKey,
  identityFromSeed,
  signWithIdentity,
  verifyIdentitySignature,
} from "./identity-key.js";
import { openMessage, readHeader, sealMessage } from "./message-aead.js";
import {
  decodeAuthenticatedMessage,
  decodeKeyExchange,
  decodeOmemoMessage,
  encodeAuthenticatedMessage,
  encodeKeyExchange,
  encodeOmemoMessage,
} from "./messages.js";
import { decryptPayload2, encryptPayload2 } from "./payload.js";
import { hkdf } from "./primitives.js";
import { OmemoSession2 } from "./session.js";
import type { Bundle2 } from "./x3dh.js";

const { primitives, transcript } = vectors;

describe("OMEMO 2 primitives (python vectors)", () => {
  it.each(primitives.identity)("identity key $ed25519Public", (v) => {
    const seed = unb64(v.seed);
    const identity = identityFromSeed(seed);
    expect(b64(identity.publicKey)).toBe(v.ed25519Public);
    expect(b64(identityAgreementKey(seed))).toBe(v.x25519Private);
    expect(b64(nativePublicKey(identityAgreementKey(seed)).pubKey)).toBe(v.x25519Public);
    expect(b64(edwardsToMontgomery(identity.publicKey))).toBe(v.x25519FromEd25519);
    const message = unb64(v.message);
    expect(b64(signWithIdentity(seed, message))).toBe(v.seedSignature);
    expect(verifyIdentitySignature(identity.publicKey, message, unb64(v.privSignature))).toBe(true);
    const forged = unb64(v.privSignature);
    forged[5] = (forged[5] ?? 0) ^ 1;
    expect(verifyIdentitySignature(identity.publicKey, message, forged)).toBe(false);
  });

  it.each(primitives.hkdf)("HKDF '$info'", (v) => {
    expect(b64(hkdf(unb64(v.ikm), v.info, v.length, unb64(v.salt)))).toBe(v.okm);
  });

  it.each(primitives.payload)("payload $ciphertext", (v) => {
    const sealed = encryptPayload2(unb64(v.plaintext), replay([v.key]));
    expect(b64(sealed.ciphertext)).toBe(v.ciphertext);
    expect(b64(sealed.keyMaterial)).toBe(v.keyMaterial);
    expect(b64(decryptPayload2(unb64(v.keyMaterial), unb64(v.ciphertext)))).toBe(v.plaintext);
  });

  it.each(primitives.aead)("message AEAD n=$n", (v) => {
    const header = { n: v.n, pn: v.pn, dhPub: unb64(v.dhPub) };
    const sealed = sealMessage(
      unb64(v.messageKey),
      header,
      unb64(v.plaintext),
      unb64(v.associatedData),
    );
    expect(b64(sealed)).toBe(v.authenticated);
    const parsed = readHeader(unb64(v.authenticated));
    expect(parsed.header).toEqual(header);
    expect(b64(openMessage(unb64(v.messageKey), parsed, unb64(v.associatedData)))).toBe(
      v.plaintext,
    );
  });

  it.each(primitives.protobuf)("protobuf $kind $bytes", (v) => {
    const bytes = unb64(v.bytes);
    if (v.kind === "OMEMOMessage") {
      const message = {
        n: v.n,
        pn: v.pn,
        dhPub: unb64(v.dhPub),
        ciphertext: v.ciphertext === undefined ? undefined : unb64(v.ciphertext),
      };
      expect(b64(encodeOmemoMessage(message))).toBe(v.bytes);
      expect(decodeOmemoMessage(bytes)).toEqual(message);
    } else if (v.kind === "OMEMOAuthenticatedMessage") {
      const message = { mac: unb64(v.mac), message: unb64(v.message) };
      expect(b64(encodeAuthenticatedMessage(message))).toBe(v.bytes);
      expect(decodeAuthenticatedMessage(bytes)).toEqual(message);
    } else {
      const kex = {
        pkId: v.pkId,
        spkId: v.spkId,
        ik: unb64(v.ik),
        ek: unb64(v.ek),
        message: unb64(v.message),
      };
      expect(b64(encodeKeyExchange(kex))).toBe(v.bytes);
      expect(decodeKeyExchange(bytes)).toEqual(kex);
    }
  });
});

function bobBundle(): Bundle2 {
  const bob = transcript.bob;
  return {
    identityKey: unb64(bob.identityKey),
    signedPreKey: {
      id: bob.signedPreKey.id,
      publicKey: unb64(bob.signedPreKey.public),
      signature: unb64(bob.signedPreKey.signature),
    },
    preKeys: bob.preKeys.map((pk) => ({ id: pk.id, publicKey: unb64(pk.public) })),
  };
}

describe("OMEMO 2 transcript with python-twomemo", () => {
  it("derives python's X3DH secret and first chain keys", () => {
    const alice = identityFromSeed(unb64(transcript.alice.seed));
    expect(b64(alice.publicKey)).toBe(transcript.alice.identityKey);
    const random = replay(transcript.random.alice);
    const session = OmemoSession2.initiate(alice, bobBundle(), {
      random,
      preKeyId: transcript.chosenPreKeyId,
    });
    expect(b64(session.associatedData)).toBe(transcript.x3dh.associatedData);
    expect(b64(session.keyExchange.ek)).toBe(transcript.x3dh.ephemeralPublic);
    // Root key and sending chain after the first root step and one message (where python captured them).
    session.encrypt(unb64(transcript.steps[0]?.keyMaterial ?? ""));
    const state = DoubleRatchet.fromJSON(session.toJSON().ratchet).toJSON();
    expect(state.rootKey).toBe(transcript.aliceAfterInit.rootKey);
    expect(state.sending.key).toBe(transcript.aliceAfterInit.sendingChainKey);
  });

  it("replays every message byte for byte and decrypts python's messages in python's order", () => {
    const bob = transcript.bob;
    const alice = identityFromSeed(unb64(transcript.alice.seed));
    const bobIdentity = identityFromSeed(unb64(bob.seed));
    expect(b64(bobIdentity.publicKey)).toBe(bob.identityKey);
    for (const pk of bob.preKeys)
      expect(b64(nativePublicKey(unb64(pk.private)).pubKey)).toBe(pk.public);
    const randoms = { alice: replay(transcript.random.alice), bob: replay(transcript.random.bob) };
    const sessions: Record<string, OmemoSession2> = {
      alice: OmemoSession2.initiate(alice, bobBundle(), {
        random: randoms.alice,
        preKeyId: transcript.chosenPreKeyId,
      }),
    };
    const sent = new Map<string, SendStep>();
    let checked = 0;
    for (const step of transcript.steps) {
      if (step.op === "send") {
        if (step.plaintext !== null && step.payloadKey !== null) {
          const payload = encryptPayload2(unb64(step.plaintext), replay([step.payloadKey]));
          expect(b64(payload.ciphertext)).toBe(step.ciphertext);
          expect(b64(payload.keyMaterial)).toBe(step.keyMaterial);
        }
        const session = sessions[step.from] as OmemoSession2;
        const key = session.encrypt(unb64(step.keyMaterial));
        expect({ label: step.label, kex: key.kex, data: b64(key.data) }).toEqual({
          label: step.label,
          kex: step.kex,
          data: step.data,
        });
        sent.set(step.label, step);
      } else {
        const message = sent.get(step.label);
        if (!message) throw new Error(`vector receives unsent ${step.label}`);
        const data = unb64(message.data); // python's bytes, not ours
        let keyMaterial: Uint8Array;
        const existing = sessions[step.by];
        if (existing && (!message.kex || existing.buildsSameSession(data))) {
          keyMaterial = existing.decrypt(data, message.kex);
        } else {
          const result = OmemoSession2.respond(
            {
              identity: bobIdentity,
              signedPreKey: (id) =>
                id === bob.signedPreKey.id ? unb64(bob.signedPreKey.private) : undefined,
              preKey: (id) => {
                const pk = bob.preKeys.find((candidate) => candidate.id === id);
                return pk ? unb64(pk.private) : undefined;
              },
            },
            data,
            { random: randoms.bob },
          );
          sessions[step.by] = result.session;
          keyMaterial = result.plaintext;
          expect(b64(result.session.associatedData)).toBe(transcript.x3dh.associatedData);
        }
        expect(b64(keyMaterial)).toBe(step.keyMaterial);
        if (message.plaintext !== null && message.ciphertext !== null) {
          expect(b64(decryptPayload2(keyMaterial, unb64(message.ciphertext)))).toBe(
            message.plaintext,
          );
        }
        checked++;
      }
    }
    expect(checked).toBe(10);
    expect(sessions.alice?.confirmed).toBe(true);
    // Every recorded random value was consumed, in order and size: our ratchet steps happen where python's do.
    expect(randoms.alice.remaining()).toBe(0);
    expect(randoms.bob.remaining()).toBe(0);
  });
});
