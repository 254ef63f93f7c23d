/**
 * The `groups` adapter: per-room settings from `groupSettings.<roomJid>`
 * (XEP-0045 rooms by bare JID, `*` for every room) for OpenClaw's own group
 * handling — whether a mention is required, and the room's tool policy, which
 * OpenClaw applies to the agent's tools for turns in that room.
 */
import { type ResolvedGroupSettings, resolveGroupSettings, tryResolveAccount } from "./accounts.js";
import type { OpenClawConfig } from "./openclaw-types.js";
import { normaliseXmppTarget } from "./outbound.js";

/** `ChannelGroupContext` (the part we use). */
export interface GroupContext {
  cfg: OpenClawConfig;
  groupId?: string | null;
  accountId?: string | null;
}

/** OpenClaw's `GroupToolPolicyConfig`. */
export interface GroupToolPolicy {
  allow?: string[];
  alsoAllow?: string[];
  deny?: string[];
}

function settingsFor(params: GroupContext): ResolvedGroupSettings | undefined {
  const room = params.groupId == null ? undefined : normaliseXmppTarget(params.groupId);
  if (room === undefined) return undefined;
  // An invalid config is reported by validation and startAccount; fail closed here.
  const account = tryResolveAccount(params.cfg, params.accountId);
  return account === undefined ? undefined : resolveGroupSettings(account, room);
}

/** The `groups` adapter. */
export const xmppGroups = {
  /** Mention gating of a room; `true` (fail closed) when the room or config is unknown. */
  resolveRequireMention: (params: GroupContext): boolean =>
    settingsFor(params)?.requireMention ?? true,
  /** The room's tool policy, or undefined for the agent's defaults. */
  resolveToolPolicy: (params: GroupContext): GroupToolPolicy | undefined => {
    const tools = settingsFor(params)?.tools;
    if (tools === undefined) return undefined;
    return {
      ...(tools.allow === undefined ? {} : { allow: [...tools.allow] }),
      ...(tools.alsoAllow === undefined ? {} : { alsoAllow: [...tools.alsoAllow] }),
      ...(tools.deny === undefined ? {} : { deny: [...tools.deny] }),
    };
  },
};
