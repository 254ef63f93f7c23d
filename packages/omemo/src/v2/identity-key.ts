/**
 * OMEMO 2 identity keys (XEP-0384 0.8 § 5.3.2, § 7.1): an Ed25519 key pair
 * published as the raw Ed25519 public key. New identities are a 32-byte seed
 * (RFC 8032 § 5.1.5), signed and verified natively. For X3DH the same key
 * takes part in X25519: the private scalar is the clamped first half of
 * SHA-512(seed) (exactly the Ed25519 secret scalar), and a peer's Edwards
 * public key y becomes the Montgomery u = (1 + y) / (1 − y) mod p (RFC 7748
 * § 4.1 birational map). An identity can also be made from an existing
 * Curve25519 private key (a bot's OMEMO 0.3 identity), as python-omemo
 * does, so both versions share one key and one fingerprint; it signs with
 * the scalar (ed25519-scalar.ts).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { clampPrivateKey, nativePublicKey } from "../native-curve.js";
import { OmemoError } from "../omemo-error.js";
import { scalarPublicKey, signWithScalar } from "./ed25519-scalar.js";
import { fromLittleEndian, invert, mod, P, toLittleEndian } from "./field25519.js";
import { type RandomSource, secureRandom } from "./primitives.js";

/** Our identity; `publicKey` is the 32-byte Ed25519 key we publish as `<ik>`. */
export interface IdentityKeyPair {
  /** The RFC 8032 seed; absent for an identity made from a Curve25519 private key. */
  seed?: Uint8Array | undefined;
  /** The clamped scalar: our X25519 private key for X3DH and the Ed25519 secret scalar. */
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

const DUMMY_X = Buffer.alloc(32).toString("base64url");

function seedKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new OmemoError("invalid", "an Ed25519 seed is 32 bytes");
  // OpenSSL derives the public half from `d`; `x` is required by JWK but ignored.
  return createPrivateKey({
    key: { kty: "OKP", crv: "Ed25519", d: Buffer.from(seed).toString("base64url"), x: DUMMY_X },
    format: "jwk",
  });
}

/** The key pair of a seed. */
export function identityFromSeed(seed: Uint8Array): IdentityKeyPair {
  const jwk = createPublicKey(seedKey(seed)).export({ format: "jwk" });
  return {
    seed: new Uint8Array(seed),
    privateKey: identityAgreementKey(seed),
    publicKey: new Uint8Array(Buffer.from(jwk.x as string, "base64url")),
  };
}

/** The identity of a Curve25519 private key (e.g. the OMEMO 0.3 identity): Ed25519 public key = encode(a·B). */
export function identityFromCurve25519(privateKey: Uint8Array): IdentityKeyPair {
  if (privateKey.length !== 32)
    throw new OmemoError("invalid", "a Curve25519 private key is 32 bytes");
  return { privateKey: clampPrivateKey(privateKey), publicKey: scalarPublicKey(privateKey) };
}

/** The OMEMO 0.3 (libsignal) form of the same identity: 0x05 ‖ X25519 public key. */
export function legacyIdentityKey(identity: IdentityKeyPair): Uint8Array {
  return Uint8Array.of(0x05, ...nativePublicKey(identity.privateKey).pubKey);
}

/** A fresh identity. */
export function generateIdentity(random: RandomSource = secureRandom): IdentityKeyPair {
  return identityFromSeed(random(32));
}

/** The X25519 private scalar of an identity (clamped SHA-512(seed)[0..32]). */
export function identityAgreementKey(seed: Uint8Array): Uint8Array {
  const digest = createHash("sha512").update(seed).digest();
  return clampPrivateKey(new Uint8Array(digest.subarray(0, 32)));
}

/**
 * An Ed25519 signature by the identity: RFC 8032 (deterministic, native) from
 * a seed; from a bare scalar, libxeddsa's scheme with 64 random nonce bytes.
 */
export function signWithIdentity(
  identity: IdentityKeyPair,
  message: Uint8Array,
  random: RandomSource = secureRandom,
): Uint8Array {
  if (identity.seed) return new Uint8Array(sign(null, message, seedKey(identity.seed)));
  return signWithScalar(identity.privateKey, message, random(64));
}

/** True when `signature` is a valid Ed25519 signature of `message` by `publicKey`. */
export function verifyIdentitySignature(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") },
      format: "jwk",
    });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

// Peers' identity keys recur in every session setup; the conversion costs a modular inversion.
const converted = new Map<string, Uint8Array>();
const CACHE_SIZE = 256;

/**
 * The X25519 public key (Montgomery u) of an Ed25519 public key. Refuses a
 * non-canonical y (≥ p) and y = 1 (the neutral element, no u exists).
 */
export function edwardsToMontgomery(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) {
    throw new OmemoError("malformed", "an Ed25519 public key is 32 bytes");
  }
  const id = Buffer.from(publicKey).toString("base64");
  let u = converted.get(id);
  if (!u) {
    // The top bit is the sign of x, irrelevant to u.
    const y = fromLittleEndian(publicKey) & ((1n << 255n) - 1n);
    if (y >= P) throw new OmemoError("malformed", "Ed25519 public key is not canonical");
    const denominator = mod(1n - y);
    if (denominator === 0n)
      throw new OmemoError("malformed", "Ed25519 public key is the neutral point");
    u = toLittleEndian(mod((1n + y) * invert(denominator)));
    if (converted.size >= CACHE_SIZE) converted.delete(converted.keys().next().value as string);
    converted.set(id, u);
  }
  return new Uint8Array(u);
}
