/**
 * X3DH as OMEMO 2 runs it (XEP-0384 0.8 § 7.1; Signal's X3DH spec § 3):
 * Curve X25519 with the Ed25519 identity keys converted, hash SHA-256, info
 * "OMEMO X3DH", KDF input 32 × 0xFF ‖ DH1 ‖ DH2 ‖ DH3 ‖ DH4, zero salt, and
 * associated data IK_initiator ‖ IK_responder as raw 32-byte Ed25519 keys.
 * A one-time prekey is required, as in every OMEMO implementation.
 */
import { nativeAgreement, nativePublicKey } from "../native-curve.js";
import { OmemoError } from "../omemo-error.js";
import {
  edwardsToMontgomery,
  type IdentityKeyPair,
  identityAgreementKey,
  verifyIdentitySignature,
} from "./identity-key.js";
import { hkdf, INFO_X3DH, type RandomSource, secureRandom } from "./primitives.js";

/** A published prekey: id and X25519 public key (32 bytes). */
export interface PublicPreKey2 {
  id: number;
  publicKey: Uint8Array;
}

/** A peer's bundle, as parsed from `urn:xmpp:omemo:2:bundles` (all keys 32 raw bytes). */
export interface Bundle2 {
  /** Ed25519 identity key. */
  identityKey: Uint8Array;
  signedPreKey: PublicPreKey2 & { signature: Uint8Array };
  preKeys: PublicPreKey2[];
}

/** What the initiator learns from X3DH. */
export interface X3dhInitiation {
  sharedSecret: Uint8Array;
  /** IK_A ‖ IK_B: authenticated by every ratchet message of the session. */
  associatedData: Uint8Array;
  ephemeralPublicKey: Uint8Array;
  signedPreKey: PublicPreKey2;
  preKeyId: number;
}

/** Our private halves the responder needs. */
export interface X3dhResponderKeys {
  identity: IdentityKeyPair;
  /** X25519 private key of the signed prekey named by `spk_id`. */
  signedPreKeyPrivate: Uint8Array;
  /** X25519 private key of the one-time prekey named by `pk_id`. */
  preKeyPrivate: Uint8Array;
}

const PADDING = new Uint8Array(32).fill(0xff);

function agree(publicKey: Uint8Array, privateKey: Uint8Array): Uint8Array {
  try {
    return nativeAgreement(publicKey, privateKey);
  } catch (error) {
    throw new OmemoError("malformed", "X25519 agreement failed (invalid or low-order public key)", {
      cause: error,
    });
  }
}

function derive(dh: Uint8Array[]): Uint8Array {
  return hkdf(Buffer.concat([PADDING, ...dh]), INFO_X3DH, 32);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.concat([a, b]));
}

/** The signed prekey signature: Ed25519 by the identity over the raw 32-byte X25519 prekey. */
export function verifyBundle(bundle: Bundle2): void {
  if (
    !verifyIdentitySignature(
      bundle.identityKey,
      bundle.signedPreKey.publicKey,
      bundle.signedPreKey.signature,
    )
  ) {
    throw new OmemoError(
      "bad-signature",
      "signed prekey signature does not verify with the identity key",
    );
  }
}

/**
 * Runs X3DH against `bundle` as initiator: checks the signed prekey
 * signature, picks a one-time prekey (at random, or `preKeyId`) and a fresh
 * ephemeral key.
 */
export function x3dhInitiate(
  identity: IdentityKeyPair,
  bundle: Bundle2,
  options: { random?: RandomSource; preKeyId?: number } = {},
): X3dhInitiation & { ephemeralPrivateKey: Uint8Array } {
  const random = options.random ?? secureRandom;
  verifyBundle(bundle);
  if (bundle.preKeys.length === 0)
    throw new OmemoError("no-key", "the bundle has no one-time prekey");
  const preKey =
    options.preKeyId === undefined
      ? bundle.preKeys[Buffer.from(random(4)).readUInt32BE(0) % bundle.preKeys.length]
      : bundle.preKeys.find((candidate) => candidate.id === options.preKeyId);
  if (!preKey) throw new OmemoError("no-key", `the bundle has no prekey ${options.preKeyId}`);
  const ephemeral = nativePublicKey(random(32));
  const spk = bundle.signedPreKey.publicKey;
  const sharedSecret = derive([
    agree(spk, identityAgreementKey(identity.seed)),
    agree(edwardsToMontgomery(bundle.identityKey), ephemeral.privKey),
    agree(spk, ephemeral.privKey),
    agree(preKey.publicKey, ephemeral.privKey),
  ]);
  return {
    sharedSecret,
    associatedData: concat(identity.publicKey, bundle.identityKey),
    ephemeralPublicKey: ephemeral.pubKey,
    ephemeralPrivateKey: ephemeral.privKey,
    signedPreKey: { id: bundle.signedPreKey.id, publicKey: spk },
    preKeyId: preKey.id,
  };
}

/** Runs X3DH as responder, from the initiator's identity and ephemeral keys. */
export function x3dhRespond(
  keys: X3dhResponderKeys,
  initiatorIdentityKey: Uint8Array,
  ephemeralPublicKey: Uint8Array,
): { sharedSecret: Uint8Array; associatedData: Uint8Array } {
  const sharedSecret = derive([
    agree(edwardsToMontgomery(initiatorIdentityKey), keys.signedPreKeyPrivate),
    agree(ephemeralPublicKey, identityAgreementKey(keys.identity.seed)),
    agree(ephemeralPublicKey, keys.signedPreKeyPrivate),
    agree(ephemeralPublicKey, keys.preKeyPrivate),
  ]);
  return { sharedSecret, associatedData: concat(initiatorIdentityKey, keys.identity.publicKey) };
}
