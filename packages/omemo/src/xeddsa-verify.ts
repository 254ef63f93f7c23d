/**
 * XEdDSA signature verification (Signal's XEdDSA spec § 2.3 / § 3.2, as
 * libsignal's `curve25519_verify` does it) on Node's native Ed25519: the
 * Montgomery public key u becomes the Edwards y = (u − 1)/(u + 1) mod p, the
 * sign bit travels in the signature's last byte, and what remains is a
 * plain Ed25519 verification. Signing stays with the library: XEdDSA signs
 * with the Curve25519 scalar itself, which Node's Ed25519 (seeded) cannot.
 *
 * OpenSSL is stricter than ref10 only on malleated signatures (S ≥ L),
 * which no honest signer produces.
 */
import { createPublicKey, verify } from "node:crypto";

const P = 2n ** 255n - 19n;

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base % P;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

function littleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  return value;
}

/** The Ed25519 encoding of the Edwards point matching Montgomery `u`, sign bit clear. */
export function montgomeryToEdwards(u32: Uint8Array): Uint8Array {
  const u = littleEndian(u32) & ((1n << 255n) - 1n);
  // (u + 1)^(p − 2) is the inverse, and 0 when u + 1 ≡ 0, as ref10's fe_invert.
  const y = (((u - 1n + P) % P) * modPow(u + 1n, P - 2n)) % P;
  const out = new Uint8Array(32);
  let rest = y;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** True when `signature` (64 bytes) is a valid XEdDSA signature of `message` by Curve25519 key `publicKey` (32 bytes). */
export function xeddsaVerify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const edwards = montgomeryToEdwards(publicKey);
  edwards[31] = (edwards[31] ?? 0) | ((signature[63] ?? 0) & 0x80);
  const sig = new Uint8Array(signature);
  sig[63] = (sig[63] ?? 0) & 0x7f;
  try {
    const key = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(edwards).toString("base64url") },
      format: "jwk",
    });
    return verify(null, message, key, sig);
  } catch {
    // Not a point on the curve: no signature can be valid.
    return false;
  }
}
