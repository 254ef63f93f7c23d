/**
 * Our own OMEMO 2 prekeys (XEP-0384 0.8 § 5.3.2): one-time prekeys and the
 * signed prekey are X25519 key pairs; the signed prekey's signature is an
 * Ed25519 signature by the identity over its raw 32-byte public key.
 * Ids are chosen by the caller (keep them monotonic, as the 0.3 store does).
 */
import { nativePublicKey } from "../native-curve.js";
import { checkId } from "../wire-limits.js";
import { type IdentityKeyPair, signWithIdentity } from "./identity-key.js";
import { type RandomSource, secureRandom } from "./primitives.js";
import type { Bundle2 } from "./x3dh.js";

/** An X25519 prekey pair with its id (private key stored clamped). */
export interface PreKeyPair2 {
  id: number;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** The signed prekey with its signature and creation time (for rotation). */
export interface SignedPreKeyPair2 extends PreKeyPair2 {
  signature: Uint8Array;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** A fresh one-time prekey; ids 1..2^31−1 as XEP-0384 allows. */
export function generatePreKey2(id: number, random: RandomSource = secureRandom): PreKeyPair2 {
  const pair = nativePublicKey(random(32));
  return { id: checkId(id, "prekey id"), privateKey: pair.privKey, publicKey: pair.pubKey };
}

/** A fresh signed prekey, signed by `identity`. */
export function generateSignedPreKey2(
  identity: IdentityKeyPair,
  id: number,
  options: { random?: RandomSource; now?: number } = {},
): SignedPreKeyPair2 {
  const preKey = generatePreKey2(id, options.random);
  return {
    ...preKey,
    signature: signWithIdentity(identity.seed, preKey.publicKey),
    createdAt: options.now ?? Date.now(),
  };
}

/** The public bundle for our keys. */
export function ownBundle2(
  identity: IdentityKeyPair,
  signedPreKey: SignedPreKeyPair2,
  preKeys: readonly PreKeyPair2[],
): Bundle2 {
  return {
    identityKey: identity.publicKey,
    signedPreKey: {
      id: signedPreKey.id,
      publicKey: signedPreKey.publicKey,
      signature: signedPreKey.signature,
    },
    preKeys: preKeys.map(({ id, publicKey }) => ({ id, publicKey })),
  };
}
