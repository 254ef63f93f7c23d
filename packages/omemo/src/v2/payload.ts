/**
 * The OMEMO 2 payload (XEP-0384 0.8 § 4.4 "Sending a message", § 7.3): a
 * fresh 32-byte key; HKDF-SHA-256(key, zero salt, "OMEMO Payload") gives
 * AES-256 key ‖ HMAC key ‖ IV; the SCE envelope is AES-256-CBC encrypted
 * into `<payload>` and authenticated by HMAC-SHA-256 over the ciphertext,
 * truncated to 16 bytes. Each recipient device receives key ‖ tag (48
 * bytes) through its Double Ratchet session. An empty OMEMO message (no
 * `<payload>`, used to complete key exchanges) carries 32 zero bytes.
 */
import { OmemoError } from "../omemo-error.js";
import { MAC_BYTES } from "./messages.js";
import {
  aesCbcDecrypt,
  aesCbcEncrypt,
  deriveAesHmacIv,
  hmac,
  INFO_PAYLOAD,
  macEqual,
  type RandomSource,
  secureRandom,
} from "./primitives.js";

/** Payload key length. */
export const PAYLOAD_KEY_BYTES_V2 = 32;
/** key ‖ truncated HMAC: what each recipient's ratchet encrypts. */
export const KEY_MATERIAL_BYTES = PAYLOAD_KEY_BYTES_V2 + MAC_BYTES;

/** An encrypted `<payload>` and the key material for every recipient device. */
export interface EncryptedPayload2 {
  ciphertext: Uint8Array;
  /** key ‖ tag, 48 bytes. */
  keyMaterial: Uint8Array;
}

/** Encrypts the payload (normally a serialised SCE envelope). */
export function encryptPayload2(
  plaintext: Uint8Array | string,
  random: RandomSource = secureRandom,
): EncryptedPayload2 {
  const key = random(PAYLOAD_KEY_BYTES_V2);
  const { aesKey, macKey, iv } = deriveAesHmacIv(key, INFO_PAYLOAD);
  const data = typeof plaintext === "string" ? new TextEncoder().encode(plaintext) : plaintext;
  const ciphertext = aesCbcEncrypt(aesKey, iv, data);
  const tag = hmac(macKey, ciphertext).subarray(0, MAC_BYTES);
  return { ciphertext, keyMaterial: new Uint8Array(Buffer.concat([key, tag])) };
}

/** The key material of an empty OMEMO message (no payload). */
export function emptyKeyMaterial(): Uint8Array {
  return new Uint8Array(PAYLOAD_KEY_BYTES_V2);
}

/** Checks the tag, then decrypts a `<payload>` with the key material from our `<key>`. */
export function decryptPayload2(keyMaterial: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (keyMaterial.length !== KEY_MATERIAL_BYTES) {
    throw new OmemoError(
      "malformed",
      `key material is ${keyMaterial.length} bytes, expected ${KEY_MATERIAL_BYTES}`,
    );
  }
  const { aesKey, macKey, iv } = deriveAesHmacIv(
    keyMaterial.subarray(0, PAYLOAD_KEY_BYTES_V2),
    INFO_PAYLOAD,
  );
  const tag = hmac(macKey, ciphertext).subarray(0, MAC_BYTES);
  if (!macEqual(tag, keyMaterial.subarray(PAYLOAD_KEY_BYTES_V2))) {
    throw new OmemoError("bad-tag", "payload authentication failed (tampered or wrong key)");
  }
  return aesCbcDecrypt(aesKey, iv, ciphertext);
}
