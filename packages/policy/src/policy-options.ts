/**
 * Options of the access policy, validated once by zod. Fail closed: DMs default
 * to `pairing`, groups to `allowlist`, every list starts empty and an empty
 * list admits nobody. Keys follow the OpenClaw XMPP channel's configuration.
 */
import { z } from "zod";
import { checkBareJid, jidListSchema } from "./jid-schema.js";
import { pairingOptionsSchema } from "./pairing.js";
import {
  DEFAULT_GREETING,
  DEFAULT_PAIRING_REPLY,
  DEFAULT_RATE_LIMIT_REPLY,
} from "./pairing-message.js";
import type { PairingStore } from "./pairing-store.js";
import { rateLimitOptionsSchema } from "./rate-limit.js";

/** Who may open a direct chat. */
export const dmPolicySchema = z.enum(["disabled", "open", "pairing", "allowlist"]);
/** Direct chat policy: `disabled` (owners only), `open`, `pairing` or `allowlist`. */
export type DmPolicy = z.output<typeof dmPolicySchema>;

/** Who may drive the bot from group chats. */
export const groupPolicySchema = z.enum(["open", "allowlist", "disabled"]);
/** Group chat policy: `open`, `allowlist` (by real bare JID) or `disabled`. */
export type GroupPolicy = z.output<typeof groupPolicySchema>;

/** Tool allow/deny lists for one room. */
export const toolPolicySchema = z
  .object({
    /** When set, only these tools may run (an empty list allows none). @default undefined (all) */
    allow: z.array(z.string().min(1)).readonly().optional(),
    /** Tools that never run; wins over `allow`. @default [] */
    deny: z.array(z.string().min(1)).readonly().default([]),
  })
  .strict();

/** Settings of one room (or of every room, under the key `*`). */
export const roomSettingsSchema = z
  .object({
    /** Answer only messages that mention the bot. @default false */
    requireMention: z.boolean().default(false),
    /** Tool policy for this room. @default undefined (no restriction) */
    tools: toolPolicySchema.optional(),
    /** `false` makes the bot ignore the room and decline invites to it. @default true */
    enabled: z.boolean().default(true),
  })
  .strict();
/** Resolved settings of one room. */
export type RoomSettings = z.output<typeof roomSettingsSchema>;

/** `groupSettings`: room bare JID (or `*` for the default) → settings; keys are normalised. */
export const groupSettingsSchema = z
  .record(z.string(), roomSettingsSchema)
  .default({})
  .transform((record, ctx) => {
    const out: Record<string, RoomSettings> = {};
    for (const [key, settings] of Object.entries(record)) {
      const bare = key === "*" ? "*" : checkBareJid(key);
      if (typeof bare !== "string") {
        ctx.addIssue({ code: "custom", message: bare.problem, path: [key] });
        continue;
      }
      if (Object.hasOwn(out, bare)) {
        ctx.addIssue({ code: "custom", message: `duplicate room ${bare}`, path: [key] });
        continue;
      }
      out[bare] = settings;
    }
    return Object.freeze(out) as Readonly<Record<string, RoomSettings>>;
  });

/** The pure access configuration (what {@link createPolicy} takes). */
export const policyConfigSchema = z
  .object({
    /** Direct chat policy. `open` must be chosen explicitly. @default "pairing" */
    dmPolicy: dmPolicySchema.default("pairing"),
    /** Owners: always admitted to DMs, invites and subscriptions. @default [] */
    allowFrom: jidListSchema.default([]),
    /** JIDs admitted to DMs under `allowlist` (and without a code under `pairing`). @default [] */
    dmAllowlist: jidListSchema.default([]),
    /** Group chat policy. @default "allowlist" */
    groupPolicy: groupPolicySchema.default("allowlist"),
    /**
     * Real bare JIDs admitted in rooms under `allowlist`.
     * @default undefined (falls back to `allowFrom`)
     */
    groupAllowFrom: jidListSchema.optional(),
    /** Per-room settings keyed by room JID; `*` applies to rooms without their own entry. @default {} */
    groupSettings: groupSettingsSchema,
    /** Besides owners, JIDs whose room invitations are accepted. @default [] */
    acceptInvitesFrom: jidListSchema.default([]),
  })
  .strict();

/** Input accepted by {@link createPolicy}. */
export type PolicyConfigInput = z.input<typeof policyConfigSchema>;
/** Resolved, normalised policy configuration. */
export type PolicyConfig = z.output<typeof policyConfigSchema>;

const storeSchema = z.custom<PairingStore>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    typeof (value as PairingStore).load === "function" &&
    typeof (value as PairingStore).save === "function",
  "must be a PairingStore with load() and save()",
);

/** Options of the `policy` plugin: the configuration plus pairing, rate limit and replies. */
export const policyOptionsSchema = policyConfigSchema
  .extend({
    /** Path of the JSON pairing store (mode 0600, atomic writes). @default undefined */
    storePath: z.string().min(1).optional(),
    /** A custom pairing store; exclusive with `storePath`. @default in-memory (lost on exit) */
    store: storeSchema.optional(),
    /** Pairing limits. @default { ttl: 3600000, maxPending: 3, maxFailedApprovals: 5 } */
    pairing: pairingOptionsSchema.prefault({}),
    /**
     * Per-sender rate limit (owners are exempt), or `false` to turn it off.
     * @default { capacity: 5, refillPerMinute: 20 }
     */
    rateLimit: z.union([z.literal(false), rateLimitOptionsSchema]).prefault({}),
    /**
     * Sent once to a DM sender when the rate limit starts dropping their messages
     * (again only after they were admitted once more), or `false` to send nothing.
     */
    rateLimitReply: z
      .union([z.literal(false), z.string().min(1)])
      .default(DEFAULT_RATE_LIMIT_REPLY),
    /** Reply sent with a pairing code (`{code}`, `{minutes}` filled in), or `false` to send none. */
    pairingReply: z.union([z.literal(false), z.string().min(1)]).default(DEFAULT_PAIRING_REPLY),
    /** Message sent to a JID once approved, or `false`. */
    greeting: z.union([z.literal(false), z.string().min(1)]).default(DEFAULT_GREETING),
    /**
     * How often to re-read the store to notice approvals made by another process
     * (the CLI), in ms; 0 turns polling off. @default 5000
     */
    pollInterval: z.number().int().min(0).default(5_000),
  })
  .strict()
  .superRefine((options, ctx) => {
    if (options.store !== undefined && options.storePath !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["store"],
        message: "give either store or storePath, not both",
      });
    }
  });

/** Input accepted by the `policy` plugin. */
export type PolicyOptionsInput = z.input<typeof policyOptionsSchema>;
/** Resolved options of the `policy` plugin. */
export type PolicyOptions = z.output<typeof policyOptionsSchema>;
