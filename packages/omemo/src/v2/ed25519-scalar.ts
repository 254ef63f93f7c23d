/**
 * Ed25519 with a raw scalar instead of a seed (RFC 8032 § 5.1 arithmetic;
 * XEdDSA spec § 2.3 / § 3.3 nonce): what an identity made from a Curve25519
 * private key needs — python-omemo's `IdentityKeyPairPriv`, e.g. a bot's
 * OMEMO 0.3 identity reused for OMEMO 2 so both versions show one
 * fingerprint. Node's Ed25519 only signs from a seed, so the point
 * arithmetic is BigInt here: a few milliseconds, fine for the rare signed
 * prekey and label signatures, and not constant-time (the seed path, which
 * new identities use, stays native). Verification is native everywhere.
 */
import { createHash } from "node:crypto";
import { clampPrivateKey } from "../native-curve.js";
import { fromLittleEndian, invert, mod, toLittleEndian } from "./field25519.js";

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const D = mod(-121665n * invert(121666n));
const D2 = mod(2n * D);

/** A point in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z. */
type Point = readonly [bigint, bigint, bigint, bigint];

const BASE: Point = (() => {
  const x = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
  const y = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;
  return [x, y, 1n, mod(x * y)];
})();
const IDENTITY: Point = [0n, 1n, 1n, 0n];

function add([x1, y1, z1, t1]: Point, [x2, y2, z2, t2]: Point): Point {
  const a = mod((y1 - x1) * (y2 - x2));
  const b = mod((y1 + x1) * (y2 + x2));
  const c = mod(t1 * D2 * t2);
  const d = mod(2n * z1 * z2);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function double([x1, y1, z1]: Point): Point {
  const a = mod(x1 * x1);
  const b = mod(y1 * y1);
  const c = mod(2n * z1 * z1);
  const h = a + b;
  const e = h - mod((x1 + y1) * (x1 + y1));
  const g = a - b;
  const f = c + g;
  return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
}

function multiplyBase(scalar: bigint): Point {
  let result = IDENTITY;
  for (let bit = 255n; bit >= 0n; bit--) {
    result = double(result);
    if ((scalar >> bit) & 1n) result = add(result, BASE);
  }
  return result;
}

function encodePoint([x, y, z]: Point): Uint8Array {
  const inverse = invert(z);
  const affineX = mod(x * inverse);
  const out = toLittleEndian(mod(y * inverse));
  out[31] = (out[31] as number) | (Number(affineX & 1n) << 7);
  return out;
}

function sha512(...parts: Uint8Array[]): bigint {
  const hash = createHash("sha512");
  for (const part of parts) hash.update(part);
  return mod(fromLittleEndian(hash.digest()), L);
}

/** The Ed25519 public key of a (clamped) Curve25519 private key: encode(aB). */
export function scalarPublicKey(privateKey: Uint8Array): Uint8Array {
  return encodePoint(multiplyBase(fromLittleEndian(clampPrivateKey(privateKey))));
}

// hash_1 of the XEdDSA spec: SHA-512 prefixed by 2^256 − 2 in little-endian (0xFE then 31 × 0xFF).
const HASH1_PREFIX = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0xfe : 0xff));

/** Ed25519 with scalar `scalar` (used as given) and nonce r = hash_1(a ‖ M ‖ Z), as libxeddsa's ed25519_priv_sign. */
function signScalar(scalar: Uint8Array, message: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (nonce.length !== 64) throw new Error("the nonce is 64 random bytes");
  const a = fromLittleEndian(scalar);
  const publicKey = encodePoint(multiplyBase(a));
  const r = sha512(HASH1_PREFIX, scalar, message, nonce);
  const encodedR = encodePoint(multiplyBase(r));
  const k = sha512(encodedR, publicKey, message);
  const signature = new Uint8Array(64);
  signature.set(encodedR);
  signature.set(toLittleEndian(mod(r + k * a, L)), 32);
  return signature;
}

/**
 * An Ed25519 signature by the (clamped) scalar of `privateKey` with 64
 * random nonce bytes; verifies as plain Ed25519 against {@link scalarPublicKey}.
 */
export function signWithScalar(
  privateKey: Uint8Array,
  message: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  return signScalar(clampPrivateKey(privateKey), message, nonce);
}

/**
 * An XEdDSA signature (XEdDSA spec § 2.3, § 3.3) by a Curve25519 private key,
 * as libsignal makes for OMEMO 0.3 signed prekeys: the scalar is negated when
 * its Edwards public key has the sign bit set, so verifiers can rebuild the
 * key from the Montgomery u alone (xeddsa-verify.ts).
 */
export function xeddsaSign(
  privateKey: Uint8Array,
  message: Uint8Array,
  nonce: Uint8Array,
): Uint8Array {
  const clamped = clampPrivateKey(privateKey);
  const a = fromLittleEndian(clamped);
  const signBit = ((encodePoint(multiplyBase(a))[31] as number) & 0x80) !== 0;
  return signScalar(signBit ? toLittleEndian(mod(-a, L)) : clamped, message, nonce);
}
