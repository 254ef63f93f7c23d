/**
 * Arithmetic modulo p = 2^255 − 19 (RFC 7748 § 4.1, RFC 8032 § 5.1) on
 * BigInt, for what node:crypto does not expose: converting Ed25519 public
 * keys to X25519 and Ed25519 signing with a bare scalar. Not constant-time;
 * only public values and the rare scalar signature go through it.
 */

/** The field prime 2^255 − 19. */
export const P = 2n ** 255n - 19n;

/** `value` mod `m`, in 0..m−1. */
export function mod(value: bigint, m: bigint = P): bigint {
  const r = value % m;
  return r < 0n ? r + m : r;
}

/** base^exponent mod p. */
export function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

/** The inverse mod p (0 for 0, as ref10's fe_invert). */
export function invert(value: bigint): bigint {
  return power(value, P - 2n);
}

/** Little-endian bytes → number. */
export function fromLittleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  return value;
}

/** Number → 32 little-endian bytes. */
export function toLittleEndian(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let rest = value;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}
