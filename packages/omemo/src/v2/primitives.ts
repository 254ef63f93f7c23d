/**
 * The symmetric primitives OMEMO 2 builds on (XEP-0384 0.8 § 7.1, § 7.2),
 * all on `node:crypto`: HKDF-SHA-256, HMAC-SHA-256, AES-256-CBC with PKCS#7
 * padding, and the info strings the XEP fixes. `RandomSource` lets tests
 * replay known randomness; production uses `randomBytes`.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { OmemoError } from "../omemo-error.js";

/** X3DH key derivation (§ 7.1). */
export const INFO_X3DH = "OMEMO X3DH";
/** Root chain KDF of the Double Ratchet (§ 7.2). */
export const INFO_ROOT_CHAIN = "OMEMO Root Chain";
/** Message key → AES key, HMAC key and IV inside the ratchet (§ 7.2 step 2). */
export const INFO_MESSAGE_KEY = "OMEMO Message Key Material";
/** Payload key → AES key, HMAC key and IV of the `<payload>` (§ 4.4 / § 7.3). */
export const INFO_PAYLOAD = "OMEMO Payload";

/** Returns `length` fresh random bytes. */
export type RandomSource = (length: number) => Uint8Array;

/** The default: the OS CSPRNG. */
export const secureRandom: RandomSource = (length) => new Uint8Array(randomBytes(length));

const ZERO_SALT = new Uint8Array(32);

/** HKDF-SHA-256 (RFC 5869); the XEP always uses a 32-byte zero salt unless it says otherwise. */
export function hkdf(
  ikm: Uint8Array,
  info: string,
  length: number,
  salt: Uint8Array = ZERO_SALT,
): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, length));
}

/** HMAC-SHA-256. */
export function hmac(key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const mac = createHmac("sha256", key);
  for (const part of data) mac.update(part);
  return new Uint8Array(mac.digest());
}

/** Splits 80 HKDF bytes into an AES-256 key, an HMAC key and a 16-byte IV (the XEP's 32/32/16 split). */
export function deriveAesHmacIv(
  key: Uint8Array,
  info: string,
): { aesKey: Uint8Array; macKey: Uint8Array; iv: Uint8Array } {
  const out = hkdf(key, info, 80);
  return { aesKey: out.subarray(0, 32), macKey: out.subarray(32, 64), iv: out.subarray(64, 80) };
}

/** AES-256-CBC with PKCS#7 padding. */
export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return new Uint8Array(Buffer.concat([cipher.update(plaintext), cipher.final()]));
}

/** AES-256-CBC decryption; bad length or padding is `malformed` (the MAC was already checked). */
export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new OmemoError(
      "malformed",
      `ciphertext of ${ciphertext.length} bytes is not whole AES blocks`,
    );
  }
  const decipher = createDecipheriv("aes-256-cbc", key, iv);
  try {
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (error) {
    throw new OmemoError("malformed", "ciphertext padding is invalid", { cause: error });
  }
}

/** Constant-time comparison of MACs. */
export function macEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
