/**
 * Account resolution for `channels.xmpp`: which accounts exist, and the
 * effective settings of one account (channel-level keys inherited by
 * `accounts.<id>`, defaults applied once, JIDs normalised).
 *
 * Defaults fail closed: DMs need pairing, rooms need an allowlist, and an empty
 * list grants nothing (prior-art defects S1/S2).
 */
import { ConfigError, jidFromInput, tryParseJid } from "@clawxmpp/core";
import {
  type SecretInput,
  type XmppAccountConfig,
  type XmppChannelConfig,
  xmppChannelConfigSchema,
} from "./config-schema.js";
import { type ResolvedOmemo, resolveOmemo } from "./omemo-config.js";
import { mergeWorkConfig, resolveWorkSettings, type WorkSettings } from "./work-config.js";

/** Id of the account configured by the channel-level keys. */
export const DEFAULT_ACCOUNT_ID = "default";
/** Rate limit when `rateLimit` is unset: a burst of 5, then 20 per minute. */
export const DEFAULT_RATE_LIMIT = Object.freeze({ capacity: 5, refillPerMinute: 20 });
/** `mediaMaxMb` when unset. */
export const DEFAULT_MEDIA_MAX_MB = 20;

/** Channel-level keys that a named account never inherits: they identify one account. */
const NOT_INHERITED = ["jid", "password", "name"] as const;

/** Tool policy of one room. */
export interface ResolvedToolPolicy {
  allow?: string[] | undefined;
  alsoAllow?: string[] | undefined;
  deny?: string[] | undefined;
}

/** Settings of one room after defaults. */
export interface ResolvedGroupSettings {
  requireMention: boolean;
  tools: ResolvedToolPolicy | undefined;
  /** Extra system prompt for turns in the room. */
  systemPrompt?: string | undefined;
  /** Skills allowed in the room (undefined: all). */
  skills?: string[] | undefined;
  /** Overrides the account's `historyLimit` in the room. */
  historyLimit?: number | undefined;
}

/** The effective settings of one account. */
export interface ResolvedXmppAccount {
  accountId: string;
  /** False when the account or the whole channel is disabled. */
  enabled: boolean;
  /** True when a JID and a password (or secret reference) are set. */
  configured: boolean;
  /** Normalised bare JID, when set. */
  jid: string | undefined;
  /** The password as configured (string or secret reference); never logged. */
  password: SecretInput | undefined;
  /** Host to connect to (the JID's domain unless set). */
  server: string | undefined;
  port: number;
  resource: string;
  name: string | undefined;
  dmPolicy: "pairing" | "allowlist" | "open" | "disabled";
  /** Owner bare JIDs, normalised; may contain `*`. */
  allowFrom: string[];
  /** Bare JIDs allowed under `dmPolicy: allowlist`, normalised. */
  dmAllowlist: string[];
  groupPolicy: "allowlist" | "open" | "disabled";
  /** Room bare JIDs to join, normalised, without duplicates. */
  groups: string[];
  nickname: string | undefined;
  /** Real JIDs allowed in rooms, normalised (falls back to `allowFrom`). */
  groupAllowFrom: string[];
  actions: { reactions: boolean; edit: boolean; delete: boolean };
  /** Streaming, ack reaction, read receipts and busy presence (`work-config.ts`). */
  work: WorkSettings;
  /** Native commands and approval reactions/form (XEP-0050). */
  adHocCommands: { enabled: boolean; approvals: boolean };
  messagePrefix: string | undefined;
  /** As configured (OpenClaw's object form, applied by the gateway itself). */
  heartbeatVisibility: XmppAccountConfig["heartbeatVisibility"];
  /** Largest attachment in bytes, both ways. */
  mediaMaxBytes: number;
  /** Attachment transfers to private/loopback addresses allowed (tests, closed networks). */
  allowPrivateNetwork: boolean;
  /** Per-room settings keyed by normalised room JID or `*`. */
  groupSettings: Record<string, ResolvedGroupSettings>;
  /** OMEMO settings after defaults (`omemo-config.ts`). */
  omemo: ResolvedOmemo;
  /** Path of the bot's avatar (PNG/JPEG), published on start when it changed. */
  avatar?: string | undefined;
  /** TLS mode and the CA to trust (PEM text or a file path, read at start). */
  tls: { mode: "starttls" | "direct"; ca: string | undefined };
  /** Trusted MUC service domains, lower-cased; `undefined`: the server's own (discovered). */
  trustedMucServices: string[] | undefined;
  /** Per-sender rate limit, or `false`. */
  rateLimit: false | { capacity: number; refillPerMinute: number };
  /** Recent room messages given as context on a mention (room settings may override). */
  historyLimit: number;
  /** XEP-0461 reply mode per chat type. */
  replyToMode: { direct: ReplyToMode; group: ReplyToMode };
  /** Room private messages: as DMs from the real JID (`policy`) or ignored. */
  roomPrivateMessages: "policy" | "off";
  /** The account's health monitor, in milliseconds. */
  healthMonitor: { enabled: boolean; intervalMs: number; timeoutMs: number };
}

