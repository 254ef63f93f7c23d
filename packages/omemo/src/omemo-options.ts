/**
 * Options of the `omemo` plugin (XEP-0384 0.3), validated once by zod. The
 * plugin publishes through `@clawxmpp/pubsub`, which must be in use first.
 */
import { z } from "zod";
import { normalizeFingerprint } from "./fingerprint.js";
import type { OmemoStore } from "./omemo-store.js";

const DAY = 86_400_000;

/** How devices we have not verified are treated (B7). */
export const TRUST_MODES = ["btbv", "always", "manual"] as const;
/** One of {@link TRUST_MODES}. */
export type TrustMode = (typeof TRUST_MODES)[number];

const isStore = (value: unknown): value is OmemoStore =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as OmemoStore).getOwnDevice === "function" &&
  typeof (value as OmemoStore).storeSession === "function";

/** Options of the `omemo` plugin. */
export const omemoOptionsSchema = z
  .object({
    /**
     * Where the identity, sessions, prekeys and trust live: an {@link OmemoStore}, or the path of a
     * JSON file (`JsonFileOmemoStore`: atomic writes, mode 0600). Without it the state is in memory
     * and a restart is a new device (tests and throwaway bots only).
     */
    store: z.union([z.string().min(1), z.custom<OmemoStore>(isStore, "an OmemoStore")]).optional(),
    /**
     * Trust of devices not verified: `btbv` (blind trust before verification: a contact's new
     * devices are trusted until one of its devices is verified, then they wait for a decision),
     * `always` (every device; compatible with the earlier plugin, tests only), `manual` (only
     * verified devices: `trustedFingerprints` or `setTrust`).
     * @default "btbv"
     */
    trust: z.enum(TRUST_MODES).default("btbv"),
    /**
     * Fingerprints verified by the operator (64 hex characters, any case, spaces or colons
     * allowed, as clients show them): a device with one of these identity keys is `verified`.
     * @default []
     */
    trustedFingerprints: z
      .array(
        z.string().transform((text, ctx) => {
          try {
            return normalizeFingerprint(text);
          } catch {
            ctx.addIssue({ code: "custom", message: `'${text}' is not a fingerprint` });
            return z.NEVER;
          }
        }),
      )
      .max(10_000)
      .default([]),
    /**
     * Refuse plaintext to and from contacts who have OMEMO devices: plaintext from them is
     * dropped, plaintext to them is encrypted (or refused when it cannot be).
     * @default false
     */
    requireEncryption: z.boolean().default(false),
    /**
     * Encrypt every chat message sent through `client.send` to a contact who has OMEMO devices,
     * unless the message says `omemo: false`.
     * @default false
     */
    autoEncrypt: z.boolean().default(false),
    /** Body shown by clients without OMEMO. */
    fallbackBody: z
      .string()
      .max(1_000)
      .default(
        "I sent you an OMEMO encrypted message but your client doesn’t seem to support that.",
      ),
    /** Label of our device in the device list (a non-standard attribute some clients show). */
    deviceLabel: z.string().max(64).optional(),
    /** One-time prekeys kept published (XEP-0384 0.3: SHOULD 100, MUST ≥ 20). @default 100 */
    preKeyCount: z.number().int().min(20).max(1_000).default(100),
    /** Age at which the signed prekey is replaced, in milliseconds. @default 7 days */
    signedPreKeyRotation: z
      .number()
      .int()
      .min(60_000)
      .default(7 * DAY),
    /** How often the signed prekey's age is checked, in milliseconds. @default 1 hour */
    rotationCheckInterval: z.number().int().min(1_000).default(3_600_000),
    /** Minimum time between two healings (rebuilt session + key transport) of one device. @default 10 minutes */
    healingInterval: z.number().int().min(0).default(600_000),
    /** Contacts whose device lists and bundles are cached. @default 1000 */
    maxCachedContacts: z.number().int().min(1).max(1_000_000).default(1_000),
    /**
     * Also speak OMEMO 2 (`urn:xmpp:omemo:2`): publish its device list and bundle, decrypt it, and
     * encrypt in it for devices that announce it. `false` keeps to 0.3 alone. @default true
     */
    omemo2: z.boolean().default(true),
    /** Devices of one contact we encrypt for or build sessions with (more are ignored). @default 32 */
    maxDevicesPerContact: z.number().int().min(1).max(1_000).default(32),
  })
  .strict();

/** What callers pass to the `omemo` plugin. */
export type OmemoOptionsInput = z.input<typeof omemoOptionsSchema>;
/** Options after defaults are applied. */
export type OmemoOptions = z.output<typeof omemoOptionsSchema>;
