/**
 * OMEMO 2 identity keys (XEP-0384 0.8 § 5.3.2, § 7.1): an Ed25519 key pair
 * kept as its 32-byte seed (RFC 8032 § 5.1.5) and published as the raw
 * Ed25519 public key. Signing and verifying are native Ed25519. For X3DH the
 * same key takes part in X25519: the private scalar is the clamped first
 * half of SHA-512(seed) (exactly the Ed25519 secret scalar), and a peer's
 * Edwards public key y becomes the Montgomery u = (1 + y) / (1 − y) mod p
 * (RFC 7748 § 4.1 birational map).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { clampPrivateKey } from "../native-curve.js";
import { OmemoError } from "../omemo-error.js";
import { type RandomSource, secureRandom } from "./primitives.js";

/** Our identity: the seed is the secret, `publicKey` the 32-byte Ed25519 key we publish as `<ik>`. */
export interface IdentityKeyPair {
  seed: Uint8Array;
  publicKey: Uint8Array;
}

const P = 2n ** 255n - 19n;
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
    publicKey: new Uint8Array(Buffer.from(jwk.x as string, "base64url")),
  };
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

/** Ed25519 signature (RFC 8032, deterministic) by the identity. */
export function signWithIdentity(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, seedKey(seed)));
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

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = ((base % P) + P) % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/**
 * The X25519 public key (Montgomery u) of an Ed25519 public key. Refuses a
 * non-canonical y (≥ p) and y = 1 (the neutral element, no u exists).
 */
export function edwardsToMontgomery(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32)
    throw new OmemoError("malformed", "an Ed25519 public key is 32 bytes");
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(publicKey[i] as number);
  y &= (1n << 255n) - 1n; // the top bit is the sign of x, irrelevant to u
  if (y >= P) throw new OmemoError("malformed", "Ed25519 public key is not canonical");
  const denominator = (1n - y + P) % P;
  if (denominator === 0n)
    throw new OmemoError("malformed", "Ed25519 public key is the neutral point");
  let u = ((1n + y) * modPow(denominator, P - 2n)) % P;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  return out;
}
