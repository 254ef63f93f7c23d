/**
 * OMEMO 2 fingerprints (XEP-0384 0.8 § 5.3.2 "Fingerprints"): shown in the
 * Curve25519 form, so a device's OMEMO 2 and 0.3 fingerprints are the same
 * string when it uses one identity for both. The Ed25519 `<ik>` is converted
 * and formatted exactly as the 0.3 fingerprints are.
 */
import { fingerprintHex, formatFingerprint } from "../fingerprint.js";
import { edwardsToMontgomery } from "./identity-key.js";

function legacyForm(identityKey: Uint8Array): Uint8Array {
  return Uint8Array.of(0x05, ...edwardsToMontgomery(identityKey));
}

/** 64 lowercase hex characters of an OMEMO 2 identity key (32-byte Ed25519). */
export function fingerprintHex2(identityKey: Uint8Array): string {
  return fingerprintHex(legacyForm(identityKey));
}

/** The display form: 8 groups of 8 hex characters. */
export function formatFingerprint2(identityKey: Uint8Array): string {
  return formatFingerprint(legacyForm(identityKey));
}