/** XEP-0461 reply mode. */
export type ReplyToMode = "off" | "first" | "all";
/** `historyLimit` when unset. */
export const DEFAULT_HISTORY_LIMIT = 20;

/**
 * Validates the raw `channels.xmpp` value; throws a ConfigError whose issues
 * name each bad field as `channels.xmpp.<path>`.
 */
export function parseXmppChannelConfig(raw: unknown): XmppChannelConfig {
  const result = xmppChannelConfigSchema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    // zod reports a bad record key as "Invalid key in record"; say what a key must be.
    const nested = "issues" in issue && Array.isArray(issue.issues) ? issue.issues : [];
    const detail = nested.map((inner: { message: string }) => inner.message).join("; ");
    const message =
      issue.code === "invalid_key" && detail ? `invalid key: ${detail}` : issue.message;
    return { field: path ? `channels.xmpp.${path}` : "channels.xmpp", message };
  });
  const lines = issues.map((issue) => `  - ${issue.field}: ${issue.message}`).join("\n");
  throw new ConfigError(`invalid channels.xmpp:\n${lines}`, issues);
}

/** Reads `channels.xmpp` out of a whole OpenClaw config object. */
export function xmppSection(cfg: unknown): unknown {
  if (typeof cfg !== "object" || cfg === null) return undefined;
  const channels = (cfg as { channels?: unknown }).channels;
  if (typeof channels !== "object" || channels === null) return undefined;
  return (channels as { xmpp?: unknown }).xmpp;
}

/**
 * Ids of the configured accounts: every key of `accounts`, plus `default` when
 * the channel-level keys configure an account of their own (a `jid`) or when
 * there is no `accounts` record at all.
 */
export function listXmppAccountIds(config: XmppChannelConfig): string[] {
  const named = Object.keys(config.accounts ?? {}).sort();
  if (named.length === 0) return [DEFAULT_ACCOUNT_ID];
  if (config.jid !== undefined && !named.includes(DEFAULT_ACCOUNT_ID)) {
    return [DEFAULT_ACCOUNT_ID, ...named];
  }
  return named;
}

/**
 * Effective settings of `accountId` (default: `default`). A named account
 * inherits the channel-level keys except `jid`, `password` and `name`;
 * `actions`, `omemo` and `groupSettings` merge key by key. Throws a ConfigError
 * for an unknown account id.
 */
export function resolveXmppAccount(
  config: XmppChannelConfig,
  accountId: string = DEFAULT_ACCOUNT_ID,
): ResolvedXmppAccount {
  const { accounts, ...base } = config;
  const own = accounts?.[accountId];
  if (own === undefined && accountId !== DEFAULT_ACCOUNT_ID) {
    throw new ConfigError(`channels.xmpp.accounts.${accountId}: no such account`, [
      { field: `channels.xmpp.accounts.${accountId}`, message: "no such account" },
    ]);
  }
  const merged = own === undefined ? base : mergeAccount(base, own);
  const channelEnabled = base.enabled !== false;
  const jid = merged.jid === undefined ? undefined : normaliseBare(merged.jid);
  const allowFrom = normaliseList(merged.allowFrom);
  const groupSettings: Record<string, ResolvedGroupSettings> = {};
  for (const [room, entry] of Object.entries(merged.groupSettings ?? {})) {
    const key = room === "*" ? "*" : (normaliseBare(room) ?? room.toLowerCase());
    groupSettings[key] = {
      requireMention: entry.requireMention ?? true,
      tools: entry.tools === undefined ? undefined : { ...entry.tools },
      systemPrompt: entry.systemPrompt,
      skills: entry.skills === undefined ? undefined : [...entry.skills],
      historyLimit: entry.historyLimit,
    };
  }
  return {
    accountId,
    enabled: channelEnabled && merged.enabled !== false,
    configured: jid !== undefined && merged.password !== undefined,
    jid,
    password: merged.password,
    server: merged.server,
    // XEP-0368 direct TLS listens on 5223 by convention.
    port: merged.port ?? (merged.tls?.mode === "direct" ? 5223 : 5222),
    resource: merged.resource ?? "openclaw",
    avatar: merged.avatar,
    name: merged.name,
    dmPolicy: merged.dmPolicy ?? "pairing",
    allowFrom,
    dmAllowlist: normaliseList(merged.dmAllowlist),
    groupPolicy: merged.groupPolicy ?? "allowlist",
    groups: [...new Set(normaliseList(merged.groups).filter((room) => room !== "*"))],
    nickname: merged.nickname ?? (jid === undefined ? undefined : tryParseJid(jid)?.local),
    groupAllowFrom:
      merged.groupAllowFrom === undefined ? allowFrom : normaliseList(merged.groupAllowFrom),
    actions: {
      reactions: merged.actions?.reactions ?? false,
      edit: merged.actions?.edit ?? false,
      delete: merged.actions?.delete ?? false,
    },
    work: resolveWorkSettings(merged),
    adHocCommands: {
      enabled: merged.adHocCommands?.enabled ?? true,
      approvals: merged.adHocCommands?.approvals ?? true,
    },
    messagePrefix: merged.messagePrefix,
    heartbeatVisibility: merged.heartbeatVisibility,
    mediaMaxBytes: Math.floor((merged.mediaMaxMb ?? DEFAULT_MEDIA_MAX_MB) * 1024 * 1024),
    allowPrivateNetwork: merged.network?.dangerouslyAllowPrivateNetwork ?? false,
    groupSettings,
    omemo: resolveOmemo(merged.omemo),
    tls: { mode: merged.tls?.mode ?? "starttls", ca: merged.tls?.ca },
    trustedMucServices:
      merged.trustedMucServices === undefined
        ? undefined
        : [...new Set(merged.trustedMucServices.map((domain) => domain.toLowerCase()))],
    rateLimit:
      merged.rateLimit === false
        ? false
        : {
            capacity: merged.rateLimit?.capacity ?? DEFAULT_RATE_LIMIT.capacity,
            refillPerMinute:
              merged.rateLimit?.refillPerMinute ?? DEFAULT_RATE_LIMIT.refillPerMinute,
          },
    historyLimit: merged.historyLimit ?? DEFAULT_HISTORY_LIMIT,
    replyToMode: {
      // A direct chat is linear: quoting every answer there is noise.
      direct: merged.replyToModeByChatType?.direct ?? merged.replyToMode ?? "off",
      group: merged.replyToModeByChatType?.group ?? merged.replyToMode ?? "first",
    },
    roomPrivateMessages: merged.roomPrivateMessages ?? "policy",
    healthMonitor: {
      enabled: merged.healthMonitor?.enabled ?? true,
      intervalMs: (merged.healthMonitor?.intervalSeconds ?? 60) * 1000,
      timeoutMs: (merged.healthMonitor?.timeoutSeconds ?? 150) * 1000,
    },
  };
}

