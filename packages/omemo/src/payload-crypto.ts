/**
 * The OMEMO 0.3 payload layer (XEP-0384 0.3 § 4.5 "Sending a message", as
 * deployed by Conversations with `PUT_AUTH_TAG_INTO_KEY`): a fresh
 * AES-128-GCM key and 12-byte IV per message; `<payload>` carries the
 * ciphertext without its tag, and each recipient device receives
 * key ‖ tag (16 + 16 bytes) through its Signal session.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { OmemoError } from "./omemo-error.js";

/** AES-128 key length. */
export const PAYLOAD_KEY_BYTES = 16;
/** GCM tag length (128-bit tag, as every client uses). */
export const PAYLOAD_TAG_BYTES = 16;
/** IV length we send; receivers accept other lengths, as WebCrypto-based clients do. */
export const PAYLOAD_IV_BYTES = 12;

/** An encrypted payload and the 32 bytes to hand to each recipient's session. */
export interface EncryptedPayload {
  iv: Uint8Array;
  /** Ciphertext without the tag (the `<payload>` content). */
  ciphertext: Uint8Array;
  /** AES key ‖ GCM tag, 32 bytes: the plaintext of every `<key>`. */
  keyAndTag: Uint8Array;
}

/** Encrypts a message body (UTF-8 text or bytes) with a fresh key and IV. */
export function encryptPayload(plaintext: string | Uint8Array): EncryptedPayload {
  const key = randomBytes(PAYLOAD_KEY_BYTES);
  const iv = randomBytes(PAYLOAD_IV_BYTES);
  const cipher = createCipheriv("aes-128-gcm", key, iv, { authTagLength: PAYLOAD_TAG_BYTES });
  const data = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  const tag = cipher.getAuthTag();
  return {
    iv: new Uint8Array(iv),
    ciphertext: new Uint8Array(ciphertext),
    keyAndTag: new Uint8Array(Buffer.concat([key, tag])),
  };
}

/**
 * Decrypts a payload with the key material from our `<key>`. Refuses key
 * material shorter than key ‖ tag (senders from before the tag moved into the
 * key, which Conversations also refuses) and any tampering (`bad-tag`).
 */
export function decryptPayload(
  keyAndTag: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  if (keyAndTag.length !== PAYLOAD_KEY_BYTES + PAYLOAD_TAG_BYTES) {
    throw new OmemoError(
      "malformed",
      `key material is ${keyAndTag.length} bytes, expected ${PAYLOAD_KEY_BYTES + PAYLOAD_TAG_BYTES} (key ‖ tag)`,
    );
  }
  if (iv.length === 0) throw new OmemoError("malformed", "empty IV");
  const decipher = createDecipheriv("aes-128-gcm", keyAndTag.subarray(0, PAYLOAD_KEY_BYTES), iv, {
    authTagLength: PAYLOAD_TAG_BYTES,
  });
  decipher.setAuthTag(keyAndTag.subarray(PAYLOAD_KEY_BYTES));
  try {
    return new Uint8Array(Buffer.concat([decipher.update(ciphertext), decipher.final()]));
  } catch (error) {
    throw new OmemoError("bad-tag", "payload authentication failed (tampered or wrong key)", {
      cause: error,
    });
  }
}

/** Decrypts and decodes a UTF-8 body; invalid UTF-8 is refused rather than replaced. */
export function decryptPayloadText(
  keyAndTag: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): string {
  const bytes = decryptPayload(keyAndTag, iv, ciphertext);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    throw new OmemoError("malformed", "decrypted payload is not UTF-8", { cause: error });
  }
}
