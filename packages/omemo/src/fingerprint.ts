/**
 * OMEMO fingerprints as clients display them (XEP-0384 0.3 § 4.7; B7):
 * lowercase hex of the 32-byte Curve25519 identity key with libsignal's 0x05
 * type byte dropped, 64 characters in 8 groups of 8 — what Conversations,
 * Gajim and Dino show and what operators compare or pin.
 */
import { OmemoError } from "./omemo-error.js";
import { checkPublicKey } from "./wire-limits.js";

/** 64 lowercase hex characters, no separators. */
export function fingerprintHex(identityKey: Uint8Array): string {
  checkPublicKey(identityKey, "identity key");
  return Buffer.from(identityKey.subarray(1)).toString("hex");
}

/** The display form: 8 groups of 8 hex characters separated by spaces. */
export function formatFingerprint(identityKey: Uint8Array): string {
  return fingerprintHex(identityKey).match(/.{8}/g)?.join(" ") ?? "";
}

/**
 * Normalises a fingerprint typed or pasted by an operator (any case, spaces,
 * colons, a leading 05 byte as some tools show) to 64 lowercase hex characters.
 */
export function normalizeFingerprint(text: string): string {
  let hex = text.replace(/[\s:]/g, "").toLowerCase();
  if (hex.length === 66 && hex.startsWith("05")) hex = hex.slice(2);
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new OmemoError("invalid", "a fingerprint is 64 hexadecimal characters");
  }
  return hex;
}