/**
 * The account `accountId` (default: `default`) of a whole OpenClaw config, or
 * `undefined` when the config is invalid or has no such account. For adapters
 * that must fail closed instead of throwing; validation reports the problem.
 */
export function tryResolveAccount(
  cfg: unknown,
  accountId?: string | null,
): ResolvedXmppAccount | undefined {
  try {
    return resolveXmppAccount(
      parseXmppChannelConfig(xmppSection(cfg)),
      accountId ?? DEFAULT_ACCOUNT_ID,
    );
  } catch {
    return undefined;
  }
}

/**
 * Settings of `roomJid` in `account`: its own entry, else the `*` entry, else
 * the defaults (mention required, no tool policy).
 */
export function resolveGroupSettings(
  account: ResolvedXmppAccount,
  roomJid: string,
): ResolvedGroupSettings {
  const key = normaliseBare(roomJid);
  return (
    (key === undefined ? undefined : account.groupSettings[key]) ??
    account.groupSettings["*"] ?? { requireMention: true, tools: undefined }
  );
}

function mergeAccount(base: XmppAccountConfig, own: XmppAccountConfig): XmppAccountConfig {
  const inherited: XmppAccountConfig = { ...base };
  for (const key of NOT_INHERITED) delete inherited[key];
  // `enabled` at channel level switches the whole channel; it is applied separately.
  delete inherited.enabled;
  const merged: XmppAccountConfig = { ...inherited, ...own, ...mergeWorkConfig(base, own) };
  if (base.actions !== undefined || own.actions !== undefined) {
    merged.actions = { ...base.actions, ...own.actions };
  }
  if (base.omemo !== undefined || own.omemo !== undefined) {
    merged.omemo = { ...base.omemo, ...own.omemo };
  }
  if (base.tls !== undefined || own.tls !== undefined) {
    merged.tls = { ...base.tls, ...own.tls };
  }
  if (base.network !== undefined || own.network !== undefined) {
    merged.network = { ...base.network, ...own.network };
  }
  if (base.replyToModeByChatType !== undefined || own.replyToModeByChatType !== undefined) {
    merged.replyToModeByChatType = { ...base.replyToModeByChatType, ...own.replyToModeByChatType };
  }
  if (base.healthMonitor !== undefined || own.healthMonitor !== undefined) {
    merged.healthMonitor = { ...base.healthMonitor, ...own.healthMonitor };
  }
  if (base.groupSettings !== undefined || own.groupSettings !== undefined) {
    merged.groupSettings = { ...base.groupSettings, ...own.groupSettings };
  }
  return merged;
}

/** Lower-cased, PRECIS-normalised bare JID without an `xmpp:` prefix; undefined if invalid. */
export function normaliseBare(value: string): string | undefined {
  return jidFromInput(value)?.bare;
}

function normaliseList(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const value of values ?? []) {
    if (value === "*") out.push("*");
    else {
      const bare = normaliseBare(value);
      if (bare !== undefined && !out.includes(bare)) out.push(bare);
    }
  }
  return out;
}
