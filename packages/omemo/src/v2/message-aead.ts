/**
 * The authenticated encryption of one ratchet message (XEP-0384 0.8 § 7.2):
 * HKDF-SHA-256(message key, zero salt, "OMEMO Message Key Material") gives
 * 80 bytes = AES-256 key ‖ HMAC key ‖ IV; the plaintext is AES-256-CBC
 * encrypted into an OMEMOMessage together with the header; the MAC is
 * HMAC-SHA-256(HMAC key, AD ‖ serialised OMEMOMessage) truncated to 16 bytes,
 * and OMEMOAuthenticatedMessage carries both. AD is the X3DH associated data
 * (IK_A ‖ IK_B), so the MAC binds header, ciphertext and both identities.
 */
import { OmemoError } from "../omemo-error.js";
import {
  decodeAuthenticatedMessage,
  decodeOmemoMessage,
  encodeAuthenticatedMessage,
  encodeOmemoMessage,
  MAC_BYTES,
  type OmemoMessage,
} from "./messages.js";
import {
  aesCbcDecrypt,
  aesCbcEncrypt,
  deriveAesHmacIv,
  hmac,
  INFO_MESSAGE_KEY,
  macEqual,
} from "./primitives.js";

/** The ratchet header of a message. */
export type RatchetHeader = Omit<OmemoMessage, "ciphertext">;

/** Encrypts `plaintext` under `messageKey`; returns a serialised OMEMOAuthenticatedMessage. */
export function sealMessage(
  messageKey: Uint8Array,
  header: RatchetHeader,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  const { aesKey, macKey, iv } = deriveAesHmacIv(messageKey, INFO_MESSAGE_KEY);
  const message = encodeOmemoMessage({
    ...header,
    ciphertext: aesCbcEncrypt(aesKey, iv, plaintext),
  });
  const mac = hmac(macKey, associatedData, message).subarray(0, MAC_BYTES);
  return encodeAuthenticatedMessage({ mac, message });
}

/** Reads the header of a serialised OMEMOAuthenticatedMessage (unauthenticated until {@link openMessage}). */
export function readHeader(authenticated: Uint8Array): {
  header: RatchetHeader;
  message: Uint8Array;
  mac: Uint8Array;
} {
  const { mac, message } = decodeAuthenticatedMessage(authenticated);
  const { n, pn, dhPub, ciphertext } = decodeOmemoMessage(message);
  if (!ciphertext) throw new OmemoError("malformed", "OMEMOMessage has no ciphertext");
  return { header: { n, pn, dhPub }, message, mac };
}

/** Checks the MAC, then decrypts; a wrong MAC is `bad-mac` (tampered, replayed into a new chain, or wrong key). */
export function openMessage(
  messageKey: Uint8Array,
  parsed: { message: Uint8Array; mac: Uint8Array },
  associatedData: Uint8Array,
): Uint8Array {
  const { aesKey, macKey, iv } = deriveAesHmacIv(messageKey, INFO_MESSAGE_KEY);
  const expected = hmac(macKey, associatedData, parsed.message).subarray(0, MAC_BYTES);
  if (!macEqual(expected, parsed.mac))
    throw new OmemoError("bad-mac", "message authentication failed");
  const { ciphertext } = decodeOmemoMessage(parsed.message);
  return aesCbcDecrypt(aesKey, iv, ciphertext ?? new Uint8Array());
}
