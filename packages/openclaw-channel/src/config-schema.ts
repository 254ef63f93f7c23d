/**
 * The `channels.xmpp` configuration: one zod schema that the runtime parses
 * and that `scripts/gen-plugin-json.ts` turns into the JSON Schema (draft-07)
 * of `openclaw.plugin.json`, so the gateway's cold-path `config validate` and
 * the plugin can never disagree.
 *
 * Keys are compatible with the earlier community plugin's table; defaults
 * are not stated with `.default()` here on purpose: channel-level values are
 * inherited by `accounts.<id>`, and a filled-in default at account level would
 * shadow an explicit channel-level value. Defaults are applied once, when an
 * account is resolved (`accounts.ts`), and documented with `@default` below.
 */
import { z } from "zod";
import { omemoConfigSchema } from "./omemo-config.js";
import { workConfigShape } from "./work-config.js";

/** A bare JID `local@domain` (no resource), optionally written as an `xmpp:` URI. */
const BARE_JID = /^(?:xmpp:)?[^\s@/"&'<>:]+@[^\s@/"&'<>]+$/iu;
/** A sender allowlist entry: a bare JID, or `*` for everyone. */
const ALLOW_ENTRY = /^(?:\*|(?:xmpp:)?[^\s@/"&'<>:]+@[^\s@/"&'<>]+)$/iu;
/** A room JID (a bare JID) used as a key, or `*` for every room. */
const ROOM_KEY = /^(?:\*|[^\s@/"&'<>:]+@[^\s@/"&'<>]+)$/iu;
/** A domain name such as `conference.example.org` (no local part, no resource). */
const DOMAIN = /^[^\s@/"&'<>:]+$/iu;
/** A PEM certificate block. */
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/u;
/** OpenClaw account ids are lower-case slugs. */
const ACCOUNT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/u;

const bareJid = (what: string) =>
  z.string().regex(BARE_JID, `must be a bare JID like ${what}`).max(3071);

const allowList = z
  .array(z.string().regex(ALLOW_ENTRY, 'must be a bare JID like user@example.org, or "*"'))
  .max(10_000);

const SECRET_PROVIDER = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/u, "must be a provider alias like default")
  .describe("Secret provider alias");
const ENV_STYLE_ID = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,127}$/u, "must be an upper-case name like XMPP_PASSWORD")
  .describe("Secret id (upper-case name)");

/**
 * A reference to a secret held by OpenClaw's secret providers, resolved by the
 * gateway before the plugin sees the config. Mirrors the SDK's
 * `buildSecretInputSchema()` (openclaw 2026.9.6): `env`/`store` ids are
 * upper-case names, `file` ids are `value` or an absolute JSON pointer, `exec`
 * ids are relative paths without `.`/`..` segments.
 */
export const secretRefSchema = z.discriminatedUnion("source", [
  z.object({ source: z.literal("env"), provider: SECRET_PROVIDER, id: ENV_STYLE_ID }).strict(),
  z.object({ source: z.literal("store"), provider: SECRET_PROVIDER, id: ENV_STYLE_ID }).strict(),
  z
    .object({
      source: z.literal("file"),
      provider: SECRET_PROVIDER,
      id: z
        .string()
        .regex(
          /^(?:value|\/.*)$/u,
          'must be "value" or an absolute JSON pointer like /xmpp/password',
        )
        .describe("JSON pointer into the secret file"),
    })
    .strict(),
  z
    .object({
      source: z.literal("exec"),
      provider: SECRET_PROVIDER,
      id: z
        .string()
        .regex(
          /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$/u,
          "must be an id like xmpp/password without . or .. segments",
        )
        .describe("Id passed to the exec provider"),
    })
    .strict(),
]);

/** A secret input: the value itself, or a {@link secretRefSchema} reference. */
export const secretInputSchema = z.union([z.string().min(1, "must not be empty"), secretRefSchema]);

/** Per-room tool policy, as OpenClaw's group entries understand it. */
export const toolPolicySchema = z
  .object({
    /** Tools the agent may use in this room (names or globs). */
    allow: z.array(z.string().min(1)).max(1000).optional().describe("Allowed tools"),
    /** Tools added on top of the agent's defaults. */
    alsoAllow: z.array(z.string().min(1)).max(1000).optional().describe("Extra allowed tools"),
    /** Tools the agent may not use in this room. */
    deny: z.array(z.string().min(1)).max(1000).optional().describe("Denied tools"),
  })
  .strict();

/**
 * A CA to trust: PEM text (one or more `-----BEGIN CERTIFICATE-----` blocks) or
 * the path of a PEM file, read when the account starts.
 */
export const caSchema = z
  .string()
  .min(1, "must not be empty")
  .max(1_000_000)
  .superRefine((value, ctx) => {
    if (value.includes("-----BEGIN")) {
      if (!PEM_CERT.test(value)) {
        ctx.addIssue({
          code: "custom",
          message:
            "looks like PEM but holds no certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
        });
      }
    } else if (/[\r\n]/u.test(value) || value.length > 4096) {
      ctx.addIssue({
        code: "custom",
        message:
          "must be the path of a PEM file (like /etc/ssl/my-ca.pem) or PEM text starting with -----BEGIN CERTIFICATE-----",
      });
    }
  });

/** How the connection is secured and which CA it trusts. */
export const tlsConfigSchema = z
  .object({
    /**
     * Extra CA to trust for the server's certificate (a private CA): a PEM file
     * path or PEM text. The system's CAs stay trusted.
     */
    ca: caSchema.optional().describe("CA to trust: PEM file path or PEM text"),
    /**
     * `starttls` (RFC 6120 §5, usually port 5222) or `direct` (XEP-0368 TLS from
     * the first byte, usually port 5223; `port` then defaults to 5223).
     * @default "starttls"
     */
    mode: z
      .enum(["starttls", "direct"])
      .optional()
      .describe('TLS mode: "starttls" (default) or "direct" (XEP-0368)'),
  })
  .strict();

/** How many recent room messages a mention brings along (XEP-0045 history / live buffer). */
const roomHistoryLimit = z.number().int().min(0).max(200);

/** Settings of one room, keyed by its bare JID (or `*` for every room). */
export const groupSettingsEntrySchema = z
  .object({
    /**
     * Answer only when the bot is mentioned (nickname, XEP-0372 reference, or a
     * reply to the bot).
     * @default true
     */
    requireMention: z
      .boolean()
      .optional()
      .describe("Only respond when mentioned in this room (default true)"),
    /** Tool policy for this room. */
    tools: toolPolicySchema.optional().describe("Tool policy for this room"),
    /** Extra system prompt for the agent's turns in this room (trusted: it comes from the operator). */
    systemPrompt: z
      .string()
      .min(1)
      .max(16_000)
      .optional()
      .describe("Extra system prompt for turns in this room"),
    /** Skills the agent may use in this room (names); `[]` allows none. @default all of the agent's */
    skills: z
      .array(z.string().min(1).max(256))
      .max(1000)
      .optional()
      .describe("Skills allowed in this room ([] = none; default all)"),
    /** Recent room messages shown to the agent when mentioned here; overrides the account's `historyLimit`. */
    historyLimit: roomHistoryLimit.optional().describe("Recent room messages given as context"),
  })
  .strict();

/** XEP-0461 replies: `off`, only the `first` message of an answer, or `all` of them. */
export const replyToModeSchema = z.enum(["off", "first", "all"]);

/** The keys one account accepts, at channel level or under `accounts.<id>`. */
export const accountConfigShape = {
  /** The bot's bare JID, e.g. `bot@example.org`. Required for the account to start. */
  jid: bareJid("bot@example.org").optional().describe("Bot JID, e.g. bot@example.org"),
  /** The account password: a string, or a secret reference `{ source, provider, id }`. */
  password: secretInputSchema
    .optional()
    .describe("XMPP account password (string or secret reference)"),
  /**
   * Host name or IP to connect to.
   * @default the JID's domain
   */
  server: z.string().min(1).max(255).optional().describe("XMPP server host (default: JID domain)"),
  /**
   * TCP port of the client-to-server service.
   * @default 5222
   */
  port: z.number().int().min(1).max(65_535).optional().describe("XMPP server port (default 5222)"),
  /**
   * Resource bound for the session.
   * @default "openclaw"
   */
  resource: z.string().min(1).max(1023).optional().describe('XMPP resource (default "openclaw")'),
  /**
   * The bot's avatar: path of a PNG or JPEG file (at most 128 KiB, 4096 pixels a side), published
   * by XEP-0084 and XEP-0153 on start when it changed since the last start.
   */
  avatar: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe("Bot avatar: path of a PNG or JPEG file (published on start when changed)"),
  /** TLS: a private CA to trust and the TLS mode. */
  tls: tlsConfigSchema.optional().describe("TLS settings: { ca, mode }"),
  /** Display name of the account in OpenClaw. */
  name: z.string().min(1).max(256).optional().describe("Account display name"),
  /**
   * Whether the account (or, at channel level, the whole channel) runs.
   * @default true
   */
  enabled: z.boolean().optional().describe("Whether the account is enabled (default true)"),
  /**
   * Who may start a direct chat: `pairing` (unknown senders get a pairing code),
   * `allowlist` (only `allowFrom` + `dmAllowlist`), `open` (anyone), `disabled`
   * (owners in `allowFrom` only).
   * @default "pairing"
   */
  dmPolicy: z
    .enum(["pairing", "allowlist", "open", "disabled"])
    .optional()
    .describe('Direct chat policy (default "pairing")'),
  /**
   * Owner JIDs: always allowed to chat and to run commands. An empty list grants nothing.
   * @default []
   */
  allowFrom: allowList.optional().describe("Owner JIDs (always allowed)"),
  /**
   * JIDs allowed to direct-chat when `dmPolicy` is `allowlist`.
   * @default []
   */
  dmAllowlist: allowList.optional().describe('JIDs allowed when dmPolicy is "allowlist"'),
  /**
   * Which rooms' occupants may talk to the agent: `allowlist` (only senders in
   * `groupAllowFrom`, matched by real JID), `open`, or `disabled`.
   * @default "allowlist"
   */
  groupPolicy: z
    .enum(["allowlist", "open", "disabled"])
    .optional()
    .describe('Group policy (default "allowlist")'),
  /**
   * Room JIDs to join on start.
   * @default []
   */
  groups: z
    .array(bareJid("room@conference.example.org"))
    .max(1000)
    .optional()
    .describe("Room JIDs to join"),
  /**
   * MUC services whose rooms are believed about identity: an occupant's real JID
   * and the inviter of a mediated invitation are claims of the room's service,
   * and a hostile service can claim any JID (the owner's). Rooms in `groups` are
   * trusted too; elsewhere real JIDs are ignored (senders count as hidden) and
   * mediated invitations are not followed. `[]` trusts `groups` only.
   * @default the account server's own MUC services (discovered; `conference.<domain>` until known)
   */
  trustedMucServices: z
    .array(z.string().regex(DOMAIN, "must be a service domain like conference.example.org"))
    .max(100)
    .optional()
    .describe("MUC services trusted to assert real JIDs (default: the server's own)"),
  /**
   * Per-sender rate limit (a token bucket), or `false` for none. Owners
   * (`allowFrom`) are never limited; a throttled DM sender is told once.
   * @default { capacity: 5, refillPerMinute: 20 }
   */
  rateLimit: z
    .union([
      z.literal(false),
      z
        .object({
          /** Messages a sender may send at once. @default 5 */
          capacity: z.number().int().min(1).max(1000).optional().describe("Burst size (default 5)"),
          /** Messages per minute after the burst. @default 20 */
          refillPerMinute: z
            .number()
            .positive()
            .max(10_000)
            .optional()
            .describe("Sustained messages per minute (default 20)"),
        })
        .strict(),
    ])
    .optional()
    .describe("Per-sender rate limit, or false (owners are exempt)"),
  /**
   * Nickname in rooms.
   * @default the JID's local part
   */
  nickname: z
    .string()
    .min(1)
    .max(1023)
    .optional()
    .describe("Nickname in rooms (default: JID local part)"),
  /**
   * Real JIDs allowed to address the agent in rooms under `groupPolicy: allowlist`.
   * @default the value of `allowFrom`
   */
  groupAllowFrom: allowList.optional().describe("Senders allowed in rooms (default: allowFrom)"),
  /**
   * Recent room messages (the live buffer, filled from the join history too)
   * given to the agent as context when it is mentioned in a room; 0 for none.
   * @default 20
   */
  historyLimit: roomHistoryLimit
    .optional()
    .describe("Recent room messages given as context when mentioned (default 20)"),
  /**
   * Whether replies quote the message they answer (XEP-0461 with an XEP-0428
   * fallback): `off`, the `first` message of an answer, or `all`.
   * @default "off" in direct chats, "first" in rooms
   */
  replyToMode: replyToModeSchema
    .optional()
    .describe('XEP-0461 replies: "off", "first" or "all" (default: off in chats, first in rooms)'),
  /** `replyToMode` per chat type; wins over `replyToMode`. */
  replyToModeByChatType: z
    .object({
      /** In direct chats. */
      direct: replyToModeSchema.optional().describe("replyToMode in direct chats"),
      /** In rooms. */
      group: replyToModeSchema.optional().describe("replyToMode in rooms"),
    })
    .strict()
    .optional()
    .describe("replyToMode per chat type"),
  /**
   * Private messages through a room (XEP-0045 §7.5): `policy` treats them as
   * direct chats from the sender's real JID, decided by `dmPolicy` (only in
   * trusted rooms that reveal real JIDs); `off` ignores them.
   * @default "policy"
   */
  roomPrivateMessages: z
    .enum(["policy", "off"])
    .optional()
    .describe('Room private messages: "policy" (as DMs from the real JID) or "off"'),
  /**
   * The account's health monitor: the server is pinged (XEP-0199) and an
   * account that stays online without answering is reconnected.
   */
  healthMonitor: z
    .object({
      /** Run the monitor. @default true */
      enabled: z.boolean().optional().describe("Run the health monitor (default true)"),
      /** Seconds between pings. @default 60 */
      intervalSeconds: z
        .number()
        .int()
        .min(5)
        .max(3600)
        .optional()
        .describe("Seconds between pings (default 60)"),
      /** Seconds without any answer before the account is reconnected. @default 150 */
      timeoutSeconds: z
        .number()
        .int()
        .min(10)
        .max(86_400)
        .optional()
        .describe("Seconds without an answer before reconnecting (default 150)"),
    })
    .strict()
    .optional()
    .describe("Health monitor: { enabled, intervalSeconds, timeoutSeconds }"),
  /** Message actions offered to the agent. */
  actions: z
    .object({
      /**
       * Offer the `react` action (XEP-0444 reactions).
       * @default false
       */
      reactions: z.boolean().optional().describe("Enable XEP-0444 reactions (default false)"),
      /**
       * Offer the `edit` action: correct one of the agent's own messages (XEP-0308).
       * @default false
       */
      edit: z
        .boolean()
        .optional()
        .describe("Enable editing own messages, XEP-0308 (default false)"),
      /**
       * Offer the `delete`/`unsend` actions: retract one of the agent's own messages (XEP-0424).
       * @default false
       */
      delete: z
        .boolean()
        .optional()
        .describe("Enable deleting own messages, XEP-0424 (default false)"),
    })
    .strict()
    .optional()
    .describe("Message actions"),
  /** XEP-0050 ad-hoc commands: OpenClaw's native commands and exec approvals (owners only). */
  adHocCommands: z
    .object({
      /**
       * Serve OpenClaw's native commands as ad-hoc commands on the bot's JID, to owners
       * (`allowFrom`) only.
       * @default true
       */
      enabled: z.boolean().optional().describe("Serve native commands to owners (default true)"),
      /**
       * Answer exec approval prompts by XEP-0444 reaction (✅ ♾️ ❌) and by the
       * "Answer an approval" command; typed `/approve` always works.
       * @default true
       */
      approvals: z.boolean().optional().describe("Approval reactions and form (default true)"),
    })
    .strict()
    .optional()
    .describe("Ad-hoc commands (XEP-0050) and approvals"),
  /** Text put in front of every inbound message before the agent sees it. */
  messagePrefix: z.string().max(1024).optional().describe("Inbound message prefix"),
  /**
   * What heartbeat runs may post to this channel, in OpenClaw's own form (the
   * gateway reads and applies it; all three false skips heartbeat runs). The
   * earlier plugin's strings are not accepted: OpenClaw 2026.9.6 rejects a
   * string here for every channel. `"hidden"` is
   * `{ showOk: false, showAlerts: false, useIndicator: false }`.
   */
  heartbeatVisibility: z
    .object(
      {
        /** Deliver `HEARTBEAT_OK` acknowledgements. @default false */
        showOk: z.boolean().optional().describe("Deliver HEARTBEAT_OK acknowledgements"),
        /** Deliver heartbeat alerts. @default true */
        showAlerts: z.boolean().optional().describe("Deliver heartbeat alerts"),
        /** Emit heartbeat indicator events. @default true */
        useIndicator: z.boolean().optional().describe("Emit heartbeat indicator events"),
      },
      {
        error: (issue) =>
          issue.code === "invalid_type"
            ? 'must be an object { showOk, showAlerts, useIndicator }; for "hidden" write { "showOk": false, "showAlerts": false, "useIndicator": false }'
            : undefined,
      },
    )
    .strict()
    .optional()
    .describe("Heartbeat visibility: { showOk, showAlerts, useIndicator }"),
  /**
   * Largest attachment in MiB, both ways: inbound files are not downloaded past
   * it, agent files past it are not uploaded.
   * @default 20
   */
  mediaMaxMb: z
    .number()
    .positive()
    .max(1024)
    .optional()
    .describe("Largest attachment in MiB (default 20)"),
  /** Network safety switches. */
  network: z
    .object({
      /**
       * Download attachments from private, loopback and link-local addresses,
       * and accept plain-http upload slots on a loopback server. Off by
       * default: otherwise any sender can make the bot fetch from its own
       * network (SSRF). Only for closed networks and tests.
       * @default false
       */
      dangerouslyAllowPrivateNetwork: z
        .boolean()
        .optional()
        .describe("Allow attachment transfers to private/loopback addresses (default false)"),
    })
    .strict()
    .optional()
    .describe("Network safety switches"),
  /** Per-room settings keyed by room JID; `*` applies to every room. */
  groupSettings: z
    .record(
      z.string().regex(ROOM_KEY, 'must be a room JID like room@conference.example.org, or "*"'),
      groupSettingsEntrySchema,
    )
    .optional()
    .describe("Per-room settings keyed by room JID"),
  /**
   * OMEMO end-to-end encryption (XEP-0384 0.3). Needs the separately installed,
   * GPL-3.0-only `@clawxmpp/omemo` package (see omemo-config.ts).
   */
  omemo: omemoConfigSchema.optional().describe("OMEMO encryption (XEP-0384)"),
  ...workConfigShape,
} as const;

/** One account under `channels.xmpp.accounts.<id>`. */
export const xmppAccountConfigSchema = z.object(accountConfigShape).strict();

/** The whole `channels.xmpp` value: channel-level account keys plus `accounts`. */
export const xmppChannelConfigSchema = z
  .object({
    ...accountConfigShape,
    /**
     * Further accounts keyed by account id (lower-case slug). Each inherits the
     * channel-level keys except `jid`, `password` and `name`.
     */
    accounts: z
      .record(
        z.string().regex(ACCOUNT_ID, "must be a lower-case account id like work or my-bot"),
        xmppAccountConfigSchema,
      )
      .optional()
      .describe("Accounts keyed by id"),
  })
  .strict();

/** A secret reference. */
export type SecretRef = z.output<typeof secretRefSchema>;
/** A secret input: plain string or secret reference. */
export type SecretInput = z.output<typeof secretInputSchema>;
/** One account's raw configuration. */
export type XmppAccountConfig = z.output<typeof xmppAccountConfigSchema>;
/** The raw `channels.xmpp` configuration. */
export type XmppChannelConfig = z.output<typeof xmppChannelConfigSchema>;

/** The JSON Schema (draft-07) of `channels.xmpp`, as written into `openclaw.plugin.json`. */
export function xmppChannelJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(xmppChannelConfigSchema, {
    target: "draft-07",
    io: "input",
  }) as Record<string, unknown>;
  // The manifest embeds the schema; a nested `$schema` is noise there.
  delete schema.$schema;
  return schema;
}
