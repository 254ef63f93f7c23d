/**
 * The `ChannelPlugin` object OpenClaw registers for `channels.xmpp`: metadata,
 * config/account adapter and the gateway lifecycle. Protocol logic lives in
 * the `@clawxmpp/*` packages; this is OpenClaw glue only.
 */
import {
  listXmppAccountIds,
  parseXmppChannelConfig,
  type ResolvedXmppAccount,
  resolveXmppAccount,
  xmppSection,
} from "./accounts.js";
import { xmppActions } from "./actions.js";
import { xmppChannelConfigSchema } from "./config-schema.js";
import { xmppDirectory, xmppHeartbeat, xmppStatusProbe } from "./directory.js";
import { startXmppAccount } from "./gateway.js";
import { xmppGroups } from "./groups.js";
import type {
  ChannelAccountSnapshot,
  ChannelConfigSchema,
  ChannelGatewayContext,
  OpenClawConfig,
} from "./openclaw-types.js";
import { xmppMessaging, xmppOutbound } from "./outbound.js";
import { xmppPairing } from "./pairing.js";
import { buildPluginManifest, CHANNEL_ID } from "./plugin-manifest.js";
import { xmppThreading } from "./reply-threading.js";
import { xmppSetupContract } from "./setup.js";

/** The runtime config schema: the same JSON Schema as the manifest, parsed by zod. */
function channelConfigSchema(): ChannelConfigSchema {
  const entry = (buildPluginManifest().channelConfigs as Record<string, ChannelConfigSchema>)[
    CHANNEL_ID
  ]!;
  return {
    schema: entry.schema,
    ...(entry.uiHints === undefined ? {} : { uiHints: entry.uiHints }),
    runtime: {
      safeParse(value) {
        const result = xmppChannelConfigSchema.safeParse(value);
        return result.success
          ? { success: true, data: result.data }
          : {
              success: false,
              issues: result.error.issues.map((issue) => ({
                path: issue.path.filter((p): p is string | number => typeof p !== "symbol"),
                message: issue.message,
              })),
            };
      },
    },
  };
}

/** Parses `channels.xmpp` of a whole config (throws a ConfigError naming bad fields). */
function section(cfg: OpenClawConfig) {
  return parseXmppChannelConfig(xmppSection(cfg));
}

/** Account snapshot fields derivable from config alone (no secret resolution). */
function describe(account: ResolvedXmppAccount): ChannelAccountSnapshot {
  return {
    accountId: account.accountId,
    ...(account.name === undefined ? {} : { name: account.name }),
    enabled: account.enabled,
    configured: account.configured,
    dmPolicy: account.dmPolicy,
  };
}

/** The XMPP channel plugin. */
export const xmppChannelPlugin = {
  id: CHANNEL_ID,
  meta: {
    id: CHANNEL_ID,
    label: "XMPP",
    selectionLabel: "XMPP (Jabber)",
    detailLabel: "XMPP bot account",
    docsPath: "/channels/xmpp",
    docsLabel: "xmpp",
    blurb: "any XMPP server (Prosody, ejabberd, …): direct chats, group chats and pairing.",
    aliases: ["jabber"],
    markdownCapable: false,
  },
  capabilities: {
    chatTypes: ["direct", "group"] as ("direct" | "group")[],
    reactions: true,
    reply: true,
    media: true,
    // Finished blocks as messages (`streaming.mode: block`); `live` edits one message (work-status.ts).
    blockStreaming: true,
    edit: true,
    unsend: true,
  },
  reload: { configPrefixes: [`channels.${CHANNEL_ID}`] },
  configSchema: channelConfigSchema(),
  setupContract: xmppSetupContract,
  config: {
    listAccountIds: (cfg: OpenClawConfig): string[] => listXmppAccountIds(section(cfg)),
    resolveAccount: (cfg: OpenClawConfig, accountId?: string | null): ResolvedXmppAccount =>
      resolveXmppAccount(section(cfg), accountId ?? undefined),
    defaultAccountId: (cfg: OpenClawConfig): string => listXmppAccountIds(section(cfg))[0]!,
    inspectAccount: (cfg: OpenClawConfig, accountId?: string | null): ChannelAccountSnapshot =>
      describe(resolveXmppAccount(section(cfg), accountId ?? undefined)),
    isEnabled: (account: ResolvedXmppAccount): boolean => account.enabled,
    isConfigured: (account: ResolvedXmppAccount): boolean => account.configured,
    unconfiguredReason: (account: ResolvedXmppAccount): string =>
      account.jid === undefined ? "jid is not set" : "password is not set",
    describeAccount: describe,
  },
  status: {
    // Without this, `channels status` shows the config-derived row only and
    // drops the runtime's lastError.
    buildAccountSnapshot: ({
      account,
      runtime,
    }: {
      account: ResolvedXmppAccount;
      runtime?: ChannelAccountSnapshot;
    }): ChannelAccountSnapshot => ({
      ...runtime,
      ...describe(account),
      lastError: runtime?.lastError ?? null,
    }),
    probeAccount: xmppStatusProbe,
  },
  threading: xmppThreading,
  actions: xmppActions,
  directory: xmppDirectory,
  groups: xmppGroups,
  heartbeat: xmppHeartbeat,
  pairing: xmppPairing,
  messaging: xmppMessaging,
  outbound: xmppOutbound,
  gateway: {
    startAccount: (ctx: ChannelGatewayContext<ResolvedXmppAccount>): Promise<void> =>
      startXmppAccount(ctx),
  },
};

/** Type of {@link xmppChannelPlugin}. */
export type XmppChannelPlugin = typeof xmppChannelPlugin;
