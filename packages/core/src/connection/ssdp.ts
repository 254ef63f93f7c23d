/**
 * XEP-0474 (SASL SCRAM Downgrade Protection): the server puts a hash of what
 * it offered (SASL mechanisms, and XEP-0440 channel-binding types) into the
 * SCRAM server-first-message as `h=`. SCRAM's proof covers that message, so a
 * man in the middle who stripped `-PLUS` mechanisms or binding types from the
 * features cannot also fix the hash. The client recomputes it from the offer
 * it saw; a mismatch means the offer was tampered with.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { AuthError } from "../errors.js";

/** What the client saw offered, as the server hashes it. */
export interface OfferedAuth {
  /** SASL mechanisms of the features (SASL1 `<mechanisms>` or SASL2 `<authentication>`). */
  mechanisms: readonly string[];
  /** XEP-0440 channel-binding types; undefined when the feature was absent. */
  channelBindings?: readonly string[] | undefined;
}

// Record and unit separators (ASCII 0x1E, 0x1F), as the XEP specifies.
const RS = "\u001e";
const US = "\u001f";

/** The string the server hashes: sorted mechanisms, then (if announced) sorted binding types. */
export function ssdpString(offer: OfferedAuth): string {
  const sorted = (list: readonly string[]) => [...list].sort(byOctets).join(RS);
  const mechanisms = sorted(offer.mechanisms);
  return offer.channelBindings === undefined
    ? mechanisms
    : `${mechanisms}${US}${sorted(offer.channelBindings)}`;
}

/**
 * Checks the server's `h=` attribute (base64 of the SCRAM hash of {@link ssdpString}).
 * No attribute: the server does not implement XEP-0474, nothing to check. Throws a terminal
 * `AuthError` with condition `downgrade-detected` on a mismatch.
 */
export function verifySsdp(
  hashValue: string | undefined,
  hash: "sha1" | "sha256" | "sha512",
  offer: OfferedAuth,
): "verified" | "absent" {
  if (hashValue === undefined) return "absent";
  const expected = createHash(hash).update(ssdpString(offer), "utf8").digest();
  const actual = Buffer.from(hashValue, "base64");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new AuthError(
      "downgrade-detected",
      "the server's XEP-0474 hash does not match the mechanisms and channel bindings we were offered; someone may have tampered with the stream",
      { terminal: true },
    );
  }
  return "verified";
}

function byOctets(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
