/**
 * `channels.xmpp.omemo`: OMEMO end-to-end encryption (XEP-0384 0.3) through
 * the optional `@clawxmpp/omemo` package. Like the rest of the channel
 * config, no `.default()` here: defaults are applied when an account is
 * resolved (`accounts.ts`) so channel-level values are inherited.
 */
import { z } from "zod";

/** A fingerprint as clients show it: 64 hex characters (66 with the `05` key type), spaces or colons allowed. */
const FINGERPRINT = /^(?:05[\s:]*)?(?:[0-9a-f][\s:]*){64}$/iu;

/** The `omemo` object of an account. */
export const omemoConfigSchema = z
  .object({
    /**
     * Enable OMEMO: encrypted messages are decrypted for the agent and answered
     * encrypted. Needs `@clawxmpp/omemo` installed next to the channel.
     * @default false
     */
    enabled: z.boolean().optional().describe("Enable OMEMO (default false; needs @clawxmpp/omemo)"),
    /** Label of this device in the OMEMO device list (some clients show it). */
    deviceLabel: z.string().min(1).max(64).optional().describe("OMEMO device label"),
    /**
     * Trust in devices not verified: `btbv` (blind trust before verification:
     * a contact's devices are trusted until one of them is verified, then new
     * ones wait), `always` (every device), `manual` (only `trustedFingerprints`).
     * @default "btbv"
     */
    trust: z
      .enum(["btbv", "always", "manual"])
      .optional()
      .describe('Trust of unverified devices: "btbv" (default), "always" or "manual"'),
    /**
     * Verified device fingerprints, as clients show them (64 hex characters,
     * any case, spaces or colons allowed).
     * @default []
     */
    trustedFingerprints: z
      .array(
        z
          .string()
          .max(200)
          .regex(FINGERPRINT, "must be an OMEMO fingerprint: 64 hexadecimal characters"),
      )
      .max(10_000)
      .optional()
      .describe("Verified OMEMO fingerprints (64 hex characters)"),
    /**
     * Refuse plaintext to and from contacts who have OMEMO: their plaintext
     * messages are dropped, and messages to them are encrypted or not sent.
     * @default false
     */
    requireEncryption: z
      .boolean()
      .optional()
      .describe("Refuse plaintext with contacts who have OMEMO (default false)"),
  })
  .strict();

/** The raw `omemo` config. */
export type OmemoConfig = z.output<typeof omemoConfigSchema>;

/** The `omemo` settings of a resolved account. */
export interface ResolvedOmemo {
  enabled: boolean;
  deviceLabel: string | undefined;
  trust: "btbv" | "always" | "manual";
  /** Lower-case 64-hex fingerprints (the `05` key type and separators dropped), without duplicates. */
  trustedFingerprints: string[];
  requireEncryption: boolean;
}

/** Applies the defaults to a merged `omemo` config. */
export function resolveOmemo(config: OmemoConfig | undefined): ResolvedOmemo {
  const fingerprints = (config?.trustedFingerprints ?? []).map((text) => {
    const hex = text.replace(/[\s:]/gu, "").toLowerCase();
    return hex.length === 66 ? hex.slice(2) : hex;
  });
  return {
    enabled: config?.enabled ?? false,
    deviceLabel: config?.deviceLabel,
    trust: config?.trust ?? "btbv",
    trustedFingerprints: [...new Set(fingerprints)],
    requireEncryption: config?.requireEncryption ?? false,
  };
}
